"""CLI commands that need the models: train, compose, play, evaluate."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

from musicstudio.cli import UserError


class TerminalProgress:
    """A one-line progress bar on stderr, redrawn at most 10 times a second."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty() or enabled == "force"
        self.quiet = not enabled
        self._last = 0.0

    def bar(self, fraction: float, text: str, force: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        width = 24
        filled = int(round(max(0.0, min(1.0, fraction)) * width))
        line = f"[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {text}"
        if sys.stderr.isatty():
            sys.stderr.write("\r" + line[:120].ljust(120))
        elif force:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def line(self, text: str) -> None:
        if self.quiet:
            return
        if sys.stderr.isatty():
            sys.stderr.write("\r" + " " * 120 + "\r")
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _eta(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _scan_for_training(args: argparse.Namespace) -> Any:
    from musicstudio.core.corpus import CorpusError, ScanOptions, scan
    from musicstudio.core.resources import sample_corpus_dir

    folder = args.dir or (str(sample_corpus_dir()) if args.sample and sample_corpus_dir() else None)
    if not folder:
        raise UserError("give a MIDI folder to train on (or --sample)")
    options = ScanOptions(threshold=args.threshold, transpose=args.transpose)
    try:
        corpus = scan([folder], options)
    except CorpusError as e:
        raise UserError(str(e)) from e
    if corpus.stats["ok"] == 0:
        raise UserError(f"no usable MIDI files in {folder}")
    return corpus


def cmd_train(args: argparse.Namespace) -> int:
    from musicstudio.core.jobs import CancelToken
    from musicstudio.core.models import ConfigError, default_config
    from musicstudio.core.resources import models_dir

    corpus = _scan_for_training(args)
    overrides: dict[str, Any] = {}
    if args.window:
        overrides["window"] = args.window
    try:
        config = default_config(args.model, **overrides)
    except ConfigError as e:
        raise UserError(str(e)) from e
    from musicstudio.core.training import TrainingData, TrainingError, TrainSettings, train

    out = (
        Path(args.out)
        if args.out
        else models_dir() / f"{args.model}-{_dt.datetime.now():%Y%m%d-%H%M%S}.msb"
    )
    if args.resume and not args.out:
        raise UserError("--resume needs --out (the bundle whose training to continue)")
    settings = TrainSettings(
        epochs=args.epochs,
        minutes=args.minutes,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
        patience=args.patience,
        strategy=args.strategy,
    )
    data = TrainingData.from_corpus(corpus, settings.validation_share, settings.seed)
    term = TerminalProgress(enabled=not args.json)
    term.line(
        f"{corpus.stats['ok']} files, vocabulary {len(corpus.vocab)}; training {args.model}"
        f" ({config.parameter_count(corpus.vocab.sizes):,} parameters) → {out}"
    )
    cancel = CancelToken()

    def on_sigint(signum: int, frame: Any) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        term.line("stopping after this step (Ctrl-C again to abort)…")
        cancel.cancel()

    previous = signal.signal(signal.SIGINT, on_sigint)

    def progress(fraction: float, info: dict[str, Any]) -> None:
        if info["phase"] == "train":
            term.bar(
                fraction,
                f"epoch {info['epoch']}/{info['epochs']} step {info['step']}/{info['steps']}"
                f" loss {info['loss']:.3f} {info['targets_per_second']:,.0f} targets/s ETA {_eta(info['eta'])}",
            )
        elif info["phase"] == "epoch":
            m = info["metrics"]
            val = (
                f" val_loss {m['val_loss']:.3f} val_acc(pitch) {m['val_accuracy_pitch']:.3f}"
                if "val_loss" in m
                else ""
            )
            term.line(
                f"epoch {info['epoch']}: loss {m['loss']:.3f}{val}{' *' if info['improved'] else ''}"
            )
        elif info["phase"] == "resumed":
            term.line(info["message"])

    try:
        result = train(
            data, config, settings, out, progress, cancel, resume=args.resume, name=out.stem
        )
    except TrainingError as e:
        raise UserError(str(e)) from e
    finally:
        signal.signal(signal.SIGINT, previous)
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
    }
    if args.json:
        print(json.dumps(summary))
    else:
        state = "stopped" if result.cancelled else "done"
        term.line(
            f"{state}: {result.epochs} epochs, {result.targets_per_second:,.0f} targets/s; model: {summary['bundle']}"
        )
    return 0 if result.bundle or not result.cancelled else 130


def add_job_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the model-related sub-commands."""
    from musicstudio.core.constants import DEFAULT_THRESHOLD

    tr = sub.add_parser("train", help="train a WaveNet or LSTM on a MIDI folder")
    tr.add_argument("dir", nargs="?", help="MIDI folder")
    tr.add_argument("--sample", action="store_true", help="train on the bundled sample corpus")
    tr.add_argument("--model", choices=["wavenet", "lstm"], default="wavenet")
    tr.add_argument("--epochs", type=int, default=10)
    tr.add_argument("--minutes", type=float, help="wall-clock budget")
    tr.add_argument("--batch-size", type=int, default=32)
    tr.add_argument("--window", type=int, help="events per training window")
    tr.add_argument("--learning-rate", type=float, default=2e-3)
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument(
        "--patience", type=int, default=0, help="early stopping after N epochs without improvement"
    )
    tr.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD)
    tr.add_argument(
        "--transpose", type=int, default=0, help="augment with ±K semitone transpositions"
    )
    tr.add_argument("--out", help="bundle path (.msb)")
    tr.add_argument(
        "--resume", action="store_true", help="continue from the last checkpoint of --out"
    )
    tr.add_argument("--strategy", choices=["default", "mirrored", "multiworker"], default="default")
    tr.add_argument("--json", action="store_true")
    tr.set_defaults(func=cmd_train)
