"""Core never imports Qt or the GUI; TensorFlow is not imported at startup; no import cycles."""

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


def _imports_at_load(path: Path, module: str) -> set[str]:
    """The modules a module names at its top level, `if TYPE_CHECKING:` blocks included
    (imports inside functions are left out: they run after every module has loaded)."""
    import ast

    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = module.split(".")[: None if path.stem == "__init__" else -1]
                    package = package[: len(package) - node.level + 1]
                    base = ".".join(package + ([node.module] if node.module else []))
                found.add(base)
                found.update(f"{base}.{a.name}" for a in node.names)
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(node.orelse)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return found


def test_no_import_cycle_between_modules() -> None:
    """No two modules import each other, directly or round a loop, not even for type hints:
    a module's helpers get an interface (a Protocol) instead of importing it back."""
    modules = {}
    for path in PKG.rglob("*.py"):
        parts = path.relative_to(PKG.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {
        m: sorted(n for n in _imports_at_load(p, m) if n in modules and n != m)
        for m, p in modules.items()
    }
    loops = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for imported in graph[module]:
            if state.get(imported) == 1:
                loops.append(" -> ".join([*path[path.index(imported) :], imported]))
            elif imported not in state:
                walk(imported, [*path, imported])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert not loops, "import cycles:\n" + "\n".join(loops)
