"""Key estimation (Krumhansl-Schmuckler, with Krumhansl & Kessler's key profiles) for key
normalisation, the key lock and the metrics."""

from __future__ import annotations

import numpy as np

from musicstudio.core.music.events import EventStream
from musicstudio.core.music.theory import pitch_class_histogram, scale_of

#: Krumhansl & Kessler's key profiles (1982): how well each pitch class fits a major and a
#: minor key, from the tonic up. music21's KrumhanslSchmuckler has these very numbers
#: (tests/core/test_metrics.py checks); written out so measuring a piece never imports music21,
#: which costs the first Compose's figures a second or more.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def _correlations(histogram: np.ndarray) -> list[tuple[float, int, str]]:
    """(r, tonic, mode) of every key: how well its profile fits the histogram."""
    out = []
    for tonic in range(12):
        for mode, prof in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
            r = float(np.corrcoef(histogram, np.roll(prof, tonic))[0, 1])
            out.append((r if np.isfinite(r) else -2.0, tonic, mode))
    return out


def estimate_key(histogram: np.ndarray) -> tuple[int, str]:
    """(tonic pitch class, 'major' | 'minor') best correlated with the histogram."""
    if histogram.sum() <= 0:
        return 0, "major"
    r, tonic, mode = max(_correlations(histogram), key=lambda c: c[0])
    return (tonic, mode) if r > -2.0 else (0, "major")


def _in_scale(histogram: np.ndarray, tonic: int, mode: str) -> float:
    """Share of the histogram in a key's scale (natural minor for minor keys)."""
    return float(histogram[sorted(scale_of(tonic, mode))].sum() / histogram.sum())


def scale_share(histogram: np.ndarray) -> float:
    """Share of the music in one diatonic scale, the one that holds most of it (0 for none):
    1.0 for a tune that never leaves its scale, 0.9 for a chromatic chorale."""
    if histogram.sum() <= 0:
        return 0.0
    return min(1.0, max(_in_scale(histogram, tonic, "major") for tonic in range(12)))


def scale_key(histogram: np.ndarray) -> tuple[int, str]:
    """The key whose scale holds most of the music. A major key and its relative minor share a
    scale; of those two (and of any scale that holds as much), the one Krumhansl-Schmuckler
    ranks higher. Unlike estimate_key, a modal tune keeps its scale: an A dorian tune is heard
    in A minor, whose scale leaves out its F#; here it is in G major or E minor."""
    if histogram.sum() <= 0:
        return 0, "major"
    shares = {t: round(_in_scale(histogram, t, "major"), 9) for t in range(12)}
    best = max(shares.values())
    keys = [
        c for c in _correlations(histogram) if shares[(c[1] + 3 * (c[2] == "minor")) % 12] == best
    ]
    _, tonic, mode = max(keys, key=lambda c: c[0])
    return tonic, mode


def normalising_shift(stream: EventStream) -> int:
    """Semitones that move the piece to C major / A minor, within -6..+5."""
    tonic, mode = estimate_key(pitch_class_histogram(stream))
    target = 0 if mode == "major" else 9
    return int((target - tonic + 6) % 12 - 6)
