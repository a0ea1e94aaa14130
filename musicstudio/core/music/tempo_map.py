"""A piece's clock: quarters to seconds and back under its tempo map.

A played file keeps its estimated beats as a tempo map ((quarter, qpm) changes, beats.py), and
a piece composed "like your files" gets a tempo curve (feel.py); every other piece plays at
its steady tempo_qpm. The written MIDI file carries the same map (midi.midi_bytes: tempo_qpm
until the map's first change), so playback, the playhead, a live MIDI output and the WAV
render all follow one clock.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TempoMap = Sequence[tuple[float, float]]


def _segments(tempo_map: TempoMap, tempo_qpm: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each tempo starts (quarters), its seconds per quarter, and the second it starts."""
    changes = [(float(q), float(v)) for q, v in tempo_map if np.isfinite(v) and v > 0]
    if not changes or changes[0][0] > 0:
        changes.insert(0, (0.0, float(tempo_qpm)))
    start = np.array([q for q, _ in changes], np.float64)
    spq = 60.0 / np.array([v for _, v in changes], np.float64)
    at = np.r_[0.0, np.cumsum(np.diff(start) * spq[:-1])]
    return start, spq, at


def seconds_at(quarters: np.ndarray | float, tempo_map: TempoMap, tempo_qpm: float) -> np.ndarray:
    """Seconds from the start of the piece at these quarters."""
    q = np.asarray(quarters, np.float64)
    start, spq, at = _segments(tempo_map, tempo_qpm)
    i = np.clip(np.searchsorted(start, q, side="right") - 1, 0, start.size - 1)
    return at[i] + (q - start[i]) * spq[i]  # type: ignore[no-any-return]


def quarters_at(seconds: np.ndarray | float, tempo_map: TempoMap, tempo_qpm: float) -> np.ndarray:
    """Quarters of the piece at these seconds from its start."""
    s = np.asarray(seconds, np.float64)
    start, spq, at = _segments(tempo_map, tempo_qpm)
    i = np.clip(np.searchsorted(at, s, side="right") - 1, 0, start.size - 1)
    return start[i] + (s - at[i]) / spq[i]  # type: ignore[no-any-return]


def tempo_map_from(
    tempo_map: TempoMap, tempo_qpm: float, quarters: float
) -> tuple[tuple[float, float], ...]:
    """The map as heard from `quarters` on, moved to start at 0 (playback from the playhead);
    () when the piece has none."""
    if not tempo_map:
        return ()
    start, spq, _ = _segments(tempo_map, tempo_qpm)
    i = max(0, int(np.searchsorted(start, quarters, side="right")) - 1)
    qpm = 60.0 / spq
    later = zip((start[i + 1 :] - quarters).tolist(), qpm[i + 1 :].tolist(), strict=True)
    return ((0.0, float(qpm[i])), *later)
