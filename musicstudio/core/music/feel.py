"""The feel of a corpus: where its onsets sit against the grid, and how its tempo moves.

Measured at scan time from each file's onsets before they are quantized (a played file's
onsets are quarters of its estimated beats, beats.py, with their micro-timing kept):

- per grid position within the beat (12 positions of the 1/12-quarter grid), the mean and
  spread of the onsets' offset from the grid, in fractions of a quarter;
- the swing: how late the off-beat eighth of a beat split in two falls (1/6 of a quarter for
  a triplet swing, 0 for straight eighths);
- the tempo curve's typical spread (relative, of a 4-beat moving average of the tempo map).

Each worker sums its file (FileReport.feel: counts, sums and squares, so files add up
exactly); the scan adds them into the corpus's profile (stats["feel"], kept in the bundle).
A piece composed "like your files" gets seeded offsets drawn from the profile (apply_feel);
"straight" writes it on the grid, as the model composed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from musicstudio.core.music.constants import GRID

FEELS = ("straight", "files")
#: Beats are counted from this much before them: an onset played a little early is on its beat.
EARLY = 0.1
#: Within a beat (quarters): where an off-beat eighth may fall, swung or not ...
OFF_BEAT = (0.42, 0.73)
#: ... and the beat is split in two only when no other onset lies inside it.
LARGEST_OFFSET = 0.25  # quarters: no feel moves a note further than this


def file_feel(onset: np.ndarray, tempo_map: tuple[tuple[float, float], ...] = ()) -> dict[str, Any]:
    """One file's sums: onsets, offsets and squares per grid position; the same for its swung
    (or straight) off-beat eighths; and its tempo curve's spread (NumPy, no loop per note)."""
    q = np.asarray(onset, np.float64)
    grid = np.rint(q * GRID)
    offset = q - grid / GRID
    position = grid.astype(np.int64) % GRID
    swing = off_beat_eighths(q)
    s = q[swing] - np.floor(q[swing] + EARLY) - 0.5
    return {
        "n": np.bincount(position, minlength=GRID).tolist(),
        "sum": _round(np.bincount(position, offset, GRID)),
        "sq": _round(np.bincount(position, offset**2, GRID)),
        "swing": [int(s.size), *_round(np.array([s.sum(), (s**2).sum()]))],
        "tempo_spread": round(tempo_spread(tempo_map), 5),
    }


def off_beat_eighths(q: np.ndarray) -> np.ndarray:
    """The onsets that are the second eighth of a beat split in two (straight or swung): in
    OFF_BEAT of their beat, with no other onset inside that beat."""
    beat = np.floor(q + EARLY).astype(np.int64)
    within = q - beat
    mid = (within >= OFF_BEAT[0]) & (within <= OFF_BEAT[1])
    inside = (within > EARLY) & ~mid
    if not q.size:
        return mid
    busy = np.bincount(beat[inside], minlength=int(beat.max()) + 1) > 0
    return mid & ~busy[beat]


def tempo_spread(tempo_map: tuple[tuple[float, float], ...]) -> float:
    """Spread of the log tempo (a 4-beat moving average, so beat jitter is not a tempo change),
    weighted by how many quarters each tempo lasts; 0 for a steady tempo."""
    if len(tempo_map) < 3:
        return 0.0
    at = np.array([t for t, _ in tempo_map], np.float64)
    qpm = np.log(np.array([v for _, v in tempo_map], np.float64))
    weight = np.r_[np.diff(at), np.median(np.diff(at))]
    if qpm.size >= 4:
        qpm = np.convolve(qpm, np.ones(4) / 4, mode="valid")
        weight = weight[: qpm.size]
    mean = np.average(qpm, weights=weight)
    return float(np.sqrt(np.average((qpm - mean) ** 2, weights=weight)))


def _round(values: np.ndarray) -> list[float]:
    return np.round(values, 6).tolist()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class FeelProfile:
    """A corpus's feel (fractions of a quarter); all zeros is straight."""

    mean: tuple[float, ...] = (0.0,) * GRID  # offset from the grid per position in the beat
    spread: tuple[float, ...] = (0.0,) * GRID
    onsets: tuple[int, ...] = (0,) * GRID
    swing: float = 0.0  # how late the off-beat eighths fall
    swing_spread: float = 0.0
    swing_onsets: int = 0
    tempo_spread: float = 0.0  # relative spread of the tempo curve
    files: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "mean": [round(v, 5) for v in self.mean],
            "spread": [round(v, 5) for v in self.spread],
            "onsets": list(self.onsets),
            "swing": round(self.swing, 5),
            "swing_spread": round(self.swing_spread, 5),
            "swing_onsets": self.swing_onsets,
            "tempo_spread": round(self.tempo_spread, 5),
            "files": self.files,
        }

    @classmethod
    def from_json(cls, raw: Any) -> FeelProfile | None:
        """A stored profile, or None (straight) when it is missing or damaged."""
        if not isinstance(raw, dict):
            return None
        try:
            mean, spread = (_floats(raw.get(k), GRID) for k in ("mean", "spread"))
            onsets = tuple(int(v) for v in _floats(raw.get("onsets"), GRID))
            swing, swing_spread, tempo = (
                float(raw.get(k, 0.0)) for k in ("swing", "swing_spread", "tempo_spread")
            )
            values = np.array([*mean, *spread, swing, swing_spread, tempo])
            if not np.isfinite(values).all() or np.abs(values).max() > 1.0:
                return None
            return cls(
                mean,
                spread,
                onsets,
                swing,
                swing_spread,
                int(raw.get("swing_onsets", 0)),
                tempo,
                int(raw.get("files", 0)),
            )
        except (TypeError, ValueError):
            return None


