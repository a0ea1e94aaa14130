"""Reading and writing MIDI (symusic) and MusicXML (music21), as plain note arrays."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.base.files import atomic_write_bytes
from musicstudio.core.music.beats import place_notes
from musicstudio.core.music.constants import GRID, MAX_FILE_BYTES, MAX_NOTES
from musicstudio.core.music.midi_repair import repair_midi_bytes
from musicstudio.core.music.parts import DRUMS, PART_OF_PROGRAM, PARTS
from musicstudio.core.music.voices import (
    DEFAULT_VOICE_PROGRAMS,
    FIRST_VOICE,
    N_VOICES,
    VOICE_LABELS,
    VOICE_PART,
    VOICES,
    Line,
    assign_voices,
    fit_channels,
)


class MidiError(MusicStudioError):
    """A MIDI file that cannot be read, with a reason a person can act on."""


@dataclass(frozen=True)
class NoteArray:
    """The notes of one piece, times in quarter notes, each with its voice (voices.py) and
    the voice's part (parts.py).

    Drum notes are notes of the DRUMS part (their pitch is the GM kit piece). Given only parts,
    each note is on its part's first voice; given only voices, the parts follow from them.
    """

    onset: np.ndarray  # float64, quarters
    duration: np.ndarray  # float64, quarters
    pitch: np.ndarray  # int16, 0..127
    velocity: np.ndarray  # int16, 1..127
    program: np.ndarray  # int16, GM program of the track
    tempo_qpm: float = 120.0
    time_signature: tuple[int, int] = (4, 4)
    drum_notes: int = 0  # drum notes in the file (learned or not)
    part: np.ndarray | None = None  # int8 part per note; None: from the program (no drums)
    repaired: str = ""  # what was fixed so the file could be read ("" for a clean file)
    voice: np.ndarray | None = None  # int8 voice slot per note (voices.VOICES)
    joined: tuple[str, ...] = ()  # tracks that joined another's voice, and why
    #: (quarter, qpm) tempo changes of a played file's estimated beats (beats.py); () = tempo_qpm
    tempo_map: tuple[tuple[float, float], ...] = ()
    timing: str = ""  # beats.py's outcome for a read file ("on grid", "beats tracked", ...)

    def __post_init__(self) -> None:
        if self.part is None and self.voice is not None:
            object.__setattr__(self, "part", VOICE_PART[np.asarray(self.voice, np.int64)])
        if self.part is None:
            prog = np.asarray(self.program, np.int64) % 128
            object.__setattr__(self, "part", PART_OF_PROGRAM[prog])
        if self.voice is None:
            object.__setattr__(self, "voice", FIRST_VOICE[np.asarray(self.part, np.int64)])

    def __len__(self) -> int:
        return int(self.pitch.size)

    @property
    def parts(self) -> np.ndarray:
        """The part of every note (never None)."""
        assert self.part is not None
        return self.part

    @property
    def voices(self) -> np.ndarray:
        """The voice slot of every note (never None)."""
        assert self.voice is not None
        return self.voice

    def select(self, keep: np.ndarray) -> NoteArray:
        """The notes where `keep` is true (a boolean mask or indices), same piece settings."""
        return NoteArray(
            self.onset[keep],
            self.duration[keep],
            self.pitch[keep],
            self.velocity[keep],
            self.program[keep],
            self.tempo_qpm,
            self.time_signature,
            self.drum_notes,
            self.parts[keep],
            voice=self.voices[keep],
            tempo_map=self.tempo_map,
            timing=self.timing,
        )

    def notes_per_voice(self) -> dict[str, int]:
        """Notes per voice name, voices that play only."""
        counts = np.bincount(self.voices.astype(np.int64), minlength=N_VOICES)
        return {VOICES[i]: int(c) for i, c in enumerate(counts) if c}

    def notes_per_part(self) -> dict[str, int]:
        """Notes per part name, parts that play only."""
        counts = np.bincount(self.parts.astype(np.int64), minlength=len(PARTS))
        return {PARTS[i]: int(c) for i, c in enumerate(counts) if c}

    @classmethod
    def from_lists(
        cls,
        onset: Iterable[float],
        duration: Iterable[float],
        pitch: Iterable[int],
        velocity: Iterable[int] | None = None,
        program: int = 0,
        tempo_qpm: float = 120.0,
        part: Iterable[int] | None = None,
    ) -> NoteArray:
        """Build from plain Python lists (tests, examples); parts default to the program's."""
        p = np.asarray(list(pitch), dtype=np.int16)
        v = (
            np.full(p.size, 90, np.int16)
            if velocity is None
            else np.asarray(list(velocity), np.int16)
        )
        return cls(
            onset=np.asarray(list(onset), dtype=np.float64),
            duration=np.asarray(list(duration), dtype=np.float64),
            pitch=p,
            velocity=v,
            program=np.full(p.size, program, np.int16),
            tempo_qpm=tempo_qpm,
            part=None if part is None else np.asarray(list(part), np.int8),
        )

    def shifted(self, quarters: float) -> NoteArray:
        """The same notes `quarters` later (earlier when negative)."""
        moved = self.select(np.arange(len(self)))
        object.__setattr__(moved, "onset", self.onset + quarters)
        return moved

    def merged(self, other: NoteArray) -> NoteArray:
        """These notes and `other`'s in one piece (this piece's tempo and metre), by onset."""

        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(self, name), getattr(other, name)])

        order = np.argsort(cat("onset"), kind="stable")
        return NoteArray(
            cat("onset")[order],
            cat("duration")[order],
            cat("pitch")[order],
            cat("velocity")[order],
            cat("program")[order],
            self.tempo_qpm,
            self.time_signature,
            self.drum_notes + other.drum_notes,
            np.concatenate([self.parts, other.parts])[order],
            voice=np.concatenate([self.voices, other.voices])[order],
            tempo_map=self.tempo_map,
        )

    def transposed(self, semitones: int) -> NoteArray:
        """Pitched parts shifted by semitones (drum kit pieces stay); notes leaving 0..127 are dropped."""
        drums = self.parts == DRUMS
        p = self.pitch.astype(np.int32) + np.where(drums, 0, semitones)
        keep = (p >= 0) & (p <= 127)
        moved = self.select(keep)
        object.__setattr__(moved, "pitch", p[keep].astype(np.int16))
        return moved


