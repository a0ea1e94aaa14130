"""Generation speed: our incremental composer vs the original loop, one run.

    python benchmarks/compose.py [WAVENET.msb LSTM.msb] [--events 500]

"fresh process" is what a user of `musicstudio compose` gets: a new process per call,
events/s from the start of composing (`seconds` of `--json`), and the whole command's
wall time beside it.

The original notebooks called `model.predict` once per note on the full input window
and took the argmax. Here that loop runs on the same bundle (the last position's
prediction of our sequence model), for 1 and 8 variations.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from musicstudio.core.music.vocab import N_STREAMS, STREAMS

ROOT = Path(__file__).resolve().parents[1]


def original_loop(bundle, variations: int, events: int) -> float:  # type: ignore[no-untyped-def]
    """events/s of one model.predict per note on the full window (greedy argmax)."""
    model = bundle.model()
    window = bundle.config.window
    seq = np.zeros((variations, window, N_STREAMS), np.int32)
    model.predict(seq, verbose=0)  # warm-up, as ours is measured warm too
    t0 = time.perf_counter()
    for _ in range(events):
        out = model.predict(seq, verbose=0)
        nxt = np.stack([out[k][:, -1].argmax(-1) for k in STREAMS], axis=-1)
        seq = np.concatenate([seq[:, 1:], nxt[:, None].astype(np.int32)], axis=1)
    return variations * events / (time.perf_counter() - t0)


def ours(bundle, variations: int, events: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    from musicstudio.core.compose.composer import Composer, ComposeSettings

    t0 = time.perf_counter()
    composer = Composer(bundle)
    composer.compose(ComposeSettings(length=events, variations=variations, primer="corpus"))
    first = variations * events / (time.perf_counter() - t0)
    best = 0.0
    for seed in range(3):
        from musicstudio.core.compose.sampling import SamplingSettings

        t0 = time.perf_counter()
        composer.compose(
            ComposeSettings(
                length=events, variations=variations, sampling=SamplingSettings(seed=seed)
            )
        )
        best = max(best, variations * events / (time.perf_counter() - t0))
    return first, best


def fresh_process(path: Path, events: int) -> tuple[float, float]:
    """(events/s from the start of composing, wall seconds of the whole command)."""
    import json
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "musicstudio", "compose", str(path), "--length", str(events),
             "--json", "--out", str(Path(tmp) / "piece.mid")],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        wall = time.perf_counter() - t0
    return float(json.loads(proc.stdout)["events_per_second"]), wall


def quick_bundles(folder: Path) -> list[Path]:
    from musicstudio.core.learn.dataset import TrainingData
    from musicstudio.core.learn.models import default_config
    from musicstudio.core.learn.trainer import train
    from musicstudio.core.learn.training import TrainSettings
    from musicstudio.core.music.corpus import scan

    data = TrainingData.from_corpus(scan([ROOT / "resources" / "sample_corpus"]))
    out = []
    for fam in ("wavenet", "lstm"):
        path = folder / f"{fam}.msb"
        train(data, default_config(fam), TrainSettings(epochs=1), path)
        out.append(path)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("bundles", nargs="*", type=Path)
    ap.add_argument("--events", type=int, default=500)
    ap.add_argument(
        "--original-events", type=int, default=40, help="notes for the (slow) original loop"
    )
    args = ap.parse_args()
    from musicstudio.core.learn.bundle import load_bundle

    with tempfile.TemporaryDirectory() as tmp:
        paths = args.bundles or quick_bundles(Path(tmp))
        print(
            f"{'model':<9} {'variations':>10} {'ours ev/s':>11} {'ours 1st call':>14} {'original ev/s':>14} {'speed-up':>9}  500 events take"
        )
        fresh = {}
        for path in paths:
            fresh[path] = fresh_process(path, args.events)
            bundle = load_bundle(path)
            for v in (1, 8):
                first, warm = ours(bundle, v, args.events)
                orig = original_loop(bundle, v, args.original_events)
                print(
                    f"{bundle.family:<9} {v:>10} {warm:>11,.0f} {first:>14,.0f} {orig:>14,.1f} {warm / orig:>8.0f}x"
                    f"  {500 * v / warm:.3f} s (ours), {500 * v / orig:.0f} s (original)"
                )
        print(f"\n{'model':<9} {'fresh process ev/s':>19} {'whole command':>14}")
        for path, (rate, wall) in fresh.items():
            print(f"{load_bundle(path).family:<9} {rate:>19,.0f} {wall:>12.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
