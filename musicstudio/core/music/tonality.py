"""Key estimation (Krumhansl-Schmuckler, with Krumhansl & Kessler's key profiles) for key
normalisation, the key lock and the metrics."""

from __future__ import annotations

import numpy as np

from musicstudio.core.music.events import EventStream
from musicstudio.core.music.theory import pitch_class_histogram

#: Krumhansl & Kessler's key profiles (1982): how well each pitch class fits a major and a
#: minor key, from the tonic up. music21's KrumhanslSchmuckler has these very numbers
#: (tests/core/test_metrics.py checks); written out so measuring a piece never imports music21,
#: which costs the first Compose's figures a second or more.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def estimate_key(histogram: np.ndarray) -> tuple[int, str]:
    """(tonic pitch class, 'major' | 'minor') best correlated with the histogram."""
    major, minor = MAJOR_PROFILE, MINOR_PROFILE
    best = (-2.0, 0, "major")
    if histogram.sum() <= 0:
        return 0, "major"
    for tonic in range(12):
        for mode, prof in (("major", major), ("minor", minor)):
            r = float(np.corrcoef(histogram, np.roll(prof, tonic))[0, 1])
            if np.isfinite(r) and r > best[0]:
                best = (r, tonic, mode)
    return best[1], best[2]


def normalising_shift(stream: EventStream) -> int:
    """Semitones that move the piece to C major / A minor, within -6..+5."""
    tonic, mode = estimate_key(pitch_class_histogram(stream))
    target = 0 if mode == "major" else 9
    return int((target - tonic + 6) % 12 - 6)
