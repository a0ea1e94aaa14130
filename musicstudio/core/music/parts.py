"""Parts: the roles a track plays in the band, from its General MIDI program (channel 10 = drums).

A small fixed set of roles, learnable from a few dozen files. Since representation 3 every
track is a voice of its own (voices.py: two guitars are guitar 1 and guitar 2), and each voice
slot remembers the program the corpus used most; the part is what constraints, colours,
mute / solo and the measures go by.

The roles follow the GM families (program // 8), grouped where the families play the same role
in an arrangement: piano, chromatic percussion and organ are keys; strings, ensemble and synth
pads are the sustained harmony ("strings"); brass, reed and pipe are winds; synth leads and
synth effects are the lead line of electronic music ("lead").
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from musicstudio.core.base.errors import MusicStudioError

PARTS = ("keys", "guitar", "bass", "strings", "winds", "lead", "other", "drums")
KEYS, GUITAR, BASS, STRINGS, WINDS, LEAD, OTHER, DRUMS = range(len(PARTS))
PART_LABELS = tuple(p.capitalize() for p in PARTS)

#: Part of each of the 16 GM families (program // 8).
_FAMILY_PART = (
    KEYS,  # piano
    KEYS,  # chromatic percussion
    KEYS,  # organ
    GUITAR,
    BASS,
    STRINGS,
    STRINGS,  # ensemble
    WINDS,  # brass
    WINDS,  # reed
    WINDS,  # pipe
    LEAD,  # synth lead
    STRINGS,  # synth pad
    LEAD,  # synth effects
    OTHER,  # ethnic
    OTHER,  # percussive
    OTHER,  # sound effects
)
#: Part of every GM program 0..127 (a lookup table: whole tracks are mapped at once).
PART_OF_PROGRAM = np.repeat(np.array(_FAMILY_PART, np.int8), 8)

#: Program a part plays when the corpus gives none: GM 0 piano, 25 steel guitar,
#: 33 finger bass, 48 string ensemble, 73 flute, 81 saw lead, 104 sitar (drums: kit 0).
DEFAULT_PROGRAMS = (0, 25, 33, 48, 73, 81, 104, 0)

#: Colours per part (piano roll, legend), readable on a dark background.
PART_COLOURS = (
    "#5b9bd5",  # keys: blue
    "#ed7d31",  # guitar: orange
    "#70ad47",  # bass: green
    "#c55a99",  # strings: magenta
    "#ffc000",  # winds: amber
    "#44c1c8",  # lead: teal
    "#a5a5a5",  # other: grey
    "#e0524f",  # drums: red
)


class PartError(MusicStudioError, ValueError):
    """A part name that is not one of PARTS, with the list of names."""


def part_of(program: int, is_drum: bool = False) -> int:
    """The part of a track with this GM program (drum tracks are always the drum part)."""
    return DRUMS if is_drum else int(PART_OF_PROGRAM[int(program) % 128])


def parse_parts(names: Iterable[str] | str | None) -> tuple[int, ...] | None:
    """Part names ('bass,drums' or a list) to part numbers; None or empty means every part."""
    if names is None:
        return None
    if isinstance(names, str):
        names = [n for n in names.split(",")]
    out = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        if name not in PARTS:
            raise PartError(f"unknown part {raw!r} (one of {', '.join(PARTS)})")
        out.append(PARTS.index(name))
    return tuple(sorted(set(out))) or None
