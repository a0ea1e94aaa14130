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

from musicstudio.cli import UserError, add_part_options, chosen_parts

#: Epochs with a time budget and no --epochs: the budget or early stopping ends training.
UNLIMITED_EPOCHS = 100_000


class TerminalProgress:
    """A one-line progress bar on stderr, redrawn at most 10 times a second."""

    def __init__(self, enabled: bool = True) -> None:
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
    from musicstudio.cli import _sample_corpus_dir
    from musicstudio.core.corpus import CorpusError, ScanOptions, scan

    folder = args.dir or (_sample_corpus_dir() if args.sample else None)
    if not folder:
        raise UserError("give a MIDI folder to train on (or --sample)")
    options = ScanOptions(
        parts=chosen_parts(args), threshold=args.threshold, transpose=args.transpose
    )
    try:
        corpus = scan([folder], options)
    except CorpusError as e:
        raise UserError(str(e)) from e
    if corpus.stats["ok"] == 0:
        raise UserError(f"no usable MIDI files in {folder}")
    return corpus


def cmd_train(args: argparse.Namespace) -> int:
    from musicstudio.core.tensorflow_setup import load_tensorflow

    load_tensorflow()
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
    from musicstudio.core.dataset import TrainingData
    from musicstudio.core.training import TrainingError, TrainSettings, train

    out = (
        Path(args.out)
        if args.out
        else models_dir() / f"{args.model}-{_dt.datetime.now():%Y%m%d-%H%M%S}.msb"
    )
    if args.resume and not args.out:
        raise UserError("--resume needs --out (the bundle whose training to continue)")
    # With a time budget the user asked for that much time: epochs only cap it when given.
    epochs = args.epochs or (UNLIMITED_EPOCHS if args.minutes else TrainSettings.epochs)
    settings = TrainSettings(
        epochs=epochs,
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
        "stop_reason": result.stop_reason,
        "best_epoch": result.best_epoch,
        "why_stopped": result.why_stopped,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        term.line(
            f"{result.why_stopped} ({result.seconds / 60:.1f} min,"
            f" {result.targets_per_second:,.0f} targets/s); model: {summary['bundle']}"
        )
    return 0 if result.bundle or not result.cancelled else 130


def resolve_bundle_path(name: str) -> Path:
    """A bundle path, or the name of a shipped sample model ("wavenet", "lstm")."""
    from musicstudio.core.resources import sample_models_dir

    path = Path(name)
    if path.exists():
        return path
    shipped = sample_models_dir()
    if shipped is not None:
        for candidate in (shipped / name, shipped / f"{name}.msb", shipped / f"sample-{name}.msb"):
            if candidate.is_file():
                return candidate
    raise UserError(f"no model file {name}")


def _load(name: str) -> Any:
    from musicstudio.core.bundle import BundleError, load_bundle

    try:
        return load_bundle(resolve_bundle_path(name))
    except BundleError as e:
        raise UserError(str(e)) from e


def _numbered(path: Path, i: int, count: int) -> Path:
    return path if count == 1 else path.with_name(f"{path.stem}-{i + 1}{path.suffix}")


def cmd_compose(args: argparse.Namespace) -> int:
    from musicstudio.core.tensorflow_setup import load_tensorflow

    load_tensorflow()
    from musicstudio.core.compose import ComposeError, Composer, ComposeSettings
    from musicstudio.core.midi import write_midi, write_musicxml
    from musicstudio.core.sampling import SamplingSettings

    bundle = _load(args.bundle)
    primer = "file" if args.primer else ("none" if args.no_primer else "corpus")
    settings = ComposeSettings(
        length=args.length,
        bars=args.bars,
        variations=args.variations,
        primer=primer,
        primer_file=args.primer,
        tempo=args.tempo,
        programs=_instruments(args.instrument),
        single_instrument=args.single_instrument,
        program=args.program,
        sampling=SamplingSettings(
            temperature=args.temperature,
            top_k=args.top_k,
            top_p=args.top_p,
            repetition_penalty=args.repetition_penalty,
            seed=args.seed,
        ),
    )
    composer = Composer(bundle)
    try:
        pieces = composer.compose(settings)
    except ComposeError as e:
        raise UserError(str(e)) from e
    profile = _profile(bundle, args.corpus)
    out = (
        Path(args.out) if args.out else Path.cwd() / f"composition-{bundle.family}-{args.seed}.mid"
    )
    written, metrics = [], []
    for i, piece in enumerate(pieces):
        try:
            path = write_midi(_numbered(out, i, len(pieces)), piece.notes)
            if args.musicxml:
                write_musicxml(_numbered(Path(args.musicxml), i, len(pieces)), piece.notes)
        except OSError as e:
            raise UserError(f"cannot write {e.filename or out}: {e.strerror or e}") from e
        written.append(str(path))
        metrics.append(_metrics(piece, bundle, profile))
    seconds = pieces[0].seconds
    events = sum(p.events for p in pieces)
    summary = {
        "out": written if len(written) > 1 else written[0],
        "events": events,
        "seconds": round(seconds, 4),
        "events_per_second": round(events / max(seconds, 1e-9), 1),
        "metrics": metrics if len(metrics) > 1 else metrics[0],
    }
    if args.json:
        print(json.dumps(summary, default=float))
    else:
        for path, piece in zip(written, pieces, strict=True):
            print(
                f"{path}: {piece.events} events, {len(piece.notes)} notes, {piece.notes.onset.max(initial=0) / 4:.1f} bars"
            )
        print(
            f"composed {events} events in {seconds:.2f} s ({summary['events_per_second']:,.0f} events/s)"
        )
    return 0


def _instruments(pairs: list[str] | None) -> dict[str, int] | None:
    """--instrument bass=34 --instrument keys=4 → {"bass": 34, "keys": 4}."""
    if not pairs:
        return None
    out = {}
    for pair in pairs:
        name, sep, number = pair.partition("=")
        if not sep or not number.strip().isdigit():
            raise UserError(f"--instrument wants PART=PROGRAM (e.g. bass=34), not {pair!r}")
        out[name.strip().lower()] = int(number)
    return out


def _profile(bundle: Any, corpus_dir: str | None) -> Any:
    """Measure against the training folder when it is here (scan cache: fast), else the stored primers."""
    from musicstudio.core.corpus import CorpusError, ScanOptions, scan
    from musicstudio.core.metrics import CorpusProfile
    from musicstudio.core.resources import sample_corpus_dir

    folder = corpus_dir or str(bundle.corpus.get("folder") or "")
    if folder and not Path(folder).is_dir() and Path(folder).name == "sample_corpus":
        folder = str(sample_corpus_dir() or "")  # a shipped sample model, on another machine
    if folder and Path(folder).is_dir():
        try:
            corpus = scan([folder], ScanOptions(threshold=bundle.vocab.threshold))
            return CorpusProfile.from_events(corpus.streams, bundle.vocab)
        except CorpusError:
            pass
    return CorpusProfile.from_tokens(bundle.primers, bundle.vocab)


def _metrics(piece: Any, bundle: Any, profile: Any) -> dict[str, Any]:
    from musicstudio.core.metrics import evaluate_composition

    return evaluate_composition(piece.tokens, piece.notes, profile)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from musicstudio.core.tensorflow_setup import load_tensorflow

    load_tensorflow()
    from musicstudio.core.corpus import CorpusError, scan
    from musicstudio.core.evaluation import EvaluationError, evaluate

    bundle = _load(args.bundle)
    try:
        corpus = scan([args.dir])
    except CorpusError as e:
        raise UserError(str(e)) from e
    streams = bundle.vocab.tokenize_many(corpus.streams)
    try:
        result = evaluate(bundle, streams, args.batch_size)
    except EvaluationError as e:
        raise UserError(str(e)) from e
    result["files"] = corpus.stats["ok"]
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{bundle.family} on {corpus.stats['ok']} files ({int(result['events']):,} events):")
        from musicstudio.core.vocab import STREAMS

        for k in STREAMS:
            print(
                f"  {k:<9} loss {result[f'loss_{k}']:.3f}  accuracy {result[f'accuracy_{k}']:.3f}"
                f"  perplexity {result[f'perplexity_{k}']:.1f}"
            )
    return 0


def cmd_play(args: argparse.Namespace) -> int:
    from musicstudio.core.midi import MidiError, read_midi
    from musicstudio.core.playback import MidiPlayer, PlaybackError

    path = Path(args.file)
    try:
        notes = read_midi(path)
        length = float((notes.onset.max(initial=0.0) + 1.0) * 60.0 / max(1.0, notes.tempo_qpm))
    except MidiError as e:
        raise UserError(f"cannot play {path.name}: {e}") from e
    player = MidiPlayer(args.soundfont)
    try:
        player.play(path)
    except PlaybackError as e:
        raise UserError(str(e)) from e
    term = TerminalProgress(enabled=True)
    try:
        while player.is_playing:
            time.sleep(0.1)
            player.poll()
            term.bar(
                min(1.0, player.position / max(length, 0.1)),
                f"{player.position:5.1f} s  {path.name}",
            )
    except KeyboardInterrupt:
        player.stop()
        term.line("stopped")
        return 130
    finally:
        player.close()
    term.line(f"played {path.name}")
    return 0


def add_job_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the model-related sub-commands."""
    from musicstudio.core.constants import DEFAULT_THRESHOLD

    tr = sub.add_parser("train", help="train a WaveNet or LSTM on a MIDI folder")
    tr.add_argument("dir", nargs="?", help="MIDI folder")
    tr.add_argument("--sample", action="store_true", help="train on the bundled sample corpus")
    tr.add_argument("--model", choices=["wavenet", "lstm"], default="wavenet")
    tr.add_argument(
        "--epochs", type=int, help="most epochs (default: 20; with --minutes, no limit)"
    )
    tr.add_argument(
        "--minutes", type=float, help="time budget: train this long unless early stopping ends it"
    )
    tr.add_argument("--batch-size", type=int, default=32)
    tr.add_argument("--window", type=int, help="events per training window")
    tr.add_argument("--learning-rate", type=float, default=2e-3)
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument(
        "--patience",
        type=int,
        default=5,
        help="early stopping after N epochs without a better validation loss (0: off)",
    )
    tr.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD)
    tr.add_argument(
        "--transpose", type=int, default=0, help="augment with ±K semitone transpositions"
    )
    add_part_options(tr)
    tr.add_argument("--out", help="bundle path (.msb)")
    tr.add_argument(
        "--resume", action="store_true", help="continue from the last checkpoint of --out"
    )
    tr.add_argument("--strategy", choices=["default", "mirrored", "multiworker"], default="default")
    tr.add_argument("--json", action="store_true")
    tr.set_defaults(func=cmd_train)

    co = sub.add_parser("compose", help="compose new music with a trained model")
    co.add_argument("bundle", help="model file (.msb), or 'wavenet' / 'lstm' for a sample model")
    co.add_argument("--length", type=int, default=500, help="events to compose")
    co.add_argument(
        "--bars",
        type=float,
        help="compose this many bars (the corpus's metre) instead of --length events",
    )
    co.add_argument(
        "--temperature", type=float, default=1.0, help="0 = greedy argmax (the original method)"
    )
    co.add_argument("--top-k", type=int, default=0)
    co.add_argument("--top-p", type=float, default=0.95)
    co.add_argument("--repetition-penalty", type=float, default=1.3)
    co.add_argument("--seed", type=int, default=0)
    co.add_argument("--primer", help="continue this MIDI file")
    co.add_argument(
        "--no-primer", action="store_true", help="start from nothing (default: a corpus window)"
    )
    co.add_argument("--variations", type=int, default=1)
    co.add_argument("--tempo", type=float, default=100.0, help="BPM of the output")
    co.add_argument(
        "--instrument",
        action="append",
        metavar="PART=PROGRAM",
        help="GM program (0-127) for a part, e.g. bass=34; repeatable (default: the corpus's)",
    )
    co.add_argument(
        "--single-instrument",
        action="store_true",
        help="one track: every pitched part on --program, no drums (a piano reduction)",
    )
    co.add_argument(
        "--program",
        type=int,
        default=0,
        help="GM program of the --single-instrument reduction (0-127)",
    )
    co.add_argument("--out", help="MIDI file to write")
    co.add_argument("--musicxml", help="also write MusicXML here")
    co.add_argument(
        "--corpus", help="folder to measure copy rate etc. against (default: the training folder)"
    )
    co.add_argument("--json", action="store_true")
    co.set_defaults(func=cmd_compose)

    pl = sub.add_parser("play", help="play a MIDI file through the built-in synthesizer")
    pl.add_argument("file")
    pl.add_argument("--soundfont", help="a General MIDI .sf2/.sf3 (default: the one shipped)")
    pl.set_defaults(func=cmd_play)

    ev = sub.add_parser(
        "evaluate", help="held-out loss, accuracy and perplexity of a model on a MIDI folder"
    )
    ev.add_argument("bundle")
    ev.add_argument("dir")
    ev.add_argument("--batch-size", type=int, default=32)
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_evaluate)
