"""Synthetic multi-track pop MIDI (drums, bass, chords, melody, pad) for benchmarks.

No pop MIDI collection can be downloaded here, so benchmarks write files shaped like one:
4/4 at 90-140 BPM, a I-V-vi-IV style progression, ~5,000 notes over five tracks.

`varied=True` writes files shaped more like real ones: 8-16 tracks on many programs (often
two of one family), drums, chords, notes held over the next one of the same pitch, tempo and
time-signature changes, and in a third of the files every onset played off the grid.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from musicstudio.core.music.theory import SCALES

TPQ = 480
PROGRESSIONS = [[0, 7, 9, 5], [0, 5, 7, 5], [9, 5, 0, 7], [0, 9, 5, 7]]
MAJOR = np.array(SCALES["major"])


def pop_score(seed: int, target_notes: int = 5000):  # type: ignore[no-untyped-def]
    """A Score of about `target_notes` notes."""
    from symusic import Note, Score, Tempo, TimeSignature, Track

    rng = np.random.default_rng(seed)
    key = int(rng.integers(0, 12))
    prog = PROGRESSIONS[seed % len(PROGRESSIONS)]
    # Notes per bar: drums 16, bass 8, chords 4x3, melody ~8, pad 3 -> ~47 per bar.
    bars = max(4, target_notes // 47)
    score = Score(TPQ)
    score.tempos.append(Tempo(0, float(rng.integers(90, 141))))
    score.time_signatures.append(TimeSignature(0, 4, 4))

    def track(
        name: str,
        program: int,
        t: list[int],
        d: list[int],
        p: list[int],
        v: list[int],
        drum: bool = False,
    ) -> None:
        tr = Track(name, program, drum)
        tr.notes = Note.from_numpy(
            np.array(t, np.int32), np.array(d, np.int32), np.array(p, np.int8), np.array(v, np.int8)
        )
        score.tracks.append(tr)

    bar = 4 * TPQ
    dt, dd, dp, dv = [], [], [], []
    bt, bd, bp, bv = [], [], [], []
    ct, cd, cp, cv = [], [], [], []
    mt, md, mp, mv = [], [], [], []
    pt, pd, pp, pv = [], [], [], []
    for b in range(bars):
        root = key + prog[b % 4]
        minor = prog[b % 4] == 9
        chord = [root, root + (3 if minor else 4), root + 7]
        for s in range(16):  # drums: kick/snare/hat sixteenths
            dt.append(b * bar + s * TPQ // 4)
            dd.append(TPQ // 8)
            dp.append(36 if s % 8 == 0 else 38 if s % 8 == 4 else 42)
            dv.append(int(rng.integers(60, 110)))
        for e in range(8):  # bass eighths
            bt.append(b * bar + e * TPQ // 2)
            bd.append(TPQ // 2 - 20)
            bp.append(36 + root % 12 + (7 if e % 4 == 3 else 0))
            bv.append(int(rng.integers(70, 100)))
        for q in range(4):  # chords on quarters
            for p in chord:
                ct.append(b * bar + q * TPQ)
                cd.append(TPQ - 30)
                cp.append(60 + p % 12)
                cv.append(int(rng.integers(55, 80)))
        t = 0
        while t < bar:  # melody: eighths, sixteenths, triplets
            step = int(rng.choice([TPQ // 2, TPQ // 4, TPQ // 3, TPQ]))
            deg = int(rng.integers(0, 7))
            mt.append(b * bar + t)
            md.append(step)
            mp.append(72 + (key + MAJOR[deg]) % 12)
            mv.append(int(rng.integers(70, 120)))
            t += step
        for p in chord:  # pad: whole notes
            pt.append(b * bar)
            pd.append(bar)
            pp.append(48 + p % 12)
            pv.append(50)
    track("Drums", 0, dt, dd, dp, dv, drum=True)
    track("Bass", 33, bt, bd, bp, bv)
    track("Keys", 0, ct, cd, cp, cv)
    track("Lead", 80, mt, md, mp, mv)
    track("Pad", 89, pt, pd, pp, pv)
    return score


#: (lowest GM program, register) of the families a varied file draws its tracks from.
FAMILIES = [(0, 60), (16, 60), (24, 55), (24, 64), (32, 36), (40, 60), (48, 55), (56, 62)]
FAMILIES += [(64, 67), (72, 74), (80, 72), (88, 55)]


def varied_score(seed: int, target_notes: int = 5000):  # type: ignore[no-untyped-def]
    """A Score of about `target_notes` notes over 8-16 tracks, shaped like real pop files."""
    from symusic import Note, Score, Tempo, TimeSignature, Track

    rng = np.random.default_rng(seed)
    key = int(rng.integers(0, 12))
    scale = (key + MAJOR)[None, :] + 12 * np.arange(-3, 4)[:, None]
    scale = np.sort(scale.ravel())
    n_tracks = int(rng.integers(8, 17))
    bars = max(4, target_notes // (6 * n_tracks))
    bar = 4 * TPQ
    score = Score(TPQ)
    for b in range(0, bars, int(rng.integers(8, 33))):  # tempo changes
        score.tempos.append(Tempo(b * bar, float(rng.integers(80, 150))))
    score.time_signatures.append(TimeSignature(0, 4, 4))
    if rng.random() < 0.3:  # a 2/4 bar, then 4/4 again
        score.time_signatures.append(TimeSignature(8 * bar, 2, 4))
        score.time_signatures.append(TimeSignature(8 * bar + bar // 2, 4, 4))
    played = rng.random() < 0.33  # onsets off the grid: a performance without a click
    weights = rng.uniform(0.5, 2.0, n_tracks)
    per_track = np.maximum(8, (target_notes * weights / weights.sum()).astype(int))
    for t in range(n_tracks):
        n = int(per_track[t])
        drum = t == 0
        low, register = FAMILIES[int(rng.integers(len(FAMILIES)))]
        chord = 1 if drum else int(rng.choice([1, 1, 2, 3]))
        sub = int(rng.choice([TPQ // 4, TPQ // 3, TPQ // 2, TPQ]))  # this track's grid
        slots = max(1, bars * bar // sub)
        onsets = np.sort(rng.choice(slots, size=max(1, n // chord), replace=slots < n)) * sub
        onsets = np.repeat(onsets, chord)
        if drum:
            pitch = rng.choice([36, 38, 42, 44, 46, 49, 51], size=onsets.size)
        else:
            at = np.searchsorted(scale, register) + rng.integers(-4, 5, onsets.size)
            pitch = scale[np.clip(at + 2 * np.tile(np.arange(chord), onsets.size // chord), 0, 48)]
        # Durations up to twice the track's grid: held notes overlap the next of one pitch.
        dur = (sub * rng.uniform(0.3, 2.2, onsets.size)).astype(np.int64) + 1
        if played:
            onsets = np.maximum(0, onsets + rng.integers(-25, 26, onsets.size))
        tr = Track(f"Track {t + 1}", low + int(rng.integers(0, 8)), drum)
        tr.notes = Note.from_numpy(
            onsets.astype(np.int32),
            dur.astype(np.int32),
            np.clip(pitch, 0, 127).astype(np.int8),
            rng.integers(40, 120, onsets.size).astype(np.int8),
        )
        score.tracks.append(tr)
    return score


def write_pop_folder(
    folder: Path, count: int, target_notes: int = 5000, varied: bool = False
) -> list[Path]:
    """Write `count` files (keeping the ones already there)."""
    folder.mkdir(parents=True, exist_ok=True)
    make = varied_score if varied else pop_score
    out = []
    for i in range(count):
        path = folder / f"pop_{i:05d}.mid"
        if not path.exists():
            path.write_bytes(bytes(make(i, target_notes).dumps_midi()))
        out.append(path)
    return out
