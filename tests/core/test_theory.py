"""The one theory module: note names both ways, keys, scales and pitch-class histograms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from musicstudio.core.music.events import encode
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS, KEYS
from musicstudio.core.music.theory import (
    KEY_NAMES,
    NotationError,
    key_name,
    note_number,
    parse_key,
    pitch_class_histogram,
    pitch_name,
    scale_of,
)


def test_pitch_names_in_one_spelling() -> None:
    assert pitch_name(60) == "C4" and pitch_name(61) == "C#4" and pitch_name(63) == "Eb4"
    assert pitch_name(21) == "A0" and pitch_name(0) == "C-1" and pitch_name(127) == "G9"
    assert [pitch_name(p)[:-1] for p in range(66, 71)] == ["F#", "G", "Ab", "A", "Bb"]


def test_note_names_are_read_in_every_spelling() -> None:
    assert note_number("C3") == 48 and note_number("F#4") == 66 and note_number("Bb2") == 46
    assert note_number("Gb4") == note_number("F#4") and note_number("A♯3") == note_number("Bb3")
    assert note_number(" c4 ") == 60 and note_number("Eb-1") == 3 and note_number("60") == 60
    for bad in ("middle C", "H3", "C", ""):
        with pytest.raises(NotationError, match="not a note"):
            note_number(bad)
    with pytest.raises(NotationError, match="outside the MIDI range"):
        note_number("G#9")


@given(st.integers(0, 127))
def test_a_name_reads_back_as_its_note(pitch: int) -> None:
    assert note_number(pitch_name(pitch)) == pitch


def test_keys_are_named_and_read_alike() -> None:
    assert len(KEY_NAMES) == 24 and KEY_NAMES[0] == "C major" and KEY_NAMES[-1] == "B minor"
    for name in KEY_NAMES:
        assert key_name(*parse_key(name)) == name
    assert parse_key("d minor") == (2, "minor") and parse_key("Bb") == (10, "major")
    assert parse_key("f# minor") == parse_key("Gb minor") == (6, "minor")
    with pytest.raises(NotationError, match="not a key"):
        parse_key("H minor")


def test_minor_is_the_natural_minor() -> None:
    assert scale_of(9, "minor") == scale_of(0, "major")  # A minor shares C major's notes
    assert 0 in scale_of(2, "minor") and 1 not in scale_of(2, "minor")  # D minor: C, not C#


def test_notes_and_their_events_give_one_histogram() -> None:
    notes = NoteArray.from_lists(
        [0, 0, 1, 2, 2, 3],
        [1, 1, 1, 2, 2, 0.5],
        [62, 65, 69, 61, 36, 74],
        part=[KEYS, KEYS, KEYS, KEYS, DRUMS, KEYS],
    )
    from_notes = pitch_class_histogram(notes)
    assert from_notes[2] == 1.5 and from_notes[1] == 2.0 and from_notes[0] == 0.0  # no drums
    np.testing.assert_allclose(pitch_class_histogram(encode(notes)), from_notes)
