"""Reading and writing MIDI (symusic) and MusicXML (music21), as plain note arrays."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from musicstudio.core.files import atomic_write_bytes
from musicstudio.core.jobs.errors import MusicStudioError
from musicstudio.core.music.constants import MAX_FILE_BYTES, MAX_NOTES
from musicstudio.core.music.midi_repair import repair_midi_bytes
from musicstudio.core.music.parts import (
    DEFAULT_PROGRAMS,
    DRUMS,
    PART_LABELS,
    PART_OF_PROGRAM,
    PARTS,
)


class MidiError(MusicStudioError):
    """A MIDI file that cannot be read, with a reason a person can act on."""


@dataclass(frozen=True)
class NoteArray:
    """The notes of one piece, times in quarter notes, each with its part (parts.py).

    Drum notes are notes of the DRUMS part (their pitch is the GM kit piece).
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

    def __post_init__(self) -> None:
        if self.part is None:
            prog = np.asarray(self.program, np.int64) % 128
            object.__setattr__(self, "part", PART_OF_PROGRAM[prog])

    def __len__(self) -> int:
        return int(self.pitch.size)

    @property
    def parts(self) -> np.ndarray:
        """The part of every note (never None)."""
        assert self.part is not None
        return self.part

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
        )

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
    # Every kept track's notes (symusic's arrays), program, part and note count.
    tracks: list[dict[str, np.ndarray]] = []
    programs, part_of_note, counts = [], [], []
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
        if part not in allowed:
            continue
        tracks.append(track.notes.numpy())
        programs.append(program)
        part_of_note.append(part)
        counts.append(tracks[-1]["time"].size)
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
    return NoteArray(
        onset=cat("time", np.float64)[keep] / tpq,
        duration=np.maximum(cat("duration", np.float64)[keep] / tpq, 0.0),
        pitch=pitch[keep],
        velocity=vel[keep],
        program=np.repeat(np.array(programs, np.int16), counts)[keep],
        tempo_qpm=tempo,
        time_signature=ts,
        drum_notes=drum_notes,
        part=np.repeat(np.array(part_of_note, np.int8), counts)[keep],
        repaired=repaired,
    )


def midi_bytes(
    notes: NoteArray,
    tempo_qpm: float | None = None,
    tpq: int = 480,
    markers: Sequence[tuple[float, str]] = (),
) -> bytes:
    """Encode notes as a standard MIDI file: one track per part, drums on channel 10, and
    `markers` (quarters, text: the sections) as marker events, which DAWs show."""
    from symusic import Note, Score, Tempo, TextMeta, TimeSignature, Track

    score = Score(tpq)
    for quarters, text in markers:
        score.markers.append(TextMeta(int(round(quarters * tpq)), str(text)))
    score.tempos.append(Tempo(0, float(tempo_qpm or notes.tempo_qpm)))
    score.time_signatures.append(TimeSignature(0, *notes.time_signature))
    parts = notes.parts.astype(np.int64)
    for part in np.unique(parts) if len(notes) else [0]:
        sel = parts == part
        programs = notes.program[sel].astype(np.int64)
        program = int(np.bincount(programs).argmax()) if programs.size else DEFAULT_PROGRAMS[part]
        track = Track(PART_LABELS[part], program, bool(part == DRUMS))
        track.notes = Note.from_numpy(
            np.round(notes.onset[sel] * tpq).astype(np.int32),
            np.maximum(1, np.round(notes.duration[sel] * tpq)).astype(np.int32),
            notes.pitch[sel].astype(np.int8),  # 0..127 fits symusic's int8
            notes.velocity[sel].astype(np.int8),
        )
        score.tracks.append(track)
    return bytes(score.dumps_midi())


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


def to_music21_stream(notes: NoteArray, tempo_qpm: float | None = None):  # type: ignore[no-untyped-def]
    """A music21 Score with one staff per part: notes and chords at their quantized offsets."""
    from music21 import instrument, meter, stream, tempo

    score = stream.Score()
    parts = notes.parts.astype(np.int64)
    for i, part in enumerate(np.unique(parts) if len(notes) else [0]):
        sel = np.flatnonzero(parts == part)
        staff = stream.Part()
        staff.partName = PART_LABELS[part]
        if part == DRUMS:
            inst = instrument.Percussion()
        else:
            programs = notes.program[sel].astype(np.int64)
            prog = int(np.bincount(programs).argmax()) if programs.size else 0
            inst = instrument.instrumentFromMidiProgram(prog)
        inst.partName = PART_LABELS[part]
        staff.insert(0, inst)
        if i == 0:
            staff.insert(0, tempo.MetronomeMark(number=round(tempo_qpm or notes.tempo_qpm)))
        staff.insert(0, meter.TimeSignature(f"{notes.time_signature[0]}/{notes.time_signature[1]}"))
        _insert_chords(staff, notes, sel)
        score.insert(0, staff)
    return score


def _insert_chords(staff: object, notes: NoteArray, sel: np.ndarray) -> None:
    """Notes of one staff grouped into chords by (onset, duration)."""
    from music21 import chord, note

    order = sel[np.lexsort((notes.pitch[sel], notes.onset[sel]))]
    groups: dict[tuple[Fraction, Fraction], list[tuple[int, int]]] = {}
    for i in order:
        on = Fraction(float(notes.onset[i])).limit_denominator(48)
        du = max(Fraction(1, 12), Fraction(float(notes.duration[i])).limit_denominator(48))
        groups.setdefault((on, du), []).append((int(notes.pitch[i]), int(notes.velocity[i])))
    for (on, du), members in groups.items():
        el = note.Note(members[0][0]) if len(members) == 1 else chord.Chord([p for p, _ in members])
        el.quarterLength = du
        el.volume.velocity = int(np.mean([v for _, v in members]))
        staff.insert(on, el)  # type: ignore[attr-defined]


def write_musicxml(
    path: str | os.PathLike[str], notes: NoteArray, tempo_qpm: float | None = None
) -> Path:
    """Write MusicXML through music21, atomically."""
    path = Path(path)
    score = to_music21_stream(notes, tempo_qpm)
    with tempfile.TemporaryDirectory() as tmp:
        out = score.write("musicxml", fp=Path(tmp) / "score.musicxml")
        atomic_write_bytes(path, Path(out).read_bytes())
    return path


def read_musicxml_pitches(path: str | os.PathLike[str]) -> list[tuple[float, int]]:
    """(offset in quarters, MIDI pitch) of every note started in a MusicXML file (ties joined)."""
    from music21 import converter

    score = converter.parse(str(path))
    out = []
    for el in score.flatten().notes:
        members = list(el.notes) if el.isChord else [el]
        for n in members:
            tie = n.tie or (el.tie if el.isChord else None)
            if tie is not None and tie.type in ("stop", "continue"):
                continue  # the continuation of a note tied across a barline
            out.append((float(el.offset), int(n.pitch.midi)))
    return sorted(out)
