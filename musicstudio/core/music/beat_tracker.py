"""The beat of a played file from its onsets alone, in seconds (beats.py places the notes).

- tempo: autocorrelation of an onset envelope weighted by velocity and note length (20 ms
  frames: a long note on the beat says more than a passing one), with a log-normal preference
  around 110 BPM, then the local tempo in sliding windows;
- beats: dynamic programming over the envelope (Ellis 2007, "Beat tracking by dynamic
  programming"), with the local tempo, then refined by least squares on the onsets that sit
  on the beat's subdivisions (jitter averages out, the tempo curve stays smooth).

Our own NumPy tracker: no maintained symbolic beat tracker on PyPI is light enough (madmom and
librosa work on audio and pull in large dependencies; pretty_midi's estimate_beat_start gives
one phase, no tempo curve).
"""

from __future__ import annotations

import numpy as np

FRAME = 0.02  # seconds per envelope frame
#: Frames whose gap costs the beat search computes at once (memory: CHUNK × 4 periods).
CHUNK = 2048
#: Fewer onsets than this: too few to track a beat, read as written.
MIN_ONSETS = 16
#: Longest played file tracked (seconds); longer ones are read as written, and say so.
MAX_SECONDS = 900.0
#: A beat faster than this (seconds) is taken as the eighths of a beat twice as long.
FASTEST_BEAT = 0.4
#: Ellis's tempo preference: a beat of 0.55 s (110 BPM), one octave wide. Slower centres
#: (0.65, 0.75 s) or a wider one found the quarters of slow band pieces and lost pop's.
TEMPO_CENTRE, TEMPO_WIDTH = 0.55, 1.0
#: An onset weighs its velocity times its note's length (seconds, clipped) to this power. With
#: velocity alone, slow pieces were tracked in their eighths (Handel's Largo, C. P. E. Bach);
#: 0.5 was chosen on the benchmark's tuned and round-3 kinds, 0.25 and 1.0 beside it.
LENGTH_POWER, LENGTH_CLIP = 0.5, (0.05, 2.0)


