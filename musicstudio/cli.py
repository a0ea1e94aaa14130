"""`musicstudio` opens the app; `musicstudio scan|train|compose|play|evaluate` run headless."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

EXIT_USAGE = 2


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit code 2, no traceback."""


def _print_json(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, default=str))


def _sample_corpus_dir() -> str:
    from musicstudio.core.resources import sample_corpus_dir

    d = sample_corpus_dir()
    if d is None:
        raise UserError("the sample corpus is not installed (resources/sample_corpus)")
    return str(d)


def cmd_scan(args: argparse.Namespace) -> int:
    from musicstudio.core.corpus import CorpusError, ScanOptions, scan

    paths = list(args.paths) or ([_sample_corpus_dir()] if args.sample else [])
    if not paths:
        raise UserError("give a MIDI folder (or --sample)")
    options = ScanOptions(
        parts=chosen_parts(args),
        threshold=args.threshold,
        transpose=args.transpose,
        normalize_key=args.normalize_key,
    )
    try:
        corpus = scan(paths, options, use_cache=not args.no_cache)
    except CorpusError as e:
        raise UserError(str(e)) from e
    stats = corpus.stats
    if args.json:
        _print_json(stats)
    else:
        print(
            f"{stats['files']} files: {stats['ok']} ok, {stats['skipped']} skipped"
            f" ({stats['cached']} from cache) in {stats['seconds']:.2f} s"
        )
        print(
            f"{stats['notes']:,} notes, {stats['events']:,} events, {stats['unique_tokens']:,} distinct pitch sets"
        )
        print(
            f"vocabulary: {stats['vocab_size']} tokens at threshold {stats['threshold']}"
            f" (coverage {stats['coverage']:.1%}), note recall {stats['note_recall']:.2%}"
            f" (onset and pitch only {stats['onset_pitch_recall']:.2%})"
        )
        print("parts: " + ", ".join(f"{p} {n:,} notes" for p, n in stats["parts"].items()))
        for p in stats["problems"][:50]:
            print(f"  {p['status']:>10}  {p['path']}: {p['reason']}")
        if len(stats["problems"]) > 50:
            print(f"  … and {len(stats['problems']) - 50} more")
    if stats["ok"] == 0:
        if not args.json:
            print("no usable MIDI files were found", file=sys.stderr)
        return EXIT_USAGE
    return 0


def cmd_roundtrip(args: argparse.Namespace) -> int:
    from musicstudio.core.corpus import CorpusError, ScanOptions, scan
    from musicstudio.core.learned import as_learned
    from musicstudio.core.midi import MidiError, read_midi, write_midi

    try:
        notes = read_midi(args.input, chosen_parts(args))
    except MidiError as e:
        raise UserError(f"cannot read {args.input}: {e}") from e
    if len(notes) == 0:
        raise UserError(f"{args.input} has no notes in the chosen parts")
    vocab = None
    if args.corpus:
        try:
            vocab = scan([args.corpus], ScanOptions(threshold=args.threshold)).vocab
        except CorpusError as e:
            raise UserError(str(e)) from e
    learned, recall = as_learned(notes, vocab, args.threshold)
    try:
        write_midi(args.output, learned)
    except OSError as e:
        raise UserError(f"cannot write {args.output}: {e.strerror or e}") from e
    summary = {
        "out": args.output,
        "notes": recall.notes,
        "note_recall": round(recall.strict, 5),
        "onset_pitch_recall": round(recall.onset_pitch, 5),
        "duration_exact": round(recall.duration_exact, 5),
        "parts_in": notes.notes_per_part(),
        "parts_out": learned.notes_per_part(),
    }
    if args.json:
        _print_json(summary)
    else:
        print(
            f"{args.output}: {len(learned):,} of {recall.notes:,} notes,"
            f" note recall {recall.strict:.2%} (onset and pitch {recall.onset_pitch:.2%},"
            f" exact durations {recall.duration_exact:.2%})"
        )
        print("parts: " + ", ".join(f"{p} {n:,}" for p, n in summary["parts_out"].items()))
    return 0


def add_part_options(ap: argparse.ArgumentParser) -> None:
    """--parts and --no-drums: which parts of the band to learn."""
    from musicstudio.core.parts import PARTS

    ap.add_argument(
        "--parts",
        help=f"comma-separated parts to learn (default: all): {','.join(PARTS)}",
    )
    ap.add_argument("--no-drums", action="store_true", help="learn every part but the drums")


def chosen_parts(args: argparse.Namespace) -> tuple[int, ...] | None:
    """The parts the --parts / --no-drums options choose (None: every part)."""
    from musicstudio.core.parts import DRUMS, PARTS, PartError, parse_parts

    try:
        parts = parse_parts(getattr(args, "parts", None))
    except PartError as e:
        raise UserError(str(e)) from e
    if getattr(args, "no_drums", False):
        parts = tuple(p for p in (parts or range(len(PARTS))) if p != DRUMS)
        if not parts:
            raise UserError("--no-drums leaves no part to learn")
    return parts


def build_parser() -> argparse.ArgumentParser:
    from musicstudio.core.constants import DEFAULT_THRESHOLD

    ap = argparse.ArgumentParser(
        prog="musicstudio", description="Learn music from MIDI files and compose new music."
    )
    ap.add_argument("--version", action="store_true", help="print the version and exit")
    sub = ap.add_subparsers(dest="command")

    sc = sub.add_parser("scan", help="scan a MIDI folder and report every file")
    sc.add_argument("paths", nargs="*", help="folders or MIDI files")
    sc.add_argument("--sample", action="store_true", help="scan the bundled sample corpus")
    sc.add_argument(
        "--threshold", type=int, default=DEFAULT_THRESHOLD, help="rare pitch-set threshold"
    )
    add_part_options(sc)
    sc.add_argument(
        "--transpose", type=int, default=0, help="augment with ±K semitone transpositions"
    )
    sc.add_argument(
        "--normalize-key", action="store_true", help="move each piece to C major / A minor"
    )
    sc.add_argument(
        "--no-cache", action="store_true", help="ignore and do not write the scan cache"
    )
    sc.add_argument("--json", action="store_true", help="print one JSON object")
    sc.set_defaults(func=cmd_scan)

    rt = sub.add_parser(
        "roundtrip", help="write what the model learns from a MIDI file (encode, tokens, decode)"
    )
    rt.add_argument("input", help="MIDI file")
    rt.add_argument("output", help="MIDI file to write")
    rt.add_argument(
        "--threshold", type=int, default=DEFAULT_THRESHOLD, help="rare pitch-set threshold"
    )
    rt.add_argument("--corpus", help="folder whose vocabulary to use (default: the file's own)")
    add_part_options(rt)
    rt.add_argument("--json", action="store_true", help="print one JSON object")
    rt.set_defaults(func=cmd_roundtrip)

    from musicstudio.cli_jobs import add_job_commands

    add_job_commands(sub)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `musicstudio` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # file names need not be valid UTF-8
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if not argv or argv[0].startswith("--self-test"):
        from musicstudio.gui.app import run_app

        return run_app(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from musicstudio import __version__

        print(f"musicstudio {__version__}")
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except UserError as e:
        print(f"musicstudio: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("musicstudio: stopped", file=sys.stderr)
        return 130