def read_midi(path: str | os.PathLike[str], parts: Iterable[int] | None = None) -> NoteArray:
    """Read every track, drums included (or only the chosen parts), into one NoteArray."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise MidiError(f"cannot open: {e.strerror or e}") from e
    if not path.is_file():
        raise MidiError("not a regular file")
    if size == 0:
        raise MidiError("empty file (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise MidiError(f"file too large ({size / 1e6:.1f} MB > {MAX_FILE_BYTES / 1e6:.0f} MB)")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise MidiError(f"cannot read: {e.strerror or e}") from e
    return parse_midi_bytes(data, parts)


def parse_midi_bytes(data: bytes, parts: Iterable[int] | None = None) -> NoteArray:
    """Parse MIDI bytes; raises MidiError with a reason for anything unusable."""
    from symusic import Score

    if data[:4] == b"RIFF":
        raise MidiError("RIFF-wrapped MIDI is not supported")
    if data[:4] != b"MThd":
        raise MidiError("not a MIDI file (no MThd header)")
    repaired = ""
    try:
        score = Score.from_midi(data)
    except Exception as e:  # symusic raises RuntimeError/ValueError with parser text
        fixed, repaired = repair_midi_bytes(data)
        try:
            if not repaired:
                raise
            score = Score.from_midi(fixed)
        except Exception:
            raise MidiError(f"malformed MIDI: {str(e).strip()[:200] or type(e).__name__}") from e
    tpq = int(score.tpq)
    if tpq <= 0:
        raise MidiError("invalid ticks per quarter in header")
    allowed = set(range(len(PARTS)) if parts is None else parts)
    # Every track's notes (symusic's arrays), program, part, and its line for the voices.
    tracks: list[dict[str, np.ndarray]] = []
    programs, part_of_track, lines = [], [], []
    drum_notes = 0
    total = 0
    for track in score.tracks:
        n = track.note_num()
        if n == 0:
            continue
        total += n
        if total > MAX_NOTES:
            raise MidiError(f"too many notes (> {MAX_NOTES:,})")
        program = int(track.program) % 128
        if track.is_drum:
            drum_notes += n
        part = DRUMS if track.is_drum else int(PART_OF_PROGRAM[program])
        arr = track.notes.numpy()
        time, length, pitch = arr["time"], arr["duration"], arr["pitch"]
        mean = float(pitch.mean())  # a float mean: symusic's int8 pitches cannot overflow it
        lines.append(Line(part, program, str(track.name), mean, time, length, pitch, GRID / tpq))
        tracks.append(arr)
        programs.append(program)
        part_of_track.append(part)
    voice_of_track, merges = assign_voices(lines)
    chosen = [k for k, part in enumerate(part_of_track) if part in allowed]
    tracks = [tracks[k] for k in chosen]
    counts = [tracks[k]["time"].size for k in range(len(chosen))]

    def per_note(values: list[int], dtype: type) -> np.ndarray:
        return np.repeat(np.array([values[k] for k in chosen], dtype), counts)

    tempo = 120.0
    if len(score.tempos):
        qpm = float(score.tempos[0].qpm)
        if np.isfinite(qpm) and 10.0 <= qpm <= 1000.0:
            tempo = qpm
    ts = (4, 4)
    if len(score.time_signatures):
        t0 = score.time_signatures[0]
        if int(t0.numerator) > 0 and int(t0.denominator) > 0:
            ts = (int(t0.numerator), int(t0.denominator))

    def cat(name: str, dtype: type) -> np.ndarray:
        """One field of all the tracks' notes, joined, then converted (once, not per track)."""
        return (
            np.concatenate([t[name] for t in tracks]).astype(dtype)
            if tracks
            else np.zeros(0, dtype)
        )

    # symusic gives int8 pitch/velocity: widen before any arithmetic.
    pitch = cat("pitch", np.int16)
    vel = np.clip(cat("velocity", np.int16), 1, 127)
    keep = (pitch >= 0) & (pitch <= 127)
    onset = cat("time", np.float64)[keep] / tpq
    duration = cat("duration", np.float64)[keep] / tpq
    note_part = per_note(part_of_track, np.int8)[keep]
    placed = place_notes(score, onset, duration, pitch[keep], vel[keep], note_part == DRUMS)
    if placed.onset is not None and placed.duration is not None:  # a played file (beats.py)
        onset, duration, ts = placed.onset, placed.duration, placed.time_signature
        tempo = float(np.median([qpm for _, qpm in placed.tempo_map[1:] or placed.tempo_map]))
    return NoteArray(
        onset=onset,
        duration=np.maximum(duration, 0.0),
        pitch=pitch[keep],
        velocity=vel[keep],
        program=per_note(programs, np.int16)[keep],
        tempo_qpm=tempo,
        time_signature=ts,
        drum_notes=drum_notes,
        part=note_part,
        repaired=repaired,
        voice=per_note(voice_of_track, np.int8)[keep],
        joined=tuple(str(m) for m in merges),
        tempo_map=placed.tempo_map,
        timing=placed.outcome,
    )


