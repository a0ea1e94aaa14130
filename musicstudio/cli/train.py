"""`musicstudio train DIR`: the same TrainJob the app runs, with a progress line and Ctrl-C."""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path
from typing import Any

from musicstudio.cli.common import (
    TerminalProgress,
    UsageError,
    add_scan_options,
    add_settings,
    eta,
    print_json,
    run_job,
    sample_corpus,
    scan_options,
    settings_from,
)

TRAIN_FLAGS = [
    "minutes",
    "epochs",
    "patience",
    "batch_size",
    "learning_rate",
    "seed",
    "strategy",
    "weight_decay",
    "label_smoothing",
    "lr_patience",
]


def main(
    folder: str,
    family: str,
    options: Any,
    settings: Any,
    out: Path,
    window: int | None = None,
    resume: bool = False,
    as_json: bool = False,
    metric_position: bool = False,
    meter: bool | None = None,
) -> int:
    """Train a model of `family` on the folder; 0 when a model was written, 130 if stopped first."""
    from musicstudio.core.app.catalog import TrainJob
    from musicstudio.core.base.progress import (
        EpochDone,
        Resumed,
        TrainingPlan,
        TrainingStep,
        TuningStep,
    )
    from musicstudio.core.learn.models import default_config
    from musicstudio.core.learn.tensorflow_setup import load_tensorflow
    from musicstudio.core.music.corpus import CorpusSource

    load_tensorflow()
    overrides: dict[str, Any] = {"window": window} if window else {}
    if metric_position:
        overrides["metric_position"] = True
    if meter is not None:
        overrides["meter"] = meter
    config = default_config(family, **overrides)
    job = TrainJob(CorpusSource((folder,), options), config, settings, str(out), resume, out.stem)
    term = TerminalProgress(enabled=not as_json)
    term.line(f"training {family} on {folder} → {out}")

    def progress(fraction: float, event: Any) -> None:
        if isinstance(event, TrainingStep):
            of = f"/{event.epochs}" if settings.minutes is None else ""
            term.bar(
                fraction,
                f"epoch {event.epoch}{of} step {event.step}/{event.steps} loss {event.loss:.3f}"
                f" {event.targets_per_second:,.0f} targets/s ETA {eta(event.eta)}",
            )
        elif isinstance(event, EpochDone):
            m = event.metrics
            val = (
                f" val_loss {m['val_loss']:.3f} val_acc(pitch) {m['val_accuracy_pitch']:.3f}"
                if "val_loss" in m
                else ""
            )
            term.line(
                f"epoch {event.epoch}: loss {m['loss']:.3f}{val}{' *' if event.improved else ''}"
            )
        elif isinstance(event, Resumed | TrainingPlan):
            term.line(event.message)
        elif isinstance(event, TuningStep):
            term.bar(event.done / event.total, "tuning sampling to the corpus")

    result = run_job(job, progress)
    last = result.history[-1] if result.history else {}
    summary = {
        "bundle": str(result.bundle) if result.bundle else None,
        "epochs": result.epochs,
        "resumed_from": result.resumed_from,
        "cancelled": result.cancelled,
        "targets_per_second": round(result.targets_per_second, 1),
        "loss": last.get("loss"),
        "val_loss": last.get("val_loss"),
        "val_accuracy": last.get("val_accuracy_pitch"),
        "seconds": round(result.seconds, 2),
        "stop_reason": result.stop_reason,
        "best_epoch": result.best_epoch,
        "why_stopped": result.why_stopped,
        "tuned": result.tuned,
        "window": result.window,
        "batch_size": result.batch_size,
        "plan": result.plan,
    }
    if as_json:
        print_json(summary)
    else:
        term.line(
            f"{result.why_stopped} ({result.seconds / 60:.1f} min,"
            f" {result.targets_per_second:,.0f} targets/s); model: {summary['bundle']}"
        )
        if result.tuned:
            term.line(result.tuned)
    return 0 if result.bundle or not result.cancelled else 130


def run(args: argparse.Namespace) -> int:
    from musicstudio.core.base.resources import models_dir
    from musicstudio.core.learn.training import UNLIMITED_EPOCHS, TrainSettings

    folder = args.dir or (sample_corpus() if args.sample else None)
    if not folder:
        raise UsageError("give a MIDI folder to train on (or --sample)")
    if args.resume and not args.out:
        raise UsageError("--resume needs --out (the bundle whose training to continue)")
    # With a time budget the user asked for that much time: epochs only cap it when given.
    epochs = args.epochs or (UNLIMITED_EPOCHS if args.minutes else TrainSettings().epochs)
    names = [n for n in TRAIN_FLAGS if n != "epochs"]
    settings = settings_from(TrainSettings, args, names, epochs=epochs)
    stamp = f"{args.model}-{_dt.datetime.now():%Y%m%d-%H%M%S}"
    out = Path(args.out) if args.out else models_dir() / f"{stamp}.msb"
    return main(
        folder,
        args.model,
        scan_options(args),
        settings,
        out,
        args.window,
        args.resume,
        args.json,
        args.metric_position,
        args.meter,
    )


def register(sub: Any) -> None:
    from musicstudio.core.learn.training import TrainSettings

    ap = sub.add_parser("train", help="train a WaveNet or LSTM on a MIDI folder")
    ap.add_argument("dir", nargs="?", help="MIDI folder")
    ap.add_argument("--sample", action="store_true", help="train on the bundled sample corpus")
    ap.add_argument("--model", choices=["wavenet", "lstm"], default="wavenet")
    ap.add_argument("--window", type=int, help="events per training window")
    ap.add_argument(
        "--metric-position",
        action="store_true",
        help="the model also reads where each event sits in the bar (an input, not predicted)",
    )
    ap.add_argument(
        "--meter",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the model also reads each piece's time signature, an input, not predicted"
        " (default: on)",
    )
    add_settings(ap, TrainSettings, TRAIN_FLAGS)
    ap.set_defaults(epochs=None)  # no --epochs: 20, or no limit with --minutes
    add_scan_options(ap)
    ap.add_argument("--out", help="bundle path (.msb)")
    ap.add_argument(
        "--resume", action="store_true", help="continue from the last checkpoint of --out"
    )
    ap.add_argument("--json", action="store_true")
    ap.set_defaults(run=run)
