"""Core never imports Qt or the GUI; TensorFlow is not imported at startup."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import musicstudio

PKG = Path(musicstudio.__file__).parent

BLOCK_QT = """
import importlib, importlib.abc, pkgutil, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph') or name.startswith('musicstudio.gui'):
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
import musicstudio.core
for m in pkgutil.walk_packages(musicstudio.core.__path__, 'musicstudio.core.'):
    importlib.import_module(m.name)
print('core ok')
"""


def test_core_imports_with_qt_absent() -> None:
    out = subprocess.run(
        [sys.executable, "-c", BLOCK_QT], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert "core ok" in out.stdout


def test_no_module_of_core_mentions_qt() -> None:
    for f in (PKG / "core").rglob("*.py"):
        text = f.read_text()
        assert "PySide6" not in text and "musicstudio.gui" not in text, f


def test_cli_scan_does_not_import_tensorflow() -> None:
    code = "import sys; import musicstudio.cli, musicstudio.core.music.corpus; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
