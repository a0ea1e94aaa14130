"""`musicstudio compose BUNDLE`: the same ComposeJob the app runs; MIDI (and MusicXML) written."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from musicstudio.cli.common import (
    UsageError,
    add_settings,
    bundle_path,
    print_json,
    run_job,
    settings_from,
)

STARTED = time.perf_counter()  # this module is imported as the command starts

COMPOSE_FLAGS = [
    "form",
    "bars",
    "minutes",
    "length",
    "variations",
    "tempo",
    "feel",
    "lineup",
    "primer_events",
    "single_instrument",
    "program",
    "include_primer",
]
CONSTRAINT_FLAGS = ["key", "lowest", "highest", "max_chord"]
GUARD_FLAGS = ["novelty_guard"]  # compose only: a regenerated passage is the user's choice
SAMPLING_FLAGS = [
    "temperature",
    "rhythm_temperature",
    "top_k",
    "top_p",
    "repetition_penalty",
    "seed",
]


def main(
    bundle: Path,
    settings: Any,
    out: Path | None,
    musicxml: Path | None = None,
    corpus: str | None = None,
    as_json: bool = False,
) -> int:
    """Compose, write each variation, print what was written with its metrics and the speed."""
    from musicstudio.core.app.catalog import ComposeJob
    from musicstudio.core.base.progress import no_progress
    from musicstudio.core.compose.library import write_piece
    from musicstudio.core.learn.bundle import read_manifest

    t0 = time.perf_counter()
    import_seconds = t0 - STARTED
    pieces = run_job(
        ComposeJob(str(bundle), settings, _measure_against(bundle, corpus)), no_progress
    )  # under a second
    seconds = time.perf_counter() - t0
    seed = pieces[0].seed  # drawn at random unless --seed fixed it: printed, to make it again
    if out is None:
        out = Path.cwd() / f"composition-{bundle.stem.removeprefix('sample-')}-{seed}.mid"
    written = []
    for i, piece in enumerate(pieces):
        path = out if len(pieces) == 1 else out.with_name(f"{out.stem}-{i + 1}{out.suffix}")
        try:
            written.append(str(write_piece(path, piece)))
            if musicxml:
                xml = (
                    musicxml
                    if len(pieces) == 1
                    else musicxml.with_name(f"{musicxml.stem}-{i + 1}{musicxml.suffix}")
                )
                write_piece(xml, piece, "musicxml")
        except OSError as e:
            raise UsageError(f"cannot write {e.filename or path}: {e.strerror or e}") from e
    events = sum(p.events for p in pieces)
    generating = pieces[0].seconds  # from the first step to the last event (the model is ready)
    summary = {
        "out": written if len(written) > 1 else written[0],
        "events": events,
        "seconds": round(generating, 4),
        "events_per_second": round(events / max(generating, 1e-9), 1),
        "job_seconds": round(seconds, 3),  # + reading the model file and measuring the pieces
        "import_seconds": round(import_seconds, 3),  # Python modules, before composing starts
        "tensorflow_imported": "tensorflow" in sys.modules,  # composing never needs it
        "seed": seed,
        "model": read_manifest(bundle).get("name", bundle.stem),
        "temperatures": list(pieces[0].temperatures),
        "form": pieces[0].form,
        "obeys": pieces[0].constraints,  # the locks in words ("" for none)
        "bars": _bars(pieces[0]),  # pitch, rhythm: set, or the model's
        "metrics": [p.metrics.to_json() for p in pieces]
        if len(pieces) > 1
        else pieces[0].metrics.to_json(),
    }
    if as_json:
        print_json(summary)
    else:
        for name, piece in zip(written, pieces, strict=True):
            print(
                f"{name}: {piece.events} events, {len(piece.notes)} notes, parts {piece.metrics.parts}"
            )
            words = piece.metrics.form_words
            if piece.form or words:
                form = f"form {piece.form} ({_bars(piece)} bars)" if piece.form else "form"
                print(f"  {form}" + (f": {words}" if words else ""))
            if piece.constraints:  # e.g. the scale it keeps to, like your files
                print(f"  obeys: {piece.constraints}")
            if piece.metrics.closeness_words:
                print(f"  sounds {piece.metrics.closeness_words}")
            if piece.metrics.copies_words:
                print(f"  {piece.metrics.copies_words}")
        print(
            f"composed {events} events in {generating:.2f} s"
            f" ({summary['events_per_second']:,.0f} events/s), seed {seed}, temperature"
            f" {pieces[0].temperatures[0]:g}, rhythm {pieces[0].temperatures[1]:g}"
        )
    return 0


def _bars(piece: Any) -> int:
    """Bars of a composition's form (0 when it was composed straight on)."""
    if not piece.sections:
        return 0
    num, den = piece.notes.time_signature
    return int(round((piece.sections[-1].end - piece.sections[0].start) / (num * 4 / den)))


