"""Where every event sits in the bar: an input the models may read, never something they predict.

Three classes per token row, from its onset (grid steps from time 0; bar lines fall on
multiples of the bar length, as in form.py) and the piece's time signature:

- bar_position: the sixteenth slot of the onset in its bar (pos // (GRID / 4)), capped;
- beat_strength: downbeat, another beat, an off-beat eighth, a sixteenth, anything else
  (triplets); the beat of 6/8, 9/8, 12/8 is the dotted quarter;
- phrase_bar: the bar's index in an 8-bar phrase (bar mod 8, which holds bar mod 4 too).

The training windows (dataset.py) and the NumPy steppers compute them with the same function.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from musicstudio.core.music.constants import GRID

#: The metric columns appended to a token row, with their classes and embedding widths.
METRIC_SIZES = {"bar_position": 32, "beat_strength": 5, "phrase_bar": 8}
METRIC_DIMS = {"bar_position": 8, "beat_strength": 4, "phrase_bar": 4}
METRIC = tuple(METRIC_SIZES)
N_METRIC = len(METRIC)
DOWNBEAT, BEAT, EIGHTH, SIXTEENTH, OTHER = range(5)
STEP_COLUMN = 2  # the step stream's column in a token row (vocab.STREAMS)


#: The meter a piece is in, as one class per piece (an input like the metric classes, read
#: when a model has `meter` on): a folder of fiddle tunes mixes 2/4 reels of sixteenths and 2/2
#: reels of eighths, and a model that cannot tell them apart writes both at one density.
METERS = ((4, 4), (2, 4), (3, 4), (2, 2), (6, 8), (9, 8), (12, 8), (3, 8), (6, 4), (3, 2))
METER_CLASSES = len(METERS) + 1  # the last: any other meter
METER_DIM = 4
#: A meter has a class of its own only with this many files of the folder in it; a class of
#: fewer files is those files: a WaveNet of five tunes that read "2/2", the meter of one of
#: them, wrote that tune back (67 % of a piece's 8-event phrases).
MIN_METER_FILES = 3
OTHER_METER = len(METERS)


@dataclass(frozen=True)
class MeterClasses:
    """The class each meter of a model's folder reads: its own for a meter of MIN_METER_FILES
    files or more; the rarer meters share `rest`, the other class when they are that many
    files together, else the class of the folder's most common meter (so no class stands for
    one or two files)."""

    own: frozenset[tuple[int, int]] = frozenset()
    rest: int = OTHER_METER

    @classmethod
    def of_folder(cls, meters: Sequence[tuple[int, int]]) -> MeterClasses:
        """From the meter of every file of a folder."""
        counts = Counter((int(n), int(d)) for n, d in meters)
        own = {m: c for m, c in counts.items() if c >= MIN_METER_FILES and m in METERS}
        rare = sum(counts.values()) - sum(own.values())
        if own and 0 < rare < MIN_METER_FILES:
            common = max(own, key=lambda m: (own[m], -METERS.index(m)))
            return cls(frozenset(own), METERS.index(common))
        return cls(frozenset(own), OTHER_METER)

    def of(self, time_signature: tuple[int, int]) -> int:
        key = (int(time_signature[0]), int(time_signature[1]))
        return METERS.index(key) if key in self.own else self.rest


def meter_class(time_signature: tuple[int, int], classes: MeterClasses | None = None) -> int:
    """The class a time signature reads: by a folder's `classes`, or (None: a model whose
    folder's meters are not known) its index in METERS, else the other class."""
    if classes is not None:
        return classes.of(time_signature)
    key = (int(time_signature[0]), int(time_signature[1]))
    return METERS.index(key) if key in METERS else OTHER_METER


def bar_length(time_signature: tuple[int, int]) -> int:
    """Grid steps per bar (4/4 when the signature makes no sense)."""
    num, den = int(time_signature[0]), int(time_signature[1])
    if num <= 0 or den <= 0:
        return 4 * GRID
    return max(1, int(round(num * 4 / den * GRID)))


def beat_length(time_signature: tuple[int, int]) -> int:
    """Grid steps per beat: the denominator's note, a dotted quarter in compound 8ths."""
    num, den = int(time_signature[0]), int(time_signature[1])
    if num <= 0 or den <= 0:
        return GRID
    unit = max(1, int(round(4 * GRID / den)))
    return 3 * unit if den == 8 and num % 3 == 0 and num > 3 else unit


def metric_of_onsets(onset: np.ndarray, time_signature: tuple[int, int]) -> np.ndarray:
    """(N, N_METRIC) int32 classes of onsets in grid steps from time 0."""
    onset = np.asarray(onset, np.int64)
    bar = bar_length(time_signature)
    pos = np.mod(onset, bar)
    out = np.empty((onset.size, N_METRIC), np.int32)
    out[:, 0] = np.minimum(pos // (GRID // 4), METRIC_SIZES["bar_position"] - 1)
    strength = np.full(onset.size, OTHER, np.int32)
    strength[pos % (GRID // 4) == 0] = SIXTEENTH
    strength[pos % (GRID // 2) == 0] = EIGHTH
    strength[pos % beat_length(time_signature) == 0] = BEAT
    strength[pos == 0] = DOWNBEAT
    out[:, 1] = strength
    out[:, 2] = np.mod(np.floor_divide(onset, bar), METRIC_SIZES["phrase_bar"])
    return out


def row_onsets(tokens: np.ndarray, start: int = 0) -> np.ndarray:
    """Onset of every token row: `start` plus the steps of the rows before it (a row of
    step 0 shares the next row's onset)."""
    step = np.asarray(tokens)[:, STEP_COLUMN].astype(np.int64)
    return int(start) + np.cumsum(step) - step


def metric_columns(
    tokens: np.ndarray, start: int = 0, time_signature: tuple[int, int] = (4, 4)
) -> np.ndarray:
    """(N, N_METRIC) metric classes of a piece's token rows, its first row at `start`."""
    return metric_of_onsets(row_onsets(tokens, start), time_signature)
