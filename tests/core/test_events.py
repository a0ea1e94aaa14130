"""Notes -> events -> notes keeps onsets, pitches (real octaves), parts, durations, dynamics, rests."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from musicstudio.core.music.constants import DURATION_VALUES, GRID, MAX_STEP
from musicstudio.core.music.events import decode, encode, transpose_masks
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import BASS, DRUMS, KEYS, PARTS
from musicstudio.core.music.recall import note_recall
from musicstudio.core.music.vocab import pitches_of


def as_set(n: NoteArray) -> set[tuple[float, int]]:
    return {(round(float(o) * GRID), int(p)) for o, p in zip(n.onset, n.pitch, strict=True)}


def test_chord_keeps_octaves_and_single_notes() -> None:
    notes = NoteArray.from_lists([0, 0, 0, 1], [1, 1, 1, 1], [48, 64, 79, 60])
    ev = encode(notes)
    assert len(ev) == 2  # one event per onset and part: the chord, then the note
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
    from musicstudio.core.music.events import EventStream

    moved = decode(EventStream(lo, hi, ev.duration, ev.step, ev.velocity, ev.voice))
    assert sorted(moved.pitch.tolist()) == [65, 66, 73]
    assert not transpose_masks(ev.lo, ev.hi, 60)[2]


def test_transposing_a_stream_leaves_the_drum_kit_alone() -> None:
    notes = NoteArray.from_lists([0, 0, 1], [1, 1, 1], [36, 60, 42], part=[DRUMS, KEYS, DRUMS])
    moved = decode(encode(notes).transposed(2))
    assert sorted(zip(moved.part.tolist(), moved.pitch.tolist(), strict=True)) == [
        (KEYS, 62),
        (DRUMS, 36),
        (DRUMS, 42),
    ]


def test_bass_whole_note_under_a_melody_keeps_both_durations_and_velocities() -> None:
    """The case the merged representation got wrong: one onset, two parts, two lengths."""
    notes = NoteArray.from_lists(
        [0, 0, 1, 2, 3],
        [4, 1, 1, 1, 1],
        [36, 72, 74, 76, 77],
        [60, 100, 100, 100, 100],
        part=[BASS, KEYS, KEYS, KEYS, KEYS],
    )
    ev = encode(notes)
    assert ev.step[:2].tolist() == [0, GRID]  # two events at onset 0: melody, then bass
    assert ev.parts[:2].tolist() == [KEYS, BASS]
    back = decode(ev)
    got = {
        (int(p), float(d), int(v) // 16)
        for p, d, v in zip(back.pitch, back.duration, back.velocity, strict=True)
    }
    assert (36, 4.0, 60 // 16) in got and (72, 1.0, 100 // 16) in got
    assert note_recall(notes, back).strict == 1.0


def test_events_of_one_onset_are_ordered_by_part_then_lowest_pitch() -> None:
    notes = NoteArray.from_lists(
        [0, 0, 0, 0], [1, 1, 2, 1], [72, 40, 60, 36], part=[KEYS, BASS, KEYS, DRUMS]
    )
    ev = encode(notes)
    rows = list(
        zip(
            ev.parts.tolist(),
            [min(pitches_of(int(a), int(b))) for a, b in zip(ev.lo, ev.hi, strict=True)],
            strict=True,
        )
    )
    assert rows == [(KEYS, 60), (KEYS, 72), (BASS, 40), (DRUMS, 36)]
    assert ev.step.tolist()[:3] == [0, 0, 0]


def test_strict_recall_counts_a_wrong_duration_as_lost() -> None:
    notes = NoteArray.from_lists([0, 1], [1, 1], [60, 62])
    wrong = NoteArray.from_lists([0, 1], [4, 1], [60, 62])
    r = note_recall(notes, wrong)
    assert r.strict == 0.5 and r.onset_pitch == 1.0 and r.duration_exact == 0.5


note_lists = st.lists(
    st.tuples(
        st.integers(0, 400),  # onset in grid steps
        st.sampled_from(DURATION_VALUES.tolist()),  # duration in grid steps (one of the classes)
        st.integers(0, 127),
        st.integers(1, 127),
        st.integers(0, len(PARTS) - 1),  # part, drums included
    ),
    min_size=1,
    max_size=200,
)


@given(note_lists, st.sampled_from([(4, 4), (3, 4), (6, 8), (5, 4)]))
@settings(max_examples=300, deadline=None)
def test_round_trip_keeps_every_note_with_its_part_duration_and_dynamics(
    items: list[tuple[int, int, int, int, int]], time_signature: tuple[int, int]
) -> None:
    """Random multi-part notes, chords of mixed durations and velocities, drums, metres."""
    on, du, pi, ve, pa = zip(*items, strict=True)
    notes = NoteArray.from_lists([o / GRID for o in on], [d / GRID for d in du], pi, ve, part=pa)
    object.__setattr__(notes, "time_signature", time_signature)
    back = decode(encode(notes))
    r = note_recall(notes, back)
    assert r.strict == 1.0 and r.duration_exact == 1.0
    assert back.time_signature == time_signature
    # Every (onset, part, pitch) comes back once, with its duration and velocity within a class.
    want = {}
    for o, d, p, v, part in items:
        key = (o, part, p)
        old = want.get(key, (0, 0))
        want[key] = (max(old[0], d), max(old[1], v))
    got = {
        (round(float(o) * GRID), int(part), int(p)): (round(float(d) * GRID), int(v))
        for o, d, p, v, part in zip(
            back.onset, back.duration, back.pitch, back.velocity, back.part, strict=True
        )
    }
    assert got.keys() == want.keys()
    for key, (d, v) in want.items():
        assert got[key][0] == d
        assert abs(got[key][1] // 16 - v // 16) <= 1
