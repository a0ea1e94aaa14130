"""scripts/setup.sh on a distribution's own Python: Debian's python3 is externally managed
(PEP 668), so the script must make and use the project's .venv; the app then starts from it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = Path("/usr/bin/python3")
MANAGED = (
    "import os, sys, sysconfig;"
    " sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path('stdlib'),"
    " 'EXTERNALLY-MANAGED')) else 1)"
)


def externally_managed(python: Path) -> bool:
    """Whether `python` refuses `pip install` outside a venv (an EXTERNALLY-MANAGED marker)."""
    if not python.exists():
        return False
    return subprocess.run([str(python), "-c", MANAGED], capture_output=True).returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(
    not externally_managed(SYSTEM_PYTHON) or shutil.which("git") is None,
    reason="needs a distribution's externally managed /usr/bin/python3 (Debian, Ubuntu) and git",
)
def test_setup_makes_a_venv_on_an_externally_managed_python(tmp_path: Path) -> None:
    """A fresh clone, a clean environment (no venv active, no PYTHONPATH): setup.sh installs
    everything into .venv (TensorFlow too: minutes), and the app passes its self-test from it."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=300)
    clean = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", str(tmp_path))}
    setup = subprocess.run(
        ["env", "-i", *(f"{k}={v}" for k, v in clean.items()), f"PYTHON={SYSTEM_PYTHON}"]
        + ["bash", "scripts/setup.sh"],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=3000,
    )
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    python = clone / ".venv" / "bin" / "python"
    where = "import sys, musicstudio; print(sys.prefix); print(musicstudio.__file__)"
    prefix = subprocess.run(  # from elsewhere: the venv's own install, not the folder's package
        [str(python), "-c", where], cwd=tmp_path, env=clean, capture_output=True, text=True
    ).stdout.split()
    assert prefix == [str(clone / ".venv"), str(clone / "musicstudio" / "__init__.py")]
    again = subprocess.run(  # a second run finds everything installed and says nothing
        ["env", "-i", *(f"{k}={v}" for k, v in clean.items()), f"PYTHON={SYSTEM_PYTHON}"]
        + ["bash", "scripts/setup.sh"],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0 and "creating .venv" not in again.stdout, again.stderr

    app = {**clean, "QT_QPA_PLATFORM": "offscreen", "SDL_AUDIODRIVER": "dummy"}
    app.update(MUSICSTUDIO_DATA_DIR=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    app.update(MUSICSTUDIO_CACHE_DIR=str(tmp_path / "cache"), TMPDIR=str(tmp_path))
    run = subprocess.run(
        ["env", "-i", *(f"{k}={v}" for k, v in app.items()), str(python), "-m", "musicstudio"]
        + ["--self-test"],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "self-test passed" in run.stdout and "TensorFlow loaded" in run.stdout
