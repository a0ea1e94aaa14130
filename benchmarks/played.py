"""Played files: quantized MIDI made to sound played, with a known time warp (beats.py, tests).

A slow tempo curve (±`depth` around the file's own tempo), a start offset, ±`jitter` seconds
on every onset; written at one tempo of 120 BPM and no time signature, as a performance
recorded without a click. The true seconds of every quarter (beats) and bar line (downbeats)
are kept, and the F-measure at ±70 ms (mir_eval's beat F-measure, without its 5 s trim).

A beat is the tactus of the time signature, as beat-tracking annotations count it: a quarter in
x/4 and x/2, a dotted quarter in compound time (3/8, 6/8, 9/8, 12/8), counted from each bar
line. `quarters` keeps every quarter as well (the level earlier rounds scored).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

OUT_TPQ = 480
OUT_QPM = 120.0


class Played(NamedTuple):
    data: bytes  # the played MIDI file
    beats: np.ndarray  # seconds of each beat (tactus) of the original
    quarters: np.ndarray  # seconds of each quarter of the original
    downbeats: np.ndarray  # seconds of each bar line of the original
    onsets: np.ndarray  # seconds of each played note
    pitches: np.ndarray  # its pitch


def warp(quarters: float, qpm: float, rng: np.random.Generator, depth: float, offset: float):  # type: ignore[no-untyped-def]
    """A function quarters -> seconds: a slow tempo curve of ±depth around qpm, from `offset`."""
    fine = np.arange(0.0, quarters + 8.0, 1.0 / 48)
    p1, p2 = rng.uniform(24, 64), rng.uniform(8, 16)
    f1, f2 = rng.uniform(0, 2 * np.pi, 2)
    factor = 1.0 + depth * (
        0.7 * np.sin(2 * np.pi * fine / p1 + f1) + 0.3 * np.sin(2 * np.pi * fine / p2 + f2)
    )
    seconds = np.r_[0.0, np.cumsum(60.0 / (qpm * factor[:-1]) / 48)] + offset
    return lambda q: np.interp(q, fine, seconds)


def play(
    data: bytes,
    seed: int,
    downbeat_quarters: np.ndarray | None = None,
    depth: float = 0.12,
    offset: float | None = None,
    jitter: float = 0.010,
) -> Played:
    """The file `data` played with a known warp; bar lines from its time signatures unless given."""
    from symusic import Note, Score, Track

    rng = np.random.default_rng(seed)
    score = Score.from_midi(data)
    tpq = score.tpq
    qpm = float(score.tempos[0].qpm) if len(score.tempos) else 120.0
    end = max((t.end() for t in score.tracks if t.note_num()), default=0) / tpq
    curve = warp(end, qpm, rng, depth, rng.uniform(0.15, 0.45) if offset is None else offset)
    out = Score(OUT_TPQ)
    from symusic import Tempo

    out.tempos.append(Tempo(0, OUT_QPM))
    ticks_per_second = OUT_TPQ * OUT_QPM / 60.0
    onsets, pitches = [], []
    for track in score.tracks:
        if not track.note_num():
            continue
        arr = track.notes.numpy()
        q_on = arr["time"] / tpq
        t_on = curve(q_on) + rng.uniform(-jitter, jitter, q_on.size)
        t_end = np.maximum(curve(q_on + arr["duration"] / tpq), t_on + 0.02)
        played = Track(track.name, track.program, track.is_drum)
        on_ticks = np.rint(t_on * ticks_per_second).astype(np.int32)
        played.notes = Note.from_numpy(
            on_ticks,
            np.maximum(1, np.rint(t_end * ticks_per_second) - on_ticks).astype(np.int32),
            arr["pitch"],
            arr["velocity"],
        )
        out.tracks.append(played)
        onsets.append(on_ticks / ticks_per_second)
        pitches.append(arr["pitch"].astype(np.int64))
    if downbeat_quarters is None:
        downbeat_quarters = bar_lines(score, end)
    downbeat_quarters = np.asarray(downbeat_quarters, np.float64)
    downbeat_quarters = downbeat_quarters[downbeat_quarters <= end]
    return Played(
        bytes(out.dumps_midi()),
        curve(tactus(score, downbeat_quarters, end)),
        curve(tactus(score, downbeat_quarters, end, compound=False)),
        curve(downbeat_quarters),
        np.concatenate(onsets),
        np.concatenate(pitches),
    )


def bar_lines(score, end_quarters: float, first: float = 0.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Quarters of the bar lines of a score's time signatures, from `first` (after a pickup)
    to the end; a signature restarts the bar where it stands."""
    tpq = score.tpq
    sigs = dict((int(s.time) / tpq, s.numerator * 4 / s.denominator) for s in score.time_signatures)
    if not sigs or min(sigs) > 0:
        sigs[0.0] = 4.0
    starts = sorted(sigs)
    lines: list[float] = []
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else end_quarters + 1e-9
        lines.extend(np.arange(max(start, first) if i == 0 else start, stop - 1e-9, sigs[start]))
    return np.asarray(lines)


