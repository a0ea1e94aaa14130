"""Hostile MIDI: every file ends "ok" or with a reason; the scan finishes and learns from the good files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from musicstudio.core.music.corpus import CRASHED, OK, scan
from tests.conftest import benchmark_module, midi_file, sample_files, track_chunk
from tests.faults import crashing_parser, hanging_parser

hostile_inputs = benchmark_module("mutate").hostile_inputs


def test_hostile_corpus_is_scanned_and_reported(hostile_dir: Path, tmp_path: Path) -> None:
    d = hostile_dir
    good = (d / "good1.mid").read_bytes()
    # Huge delta times: a note after ~2**28 ticks.
    (d / "huge_delta.mid").write_bytes(
        midi_file(
            [
                track_chunk(
                    [
                        (0, b"\x90\x3c\x50"),
                        (240, b"\x80\x3c\x00"),
                        (2**28 - 1, b"\x90\x3e\x50"),
                        (240, b"\x80\x3e\x00"),
                    ]
                    * 20
                )
            ]
        )
    )
    # Thousands of tracks.
    many = [
        track_chunk(
            [(i * 120, bytes([0x90, 60 + i % 12, 80])), (120, bytes([0x80, 60 + i % 12, 0]))]
        )
        for i in range(3000)
    ]
    (d / "many_tracks.mid").write_bytes(midi_file(many))
    # Over the size limit (sparse, cheap on disk).
    with open(d / "huge.mid", "wb") as f:
        f.write(good[:14])
        f.truncate(40 * 1024 * 1024)
    os.symlink(d / "loop.mid", d / "loop.mid")
    bad_name = os.fsencode(str(d)) + b"/caf\xe9_non_utf8.mid"
    with open(bad_name, "wb") as f:
        f.write(good)
    corpus = scan([d], cache_dir=tmp_path / "c")
    reports = {Path(r.path).name: r for r in corpus.files}
    assert all(r.status == OK or r.reason for r in corpus.files)
    assert reports["huge.mid"].reason.startswith("file too large")
    assert "cannot open" in reports["loop.mid"].reason
    assert reports["many_tracks.mid"].status == OK and reports["many_tracks.mid"].notes == 3000
    huge = reports["huge_delta.mid"]
    assert huge.status == OK  # long silences are shortened, not turned into millions of rests
    assert max(len(s) for s in corpus.streams) < 10_000
    assert sum(1 for r in corpus.files if r.status == OK) >= 4  # the good files are learned
    assert any("non_utf8" in r.path for r in corpus.files if r.status == OK)


def test_cli_prints_non_utf8_names(hostile_dir: Path) -> None:
    with open(os.fsencode(str(hostile_dir)) + b"/\xff\xfe.mid", "wb") as f:
        f.write(b"junk")
    out = subprocess.run(
        [sys.executable, "-m", "musicstudio", "scan", str(hostile_dir)],
        capture_output=True,
        timeout=300,
    )
    assert out.returncode == 0 and b"Traceback" not in out.stderr


def test_thousands_of_mutated_files_never_break_a_scan(tmp_path: Path) -> None:
    seeds = [f.read_bytes() for f in sample_files(20)]
    folder = tmp_path / "fuzz"
    folder.mkdir()
    for i, data in enumerate(hostile_inputs(seeds, 3000, seed=1)):
        (folder / f"m{i:05d}.mid").write_bytes(data)
    corpus = scan([folder], cache_dir=tmp_path / "c")
    assert corpus.stats["files"] == 3000
    statuses = {r.status for r in corpus.files}
    assert statuses <= {"ok", "repaired", "empty", "drums only", "too short", "unreadable"}
    assert all(r.reason for r in corpus.files if r.status != OK)
    assert corpus.stats["ok"] > 100 and corpus.stats["skipped"] > 100


def test_a_file_that_hangs_is_reported_not_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "slow"
    folder.mkdir()
    for f in sample_files(6):
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "hangs.mid").write_bytes(sample_files(1)[0].read_bytes())
    monkeypatch.setenv("MUSICSTUDIO_PARSE_TIMEOUT", "1")
    corpus = scan([folder], cache_dir=tmp_path / "c", parser=hanging_parser)
    reports = {Path(r.path).name: r for r in corpus.files}
    assert reports["hangs.mid"].reason.startswith("parsing took too long"), reports["hangs.mid"]
    assert corpus.stats["ok"] == 6
    assert corpus.stats["seconds"] < 40


def test_a_file_that_kills_its_worker_is_reported_and_the_rest_learned(tmp_path: Path) -> None:
    folder = tmp_path / "crash"
    folder.mkdir()
    for f in sample_files(6):
        (folder / f.name).write_bytes(f.read_bytes())
    (folder / "crashes.mid").write_bytes(sample_files(1)[0].read_bytes())
    corpus = scan([folder], cache_dir=tmp_path / "c", parser=crashing_parser)
    reports = {Path(r.path).name: r for r in corpus.files}
    assert reports["crashes.mid"].reason == CRASHED
    assert corpus.stats["ok"] == 6