def _measure_against(bundle: Path, corpus: str | None) -> Any:
    """The training folder when it is here (scan cache: fast), scanned with the model's own
    options (its parts, threshold, transposition and key), else the bundle's primers."""
    from musicstudio.core.learn.bundle import read_source

    return read_source(bundle, corpus)


def _instruments(pairs: list[str] | None) -> dict[str, int] | None:
    """--instrument bass=34 --instrument "keys 2=4" → {"bass": 34, "keys 2": 4} (a part name
    sets every voice of the part)."""
    if not pairs:
        return None
    out = {}
    for pair in pairs:
        name, sep, number = pair.partition("=")
        if not sep or not number.strip().isdigit():
            raise UsageError(
                f"--instrument wants VOICE=PROGRAM or PART=PROGRAM (e.g. 'guitar 2=30' or"
                f" bass=34), not {pair!r}"
            )
        out[name.strip().lower()] = int(number)
    return out


def add_constraint_flags(
    ap: argparse.ArgumentParser,
    parts_help: str = "comma-separated parts that may play (default: every part the model learned)",
) -> None:
    """--key, --lowest, --highest, --max-chord and --parts (compose and regenerate)."""
    from musicstudio.core.compose.constraints import Constraints

    add_settings(ap, Constraints, CONSTRAINT_FLAGS)
    ap.add_argument("--parts", metavar="PARTS", help=parts_help)


def constraints_from(args: argparse.Namespace, parts_flag: bool = True, **more: Any) -> Any:
    from musicstudio.core.compose.constraints import Constraints

    parts = None
    if parts_flag and args.parts:
        parts = tuple(p.strip().lower() for p in args.parts.split(",") if p.strip())
    return settings_from(Constraints, args, CONSTRAINT_FLAGS, parts=parts, **more)


def run(args: argparse.Namespace) -> int:
    from musicstudio.core.compose.composer import ComposeSettings
    from musicstudio.core.compose.sampling import SamplingSettings

    bundle = bundle_path(args.bundle)
    primer = "file" if args.primer else ("none" if args.no_primer else "corpus")
    settings = settings_from(
        ComposeSettings,
        args,
        COMPOSE_FLAGS,
        primer=primer,
        primer_file=args.primer,
        programs=_instruments(args.instrument),
        sampling=settings_from(SamplingSettings, args, SAMPLING_FLAGS),
        constraints=constraints_from(args, novelty_guard=args.novelty_guard),
    )
    out = Path(args.out) if args.out else None
    xml = Path(args.musicxml) if args.musicxml else None
    return main(bundle, settings, out, xml, args.corpus, args.json)


def register(sub: Any) -> None:
    from musicstudio.core.compose.composer import ComposeSettings
    from musicstudio.core.compose.constraints import Constraints
    from musicstudio.core.compose.sampling import SamplingSettings

    ap = sub.add_parser("compose", help="compose new music with a trained model")
    ap.add_argument("bundle", help="model file (.msb), or 'wavenet' / 'lstm' for a sample model")
    add_settings(ap, ComposeSettings, COMPOSE_FLAGS)
    add_settings(ap, SamplingSettings, SAMPLING_FLAGS)
    add_constraint_flags(ap)
    add_settings(ap, Constraints, GUARD_FLAGS)
    ap.add_argument("--primer", help="continue this MIDI file")
    ap.add_argument(
        "--no-primer", action="store_true", help="start from nothing (default: a corpus window)"
    )
    ap.add_argument(
        "--instrument",
        action="append",
        metavar="VOICE=PROGRAM",
        help="GM program (0-127) for a voice or every voice of a part, e.g. 'guitar 2=30' or"
        " bass=34; repeatable (default: the corpus's)",
    )
    ap.add_argument("--out", help="MIDI file to write")
    ap.add_argument("--musicxml", help="also write MusicXML here (one staff per voice)")
    ap.add_argument(
        "--corpus",
        help="folder to measure copy rate etc. against and to avoid copying"
        " (default: the training folder)",
    )
    ap.add_argument("--json", action="store_true")
    ap.set_defaults(run=run)
