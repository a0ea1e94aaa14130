"""`musicstudio evaluate BUNDLE DIR`: held-out loss, accuracy and perplexity per head, and how
close the model's compositions are to DIR, feature by feature."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from musicstudio.cli.common import bundle_path, print_json, run_job


def main(
    bundle: Path, folder: str, batch_size: int = 32, as_json: bool = False, pieces: int = 20
) -> int:
    """Evaluate the model on every file of the folder (the same jobs the engine runs)."""
    from musicstudio.core.app.catalog import ClosenessJob, EvaluateJob
    from musicstudio.core.base.progress import no_progress
    from musicstudio.core.learn.tensorflow_setup import load_tensorflow
    from musicstudio.core.music.corpus import CorpusSource
    from musicstudio.core.music.vocab import STREAMS

    load_tensorflow()
    source = CorpusSource((folder,))
    result = run_job(EvaluateJob(str(bundle), source, batch_size), no_progress)
    near = run_job(ClosenessJob(str(bundle), source, pieces), no_progress)
    result["closeness"] = _closeness_json(near)
    if as_json:
        print_json(result)
    else:
        print(f"{bundle.name} on {result['files']} files ({int(result['events']):,} events):")
        for k in STREAMS:
            print(
                f"  {k:<9} loss {result[f'loss_{k}']:.3f}  accuracy {result[f'accuracy_{k}']:.3f}"
                f"  perplexity {result[f'perplexity_{k}']:.1f}"
            )
        _print_closeness(near, pieces)
    return 0


def _closeness_json(near: dict[str, Any]) -> dict[str, Any] | None:
    model, corpus = near["model"], near["corpus"]
    if model is None:
        return None
    own = {f.feature: f.overlap for f in corpus.features} if corpus is not None else {}
    return {
        "events": near["events"],
        "excerpts": near["excerpts"],
        "mean_overlap": model.mean_overlap,
        "corpus_mean_overlap": None if corpus is None else corpus.mean_overlap,
        "features": {
            f.feature: {"overlap": f.overlap, "kl": f.kl_divergence, "corpus": own.get(f.feature)}
            for f in model.features
        },
    }


def _print_closeness(near: dict[str, Any], pieces: int) -> None:
    model, corpus = near["model"], near["corpus"]
    if model is None:
        print("closeness: the folder gives too few excerpts to compare with")
        return
    own = {f.feature: f.overlap for f in corpus.features} if corpus is not None else {}
    print(
        f"closeness of {pieces} compositions of {near['events']} events to"
        f" {near['excerpts']} excerpts of the folder (overlap area, 1 = alike;"
        " the folder's two halves against each other beside it):"
    )
    for f in model.features:
        mark = "  <- furthest" if f is model.weakest else ""
        ref = f"{own[f.feature]:.2f}" if f.feature in own else "  - "
        print(f"  {f.label:<17} {f.overlap:.2f}   folder {ref}{mark}")
    ref_mean = f"{corpus.mean_overlap:.3f}" if corpus is not None else "-"
    print(f"  {'mean':<17} {model.mean_overlap:.3f}  folder {ref_mean}")


def run(args: argparse.Namespace) -> int:
    return main(bundle_path(args.bundle), args.dir, args.batch_size, args.json, args.pieces)


def register(sub: Any) -> None:
    ap = sub.add_parser(
        "evaluate",
        help="held-out perplexity of a model on a MIDI folder, and how close its music is to it",
    )
    ap.add_argument("bundle")
    ap.add_argument("dir")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--pieces", type=int, default=20, help="compositions to measure closeness on")
    ap.add_argument("--json", action="store_true")
    ap.set_defaults(run=run)
