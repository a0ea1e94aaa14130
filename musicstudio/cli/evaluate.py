"""`musicstudio evaluate BUNDLE DIR`: held-out loss, accuracy and perplexity per head."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from musicstudio.cli.common import bundle_path, print_json, run_job


def main(bundle: Path, folder: str, batch_size: int = 32, as_json: bool = False) -> int:
    """Evaluate the model on every file of the folder (the same EvaluateJob the engine runs)."""
    from musicstudio.core.jobs.catalog import EvaluateJob
    from musicstudio.core.learn.tensorflow_setup import load_tensorflow
    from musicstudio.core.music.corpus import CorpusSource
    from musicstudio.core.music.vocab import STREAMS

    load_tensorflow()
    result = run_job(
        EvaluateJob(str(bundle), CorpusSource((folder,)), batch_size), lambda f, e: None
    )
    if as_json:
        print_json(result)
    else:
        print(f"{bundle.name} on {result['files']} files ({int(result['events']):,} events):")
        for k in STREAMS:
            print(
                f"  {k:<9} loss {result[f'loss_{k}']:.3f}  accuracy {result[f'accuracy_{k}']:.3f}"
                f"  perplexity {result[f'perplexity_{k}']:.1f}"
            )
    return 0


def run(args: argparse.Namespace) -> int:
    return main(bundle_path(args.bundle), args.dir, args.batch_size, args.json)


def register(sub: Any) -> None:
    ap = sub.add_parser(
        "evaluate", help="held-out loss, accuracy and perplexity of a model on a MIDI folder"
    )
    ap.add_argument("bundle")
    ap.add_argument("dir")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--json", action="store_true")
    ap.set_defaults(run=run)
