"""MusicXML out (music21): one staff per voice, notes and chords at their quantized offsets."""

from __future__ import annotations

import os
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

from musicstudio.core.base.files import atomic_write_bytes
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS
from musicstudio.core.music.voices import VOICE_LABELS, VOICE_PART


def to_music21_stream(notes: NoteArray, tempo_qpm: float | None = None):  # type: ignore[no-untyped-def]
    """A music21 Score with one staff per voice: notes and chords at their quantized offsets."""
    from music21 import instrument, meter, stream, tempo

    score = stream.Score()
    voices = notes.voices.astype(np.int64)
    for i, voice in enumerate(np.unique(voices) if len(notes) else [0]):
        sel = np.flatnonzero(voices == voice)
        staff = stream.Part()
        staff.partName = VOICE_LABELS[voice]
        if VOICE_PART[voice] == DRUMS:
            inst = instrument.Percussion()
        else:
            programs = notes.program[sel].astype(np.int64)
            prog = int(np.bincount(programs).argmax()) if programs.size else 0
            inst = instrument.instrumentFromMidiProgram(prog)
        inst.partName = VOICE_LABELS[voice]
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
