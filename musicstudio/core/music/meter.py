"""The meter and the downbeats of tracked beats, from the accents (not the time signature).

Every beat gets four accents, each scaled to mean one: long and loud notes starting on it,
bass notes starting on it, kick drums on it, and how much the harmony changes there. A bar of
`meter` beats starting at `phase` scores the mean accent of its downbeats over the mean of
all beats; 4/4 wins unless 3/4 is clearly stronger.
"""

from __future__ import annotations

import numpy as np

KICKS = (35, 36)
#: 3/4 is chosen over 4/4 only when its downbeats stand out this much more.
TRIPLE_MARGIN = 1.15


def beat_accents(
    position: np.ndarray,
    length: np.ndarray,
    pitch: np.ndarray,
    velocity: np.ndarray,
    drum: np.ndarray,
) -> np.ndarray:
    """One accent per beat (sum of four accents, each of mean one), from notes at fractional
    beat positions with lengths in beats."""
    k = np.rint(position).astype(np.int64)
    on = (np.abs(position - k) < 0.15) & (k >= 0)
    n = int(k.max()) + 1 if k.size else 1
    drum = np.asarray(drum, bool)
    pitch = np.asarray(pitch, np.int64)
    held = np.clip(length, 0.0, 4.0)
    vel = np.asarray(velocity, np.float64) / 127.0
    pitched = ~drum
    features = [np.bincount(k[on], (held * vel)[on], n)]
    if pitched.any():
        low = pitched & (pitch <= np.percentile(pitch[pitched], 25))
        features.append(np.bincount(k[on & low], held[on & low], n))
        start = np.floor(position + 0.25).astype(np.int64)
        ok = pitched & (start >= 0)
        pcs = np.zeros((n + 1, 12))
        np.add.at(pcs, (np.minimum(start[ok], n), pitch[ok] % 12), held[ok] + 0.25)
        pcs = pcs[:n] / np.maximum(np.linalg.norm(pcs[:n], axis=1, keepdims=True), 1e-9)
        sounding = pcs.any(axis=1)
        change = np.r_[0.0, 1.0 - (pcs[1:] * pcs[:-1]).sum(axis=1)]
        change[~sounding] = 0.0
        features.append(change)
    kick = drum & np.isin(pitch, KICKS) & on
    if kick.any():
        features.append(np.bincount(k[kick], minlength=n).astype(np.float64))
    total = np.zeros(n)
    for f in features:
        mean = f.mean()
        if mean > 0:
            total += f / mean
    return total


def downbeat_phase(
    position: np.ndarray,
    length: np.ndarray,
    pitch: np.ndarray,
    velocity: np.ndarray,
    drum: np.ndarray,
) -> tuple[int, int]:
    """(beats per bar, index of the first downbeat beat) that the accents say."""
    accent = beat_accents(position, length, pitch, velocity, drum)
    if accent.size < 8 or not accent.any():
        return 4, 0
    mean = accent.mean()

    def best(meter: int) -> tuple[float, int]:
        scores = [accent[phase::meter].mean() - mean for phase in range(meter)]
        return float(max(scores)), int(np.argmax(scores))

    four, three = best(4), best(3)
    if three[0] > TRIPLE_MARGIN * max(four[0], 1e-9):
        return 3, three[1]
    return 4, four[1]
