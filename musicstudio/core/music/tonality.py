"""Key estimation (Krumhansl-Schmuckler with music21's key profiles) for key normalisation."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from musicstudio.core.music.events import EventStream
from musicstudio.core.music.theory import pitch_class_histogram


@lru_cache(maxsize=1)
def _profiles() -> tuple[np.ndarray, np.ndarray]:
    from music21.analysis.discrete import KrumhanslSchmuckler

    ks = KrumhanslSchmuckler()
    return np.array(ks.getWeights("major"), float), np.array(ks.getWeights("minor"), float)


def estimate_key(histogram: np.ndarray) -> tuple[int, str]:
    """(tonic pitch class, 'major' | 'minor') best correlated with the histogram."""
    major, minor = _profiles()
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
