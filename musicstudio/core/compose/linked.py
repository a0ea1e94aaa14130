"""Linked sections: a passage regenerated inside a section, carried to its returns (or not).

A section that returns (the second A of "A A B A") is its first occurrence again. When bars
inside one occurrence are composed again, the musician chooses:
- linked: every occurrence of that section gets the new passage at the same place in it, so
  the returns stay returns;
- this occurrence only: the others keep their bars, and this one becomes a variant (A -> A′).
"""

from __future__ import annotations

from dataclasses import replace

from musicstudio.core.compose.composer import Marker
from musicstudio.core.compose.regenerate import Regeneration, selected
from musicstudio.core.music.form import PRIME
from musicstudio.core.music.midi import NoteArray

EPS = 1e-6


def section_of(sections: list[Marker], start: float, end: float) -> int | None:
    """The section that holds the whole passage [start, end) (None: it spans two, or none)."""
    for i, m in enumerate(sections):
        if m.start - EPS <= start and end <= m.end + EPS:
            return i
    return None


def returns_of(sections: list[Marker], index: int) -> list[int]:
    """The other occurrences of section `index`: the sections of the same name."""
    return [i for i, m in enumerate(sections) if i != index and m.name == sections[index].name]


def apply_regeneration(
    result: Regeneration, sections: list[Marker], linked: bool
) -> tuple[NoteArray, list[Marker], int]:
    """The piece after a regeneration, and its sections: with `linked`, the passage replaces
    the same bars of every return of its section; else its section becomes a variant (A′).
    Also how many other occurrences were changed."""
    index = section_of(sections, result.start, result.end)
    if index is None:
        return result.notes, sections, 0
    others = returns_of(sections, index)
    if not linked or not others:
        if not others:
            return result.notes, sections, 0
        name = sections[index].name
        variant = name if name.endswith(PRIME) else name + PRIME
        renamed = list(sections)
        renamed[index] = replace(sections[index], name=variant)
        return result.notes, renamed, 0
    notes = result.notes
    for other in others:
        shift = sections[other].start - sections[index].start
        start, end = result.start + shift, result.end + shift
        if end > sections[other].end + EPS:  # a shorter return holds only part of the passage
            end = sections[other].end
        moved = result.passage.shifted(shift)
        moved = moved.select(moved.onset < end - EPS)
        notes = notes.select(~selected(notes, start, end, result.parts)).merged(moved)
    return notes, sections, len(others)