def midi_bytes(
    notes: NoteArray,
    tempo_qpm: float | None = None,
    tpq: int = 480,
    markers: Sequence[tuple[float, str]] = (),
) -> bytes:
    """Encode notes as a standard MIDI file: one track and one channel per voice, drums on
    channel 10 (two overlapping notes of one pitch never share a channel), and
    `markers` (quarters, text: the sections) as marker events, which DAWs show."""
    from symusic import Note, Score, Tempo, TextMeta, TimeSignature, Track

    score = Score(tpq)
    for quarters, text in markers:
        score.markers.append(TextMeta(int(round(quarters * tpq)), str(text)))
    if notes.tempo_map and tempo_qpm is None:  # a played file's beats (beats.py), a feel
        if notes.tempo_map[0][0] > 0:  # the piece's tempo until the map's first change
            score.tempos.append(Tempo(0, float(notes.tempo_qpm)))
        for quarter, qpm in notes.tempo_map:
            score.tempos.append(Tempo(int(round(quarter * tpq)), float(qpm)))
    else:
        score.tempos.append(Tempo(0, float(tempo_qpm or notes.tempo_qpm)))
    score.time_signatures.append(TimeSignature(0, *notes.time_signature))
    voices = fit_channels(notes.voices, notes.pitch)  # ascending: the drums last, on 10
    for voice in np.unique(voices) if len(notes) else [0]:
        sel = np.flatnonzero(voices == voice)
        programs = notes.program[sel].astype(np.int64)
        program = (
            int(np.bincount(programs).argmax()) if programs.size else DEFAULT_VOICE_PROGRAMS[voice]
        )
        drums = bool(VOICE_PART[voice] == DRUMS)
        track = Track(VOICE_LABELS[voice], program, drums)
        onset = np.round(notes.onset[sel] * tpq).astype(np.int64)
        length = np.maximum(1, np.round(notes.duration[sel] * tpq)).astype(np.int64)
        pitch = notes.pitch[sel].astype(np.int64)
        kept, length = one_at_a_time(onset, length, pitch)
        track.notes = Note.from_numpy(
            onset[kept].astype(np.int32),
            length.astype(np.int32),
            pitch[kept].astype(np.int8),  # 0..127 fits symusic's int8
            notes.velocity[sel][kept].astype(np.int8),
        )
        score.tracks.append(track)
    return bytes(score.dumps_midi())


