"""Regenerate and the locks, measured: how well the kept passage joins, and who obeys.

    python benchmarks/regenerate.py [--pieces 10] [--candidates 8]

Per sample model: compose `--pieces` pieces of 16 bars, regenerate bars 5-8 of each with K
candidates, and compare the log-likelihood per following event (bars 9-10, given all before)
under the kept candidate, the median candidate and the first candidate (what a tool without
the choice would keep). Then the locks: 20 seeds, D minor, C3-C6, at most 3 notes per
chord; the share of notes that obey each rule, with and without the locks.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from musicstudio.core.base.resources import sample_models_dir
from musicstudio.core.compose.composer import Composer, ComposeSettings
from musicstudio.core.compose.constraints import Constraints
from musicstudio.core.compose.regenerate import RegenerateSettings, regenerate
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS, PARTS
from musicstudio.core.music.theory import scale_of


def joins(composer: Composer, pieces: int, candidates: int) -> dict[str, float]:
    kept, median, first, seconds = [], [], [], []
    for seed in range(pieces):
        piece = composer.compose(ComposeSettings(bars=16, sampling=SamplingSettings(seed=seed)))[0]
        r = regenerate(
            composer,
            piece.notes,
            RegenerateSettings(
                first_bar=5, last_bar=8, candidates=candidates, sampling=SamplingSettings(seed=seed)
            ),
        )
        n = max(1, r.scored_events)
        kept.append(r.score / n)
        median.append(float(np.median(r.scores)) / n)
        first.append(r.scores[0] / n)
        seconds.append(r.seconds)
    return {
        "kept": float(np.mean(kept)),
        "median": float(np.mean(median)),
        "first": float(np.mean(first)),
        "kept >= median": float(np.mean(np.array(kept) >= np.array(median))),
        "seconds": float(np.median(seconds)),
    }


def obeys(notes: NoteArray) -> tuple[int, int, int, int]:
    """(pitched notes, in D minor, in C3-C6, in chords of at most 3)."""
    pitched = notes.select(notes.parts != DRUMS)
    p = pitched.pitch.astype(int)
    scale = scale_of(2, "minor")
    keys = np.round(pitched.onset * 12).astype(np.int64) * len(PARTS) + pitched.parts
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return (
        len(p),
        int(np.isin(p % 12, list(scale)).sum()),
        int(((p >= 48) & (p <= 84)).sum()),
        int((counts[inverse] <= 3).sum()),
    )


def locks(composer: Composer, seeds: int, locked: bool) -> list[float]:
    c = (
        Constraints(key="D minor", lowest="C3", highest="C6", max_chord=3)
        if locked
        else Constraints()
    )
    totals = np.zeros(4)
    for seed in range(seeds):
        piece = composer.compose(
            ComposeSettings(length=300, sampling=SamplingSettings(seed=seed), constraints=c)
        )[0]
        totals += obeys(piece.notes)
    return [float(totals[0]), *(totals[1:] / max(1.0, totals[0]))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pieces", type=int, default=10)
    ap.add_argument("--candidates", type=int, default=8)
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    models = sample_models_dir()
    assert models is not None
    print(
        f"Regenerate bars 5-8 of {args.pieces} 16-bar pieces, {args.candidates} candidates;"
        " log-likelihood per event of bars 9-10 (higher joins better)"
    )
    print(f"{'model':<9} {'kept':>8} {'median':>8} {'first':>8} {'kept≥median':>12} {'seconds':>8}")
    composers = {}
    for family in ("wavenet", "lstm"):
        composers[family] = Composer(load_bundle(models / f"sample-{family}.msb"))
        t0 = time.perf_counter()
        j = joins(composers[family], args.pieces, args.candidates)
        print(
            f"{family:<9} {j['kept']:>8.3f} {j['median']:>8.3f} {j['first']:>8.3f}"
            f" {j['kept >= median']:>11.0%} {j['seconds']:>8.2f}"
            f"   ({time.perf_counter() - t0:.1f} s)"
        )
    print(
        f"\nLocks over {args.seeds} seeds x 300 events: D minor, C3-C6, at most 3 notes per chord"
    )
    print(f"{'model':<9} {'locks':<6} {'notes':>7} {'in key':>8} {'in range':>9} {'chord ≤ 3':>10}")
    for family, composer in composers.items():
        for locked in (False, True):
            n, key, rng, chord = locks(composer, args.seeds, locked)
            print(
                f"{family:<9} {'on' if locked else 'off':<6} {n:>7,.0f} {key:>8.2%} {rng:>9.2%}"
                f" {chord:>10.2%}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
