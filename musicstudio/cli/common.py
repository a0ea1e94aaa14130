"""What every command shares: one-line errors, settings as flags, a progress line, Ctrl-C."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
import typing
from pathlib import Path
from typing import Any

from musicstudio.core.base.errors import MusicStudioError


class UsageError(MusicStudioError):
    """A mistake on the command line (a missing folder, a bad option): one line, exit 2."""


def print_json(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, default=str))


# -- settings as flags (declared once in core, see core/base/settings.py) ----------------------
def _flag_type(cls: Any, name: str) -> type:
    hint = typing.get_type_hints(cls)[name]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if args else hint


def add_settings(ap: argparse.ArgumentParser, cls: Any, names: list[str]) -> None:
    """A flag per setting: --name-with-dashes, its type, default and help from the declaration."""
    from musicstudio.core.base.settings import settings_of

    declared = {f.name: (f, s) for f, s in settings_of(cls)}
    for name in names:
        f, s = declared[name]
        flag = "--" + name.replace("_", "-")
        bounds = (
            "" if s.low is None else f" [{s.low:g}..{s.high:g}]" if s.high else f" [≥ {s.low:g}]"
        )
        help_text = f"{s.help}{bounds} (default: {'none' if f.default is None else f.default})"
        kind = _flag_type(cls, name)
        if kind is bool:
            ap.add_argument(
                flag, action=argparse.BooleanOptionalAction, default=f.default, help=s.help
            )
        elif s.choices and kind is not str:
            ap.add_argument(flag, choices=list(s.choices), default=f.default, help=help_text)
        elif s.choices:  # text: core reads it leniently ("d minor") and names the choices
            ap.add_argument(flag, type=str, default=f.default, help=help_text)
        else:
            ap.add_argument(flag, type=kind, default=f.default, help=help_text)


def settings_from(cls: Any, args: argparse.Namespace, names: list[str], **more: Any) -> Any:
    """The settings class built from the parsed flags (core validates the ranges)."""
    return cls(**{n: getattr(args, n) for n in names}, **more)


# -- parts ------------------------------------------------------------------------------
def add_part_options(ap: argparse.ArgumentParser) -> None:
    """--parts and --no-drums: which parts of the band to learn."""
    from musicstudio.core.music.parts import PARTS

    ap.add_argument(
        "--parts", help=f"comma-separated parts to learn (default: all): {','.join(PARTS)}"
    )
    ap.add_argument("--no-drums", action="store_true", help="learn every part but the drums")


def chosen_parts(args: argparse.Namespace) -> tuple[int, ...] | None:
    """The parts the --parts / --no-drums options choose (None: every part)."""
    from musicstudio.core.music.parts import DRUMS, PARTS, parse_parts

    parts = parse_parts(getattr(args, "parts", None))
    if getattr(args, "no_drums", False):
        parts = tuple(p for p in (parts or range(len(PARTS))) if p != DRUMS)
        if not parts:
            raise UsageError("--no-drums leaves no part to learn")
    return parts


def scan_options(args: argparse.Namespace) -> Any:
    """ScanOptions from the scan flags (threshold, transpose, normalize-key, parts)."""
    from musicstudio.core.music.corpus import ScanOptions

    names = [n for n in SCAN_FLAGS if hasattr(args, n)]
    return settings_from(ScanOptions, args, names, parts=chosen_parts(args))


SCAN_FLAGS = ["threshold", "transpose", "normalize_key"]


def add_scan_options(ap: argparse.ArgumentParser, names: list[str] = SCAN_FLAGS) -> None:
    from musicstudio.core.music.corpus import ScanOptions

    add_settings(ap, ScanOptions, names)
    add_part_options(ap)


# -- where things are ---------------------------------------------------------------------
def sample_corpus() -> str:
    from musicstudio.core.base.resources import sample_corpus_dir

    d = sample_corpus_dir()
    if d is None:
        raise UsageError("the sample corpus is not installed (resources/sample_corpus)")
    return str(d)


def bundle_path(name: str) -> Path:
    """A bundle path, or the name of a shipped sample model ("wavenet", "lstm")."""
    from musicstudio.core.base.resources import sample_models_dir

    path = Path(name)
    if path.exists():
        return path
    shipped = sample_models_dir()
    if shipped is not None:
        for candidate in (shipped / name, shipped / f"{name}.msb", shipped / f"sample-{name}.msb"):
            if candidate.is_file():
                return candidate
    raise UsageError(f"no model file {name}")


# -- running a job in this process ------------------------------------------------------------
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
            sys.stderr.flush()

    def line(self, text: str) -> None:
        if self.quiet:
            return
        if sys.stderr.isatty():
            sys.stderr.write("\r" + " " * 120 + "\r")
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def run_job(job: Any, progress: Any) -> Any:
    """Run a job here; the first Ctrl-C asks it to stop after the current step, the second aborts."""
    from musicstudio.core.app.workspace import Workspace
    from musicstudio.core.base.cancel import CancelToken

    cancel = CancelToken()

    def on_sigint(signum: int, frame: Any) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        sys.stderr.write("\nstopping after this step (Ctrl-C again to abort)…\n")
        cancel.cancel()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        return job.run(progress, cancel, Workspace())
    finally:
        signal.signal(signal.SIGINT, previous)


def eta(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


__all__ = [
    "UsageError",
    "add_part_options",
    "add_scan_options",
    "add_settings",
    "bundle_path",
    "chosen_parts",
    "print_json",
    "run_job",
    "sample_corpus",
    "scan_options",
    "settings_from",
    "TerminalProgress",
]
