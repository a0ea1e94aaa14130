"""The novelty guard, measured: how long the index takes to build and a piece to check, and
how often the sample models copy their corpus (and whether composing again removes it).

    python benchmarks/novelty.py [--pieces 5] [--minutes 3] [--corpus DIR] [--temperature T]

Builds the index of the corpus (default: resources/sample_corpus) from the scan cache, composes
`--pieces` pieces of `--minutes` minutes with each sample model at 100 BPM (at the model's
tuned temperatures, or `--temperature` for pitch and rhythm: lower copies more), and times
find_copies on each (median of 20 runs), then composes the copied bars again.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from musicstudio.core.base.resources import sample_models_dir
from musicstudio.core.compose.avoid_copies import resample_copies
from musicstudio.core.compose.composer import Composer, ComposeSettings
from musicstudio.core.compose.novelty import build_index, find_copies
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.music.corpus import scan

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, repeats: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    """Median seconds of `repeats` calls, and the last result."""
    seconds, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(ROOT / "resources" / "sample_corpus"))
    ap.add_argument("--pieces", type=int, default=5)
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--temperature", type=float, help="pitch and rhythm (default: the model's)")
    args = ap.parse_args()

    corpus = scan([args.corpus])
    build_s, index = timed(lambda: build_index(corpus.streams, corpus.ok_paths), 5)
    print(
        f"index: {len(corpus.streams)} files, {corpus.stats['notes']:,} notes,"
        f" {len(index):,} two-bar windows, built in {build_s * 1000:.1f} ms (median of 5)"
    )
    models = sample_models_dir()
    assert models is not None, "no sample models shipped"
    tempo = 100.0
    for name in ("sample-lstm", "sample-wavenet"):
        composer = Composer(load_bundle(models / f"{name}.msb"))
        num, den = composer.bundle.time_signature
        bars = round(args.minutes * tempo / (num * 4 / den))
        checks, flagged, left, passages, fix_s = [], 0, 0, 0, []
        notes_total = 0
        for seed in range(args.pieces):
            t = args.temperature
            sampling = SamplingSettings(seed=seed, temperature=t, rhythm_temperature=t)
            settings = ComposeSettings(bars=bars, tempo=tempo, sampling=sampling)
            piece = composer.compose(settings)[0]
            notes_total += len(piece.notes)
            check_s, copies = timed(lambda p=piece: find_copies(p.notes, index), 20)
            checks.append(check_s)
            if copies:
                flagged += 1
                for c in copies:  # type: ignore[union-attr]
                    print(f"  {name} seed {seed}: {c.in_words()}")
                t0 = time.perf_counter()
                result = resample_copies(composer, piece.notes, index, sampling=sampling)
                fix_s.append(time.perf_counter() - t0)
                left += len(result.left)
                passages += result.passages
        print(
            f"{name}: {args.pieces} pieces of {bars} bars ({notes_total // args.pieces:,} notes"
            f" each): check {statistics.median(checks) * 1000:.1f} ms median,"
            f" {max(checks) * 1000:.1f} ms worst; {flagged} with copies,"
            f" {passages} passages composed again"
            + (f" in {statistics.median(fix_s):.2f} s median" if fix_s else "")
            + f", {left} copies left"
        )


if __name__ == "__main__":
    main()
