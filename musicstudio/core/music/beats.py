"""On the beat: the beat grid of a played file, estimated from its onsets before quantizing.

A file whose onsets sit on its own grid (nearly all within a hair of the 1/12- or 1/8-quarter
grid, and the beat itself the busiest grid position) is read as written, exactly as before.
Any other file (a phase offset, a tempo that is not the MIDI tempo, a performance recorded
without a click) has its beats tracked from the onsets, in seconds:

- tempo and beats: beat_tracker.py (an onset envelope, its autocorrelation, dynamic
  programming, least squares onto the onsets);
- simple or compound, meter and downbeats: meter.py (a beat whose off-beat onsets sit on its
  thirds far more than on its half is a dotted quarter; bass, long notes, kick drum, chord
  changes for the bar).

The estimated beats become quarters (1.5 apart when compound), and their seconds the piece's
tempo map, so writing the piece back reproduces the played timing; the onsets keep their
micro-timing as fractions of a quarter (feel.py measures it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from musicstudio.core.music.beat_tracker import (
    MIN_ONSETS,
    beat_position,
    grid_fit,
    onset_weight,
    pulse_salience,
    refine_beats,
    track_beats,
)
from musicstudio.core.music.meter import bar_positions, is_compound

#: A file with this share of its onsets within EXACT_TOLERANCE quarters of the grid is quantized.
EXACT_TOLERANCE, EXACT_SHARE = 1.0 / 192, 0.98
#: Onsets within this many quarters of the 1/12 or 1/8 grid count as on it.
ON_GRID_TOLERANCE = 1.0 / 64
#: A file is on its own grid when this share of its onsets is on the grid...
ON_GRID_SHARE = 0.9
#: ... and the beat holds at least this share of the busiest 1/12 grid position's onsets.
BEAT_SHARE = 0.5
#: A tracked grid fits the onsets when this share sits on its 1/4- or 1/3-beat positions.
#: Random onsets reach 0.43-0.51; 0.75 (until stop 37) turned away pieces with runs of
#: thirty-seconds or ornaments (0.67-0.73), which read as written lost every beat.
MIN_FIT = 0.6
#: ... or this share, where the onsets' envelope repeats at the beat (its autocorrelation at
#: the beat period, `pulse_salience`) at least MIN_SALIENCE: random onsets reach 0.01-0.13,
#: the benchmark's pieces 0.14-0.61 (a quartet finale whose onsets trail its beats fits 53 % of them).
LOOSE_FIT, MIN_SALIENCE = 0.5, 0.2

#: A grid fitting this share is kept as tracked; under it, the beat taken as it is when faster
#: than FASTEST_BEAT is tried too, and replaces the doubled one if it fits this much better
#: (a fast piece in sixteenths: 0.6 of its onsets on the doubled beat's grid, 1.0 on its own).
SURE_FIT, FAST_GAIN = 0.9, 0.1

#: Bumped whenever a played file may come back on other beats: part of the scan cache's key.
TRACKER_VERSION = 3

ON_GRID = "on grid"
TRACKED = "beats tracked"
NO_BEAT = "no steady beat: read as written"


@dataclass(frozen=True)
class Placement:
    """Where a file's notes sit: quarters from the estimated beats, and the tempo map."""

    outcome: str  # ON_GRID, TRACKED or NO_BEAT (with why)
    onset: np.ndarray | None = None  # quarters (None: read as written)
    duration: np.ndarray | None = None
    tempo_map: tuple[tuple[float, float], ...] = ()  # (quarter, qpm) changes
    time_signature: tuple[int, int] = (4, 4)
    beats: np.ndarray | None = None  # seconds of each estimated beat


def on_own_grid(onset_quarters: np.ndarray) -> bool:
    """True when the onsets sit on the file's own 1/12- or 1/8-quarter grid (vectorised, cheap)."""
    q = np.asarray(onset_quarters, np.float64)
    if q.size < MIN_ONSETS:
        return True
    twelfths, eighths = q * 12.0, q * 8.0
    off = np.minimum(
        np.abs(twelfths - np.rint(twelfths)) / 12.0, np.abs(eighths - np.rint(eighths)) / 8.0
    )
    if (off <= EXACT_TOLERANCE).mean() >= EXACT_SHARE:
        return True  # quantized to the tick: a score, pickup and all, stays as written
    if (off <= ON_GRID_TOLERANCE).mean() < ON_GRID_SHARE:
        return False
    near12 = np.abs(twelfths - np.rint(twelfths)) <= 12.0 * ON_GRID_TOLERANCE
    counts = np.bincount(np.rint(twelfths[near12]).astype(np.int64) % 12, minlength=12)
    return bool(counts[0] >= BEAT_SHARE * counts.max())


def place_notes(
    score: Any,
    onset: np.ndarray,
    duration: np.ndarray,
    pitch: np.ndarray,
    velocity: np.ndarray,
    drum: np.ndarray,
) -> Placement:
    """The notes of a symusic Score (quarters of its ticks) on their beats: the cheap on-grid
    check first; only a file off its grid has its ticks turned into seconds and tracked."""
    if on_own_grid(onset):
        return Placement(ON_GRID)
    tpq = int(score.tpq)
    tempos = score.tempos.numpy()
    seconds = tick_seconds(
        np.r_[onset, onset + duration] * tpq, tempos["time"], tempos["mspq"], tpq
    )
    return place_on_beat(onset, seconds[: onset.size], seconds[onset.size :], pitch, velocity, drum)


