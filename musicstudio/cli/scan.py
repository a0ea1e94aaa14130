"""`musicstudio scan DIR`: every file's status, the figures of the corpus, the vocabulary."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from musicstudio.cli.common import (
    UsageError,
    add_scan_options,
    print_json,
    sample_corpus,
    scan_options,
)


def main(paths: list[str], options: Any, as_json: bool = False, use_cache: bool = True) -> int:
    """Scan folders or files; exit 2 when no file can be learned."""
    from musicstudio.core.music.worker_server import warm_up

    warm_up()  # the workers' server imports the parser while this process imports the scan
    from musicstudio.core.music.corpus import scan
    from musicstudio.core.music.corpus_stats import played_summary, read_as_written

    corpus = scan(paths, options, use_cache=use_cache)
    stats = corpus.stats
    form = corpus.with_form().form if stats["ok"] else None
    if as_json:
        print_json({**stats, "form": form.to_json() if form else None})
    else:
        print(
            f"{stats['files']} files: {stats['ok']} ok ({stats['repaired']} repaired),"
            f" {stats['skipped']} skipped ({stats['cached']} from cache) in {stats['seconds']:.2f} s"
        )
        print(
            f"{stats['notes']:,} notes, {stats['events']:,} events,"
            f" {stats['unique_tokens']:,} distinct pitch sets"
        )
        print(
            f"vocabulary: {stats['vocab_size']} tokens at threshold {stats['threshold']}"
            f" (coverage {stats['coverage']:.1%}), note recall {stats['note_recall']:.2%}"
            f" (onset and pitch only {stats['onset_pitch_recall']:.2%})"
        )
        print("parts: " + ", ".join(f"{p} {n:,} notes" for p, n in stats["parts"].items()))
        if stats["beats_tracked"] or stats["no_steady_beat"]:
            print(played_summary(stats))
            unsteady = read_as_written(corpus.files)
            for f in unsteady[:10]:
                print(f"  {f.path}: {f.timing}")
            if len(unsteady) > 10:
                print(f"  … and {len(unsteady) - 10} more")
        if form is not None:
            print(f"form: {form.profile.describe()}")
        for p in stats["problems"][:50]:
            print(f"  {p['status']:>10}  {p['path']}: {p['reason']}")
        if len(stats["problems"]) > 50:
            print(f"  … and {len(stats['problems']) - 50} more")
    if stats["ok"] == 0:
        if not as_json:
            print("no usable MIDI files were found", file=sys.stderr)
        return 2
    return 0


def run(args: argparse.Namespace) -> int:
    paths = list(args.paths) or ([sample_corpus()] if args.sample else [])
    if not paths:
        raise UsageError("give a MIDI folder (or --sample)")
    return main(paths, scan_options(args), args.json, not args.no_cache)


def register(sub: Any) -> None:
    ap = sub.add_parser("scan", help="scan a MIDI folder and report every file")
    ap.add_argument("paths", nargs="*", help="folders or MIDI files")
    ap.add_argument("--sample", action="store_true", help="scan the bundled sample corpus")
    add_scan_options(ap)
    ap.add_argument(
        "--no-cache", action="store_true", help="ignore and do not write the scan cache"
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.set_defaults(run=run)
