"""A composed piece as the app keeps it: its tokens, notes, sections and how it was made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from musicstudio.core.music.midi import NoteArray


@dataclass(frozen=True)
class Marker:
    """A section of a composed piece: its name ("A", "B′") and where it lies, in quarters."""

    name: str
    start: float
    end: float


@dataclass
class Composition:
    """One variation: its tokens, its notes, and how it was made."""

    tokens: np.ndarray  # (N, N_STREAMS) generated events (primer excluded)
    notes: NoteArray
    primer: np.ndarray  # (P, N_STREAMS) the primer it continued
    seconds: float
    metrics: dict[str, Any] = field(default_factory=dict)
    seed: int = 0  # the sampling seed that makes this piece again (with the same settings)
    new_from: float = 0.0  # quarters: where the composed music starts (after an included primer)
    constraints: str = ""  # the constraints it obeys, in words (key found, range, …)
    key: str = ""  # the key its notes are locked to ('D minor'; '' when none is)
    temperatures: tuple[float, float] = (0.0, 0.0)  # pitch and rhythm, as sampled
    sections: list[Marker] = field(default_factory=list)  # the form, where the sections start
    form: str = ""  # the form string of the plan it followed ("" without one)

    @property
    def events(self) -> int:
        return int(len(self.tokens))

    def markers(self) -> list[tuple[float, str]]:
        """The sections as MIDI markers: (where each starts in quarters, its name)."""
        return [(m.start, m.name) for m in self.sections]


def sections_from_markers(markers: list[tuple[float, str]], end: float) -> list[Marker]:
    """Sections back from a file's markers (each lasts until the next; the last until `end`)."""
    starts = [t for t, _ in markers] + [max(end, markers[-1][0])] if markers else []
    return [Marker(name, t, starts[i + 1]) for i, (t, name) in enumerate(markers)]