def onset_weight(velocity: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """How much each note's onset says "beat": its loudness times the square root of its
    length (LENGTH_POWER), so that the long notes of a slow piece outweigh its running eighths."""
    length = np.clip(np.asarray(seconds, np.float64), *LENGTH_CLIP)
    return np.asarray(velocity, np.float64) / 127.0 * length**LENGTH_POWER


def beat_position(beats: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Fractional beat index of each time (linear beyond both ends)."""
    k = np.arange(beats.size, dtype=np.float64)
    pos = np.interp(t, beats, k)
    pos[t < beats[0]] = (t[t < beats[0]] - beats[0]) / (beats[1] - beats[0])
    after = t > beats[-1]
    pos[after] = k[-1] + (t[after] - beats[-1]) / (beats[-1] - beats[-2])
    return pos


def onset_envelope(t: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted onsets (`onset_weight`) in FRAME frames, smoothed, compressed, zero mean, unit
    spread."""
    frames = np.rint(t / FRAME).astype(np.int64)
    env = np.sqrt(np.bincount(frames, weights=weight, minlength=int(frames.max()) + 8))
    kernel = np.exp(-0.5 * (np.arange(-6, 7) / 2.0) ** 2)
    env = np.convolve(env, kernel / kernel.sum(), mode="same")
    return (env - env.mean()) / max(float(env.std()), 1e-9)


def _autocorrelation(env: np.ndarray, max_lag: int) -> np.ndarray:
    n = 1 << int(np.ceil(np.log2(2 * env.size)))
    spec = np.fft.rfft(env, n)
    return np.fft.irfft(spec * np.conj(spec), n)[: max_lag + 1] / env.size


def _tempo_prior(lags: np.ndarray) -> np.ndarray:
    """Ellis's log-normal preference for periods near TEMPO_CENTRE."""
    return np.exp(-0.5 * (np.log2(lags * FRAME / TEMPO_CENTRE) / TEMPO_WIDTH) ** 2)


def global_period(env: np.ndarray, fast: bool = False) -> int:
    """The beat period in frames (40-240 BPM; beats faster than FASTEST_BEAT only if `fast`)."""
    lo, hi = int(0.25 / FRAME), int(1.5 / FRAME)
    ac = _autocorrelation(env, 2 * hi + 2)
    lags = np.arange(lo, hi + 1)
    period = int(lags[np.argmax(ac[lo : hi + 1] * _tempo_prior(lags))])
    if period * FRAME < FASTEST_BEAT and not fast:  # the eighths: count the quarters
        double = np.arange(int(1.8 * period), int(2.2 * period) + 1)
        period = int(double[np.argmax(ac[double])])
    return period


def pulse_salience(t: np.ndarray, weight: np.ndarray) -> float:
    """How strongly the onset envelope repeats at its beat period: its autocorrelation there
    (1 for a perfect pulse, near 0 for random onsets)."""
    env = onset_envelope(t, weight)
    period = global_period(env)
    return float(_autocorrelation(env, period)[period])


def local_periods(
    env: np.ndarray, period: int, window_s: float = 12.0, hop_s: float = 2.0
) -> np.ndarray:
    """The beat period near every frame: autocorrelation in sliding windows, near `period`."""
    win, hop = int(window_s / FRAME), int(hop_s / FRAME)
    if env.size <= win:
        return np.full(env.size, float(period))
    lags = np.arange(int(period * 0.75), int(period * 1.34) + 1)
    starts = np.arange(0, env.size - win + 1, hop)
    windows = np.lib.stride_tricks.sliding_window_view(env, win)[starts]
    n = 1 << int(np.ceil(np.log2(2 * win)))
    spec = np.fft.rfft(windows - windows.mean(axis=1, keepdims=True), n, axis=1)
    ac = np.fft.irfft(spec * np.conj(spec), n, axis=1)[:, lags]
    closeness = np.exp(-0.5 * (np.log(lags / period) / 0.15) ** 2)
    best = lags[np.argmax(ac * closeness, axis=1)].astype(np.float64)
    if best.size >= 3:
        best = np.median(np.stack([np.r_[best[0], best[:-1]], best, np.r_[best[1:], best[-1]]]), 0)
    centres = starts + win / 2
    return np.interp(np.arange(env.size), centres, best)


def track_beats(
    t: np.ndarray, weight: np.ndarray, tightness: float = 100.0, fast: bool = False
) -> np.ndarray | None:
    """Beat times (seconds) by dynamic programming over the onset envelope (Ellis 2007). A
    beat faster than FASTEST_BEAT is doubled, unless `fast`: then it is taken as it is, and
    a file whose beat is not that fast gets None (the default tracking already has it)."""
    seconds = float(t.max() - t.min()) if t.size else 0.0
    if t.size < MIN_ONSETS or not 2.0 <= seconds <= MAX_SECONDS or t.size < seconds / 4:
        return None  # too short, too long (a dense least-squares fit) or too sparse
    env = onset_envelope(t, weight)
    period = global_period(env, fast)
    if fast and period * FRAME >= FASTEST_BEAT:
        return None
    p = local_periods(env, period)
    score, back = _best_paths(env, p, tightness)
    n, tail = env.size, int(p[-1])
    end = n - tail + int(np.argmax(score[n - tail :]))
    path = [end]
    while back[path[-1]] >= 0:
        path.append(int(back[path[-1]]))
    beats = np.array(path[::-1], np.float64) * FRAME
    return _cover(beats, float(t.min()), float(t.max())) if beats.size >= 4 else None


def _best_paths(env: np.ndarray, p: np.ndarray, tightness: float) -> tuple[np.ndarray, np.ndarray]:
    """Ellis's recursion: score[f] = env[f] + the best score[f - gap] - tightness·log²(gap/p[f])
    over gaps of p[f]/2 to 2·p[f] (none when no path pays), and the frame each came from (-1).

    Blocks of p.min()/2 frames depend only on earlier blocks, so each is one vectorised step.
    The scores are kept back to front, padded with -inf, so that the scores a block looks back
    on, at gaps 0, 1, 2, ..., are a strided view (no gathering); the gap costs are computed for
    CHUNK frames at a time."""
    n, width = env.size, int(2 * p.max()) + 2
    reversed_score = np.full(n + width, -np.inf)
    reversed_score[:n] = env[::-1]
    score = reversed_score[:n][::-1]  # a view: writing score[f] writes reversed_score[n-1-f]
    looking_back = np.lib.stride_tricks.sliding_window_view(reversed_score, width)
    back = np.full(n, -1, np.int64)
    gap = np.arange(width, dtype=np.float64)
    block = max(1, int(p.min() // 2))
    for c in range(0, n, CHUNK):
        pp = p[c : c + CHUNK, None]
        cost = -tightness * np.log(np.maximum(gap, 1.0)[None, :] / pp) ** 2
        cost[(gap[None, :] < pp / 2) | (gap[None, :] > 2 * pp)] = -np.inf
        for s in range(c, min(n, c + CHUNK), block):
            e = min(n, s + block, c + CHUNK)
            # frames s..e-1: row n-1-f of the window holds score[f], score[f-1], ...
            cand = looking_back[n - e : n - s][::-1] + cost[s - c : e - c]
            best = np.argmax(cand, axis=1)
            value = cand[np.arange(e - s), best]
            good = value > 0  # -inf (no gap fits) is not
            score[s:e] = env[s:e] + np.where(good, value, 0.0)
            back[s:e] = np.where(good, np.arange(s, e) - best, -1)
    return score.copy(), back


def _cover(beats: np.ndarray, first: float, last: float) -> np.ndarray:
    """Beats extended at the local period to cover every onset (never before time 0)."""
    head = beats[1] - beats[0]
    extra = int(np.ceil(max(0.0, beats[0] - first - 0.1 * head) / head))
    before = beats[0] - head * np.arange(extra, 0, -1)
    tail = beats[-1] - beats[-2]
    more = int(np.ceil(max(0.0, last - beats[-1]) / tail)) + 1
    after = beats[-1] + tail * np.arange(1, more + 1)
    out = np.r_[before, beats, after]
    return out[out >= -0.02]


def _fit_beats(beats: np.ndarray, t: np.ndarray, g: np.ndarray, smooth: float) -> np.ndarray:
    """Least-squares beat times: onsets at beat position g (fractional), a smooth tempo curve.

    The normal equations are pentadiagonal (each onset ties two neighbouring beats, the
    smoothness three), so a banded Cholesky solves them in time linear in the beats."""
    k = beats.size
    i = np.clip(np.floor(g).astype(np.int64), 0, k - 2)
    u = g - i
    d0 = np.bincount(i, (1 - u) ** 2, k) + np.bincount(i + 1, u**2, k) + 1e-6
    d1: np.ndarray = np.bincount(i, (1 - u) * u, k - 1).astype(np.float64)
    d2 = np.zeros(k - 2)
    r = np.arange(k - 2)  # second differences (1, -2, 1) of beats r, r+1, r+2
    d0[r] += smooth
    d0[r + 1] += 4 * smooth
    d0[r + 2] += smooth
    d1[r] -= 2 * smooth
    d1[r + 1] -= 2 * smooth
    d2[r] += smooth
    rhs = np.bincount(i, (1 - u) * t, k) + np.bincount(i + 1, u * t, k) + 1e-6 * beats
    return solve_pentadiagonal(d0, d1, d2, rhs)


def solve_pentadiagonal(
    d0: np.ndarray, d1: np.ndarray, d2: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """x with A x = b, A symmetric positive definite with diagonals d0, d1 (above and below)
    and d2 (two off): banded Cholesky, A = L Lᵀ, O(n) (NumPy has no banded solver, SciPy is
    not a dependency)."""
    n = d0.size
    a0, a1, a2, y = d0.tolist(), d1.tolist() + [0.0, 0.0], d2.tolist() + [0.0, 0.0], b.tolist()
    l0, l1, l2 = [0.0] * n, [0.0] * (n + 2), [0.0] * (n + 2)  # L[j,j], L[j+1,j], L[j+2,j]
    for j in range(n):
        p1 = l1[j - 1] if j >= 1 else 0.0  # L[j, j-1]
        p2 = l2[j - 2] if j >= 2 else 0.0  # L[j, j-2]
        d = (a0[j] - p1 * p1 - p2 * p2) ** 0.5
        l0[j] = d
        l1[j] = (a1[j] - (l2[j - 1] if j >= 1 else 0.0) * p1) / d
        l2[j] = a2[j] / d
        y[j] = (y[j] - p1 * (y[j - 1] if j >= 1 else 0.0) - p2 * (y[j - 2] if j >= 2 else 0.0)) / d
    x = [0.0] * (n + 2)
    for j in range(n - 1, -1, -1):
        x[j] = (y[j] - l1[j] * x[j + 1] - l2[j] * x[j + 2]) / l0[j]
    return np.array(x[:n])


def refine_beats(beats: np.ndarray, t: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Beats moved onto the onsets: each onset snapped to the nearest 1/4 or 1/3 of its beat
    (only the onsets near the beat and its half in the first round), then least squares."""
    for r in range(rounds):
        pos = beat_position(beats, t)
        if r == 0:
            g = np.rint(pos * 2) / 2
            near = np.abs(pos - g) < 0.1
        else:
            g = _nearest_subdivision(pos)
            period = np.interp(pos, np.arange(beats.size - 1) + 0.5, np.diff(beats))
            near = np.abs(pos - g) * period < 0.035
        near &= (g >= 0) & (g <= beats.size - 1)
        if near.sum() < 4:
            break
        beats = _fit_beats(beats, t[near], g[near], smooth=2.0)
    return beats


def _nearest_subdivision(pos: np.ndarray) -> np.ndarray:
    """The nearest 1/4 or 1/3 of a beat."""
    fours = np.rint(pos * 4) / 4
    threes = np.rint(pos * 3) / 3
    return np.where(np.abs(pos - fours) <= np.abs(pos - threes), fours, threes)


def grid_fit(position: np.ndarray) -> float:
    """Share of onsets (at fractional beat positions, `beat_position`) within 3% of a beat
    from the tracked grid's 1/4 or 1/3 positions."""
    return float((np.abs(position - _nearest_subdivision(position)) < 0.03).mean())
