"""The notes a piano roll shows, sorted by onset so the ones in view are found by bisection."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import PARTS

MIN_SPAN = 25  # semitones shown at least, so a narrow melody is not blown up


def _empty(dtype: type) -> np.ndarray:
    return np.zeros(0, dtype)


@dataclass(frozen=True)
class RollNotes:
    """Onset-sorted note columns (quarters, MIDI pitch, velocity 1–127, part index)."""

    onset: np.ndarray = field(default_factory=lambda: _empty(float))
    end: np.ndarray = field(default_factory=lambda: _empty(float))
    pitch: np.ndarray = field(default_factory=lambda: _empty(np.int16))
    velocity: np.ndarray = field(default_factory=lambda: _empty(np.int16))
    part: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    longest: float = 0.0  # the longest duration: how far before a window a note can start

    @classmethod
    def of(cls, notes: NoteArray) -> RollNotes:
        """Sort a NoteArray by onset (stable) and clamp what cannot be drawn."""
        order = np.argsort(notes.onset, kind="stable")
        onset = np.asarray(notes.onset, float)[order]
        duration = np.maximum(np.asarray(notes.duration, float)[order], 0.0)
        return cls(
            onset=onset,
            end=onset + duration,
            pitch=np.asarray(notes.pitch, np.int16)[order],
            velocity=np.clip(np.asarray(notes.velocity, np.int16)[order], 1, 127),
            part=np.asarray(notes.parts, np.int8)[order],
            longest=float(duration.max()) if duration.size else 0.0,
        )

    def __len__(self) -> int:
        return int(self.pitch.size)

    def length(self) -> float:
        """Where the last note ends, in quarters."""
        return float(self.end.max()) if self.end.size else 0.0

    def notes_per_part(self) -> list[int]:
        """How many notes each part plays (PARTS order)."""
        return np.bincount(self.part.astype(np.int64), minlength=len(PARTS)).tolist()

    def pitch_range(self) -> tuple[int, int]:
        """The pitches to show: the notes' own with a margin, at least MIN_SPAN semitones."""
        lo, hi = (int(self.pitch.min()) - 2, int(self.pitch.max()) + 2) if len(self) else (48, 72)
        missing = MIN_SPAN - (hi - lo + 1)
        if missing > 0:
            lo, hi = lo - missing // 2, hi + missing - missing // 2
        return max(0, lo), min(127, hi)

    def touching(self, t0: float, t1: float, p_lo: int, p_hi: int) -> np.ndarray:
        """Indices of the notes sounding somewhere in [t0, t1] with a pitch in [p_lo, p_hi]."""
        # Onsets are sorted: only notes starting in [t0 - longest note, t1] can reach the area.
        a = int(np.searchsorted(self.onset, t0 - self.longest, "left"))
        b = int(np.searchsorted(self.onset, t1, "right"))
        pitch = self.pitch[a:b]
        return a + np.flatnonzero((self.end[a:b] >= t0) & (pitch >= p_lo) & (pitch <= p_hi))
