"""Representation and default hyperparameters, in one place (the UI shows the same names)."""

from __future__ import annotations

import numpy as np

#: Bumped whenever the event encoding changes; part of every cache key and bundle.
REPRESENTATION_VERSION = 3

#: Grid steps per quarter note. 12 covers sixteenths (3), eighth triplets (4)
#: and sixteenth triplets (2).
GRID = 12

#: Longest time between two onsets one event can carry (in grid steps: 4 quarters).
#: Longer gaps are split with REST events, never dropped.
MAX_STEP = 4 * GRID
#: Longest silence kept (64 bars of 4/4); longer ones are shortened to it and counted.
MAX_REST = 256 * GRID

#: Events one file may encode to (rests included); beyond it the file is reported, not learned.
MAX_EVENTS = 1_000_000

#: Duration classes in grid steps: every step up to two quarters, then coarser up
#: to 8 quarters. Longer notes are capped at the last class (and counted as capped).
DURATION_VALUES = np.array(
    list(range(1, 2 * GRID + 1)) + [27, 30, 36, 42, 48, 60, 72, 84, 96], dtype=np.int64
)

#: Velocity classes: 8 bins of 16, decoded to the bin centre.
VELOCITY_BINS = 8

#: Notes rarer than this (as pitch-set tokens) are split into frequent sub-chords.
#: The original method dropped notes below ~40 occurrences.
DEFAULT_THRESHOLD = 40

#: A file with fewer events than this is reported "too short" and not learned from.
MIN_EVENTS = 16

#: Files and notes limits: beyond them a file is reported, not parsed.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_NOTES = 2_000_000

#: Seconds one file may take to parse before it is reported as too slow (a hang never stops a scan).
PARSE_TIMEOUT = 20.0

#: Share of files held out for validation (split by file).
VALIDATION_SHARE = 0.1

#: General MIDI families (program // 8), for the instrument filter.
GM_FAMILIES = (
    "piano",
    "chromatic percussion",
    "organ",
    "guitar",
    "bass",
    "strings",
    "ensemble",
    "brass",
    "reed",
    "pipe",
    "synth lead",
    "synth pad",
    "synth effects",
    "ethnic",
    "percussive",
    "sound effects",
)