def tactus(score, bars: np.ndarray, end_quarters: float, compound: bool = True) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Quarters of a score's beats: from each bar line, a dotted quarter in compound time (a
    numerator divisible by 3 over 8; with `compound`), else a quarter; a pickup's beats
    counted back from the first bar line (a pickup of an eighth puts every quarter off the
    integers)."""
    tpq = score.tpq
    sigs = [(int(s.time) / tpq, s.numerator, s.denominator) for s in score.time_signatures]
    starts = np.array([q for q, _, _ in sigs] or [0.0])
    steps = np.array(
        [1.5 if compound and d == 8 and n % 3 == 0 else 1.0 for _, n, d in sigs] or [1.0]
    )

    def step_at(q: float) -> float:
        return float(steps[max(0, int(np.searchsorted(starts, q, side="right")) - 1)])

    if bars.size == 0:
        bars = np.array([0.0])
    edges = np.r_[bars - 1e-9, max(end_quarters, bars[-1]) + 2e-9]  # the end is a beat
    out = list(np.arange(bars[0] - step_at(bars[0]), -1e-9, -step_at(bars[0]))[::-1])
    for a, b in zip(bars, edges[1:], strict=True):
        out.extend(np.arange(a, b, step_at(a)))
    return np.unique(np.round(np.asarray(out, np.float64), 9))


def f_measure(reference: np.ndarray, estimate: np.ndarray, window: float = 0.07) -> float:
    """Beat-tracking F-measure: one-to-one matches within ±window seconds (in time order)."""
    ref, est = np.sort(reference), np.sort(estimate)
    if ref.size == 0 or est.size == 0:
        return 0.0
    i = j = hits = 0
    while i < ref.size and j < est.size:
        d = est[j] - ref[i]
        if abs(d) <= window:
            hits, i, j = hits + 1, i + 1, j + 1
        elif d < 0:
            j += 1
        else:
            i += 1
    precision, recall = hits / est.size, hits / ref.size
    return 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)


def file_beats(
    data: bytes, quarters: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seconds of every beat (tactus; every quarter with `quarters`) and bar line of a MIDI
    file's tempo map, and its notes' onset seconds and pitches (the written roundtrip file)."""
    from symusic import Score

    score = Score.from_midi(data).to("second")
    ticks = Score.from_midi(data)
    tpq = ticks.tpq
    end = max((t.end() for t in ticks.tracks if t.note_num()), default=0) / tpq
    tempos = ticks.tempos.numpy()
    from musicstudio.core.music.beats import tick_seconds

    def sec(q: np.ndarray) -> np.ndarray:
        return tick_seconds(q * tpq, tempos["time"], tempos["mspq"], tpq)

    lines = bar_lines(ticks, end)
    beats = tactus(ticks, lines, end, compound=not quarters)
    onsets = [t.notes.numpy()["time"] for t in score.tracks if t.note_num()]
    pitches = [t.notes.numpy()["pitch"].astype(np.int64) for t in score.tracks if t.note_num()]
    return (
        sec(beats),
        sec(lines),
        np.concatenate(onsets) if onsets else np.zeros(0),
        np.concatenate(pitches) if pitches else np.zeros(0, np.int64),
    )


def onsets_within(
    played: np.ndarray,
    played_pitch: np.ndarray,
    got: np.ndarray,
    got_pitch: np.ndarray,
    tol: float = 0.025,
) -> float:
    """Share of played notes with a note of the same pitch within `tol` seconds in `got`."""
    key_got = got_pitch * 1e5 + got
    order = np.argsort(key_got)
    key_got = key_got[order]
    want = played_pitch * 1e5 + played
    i = np.clip(np.searchsorted(key_got, want), 1, max(1, key_got.size - 1))
    if key_got.size == 0:
        return 0.0
    near = np.minimum(np.abs(key_got[i] - want), np.abs(key_got[i - 1] - want))
    return float((near <= tol).mean())
