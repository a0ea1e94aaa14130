"""Does reading the metric position help? The same model trained with and without it.

    python benchmarks/metric_position.py [CORPUS ...] [--families wavenet lstm] [--minutes 2]
                                         [--pieces 10] [--data DIR] [--reuse] [--json]

Corpora: the train/test splits of benchmarks/form_corpora.py (chorales and band are shipped;
folk, Ryan's Mammoth Collection, was never looked at while choosing the metric classes: the
held-out corpus). Per corpus and family, two models with the same seed and the same minutes
of training (wall clock: on a shared machine the epochs reached are shown), metric_position
off and on, then:
  ppl     held-out pitch perplexity on the test files (every window position)
  loss    held-out loss summed over the five heads (nats per event)
  OA      mean overlap area of --pieces default compositions (form plan from the corpus
          profile, first 32 bars) against the test files, over the note, track and form
          features (form.py's row)
  near, exact, lag  the form measures of those pieces: share of bars nearly / exactly
          repeating an earlier one, lag similarity; the test files' own in the `test` line
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from form import composed, real_pieces, row
from form_corpora import OUT

from musicstudio.core.compose.tuning import tune_bundle
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.learn.dataset import TrainingData
from musicstudio.core.learn.evaluation import evaluate
from musicstudio.core.learn.models import default_config
from musicstudio.core.learn.tensorflow_setup import load_tensorflow
from musicstudio.core.learn.trainer import train
from musicstudio.core.learn.training import TrainSettings
from musicstudio.core.music.corpus import ScanOptions, scan
from musicstudio.core.music.metrics import CorpusProfile

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "bench_data" / "metric_position"


def say(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def one_model(
    name: str, folder: Path, family: str, metric: bool, args: argparse.Namespace
) -> dict[str, Any]:
    path = MODELS / f"{name}-{family}-{'metric' if metric else 'plain'}.msb"
    corpus = scan([folder / "train"], ScanOptions())
    epochs = None
    if not (args.reuse and path.exists()):
        path.parent.mkdir(parents=True, exist_ok=True)
        data = TrainingData.from_corpus(corpus, seed=0)
        config = default_config(family, metric_position=metric)
        settings = TrainSettings(epochs=100_000, minutes=args.minutes, seed=0)
        t = time.perf_counter()
        result = train(data, config, settings, path)
        tune_bundle(path, [*data.validation, *data.train])  # the train job's last stage
        epochs = result.epochs
        say(f"  trained {path.name}: {result.epochs} epochs, {time.perf_counter() - t:.0f} s")
    bundle = load_bundle(path)
    assert bundle.config.metric_position == metric
    test = scan([folder / "test"], ScanOptions(threshold=int(bundle.vocab.threshold)))
    held = evaluate(bundle, bundle.vocab.tokenize_many(test.streams))
    hashes = CorpusProfile.from_events(corpus.streams, bundle.vocab).ngram_hashes
    pieces = composed(bundle, args.pieces, "corpus", corpus)
    scored = row(
        f"{family} {'on' if metric else 'off'}", pieces, real_pieces(folder / "test"), hashes
    )
    return {
        "corpus": name,
        "family": family,
        "metric": metric,
        "epochs": epochs if epochs is not None else bundle.epochs,
        "ppl": held["perplexity_pitch"],
        "loss": held["loss"],
        **{k: scored[k] for k in ("near_repeat", "exact_repeat", "lag_similarity", "mean_oa")},
        "copy_rate": scored["copy_rate"],
    }


def reference(name: str, folder: Path) -> dict[str, Any]:
    test = real_pieces(folder / "test")
    scored = row("test", test, test, None)
    return {
        "corpus": name,
        "family": "test files",
        **{k: scored[k] for k in ("near_repeat", "exact_repeat", "lag_similarity")},
    }


def cell(value: Any, fmt: str) -> str:
    return "—" if value is None else fmt.format(value)


def table(rows: list[dict[str, Any]]) -> str:
    head = f"{'corpus':9} {'family':10} {'metric':6} {'epochs':>6} {'ppl':>7} {'loss':>6}"
    head += f" {'OA':>5} {'near':>5} {'exact':>5} {'lag':>5} {'copy':>5}"
    lines = [head, "-" * len(head)]
    for r in rows:
        metric = "" if "metric" not in r else ("on" if r["metric"] else "off")
        lines.append(
            f"{r['corpus']:9} {r['family']:10} {metric:6} {cell(r.get('epochs'), '{:d}'):>6}"
            f" {cell(r.get('ppl'), '{:.2f}'):>7} {cell(r.get('loss'), '{:.3f}'):>6}"
            f" {cell(r.get('mean_oa'), '{:.3f}'):>5} {r['near_repeat']:5.3f}"
            f" {r['exact_repeat']:5.3f} {r['lag_similarity']:5.3f}"
            f" {cell(r.get('copy_rate'), '{:.3f}'):>5}"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("corpora", nargs="*", default=["chorales", "band", "folk"])
    ap.add_argument("--families", nargs="+", default=["wavenet"], choices=["wavenet", "lstm"])
    ap.add_argument("--minutes", type=float, default=2.0)
    ap.add_argument("--pieces", type=int, default=10)
    ap.add_argument("--data", type=Path, default=OUT, help="form_corpora.py's splits")
    ap.add_argument("--reuse", action="store_true", help="reuse models trained before")
    ap.add_argument("--json", type=Path, help="write the rows here too")
    args = ap.parse_args()
    load_tensorflow()
    rows: list[dict[str, Any]] = []
    for name in args.corpora:
        folder = args.data / name
        if not (folder / "train").is_dir():
            raise SystemExit(f"{folder}/train is missing: run benchmarks/form_corpora.py first")
        rows.append(reference(name, folder))
        for family in args.families:
            for metric in (False, True):
                say(f"{name} {family} metric {'on' if metric else 'off'} …")
                rows.append(one_model(name, folder, family, metric, args))
                if args.json:
                    args.json.write_text(json.dumps(rows, indent=1))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