def tick_seconds(
    ticks: np.ndarray, tempo_ticks: np.ndarray, mspq: np.ndarray, tpq: int
) -> np.ndarray:
    """Seconds of MIDI ticks under a tempo map (tempo event ticks, microseconds per quarter)."""
    ticks = np.asarray(ticks, np.float64)
    if tempo_ticks.size == 0 or tempo_ticks[0] > 0:
        tempo_ticks = np.r_[0, tempo_ticks]
        mspq = np.r_[500_000, mspq]
    edges = tempo_ticks.astype(np.float64)
    sec_per_tick = mspq.astype(np.float64) / 1e6 / tpq
    at_edge = np.r_[0.0, np.cumsum(np.diff(edges) * sec_per_tick[:-1])]
    i = np.clip(np.searchsorted(edges, ticks, side="right") - 1, 0, edges.size - 1)
    return at_edge[i] + (ticks - edges[i]) * sec_per_tick[i]


def place_on_beat(
    onset_quarters: np.ndarray,
    onset_seconds: np.ndarray,
    end_seconds: np.ndarray,
    pitch: np.ndarray,
    velocity: np.ndarray,
    drum: np.ndarray,
) -> Placement:
    """The notes on their estimated beats, or ON_GRID/NO_BEAT (read as written)."""
    if on_own_grid(onset_quarters):
        return Placement(ON_GRID)
    t, end = np.asarray(onset_seconds, np.float64), np.asarray(end_seconds, np.float64)
    weight = onset_weight(velocity, end - t)
    found = _steadiest_grid(t, weight)
    if found is None:
        return Placement(NO_BEAT + " (too few or too sparse onsets, or longer than 15 minutes)")
    beats, position, fit = found
    if fit < MIN_FIT and not (fit >= LOOSE_FIT and pulse_salience(t, weight) >= MIN_SALIENCE):
        return Placement(f"{NO_BEAT} (only {fit:.0%} of onsets on a tracked grid)")
    if _is_own_quarter_grid(beats, t, onset_quarters):
        return Placement(ON_GRID)
    compound = is_compound(position)
    meter, places = bar_positions(
        position,
        beat_position(beats, end) - position,
        np.asarray(pitch),
        velocity,
        drum,
        beats.size,
        compound=compound,
    )
    unit = 1.5 if compound else 1.0  # quarters per beat
    quarters = unit * _beat_quarters(float(beats[0]), meter, places)
    times = beats.copy()
    if quarters[0]:  # a lead-in from time 0 to the first beat
        times = np.r_[0.0, max(float(beats[0]), 1e-3 * quarters[0]), beats[1:]]
        quarters = np.r_[0.0, quarters]
    else:
        times[0] = 0.0
    onset = _seconds_to_quarters(t, times, quarters)
    duration = np.maximum(_seconds_to_quarters(end, times, quarters) - onset, 0.0)
    signature = (3 * meter, 8) if compound else (meter, 4)
    return Placement(TRACKED, onset, duration, tempo_map_of(times, quarters), signature, beats)


def _steadiest_grid(
    t: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """(beats, the onsets' beat positions, grid fit) of the tracked beats, or, where they fit
    under SURE_FIT and were doubled from a beat faster than FASTEST_BEAT, of that beat taken
    as it is if it fits FAST_GAIN better (a fast piece's sixteenths sit between the doubled
    beat's quarters)."""
    best = None
    for fast in (False, True):
        beats = track_beats(t, weight, fast=fast)
        if beats is None:
            return best
        beats = refine_beats(beats, t)
        position = beat_position(beats, t)
        fit = grid_fit(position)
        if best is None or fit > best[2] + FAST_GAIN:
            best = (beats, position, fit)
        if fit >= SURE_FIT:
            break
    return best


def _beat_quarters(first_beat: float, meter: int, places: np.ndarray) -> np.ndarray:
    """The count of every tracked beat, in beats (quarters when the beat is simple): downbeats
    on multiples of `meter`. Where the bar restarts, the beat before it spans the beats the
    bar skips; a first beat after time 0 needs at least one beat of lead-in."""
    first = int(places[0])
    if first_beat > 1e-3 and first == 0:
        first = meter
    steps = (np.diff(places) - 1) % meter + 1
    return first + np.r_[0, np.cumsum(steps)].astype(np.float64)


def tempo_map_of(times: np.ndarray, quarters: np.ndarray) -> tuple[tuple[float, float], ...]:
    """(quarter, qpm) changes that put quarter `quarters[i]` at second `times[i]`."""
    qpm = 60.0 * np.diff(quarters) / np.maximum(np.diff(times), 1e-6)
    qpm = np.clip(qpm, 1.0, 60_000.0)
    keep = np.r_[True, np.abs(np.diff(qpm)) > 1e-6 * qpm[1:]]  # merging more would drift
    return tuple((float(q), float(v)) for q, v in zip(quarters[:-1][keep], qpm[keep], strict=True))


def _seconds_to_quarters(t: np.ndarray, times: np.ndarray, quarters: np.ndarray) -> np.ndarray:
    """Quarters of seconds on the beat map, the last tempo carried on after the last beat."""
    q = np.interp(t, times, quarters)
    after = t > times[-1]
    last = (quarters[-1] - quarters[-2]) / max(times[-1] - times[-2], 1e-6)
    q[after] = quarters[-1] + (t[after] - times[-1]) * last
    return q


def _is_own_quarter_grid(beats: np.ndarray, t: np.ndarray, onset_quarters: np.ndarray) -> bool:
    """The tracked beats are the file's own quarters (a humanized file played to a click)."""
    q = np.interp(beats, t, onset_quarters)  # the file's quarter at each beat
    step = np.diff(q)
    off = np.abs(q - np.rint(q))
    return bool(np.median(np.abs(step - 1.0)) < 0.03 and (off < 0.08).mean() >= 0.9)
