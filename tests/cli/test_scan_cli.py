"""`musicstudio scan` as a script would use it: JSON figures, clear errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "musicstudio", *args], capture_output=True, text=True, timeout=300
    )


def test_scan_json(chorale_dir: Path) -> None:
    out = run("scan", str(chorale_dir), "--json", "--threshold", "5")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in (
        "files",
        "ok",
        "skipped",
        "notes",
        "events",
        "vocab_size",
        "note_recall",
        "seconds",
        "problems",
    ):
        assert key in data
    assert data["files"] == 24 and data["note_recall"] >= 0.99 and data["threshold"] == 5


def test_scan_reports_problem_files(hostile_dir: Path) -> None:
    out = run("scan", str(hostile_dir))
    assert out.returncode == 0, out.stderr
    assert "zero.mid: empty file" in out.stdout
    assert "Traceback" not in out.stderr
    data = json.loads(run("scan", str(hostile_dir), "--json").stdout)
    assert {Path(p["path"]).name for p in data["problems"]} >= {"zero.mid", "text.mid", "drums.mid"}


def test_bad_folders_exit_2_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("hello")
    (tmp_path / "texts" / "b.mid").write_text("hello")
    for folder, msg in (
        ("missing", "does not exist"),
        ("empty", "no MIDI files"),
        ("texts", "no usable MIDI"),
    ):
        out = run("scan", str(tmp_path / folder))
        assert out.returncode == 2, folder
        assert msg in out.stderr and "Traceback" not in out.stderr, out.stderr
