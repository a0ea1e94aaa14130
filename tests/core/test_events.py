"""Notes -> events -> notes keeps onsets, pitches (real octaves), durations, dynamics and rests."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from musicstudio.core.constants import DURATION_VALUES, GRID, MAX_STEP
from musicstudio.core.events import decode, encode, note_recall, transpose_masks
from musicstudio.core.midi import NoteArray


def as_set(n: NoteArray) -> set[tuple[float, int]]:
    return {(round(float(o) * GRID), int(p)) for o, p in zip(n.onset, n.pitch, strict=True)}


def test_chord_keeps_octaves_and_single_notes() -> None:
    notes = NoteArray.from_lists([0, 0, 0, 1], [1, 1, 1, 1], [48, 64, 79, 60])
    ev = encode(notes)
    assert len(ev) == 2  # one event per onset: the chord, then the note
    back = decode(ev)
    assert as_set(back) == {(0, 48), (0, 64), (0, 79), (12, 60)}


def test_triplets_and_sixteenths_are_on_the_grid() -> None:
    on = [0, 1 / 3, 2 / 3, 1, 1.25, 1.5, 1.75]
    notes = NoteArray.from_lists(on, [1 / 3] * 3 + [0.25] * 4, [60, 62, 64, 65, 67, 69, 71])
    back = decode(encode(notes))
    assert np.allclose(back.onset, on)
    assert np.allclose(back.duration, [1 / 3] * 3 + [0.25] * 4)


def test_long_rest_becomes_rest_events_not_lost() -> None:
    notes = NoteArray.from_lists([0, 13.5], [1, 1], [60, 62])
    ev = encode(notes)
    assert ev.is_rest.sum() == 3  # 13.5 quarters = 162 steps = 48 + 48 + 48 + 18
    assert ev.step.max() <= MAX_STEP
    assert np.allclose(decode(ev).onset, [0, 13.5])


def test_long_note_is_capped_and_counted() -> None:
    notes = NoteArray.from_lists([0], [20.0], [60])
    ev = encode(notes)
    assert ev.capped == 1
    assert decode(ev).duration[0] == DURATION_VALUES[-1] / GRID


def test_velocity_survives_as_dynamics() -> None:
    notes = NoteArray.from_lists([0, 1, 2], [1, 1, 1], [60, 60, 60], [20, 70, 120])
    v = decode(encode(notes)).velocity
    assert v[0] < v[1] < v[2]
    assert np.all(np.abs(v.astype(int) - [20, 70, 120]) <= 8)


def test_transpose_masks_moves_every_pitch() -> None:
    notes = NoteArray.from_lists([0, 0, 1], [1, 1, 1], [62, 63, 70])
    ev = encode(notes)
    lo, hi, ok = transpose_masks(ev.lo, ev.hi, 3)
    assert ok
    from musicstudio.core.events import EventStream

    moved = decode(EventStream(lo, hi, ev.duration, ev.step, ev.velocity))
    assert sorted(moved.pitch.tolist()) == [65, 66, 73]
    assert not transpose_masks(ev.lo, ev.hi, 60)[2]


note_lists = st.lists(
    st.tuples(
        st.integers(0, 400),  # onset in grid steps
        st.integers(1, 60),  # duration in grid steps
        st.integers(0, 127),
        st.integers(1, 127),
    ),
    min_size=1,
    max_size=200,
)


@given(note_lists)
@settings(max_examples=200, deadline=None)
def test_round_trip_keeps_every_onset_and_pitch(items: list[tuple[int, int, int, int]]) -> None:
    on, du, pi, ve = zip(*items, strict=True)
    notes = NoteArray.from_lists([o / GRID for o in on], [d / GRID for d in du], pi, ve)
    back = decode(encode(notes))
    assert note_recall(notes, back) == 1.0
    assert as_set(back) == as_set(notes)
