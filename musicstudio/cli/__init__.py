"""`musicstudio` opens the app; `musicstudio scan|roundtrip|train|compose|regenerate|play|render|evaluate` run headless.

One module per command, each a typed `main(...)` beside its argparse `register`/`run`. The
commands that learn or compose run the same jobs (core/app/catalog.py) as the app's engine.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import compose, evaluate, play, regenerate, render, roundtrip, scan, train

EXIT_USAGE = 2
COMMANDS = (scan, roundtrip, train, compose, regenerate, play, render, evaluate)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="musicstudio", description="Learn music from MIDI files and compose new music."
    )
    ap.add_argument("--version", action="store_true", help="print the version and exit")
    sub = ap.add_subparsers(dest="command")
    for command in COMMANDS:
        command.register(sub)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `musicstudio` command."""
    from musicstudio.core.base.errors import MusicStudioError

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
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except MusicStudioError as e:  # every error a user can act on: one line, no traceback
        print(f"musicstudio: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("musicstudio: stopped", file=sys.stderr)
        return 130