def one_at_a_time(
    onset: np.ndarray, length: np.ndarray, pitch: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The notes one channel can hold (indices) and their lengths in ticks: a note ends where
    the next note of its pitch starts, and of the notes of one pitch at one onset the longest
    stays (a second note-on would end the first, or its note-off the second)."""
    if onset.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.lexsort((-length, onset, pitch))
    p, o, n = pitch[order], onset[order], length[order]
    first = np.r_[True, (p[1:] != p[:-1]) | (o[1:] != o[:-1])]
    order, p, o, n = order[first], p[first], o[first], n[first]
    same = np.r_[p[1:] == p[:-1], False]
    next_onset = np.r_[o[1:], 0]
    n = np.where(same, np.minimum(n, next_onset - o), n)
    keep = np.argsort(order, kind="stable")
    return order[keep], np.maximum(1, n[keep])


def write_midi(
    path: str | os.PathLike[str],
    notes: NoteArray,
    tempo_qpm: float | None = None,
    markers: Sequence[tuple[float, str]] = (),
) -> Path:
    """Write a MIDI file atomically (no half-written file under the real name)."""
    atomic_write_bytes(path, midi_bytes(notes, tempo_qpm, markers=markers))
    return Path(path)


def read_markers(path: str | os.PathLike[str]) -> list[tuple[float, str]]:
    """The marker events of a MIDI file (quarters, text), in time order."""
    from symusic import Score

    try:
        score = Score(str(path))
    except Exception as e:  # symusic raises plain RuntimeErrors for broken files
        raise MidiError(f"cannot read {Path(path).name}: {e}") from e
    tpq = score.ticks_per_quarter
    return sorted((m.time / tpq, str(m.text)) for m in score.markers)
