"""Learn the whole band: train on a folder of band files, compose, and check every part comes back.

    python benchmarks/band.py [DIR] [--files 60] [--minutes 3] [--pieces 5] [--families wavenet lstm]

Without DIR, writes synthetic band files (drums on channel 10, bass, keys, synth lead, pad) under
bench_data/band/. For each family, one run: train for --minutes on this CPU, compose --pieces
pieces of 500 events, write each as MIDI and read it back; print the parts and tracks of every
piece, and composing speed (first call, and warm: the best of three later calls).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from popmidi import write_pop_folder

from musicstudio.core.compose.composer import Composer, ComposeSettings
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.compose.tuning import tune_bundle
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.learn.dataset import TrainingData
from musicstudio.core.learn.models import default_config
from musicstudio.core.learn.trainer import train
from musicstudio.core.learn.training import TrainSettings
from musicstudio.core.music.corpus import scan
from musicstudio.core.music.midi import read_midi, write_midi

ROOT = Path(__file__).resolve().parents[1]


def run_family(family: str, data: TrainingData, args: argparse.Namespace, tmp: Path) -> None:
    path = tmp / f"{family}.msb"
    t0 = time.perf_counter()
    result = train(
        data, default_config(family), TrainSettings(epochs=10_000, minutes=args.minutes), path
    )
    tune_bundle(path, [*data.validation, *data.train])  # the train job's last stage, as in the app
    trained = time.perf_counter() - t0
    bundle = load_bundle(path)
    best = min(bundle.history, key=lambda h: h.get("val_loss") or np.inf)
    print(
        f"\n{family}: trained {trained:.0f} s, {len(bundle.history)} epochs,"
        f" best val loss {best.get('val_loss', float('nan')):.3f},"
        f" val pitch accuracy {best.get('val_accuracy_pitch', float('nan')):.3f},"
        f" val part accuracy {best.get('val_accuracy_part', float('nan')):.3f} (stopped early: {result.stopped_early})"
    )
    composer = Composer(bundle)
    t0 = time.perf_counter()
    composer.compose(ComposeSettings(length=500, sampling=SamplingSettings(seed=100)))
    first = 500 / (time.perf_counter() - t0)
    warm = 0.0
    for seed in range(args.pieces):
        t0 = time.perf_counter()
        [piece] = composer.compose(
            ComposeSettings(length=500, sampling=SamplingSettings(seed=seed))
        )
        warm = max(warm, 500 / (time.perf_counter() - t0))
        out = write_midi(tmp / f"{family}-{seed}.mid", piece.notes)
        back = read_midi(out)
        from symusic import Score

        tracks = [
            f"{t.name}({'drums' if t.is_drum else t.program})" for t in Score(str(out)).tracks
        ]
        per_part = back.notes_per_part()
        print(
            f"  piece {seed}: {len(back):>4} notes, {len(per_part)} parts "
            f"[{', '.join(f'{p} {n}' for p, n in per_part.items())}]; tracks {' '.join(tracks)}"
        )
    print(f"  composing 500 events: first call {first:,.0f} events/s, warm {warm:,.0f} events/s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", type=Path)
    ap.add_argument("--files", type=int, default=60)
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--pieces", type=int, default=5)
    ap.add_argument("--families", nargs="+", default=["wavenet", "lstm"])
    args = ap.parse_args(argv)
    folder = args.dir or ROOT / "bench_data" / "band"
    if args.dir is None:
        write_pop_folder(folder, args.files, target_notes=3000)
    corpus = scan([folder])
    s = corpus.stats
    print(
        f"{folder}: {s['ok']} files, {s['notes']:,} notes, parts "
        + ", ".join(f"{p} {n:,}" for p, n in s["parts"].items())
        + f"; strict note recall {s['note_recall']:.4f}; programs {s['programs']}"
    )
    data = TrainingData.from_corpus(corpus)
    with tempfile.TemporaryDirectory() as tmp:
        for family in args.families:
            run_family(family, data, args, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
