"""A composed piece as the app keeps it: its tokens, notes, sections and how it was made;
and its reduction for one instrument."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from musicstudio.core.music.constants import GRID
from musicstudio.core.music.measures import Measures
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS, KEYS
from musicstudio.core.music.voices import FIRST_VOICE


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
    metrics: Measures = field(default_factory=Measures)
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


def single_instrument(notes: NoteArray, program: int) -> NoteArray:
    """A reduction for one instrument: the pitched voices on one program and track, no drums."""
    pitched = np.flatnonzero(notes.parts != DRUMS)
    # one instrument plays a pitch once at an onset: of voices that shared it, the longest
    order = pitched[
        np.lexsort((-notes.duration[pitched], notes.pitch[pitched], notes.onset[pitched]))
    ]
    key = np.round(notes.onset[order] * GRID).astype(np.int64) * 128 + notes.pitch[order]
    first = np.r_[True, key[1:] != key[:-1]] if key.size else np.zeros(0, bool)
    reduced = notes.select(np.sort(order[first]))
    object.__setattr__(reduced, "program", np.full(len(reduced), program, np.int16))
    object.__setattr__(reduced, "part", np.full(len(reduced), KEYS, np.int8))
    object.__setattr__(reduced, "voice", np.full(len(reduced), FIRST_VOICE[KEYS], np.int8))
    return reduced
