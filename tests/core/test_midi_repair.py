"""Files other readers accept: out-of-range data bytes are repaired, learned and reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from musicstudio.core.music.corpus import REPAIRED, UNREADABLE, scan
from musicstudio.core.music.midi import MidiError, parse_midi_bytes
from musicstudio.core.music.midi_repair import repair_midi_bytes
from tests.conftest import midi_file, track_chunk


def song(first: list[tuple[int, bytes]]) -> bytes:
    """A 40-note melody on channel 0, after some first events (the defect under test)."""
    ev = [(0, b"\xff\x51\x03\x07\xa1\x20"), (0, b"\xff\x03\x04Lead"), *first]
    for i in range(40):
        p = 60 + (i * 5) % 12
        ev.append((0, bytes([0x90, p, 80])))
        ev.append((240, bytes([p, 0])))  # running status: another note-on, velocity 0
    return midi_file([track_chunk(ev)])


DEFECTS = {
    "velocity": [(0, bytes([0x90, 60, 128])), (240, bytes([0x80, 60, 0]))],  # "Get velocity=128"
    "controller": [(0, bytes([0xB0, 7, 226]))],  # "Get control_value=226"
    "program": [(0, bytes([0xC0, 255]))],  # "Get program=255"
}


def test_the_three_defects_are_refused_by_the_fast_parser_but_repaired() -> None:
    from symusic import Score

    for name, first in DEFECTS.items():
        data = song(first)
        try:
            Score.from_midi(data)
            refused = False
        except Exception:
            refused = True
        assert refused, f"symusic now reads the {name} defect: the test needs a new one"
        notes = parse_midi_bytes(data)
        assert notes.repaired.startswith("repaired: 1 ") and len(notes) >= 40, name
    loud = parse_midi_bytes(song(DEFECTS["velocity"]))
    assert loud.velocity.max() == 127
    assert set(parse_midi_bytes(song(DEFECTS["program"])).program.tolist()) == {0}


def test_a_folder_with_such_files_learns_them_and_says_repaired(tmp_path: Path) -> None:
    folder = tmp_path / "sloppy"
    folder.mkdir()
    for name, first in DEFECTS.items():
        (folder / f"{name}.mid").write_bytes(song(first))
    (folder / "clean.mid").write_bytes(song([]))
    corpus = scan([folder], cache_dir=tmp_path / "c")
    by_name = {Path(f.path).name: f for f in corpus.files}
    for name in DEFECTS:
        assert by_name[f"{name}.mid"].status == REPAIRED, by_name[f"{name}.mid"]
        assert "out of 0..127" in by_name[f"{name}.mid"].reason
    assert by_name["clean.mid"].status == "ok" and by_name["clean.mid"].reason == ""
    assert corpus.stats["ok"] == 4 and corpus.stats["repaired"] == 3
    assert len(corpus.streams) == 4  # learned


def test_a_clean_file_is_left_byte_for_byte() -> None:
    data = song([])
    assert repair_midi_bytes(data) == (data, "")


def test_no_repair_makes_garbage_readable() -> None:
    import pytest

    with pytest.raises(MidiError, match="malformed"):
        parse_midi_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\xff\xff\xff\xff\x90")


def test_a_file_no_repair_fixes_stays_unreadable(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "cut.mid").write_bytes(song(DEFECTS["velocity"])[:30])
    (folder / "fine.mid").write_bytes(song([]))
    corpus = scan([folder], cache_dir=tmp_path / "c")
    by_name = {Path(f.path).name: f for f in corpus.files}
    assert by_name["cut.mid"].status in (UNREADABLE, "empty", "too short")


@given(st.binary(max_size=400), st.integers(0, 10_000))
@settings(max_examples=300, deadline=None)
def test_repair_never_crashes_hangs_or_changes_the_length(noise: bytes, seed: int) -> None:
    rng = np.random.default_rng(seed)
    data = bytearray(song(DEFECTS["controller"]))
    for _ in range(int(rng.integers(0, 8))):  # flip a few bytes of a real file
        data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
    for candidate in (bytes(data), b"MThd" + noise, noise):
        fixed, _ = repair_midi_bytes(candidate)
        assert len(fixed) == len(candidate)
        try:
            parse_midi_bytes(candidate)
        except MidiError:
            pass
