"""Installed as a wheel, MusicStudio finds its resources inside the package; the frozen app self-tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
from musicstudio.core.base.resources import resources_dir, sample_corpus_dir, sample_models_dir
from musicstudio.core.sound.playback import find_soundfont
print(resources_dir()); print(sample_corpus_dir()); print(sample_models_dir()); print(find_soundfont())
"""


def test_wheel_ships_resources_and_finds_them(tmp_path: Path) -> None:
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheel_dir),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(wheel_dir.glob("musicstudio-*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSICSTUDIO_")}
    env["PYTHONPATH"] = str(target)
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert all(line.startswith(str(target)) for line in lines), lines
    assert lines[3].endswith(".sf3")


@pytest.mark.slow
def test_pyinstaller_app_self_test() -> None:
    """Builds dist/musicstudio with PyInstaller (several minutes) and runs `--self-test`."""
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_app.sh")],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "self-test passed" in out.stdout
