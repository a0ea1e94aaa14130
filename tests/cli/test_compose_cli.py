"""`musicstudio compose` from a fresh process: the whole band on its tracks, a clean terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}  # a user's shell
    return subprocess.run(
        [sys.executable, "-m", "musicstudio", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_compose_writes_every_part_and_prints_no_tensorflow_notices(
    band_bundle: Path, tmp_path: Path
) -> None:
    out = tmp_path / "piece.mid"
    proc = run(
        "compose", str(band_bundle), "--length", "200", "--out", str(out), "--instrument",
        "bass=34", "--seed", "0", "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "I0000" not in proc.stderr and "oneDNN" not in proc.stderr, proc.stderr
    assert proc.stderr.strip() == ""
    summary = json.loads(proc.stdout)
    assert summary["metrics"]["parts"] >= 3
    assert summary["tensorflow_imported"] is False  # composing runs on NumPy: a fast first compose
    from symusic import Score

    tracks = {t.name: t for t in Score(str(out)).tracks}
    assert tracks["Drums"].is_drum and tracks["Bass 1"].program == 34  # a part: all its voices


def test_a_bad_instrument_is_one_line_and_exit_2(band_bundle: Path, tmp_path: Path) -> None:
    proc = run(
        "compose", str(band_bundle), "--instrument", "kazoo=3", "--out", str(tmp_path / "x.mid")
    )
    assert proc.returncode == 2 and "unknown part or voice 'kazoo'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_compose_with_locks_then_regenerate_bars(tmp_path: Path) -> None:
    piece = tmp_path / "piece.mid"
    proc = run(
        "compose", "lstm", "--bars", "12", "--key", "d minor", "--lowest", "C3", "--highest",
        "C6", "--max-chord", "3", "--seed", "1", "--out", str(piece), "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["seed"] == 1
    assert summary["obeys"] == "D minor, C3–C6, at most 3 notes per chord"
    from musicstudio.core.music.midi import read_midi

    before = read_midi(piece)
    assert {int(p) % 12 for p in before.pitch} <= {2, 4, 5, 7, 9, 10, 0}
    assert before.pitch.min() >= 48 and before.pitch.max() <= 84
    out = tmp_path / "again.mid"
    proc = run(
        "regenerate",
        str(piece),
        "lstm",
        "--bars",
        "5-8",
        "--out",
        str(out),
        "--json",
        "--only-here",
    )  # only these bars: a linked regenerate would change the returns of their section too
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["passage_notes"] > 0 and summary["candidates"] == 8
    assert summary["join_log_likelihood"] >= summary["median_of_others"]
    assert 0 < summary["closeness"] <= 1 and "furthest in" in summary["closeness_words"]
    after = read_midi(out)
    outside = lambda n: sorted(  # noqa: E731
        (round(float(o), 4), int(p))
        for o, p in zip(n.onset, n.pitch, strict=True)
        if not 16 <= o < 32
    )
    assert outside(after) == outside(before)
    bad = run("regenerate", str(piece), "lstm", "--bars", "8-5")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--bars 8-5" in bad.stderr


def test_out_into_missing_folders_writes_the_files(tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir" / "x.mid"
    xml = tmp_path / "scores" / "x.musicxml"
    proc = run(
        "compose", "lstm", "--length", "64", "--seed", "3", "--out", str(out), "--musicxml",
        str(xml),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    from musicstudio.core.music.midi import read_midi
    from musicstudio.core.music.musicxml import read_musicxml_pitches

    assert len(read_midi(out)) > 0 and read_musicxml_pitches(xml)
    again = tmp_path / "more" / "again.mid"
    proc = run("regenerate", str(out), "lstm", "--bars", "1-2", "--out", str(again))
    assert proc.returncode == 0, proc.stderr
    assert len(read_midi(again)) > 0
    assert not list(tmp_path.rglob("*.part"))  # no temporary left beside them


def test_a_file_that_cannot_be_written_is_named_as_the_user_typed_it(tmp_path: Path) -> None:
    taken = tmp_path / "taken.mid"
    taken.mkdir()  # a folder where the file should go: the rename over it fails
    proc = run("compose", "lstm", "--length", "32", "--out", str(taken))
    assert proc.returncode == 2
    assert f"cannot write {taken}:" in proc.stderr and ".part" not in proc.stderr, proc.stderr


def test_compose_measures_against_the_folder_as_the_model_learned_it(tmp_path: Path) -> None:
    """The corpus a piece is compared with is scanned with the model's own options (its parts,
    threshold, transposition), not a copied default threshold."""
    from musicstudio.cli.compose import _measure_against
    from musicstudio.core.base.resources import sample_models_dir
    from musicstudio.core.learn.bundle import load_bundle, options_of
    from musicstudio.core.music.corpus import ScanOptions

    models = sample_models_dir()
    assert models is not None
    bundle = load_bundle(models / "sample-lstm.msb")
    bundle.scan_options = ScanOptions(parts=(0, 3), threshold=12, transpose=2, normalize_key=True)
    path = bundle.save(tmp_path / "model.msb")
    source = _measure_against(path, str(tmp_path))
    assert source.paths == (str(tmp_path),)
    assert source.options == ScanOptions(
        parts=(0, 3), threshold=12, transpose=2, normalize_key=True
    )

    assert bundle.source(str(tmp_path)) == source  # the same source from the loaded model
    damaged = {"scan_options": {"threshold": "lots", "transpose": 99}}  # a hand-edited manifest
    assert options_of(damaged) == ScanOptions()
