"""Reading and writing MIDI (symusic) and MusicXML (music21), as plain note arrays."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from musicstudio.core.constants import MAX_FILE_BYTES, MAX_NOTES


class MidiError(Exception):
    """A MIDI file that cannot be read, with a reason a person can act on."""


@dataclass(frozen=True)
class NoteArray:
    """The pitched notes of one piece, times in quarter notes."""

    onset: np.ndarray  # float64, quarters
    duration: np.ndarray  # float64, quarters
    pitch: np.ndarray  # int16, 0..127
    velocity: np.ndarray  # int16, 1..127
    program: np.ndarray  # int16, GM program of the track
    tempo_qpm: float = 120.0
    time_signature: tuple[int, int] = (4, 4)
    drum_notes: int = 0

    def __len__(self) -> int:
        return int(self.pitch.size)

    @classmethod
    def from_lists(
        cls,
        onset: Iterable[float],
        duration: Iterable[float],
        pitch: Iterable[int],
        velocity: Iterable[int] | None = None,
        program: int = 0,
        tempo_qpm: float = 120.0,
    ) -> NoteArray:
        """Build from plain Python lists (tests, examples)."""
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
        )

    def transposed(self, semitones: int) -> NoteArray:
        """Shifted by semitones; notes leaving 0..127 are dropped."""
        p = self.pitch.astype(np.int32) + semitones
        keep = (p >= 0) & (p <= 127)
        return NoteArray(
            self.onset[keep],
            self.duration[keep],
            p[keep].astype(np.int16),
            self.velocity[keep],
            self.program[keep],
            self.tempo_qpm,
            self.time_signature,
            self.drum_notes,
        )


def families_to_programs(families: Iterable[int] | None) -> np.ndarray | None:
    """GM family numbers (program // 8) to a boolean mask over the 128 programs."""
    if families is None:
        return None
    mask = np.zeros(128, dtype=bool)
    for f in families:
        mask[int(f) * 8 : int(f) * 8 + 8] = True
    return mask


PIANO_ONLY = (0,)


def read_midi(path: str | os.PathLike[str], families: Iterable[int] | None = None) -> NoteArray:
    """Read every pitched, non-drum track (or only chosen GM families) into one NoteArray."""
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
    return parse_midi_bytes(data, families)


def parse_midi_bytes(data: bytes, families: Iterable[int] | None = None) -> NoteArray:
    """Parse MIDI bytes; raises MidiError with a reason for anything unusable."""
    from symusic import Score

    if data[:4] == b"RIFF":
        raise MidiError("RIFF-wrapped MIDI is not supported")
    if data[:4] != b"MThd":
        raise MidiError("not a MIDI file (no MThd header)")
    try:
        score = Score.from_midi(data)
    except Exception as e:  # symusic raises RuntimeError/ValueError with parser text
        raise MidiError(f"malformed MIDI: {str(e).strip()[:200] or type(e).__name__}") from e
    tpq = int(score.tpq)
    if tpq <= 0:
        raise MidiError("invalid ticks per quarter in header")
    allowed = families_to_programs(families)
    onsets, durations, pitches, velocities, programs = [], [], [], [], []
    drum_notes = 0
    total = 0
    for track in score.tracks:
        n = track.note_num()
        if n == 0:
            continue
        total += n
        if total > MAX_NOTES:
            raise MidiError(f"too many notes (> {MAX_NOTES:,})")
        if track.is_drum:
            drum_notes += n
            continue
        program = int(track.program)
        if allowed is not None and not allowed[program % 128]:
            continue
        arr = track.notes.numpy()
        # symusic gives int8 pitch/velocity: widen before any arithmetic.
        onsets.append(arr["time"].astype(np.float64) / tpq)
        durations.append(arr["duration"].astype(np.float64) / tpq)
        pitches.append(arr["pitch"].astype(np.int16))
        velocities.append(arr["velocity"].astype(np.int16))
        programs.append(np.full(n, program, np.int16))
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

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    pitch = cat(pitches, np.int16)
    vel = np.clip(cat(velocities, np.int16), 1, 127)
    keep = (pitch >= 0) & (pitch <= 127)
    return NoteArray(
        onset=cat(onsets, np.float64)[keep],
        duration=np.maximum(cat(durations, np.float64)[keep], 0.0),
        pitch=pitch[keep],
        velocity=vel[keep],
        program=cat(programs, np.int16)[keep],
        tempo_qpm=tempo,
        time_signature=ts,
        drum_notes=drum_notes,
    )


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # an ordinary file, not mkstemp's private 0600
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def midi_bytes(
    notes: NoteArray, tempo_qpm: float | None = None, program: int | None = None, tpq: int = 480
) -> bytes:
    """Encode notes as a standard MIDI file (one track per program)."""
    from symusic import Note, Score, Tempo, TimeSignature, Track

    score = Score(tpq)
    score.tempos.append(Tempo(0, float(tempo_qpm or notes.tempo_qpm)))
    score.time_signatures.append(TimeSignature(0, *notes.time_signature))
    programs = np.full(len(notes), program, np.int16) if program is not None else notes.program
    for prog in np.unique(programs) if len(notes) else [program or 0]:
        sel = programs == prog
        track = Track(f"MusicStudio {int(prog)}", int(prog), False)
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
    program: int | None = None,
) -> Path:
    """Write a MIDI file atomically (no half-written file under the real name)."""
    atomic_write_bytes(path, midi_bytes(notes, tempo_qpm, program))
    return Path(path)


def to_music21_stream(notes: NoteArray, tempo_qpm: float | None = None):  # type: ignore[no-untyped-def]
    """A music21 Score: notes and chords at their quantized offsets (rests implied)."""
    from music21 import chord, instrument, meter, note, stream, tempo

    part = stream.Part()
    part.insert(0, instrument.instrumentFromMidiProgram(int(notes.program[0]) if len(notes) else 0))
    part.insert(0, tempo.MetronomeMark(number=round(tempo_qpm or notes.tempo_qpm)))
    part.insert(0, meter.TimeSignature(f"{notes.time_signature[0]}/{notes.time_signature[1]}"))
    order = np.lexsort((notes.pitch, notes.onset))
    groups: dict[tuple[Fraction, Fraction], list[tuple[int, int]]] = {}
    for i in order:
        on = Fraction(float(notes.onset[i])).limit_denominator(48)
        du = max(Fraction(1, 12), Fraction(float(notes.duration[i])).limit_denominator(48))
        groups.setdefault((on, du), []).append((int(notes.pitch[i]), int(notes.velocity[i])))
    for (on, du), members in groups.items():
        el = note.Note(members[0][0]) if len(members) == 1 else chord.Chord([p for p, _ in members])
        el.quarterLength = du
        el.volume.velocity = int(np.mean([v for _, v in members]))
        part.insert(on, el)
    score = stream.Score()
    score.insert(0, part)
    return score


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
