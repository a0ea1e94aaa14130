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
    assert {Path(p["path"]).name for p in data["problems"]} >= {"zero.mid", "text.mid"}
    assert "drums" in data["parts"]  # drums are learned as their own part
    keys_only = json.loads(run("scan", str(hostile_dir), "--json", "--parts", "keys").stdout)
    assert "drums" not in keys_only["parts"]
    assert "drums.mid" in {Path(p["path"]).name for p in keys_only["problems"]}
    bad = run("scan", str(hostile_dir), "--parts", "kazoo")
    assert bad.returncode == 2 and "unknown part 'kazoo'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_roundtrip_keeps_every_part_of_a_band_file(band_dir: Path, tmp_path: Path) -> None:
    src = sorted(band_dir.glob("*.mid"))[0]
    out = run("roundtrip", str(src), str(tmp_path / "learned.mid"), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["parts_out"] == data["parts_in"] and len(data["parts_in"]) == 5
    assert (
        data["voices"]
        == {
            "keys 1": data["parts_in"]["keys"],
            **{f"{p} 1": n for p, n in data["parts_in"].items() if p not in ("keys", "drums")},
            "drums": data["parts_in"]["drums"],
        }
        and data["joined"] == []
    )
    assert data["note_recall"] >= 0.99
    from symusic import Score

    tracks = Score(str(tmp_path / "learned.mid")).tracks
    assert sorted((t.name, t.program, t.is_drum) for t in tracks) == [
        ("Bass 1", 33, False),
        ("Drums", 0, True),
        ("Keys 1", 0, False),
        ("Lead 1", 80, False),
        ("Strings 1", 89, False),
    ]


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
