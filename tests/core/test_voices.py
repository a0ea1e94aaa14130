"""Voices: every track of the user's files its own instrument line, and back out on its own
track and channel (representation 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from musicstudio.core.music.events import decode, encode, roundtrip
from musicstudio.core.music.learned import file_programs
from musicstudio.core.music.midi import NoteArray, midi_bytes, parse_midi_bytes, read_midi
from musicstudio.core.music.parts import DRUMS, GUITAR, KEYS, STRINGS
from musicstudio.core.music.recall import encode_and_measure
from musicstudio.core.music.voices import MAX_VOICES, N_VOICES, VOICE_PART, VOICES
from tests.core.raw_midi import channel_notes

TPQ = 480


def band_file(tracks: list[tuple[str, int, bool, list[tuple[float, float, int]]]]) -> bytes:
    """A MIDI file of named tracks: (name, program, is_drum, [(onset, length, pitch) in quarters])."""
    from symusic import Note, Score, Tempo, TimeSignature, Track

    score = Score(TPQ)
    score.tempos.append(Tempo(0, 120.0))
    score.time_signatures.append(TimeSignature(0, 4, 4))
    for name, program, drum, notes in tracks:
        track = Track(name, program, drum)
        for onset, length, pitch in notes:
            track.notes.append(Note(int(onset * TPQ), int(length * TPQ), pitch, 90))
        score.tracks.append(track)
    return bytes(score.dumps_midi())


def line(low: int, bars: int = 4, step: float = 1.0, length: float = 1.0) -> list:
    """A simple line around `low`: a note every `step` quarters for `bars` bars."""
    count = int(bars * 4 / step)
    return [(k * step, length, low + (k * 5) % 12) for k in range(count)]


def voices_of(notes: NoteArray) -> set[str]:
    return set(notes.notes_per_voice())


def test_two_guitars_piano_and_organ_stay_apart_with_their_programs() -> None:
    data = band_file(
        [
            ("Rhythm guitar", 29, False, line(52, step=0.5)),
            ("Lead guitar", 27, False, line(64)),
            ("Piano", 0, False, line(60, step=2, length=2)),
            ("Organ", 16, False, line(48, step=4, length=4)),
            ("Drums", 0, True, [(k / 2, 0.25, 36 + (k % 2) * 6) for k in range(32)]),
        ]
    )
    notes = parse_midi_bytes(data)
    assert voices_of(notes) == {"guitar 1", "guitar 2", "keys 1", "keys 2", "drums"}
    guitar1 = notes.voices == VOICES.index("guitar 1")  # the higher line comes first
    assert set(notes.program[guitar1].tolist()) == {27}
    assert set(notes.program[notes.voices == VOICES.index("keys 2")].tolist()) == {16}
    assert notes.joined == ()

    back = parse_midi_bytes(midi_bytes(roundtrip(notes, file_programs(notes))))
    programs = {(int(v), int(p)) for v, p in zip(back.voices, back.program, strict=True)}
    assert programs == {(int(v), int(p)) for v, p in zip(notes.voices, notes.program, strict=True)}
    assert len(back) == len(notes)


def test_melody_bridge_and_piano_on_one_program_are_three_voices() -> None:
    data = band_file(
        [
            ("MELODY", 0, False, line(72, step=0.5, length=0.5)),
            ("BRIDGE", 0, False, line(64, step=1.5, length=1.5)),
            ("PIANO", 0, False, line(48, step=2, length=2)),
        ]
    )
    notes = parse_midi_bytes(data)
    assert voices_of(notes) == {"keys 1", "keys 2", "keys 3"}
    melody = notes.voices == VOICES.index("keys 1")
    assert notes.pitch[melody].min() >= 72  # ordered by register: the melody is keys 1
    written = parse_midi_bytes(midi_bytes(roundtrip(notes, file_programs(notes))))
    assert voices_of(written) == {"keys 1", "keys 2", "keys 3"}
    for voice in (0, 1, 2):  # each line on its own track, in its own slot

        def of(n: NoteArray, v: int = voice) -> set:
            return {(float(o), int(p)) for o, p in zip(n.onset, n.pitch, strict=True)} & {
                (float(o), int(p))
                for o, p, w in zip(n.onset, n.pitch, n.voices, strict=True)
                if w == v
            }

        assert of(written) == of(notes) and len(of(notes)) >= 8


def test_a_unison_doubling_and_a_cont_track_join_their_line_and_say_why() -> None:
    strings = line(60, step=1)
    data = band_file(
        [
            ("Violins", 48, False, strings),
            ("Violins 2", 49, False, strings[:-2]),  # the same notes: a unison doubling
            ("Guitar", 25, False, line(52, bars=2)),
            ("Guitar (cont.)", 25, False, [(8 + o, d, p) for o, d, p in line(52, bars=2)]),
        ]
    )
    notes = parse_midi_bytes(data)
    assert voices_of(notes) == {"strings 1", "guitar 1"}
    assert notes.joined == (
        "'Guitar (cont.)' joined 'Guitar': continues it",
        "'Violins 2' joined 'Violins': doubles it in unison",
    )


def test_more_than_sixteen_tracks_keep_sixteen_voices() -> None:
    tracks = [(f"Keys {k}", 0, False, line(40 + 3 * k, bars=1)) for k in range(7)]
    tracks += [(f"Gtr {k}", 25, False, line(45 + 3 * k, bars=1)) for k in range(5)]
    tracks += [(f"Str {k}", 48, False, line(50 + 3 * k, bars=1)) for k in range(5)]
    tracks.append(("Bass", 33, False, line(28, bars=1)))
    tracks.append(("Kit", 0, True, [(k / 2, 0.25, 42) for k in range(8)]))
    notes = parse_midi_bytes(band_file(tracks))
    assert len(voices_of(notes)) == MAX_VOICES == 16
    assert sum("no voice left for keys" in j for j in notes.joined) == 1  # six keys slots
    assert sum("more than 16 voices" in j for j in notes.joined) == 2
    written, collisions = channel_notes(midi_bytes(notes))
    assert collisions == 0 and len({c for c, *_ in written}) == 16  # one channel per voice
    assert {c for c, p, *_ in written if p == 42} == {9}  # the drums on channel 10


def test_overlapping_same_pitch_notes_of_two_guitars_never_share_a_channel() -> None:
    first = [(0.0, 4.0, 64), (4.0, 4.0, 64)]
    second = [(1.0, 2.0, 64), (5.0, 1.0, 64)]  # the same pitch inside the first's notes
    data = band_file([("Guitar 1", 25, False, first), ("Guitar 2", 27, False, second)])
    notes = parse_midi_bytes(data)
    assert len(voices_of(notes)) == 2
    written, collisions = channel_notes(midi_bytes(roundtrip(notes, file_programs(notes))))
    assert collisions == 0
    lengths = sorted((off - on) / TPQ for _, _, on, off in written)
    assert lengths == [1.0, 2.0, 4.0, 4.0]  # every note keeps its length


def test_one_voice_overlapping_itself_is_cut_where_the_next_note_starts() -> None:
    notes = NoteArray.from_lists([0, 1, 1], [4, 1, 0.5], [60, 60, 60])
    written, collisions = channel_notes(midi_bytes(notes))
    assert collisions == 0
    assert sorted((on, off) for _, _, on, off in written) == [(0, TPQ), (TPQ, 2 * TPQ)]


def test_a_written_piece_reads_back_with_the_same_voices(tmp_path: Path) -> None:
    # keys 2 plays higher than keys 1: register alone would swap them, the names keep them
    slots = [VOICES.index(v) for v in ("keys 1", "keys 1", "keys 2", "keys 2", "guitar 1", "drums")]
    voice = np.array(slots, np.int8)
    notes = NoteArray(
        np.array([0, 1, 0, 1, 2, 0], float),
        np.ones(6),
        np.array([40, 41, 80, 81, 60, 36], np.int16),
        np.full(6, 90, np.int16),
        np.array([0, 0, 16, 16, 25, 0], np.int16),
        voice=voice,
    )
    assert notes.parts.tolist() == [KEYS, KEYS, KEYS, KEYS, GUITAR, DRUMS]
    path = tmp_path / "piece.mid"
    path.write_bytes(midi_bytes(notes))
    back = read_midi(path)
    order = np.lexsort((back.pitch, back.onset))
    assert back.voices[order].tolist() == [slots[i] for i in (5, 0, 2, 1, 3, 4)]


def test_a_quartet_keeps_its_four_string_voices() -> None:
    strings = [line(76, step=0.5), line(67), line(55, step=2, length=2), line(40, step=4, length=4)]
    programs = (40, 40, 41, 42)
    tracks = [(f"Part {k}", programs[k], False, strings[k]) for k in range(4)]
    notes = parse_midi_bytes(band_file(tracks))
    assert voices_of(notes) == {"strings 1", "strings 2", "strings 3", "strings 4"}
    events, recall = encode_and_measure(notes)
    assert recall.strict == 1.0 and set(VOICE_PART[np.unique(events.voice)]) == {STRINGS}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, N_VOICES - 1),  # voice
            st.integers(0, 95),  # onset, sixteenths
            st.integers(1, 16),  # length, sixteenths
            st.integers(30, 100),  # pitch
        ),
        min_size=1,
        max_size=200,
    )
)
def test_any_sixteen_voices_come_back_on_their_own_tracks(rows: list) -> None:
    voices = sorted({r[0] for r in rows})[:MAX_VOICES]
    rows = [r for r in rows if r[0] in voices]
    v, on, length, pitch = (np.array(c) for c in zip(*rows, strict=True))
    notes = NoteArray(
        on / 4.0,
        length / 4.0,
        pitch.astype(np.int16),
        np.full(v.size, 90, np.int16),
        np.zeros(v.size, np.int16),
        voice=v.astype(np.int8),
    )
    data = midi_bytes(decode(encode(notes)))
    written, collisions = channel_notes(data)
    assert collisions == 0
    back = parse_midi_bytes(data)
    pitched = [x for x in voices if VOICE_PART[x] != DRUMS]
    want = {(int(a), int(b), int(c)) for a, b, c in zip(v, on, pitch, strict=True)}
    got = {
        (int(a), round(b * 4), int(c))
        for a, b, c in zip(back.voices, back.onset, back.pitch, strict=True)
    }
    assert {w[1:] for w in got} == {w[1:] for w in want}  # every note, on some voice
    if len(pitched) < MAX_VOICES and not back.joined:  # every voice on a channel of its own
        assert got == want
    for line in back.joined:  # a voice that plays another's notes joins it, and says so
        assert line.endswith("doubles it in unison") or "no voice left" in line


def test_a_doubling_on_another_family_keeps_its_own_voice_and_instrument() -> None:
    melody = line(67, step=0.5, length=0.5)
    data = band_file([("Violin", 40, False, melody), ("Choir", 52, False, melody)])
    notes = parse_midi_bytes(data)  # both are the strings part, not one family: two voices
    assert voices_of(notes) == {"strings 1", "strings 2"} and notes.joined == ()
    back = parse_midi_bytes(midi_bytes(roundtrip(notes, file_programs(notes))))
    assert set(back.program.tolist()) == {40, 52}


def test_the_channels_of_a_type_0_track_are_voices_of_their_own() -> None:
    import struct

    events = bytearray()
    for delta, *message in (
        (0, 0xC0, 0),  # channel 1: piano
        (0, 0xC1, 25),  # channel 2: steel guitar
        (0, 0x90, 60, 90),
        (0, 0x91, 60, 90),  # the same pitch at once, on another channel
        (0, 0x99, 36, 90),  # channel 10: kick
        (96, 0x80, 60, 0),
        (0, 0x81, 60, 0),
        (0, 0x89, 36, 0),
        (0, 0xFF, 0x2F, 0),
    ):
        events += bytes([delta, *message])
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96)
    notes = parse_midi_bytes(header + b"MTrk" + struct.pack(">I", len(events)) + bytes(events))
    assert notes.notes_per_voice() == {"keys 1": 1, "guitar 1": 1, "drums": 1}
    written, collisions = channel_notes(midi_bytes(notes))
    assert collisions == 0 and len({c for c, *_ in written}) == 3