def _floats(raw: Any, n: int) -> tuple[float, ...]:
    if not isinstance(raw, list) or len(raw) != n:
        raise ValueError("not a list of the grid's positions")
    return tuple(float(v) for v in raw)


def corpus_feel(files: Iterable[dict[str, Any] | None]) -> dict[str, Any]:
    """The corpus's profile (FeelProfile.to_json) from its files' sums (None: not measured)."""
    n, total, sq, swing = np.zeros(GRID), np.zeros(GRID), np.zeros(GRID), np.zeros(3)
    spreads = []
    for f in files:
        if not f:
            continue
        try:
            n += np.asarray(f["n"], np.float64)
            total += np.asarray(f["sum"], np.float64)
            sq += np.asarray(f["sq"], np.float64)
            swing += np.asarray(f["swing"], np.float64)
            spreads.append(float(f["tempo_spread"]))
        except (KeyError, TypeError, ValueError):
            continue
    mean = total / np.maximum(n, 1)
    spread = np.sqrt(np.maximum(sq / np.maximum(n, 1) - mean**2, 0.0))
    s_mean = swing[1] / max(swing[0], 1)
    s_spread = np.sqrt(max(swing[2] / max(swing[0], 1) - s_mean**2, 0.0))
    return FeelProfile(
        tuple(float(v) for v in mean),
        tuple(float(v) for v in spread),
        tuple(int(v) for v in n),
        float(s_mean),
        float(s_spread),
        int(swing[0]),
        float(np.median(spreads)) if spreads else 0.0,
        len(spreads),
    ).to_json()


def apply_feel(notes: Any, profile: FeelProfile | None, seed: int) -> Any:
    """The notes (a NoteArray) played with the corpus's feel: every onset moved by its grid
    position's mean offset plus seeded spread, a split beat's off-beat eighth by the swing, each
    note's end as its grid position's mean says; and, when the corpus's tempo moves, a smooth
    seeded tempo curve of its spread (a tempo change every quarter). Same seed, same piece."""
    if profile is None or len(notes) == 0:
        return notes
    rng = np.random.default_rng(seed)
    onset = np.asarray(notes.onset, np.float64)
    end = onset + notes.duration
    eighths = off_beat_eighths(onset)
    jitter = np.clip(rng.standard_normal(onset.size), -2.0, 2.0)
    moved = onset + _offsets(onset, eighths, profile, jitter)
    at_end = _offsets(end, _ends_of_split_beats(end, onset, eighths), profile, None)
    moved = np.maximum(moved, 0.0)
    duration = np.maximum(end + at_end - moved, 0.5 * notes.duration)
    tempo_map = _tempo_curve(float(end.max()), notes.tempo_qpm, profile.tempo_spread, rng)
    return replace(notes, onset=moved, duration=duration, tempo_map=tempo_map)


def _offsets(
    q: np.ndarray, eighths: np.ndarray, profile: FeelProfile, jitter: np.ndarray | None
) -> np.ndarray:
    """The offset of each time: its grid position's (the swing for split beats' eighths)."""
    position = np.rint(q * GRID).astype(np.int64) % GRID
    mean = np.asarray(profile.mean)[position]
    spread = np.asarray(profile.spread)[position]
    on_half = eighths & (position == GRID // 2)
    mean = np.where(on_half & (profile.swing_onsets > 0), profile.swing, mean)
    spread = np.where(on_half & (profile.swing_onsets > 0), profile.swing_spread, spread)
    out = mean if jitter is None else mean + spread * jitter
    return np.clip(out, -LARGEST_OFFSET, LARGEST_OFFSET)


def _ends_of_split_beats(end: np.ndarray, onset: np.ndarray, eighths: np.ndarray) -> np.ndarray:
    """Ends that fall on a split beat's off-beat eighth (the long-short of a swung pair)."""
    beat = np.floor(onset[eighths] + EARLY).astype(np.int64)
    half = np.abs(end - np.floor(end) - 0.5) < 1e-6
    return half & np.isin(np.floor(end).astype(np.int64), beat)


def _tempo_curve(
    quarters: float, qpm: float, spread: float, rng: np.random.Generator
) -> tuple[tuple[float, float], ...]:
    """A tempo change every quarter, a slow random walk (AR(1), 0.9 a quarter) of `spread`."""
    if spread < 1e-3:
        return ()
    n = int(np.ceil(quarters)) + 1
    rho = 0.9
    steps = rng.standard_normal(n) * spread * np.sqrt(1 - rho**2)
    curve = np.empty(n)
    curve[0] = rng.standard_normal() * spread
    for i in range(1, n):  # one per quarter of the piece, not per note
        curve[i] = rho * curve[i - 1] + steps[i]
    return tuple((float(i), float(qpm * np.exp(c))) for i, c in enumerate(curve))
