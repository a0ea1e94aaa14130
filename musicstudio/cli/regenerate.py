"""`musicstudio regenerate FILE.mid BUNDLE --bars 5-8`: new music for some bars of a piece."""

from __future__ import annotations

import argparse
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
from musicstudio.cli.compose import SAMPLING_FLAGS, add_constraint_flags, constraints_from

REGENERATE_FLAGS = ["candidates", "following_bars"]


def main(
    piece: Path,
    bundle: Path,
    settings: Any,
    out: Path | None,
    as_json: bool,
    linked: bool = True,
) -> int:
    """Regenerate the bars, write the piece under a new name, print how the passage was chosen.
    In a piece with sections (its markers), the new bars go to every return of their section
    too, unless not `linked` (then the section is renamed a variant, A′)."""
    from musicstudio.core.app.catalog import RegenerateJob
    from musicstudio.core.base.progress import no_progress
    from musicstudio.core.compose.composition import sections_from_markers
    from musicstudio.core.compose.linked import apply_regeneration
    from musicstudio.core.music.midi import MidiError, read_markers, read_midi, write_midi

    try:
        notes = read_midi(piece)
        markers = read_markers(piece)
    except MidiError as e:
        raise UsageError(f"cannot read {piece.name}: {e}") from e
    if len(notes) == 0:
        raise UsageError(f"{piece.name} has no notes to regenerate")
    # Regenerating takes well under a second; measuring the piece against the model's corpus
    # about as long again the first time (the corpus's excerpts are cut once per process).
    result = run_job(RegenerateJob(str(bundle), notes, settings), no_progress)
    first, last = settings.first_bar, settings.last_bar
    if out is None:
        out = piece.with_name(f"{piece.stem}-bars{first}-{last}-s{result.seed}.mid")
    if out.resolve() == piece.resolve():
        raise UsageError("--out would overwrite the piece itself: choose another name")
    end = float((notes.onset + notes.duration).max())
    sections = sections_from_markers(markers, end)
    written, sections, returns = apply_regeneration(result, sections, linked)
    try:
        write_midi(out, written, markers=[(m.start, m.name) for m in sections])
    except OSError as e:
        raise UsageError(f"cannot write {e.filename or out}: {e.strerror or e}") from e
    summary = {
        "out": str(out),
        "bars": [first, last],
        "seed": result.seed,
        "passage_notes": len(result.passage),
        "candidates": len(result.scores),
        "chosen": result.chosen,
        "join_log_likelihood": round(result.score, 3),
        "median_of_others": round(result.median_of_others, 3),
        "following_events": result.scored_events,
        "seconds": round(result.seconds, 3),
        "closeness": result.metrics.closeness,
        "closeness_words": result.metrics.closeness_words or None,
        "returns_changed": returns,
        "sections": [m.name for m in sections],
    }
    if as_json:
        print_json(summary)
    else:
        judged = (
            f"the following bars score {result.score:.1f} under it"
            f" (median of the other candidates {result.median_of_others:.1f})"
            if result.scored_events
            else "nothing follows the passage"
        )
        print(
            f"{out}: bars {first}-{last} composed again ({len(result.passage)} notes,"
            f" candidate {result.chosen + 1} of {len(result.scores)}; {judged}), seed {result.seed}"
        )
        if returns:
            print(f"The same bars changed in {returns} return(s) of their section.")
        if result.metrics.closeness_words:
            print(f"The piece sounds {result.metrics.closeness_words}.")
    return 0


def parse_bars(text: str) -> tuple[int, int]:
    """'5-8' → (5, 8); '5' → (5, 5)."""
    first, _, last = text.partition("-")
    try:
        a, b = int(first), int(last or first)
    except ValueError:
        raise UsageError(f"--bars wants FIRST-LAST (e.g. 5-8), not {text!r}") from None
    if a < 1 or b < a:
        raise UsageError(f"--bars {text}: bars count from 1 and the last is not before the first")
    return a, b


def run(args: argparse.Namespace) -> int:
    from musicstudio.core.compose.regenerate import RegenerateSettings
    from musicstudio.core.compose.sampling import SamplingSettings

    first, last = parse_bars(args.bars)
    parts = None
    if args.parts:
        parts = tuple(p.strip().lower() for p in args.parts.split(",") if p.strip())
    settings = settings_from(
        RegenerateSettings,
        args,
        REGENERATE_FLAGS,
        first_bar=first,
        last_bar=last,
        parts=parts,
        sampling=settings_from(SamplingSettings, args, SAMPLING_FLAGS),
        constraints=constraints_from(args, parts_flag=False),
    )
    out = Path(args.out) if args.out else None
    return main(
        Path(args.piece), bundle_path(args.bundle), settings, out, args.json, not args.only_here
    )


def register(sub: Any) -> None:
    from musicstudio.core.compose.regenerate import RegenerateSettings
    from musicstudio.core.compose.sampling import SamplingSettings

    ap = sub.add_parser("regenerate", help="compose some bars of a piece again")
    ap.add_argument("piece", help="MIDI file (a composition, or any piece)")
    ap.add_argument("bundle", help="model file (.msb), or 'wavenet' / 'lstm' for a sample model")
    ap.add_argument("--bars", required=True, help="the bars to compose again, e.g. 5-8")
    add_settings(ap, RegenerateSettings, REGENERATE_FLAGS)
    add_settings(ap, SamplingSettings, SAMPLING_FLAGS)
    add_constraint_flags(ap, parts_help="the parts to compose again (default: every part)")
    ap.add_argument("--out", help="MIDI file to write (default: beside the piece, a new name)")
    ap.add_argument(
        "--only-here",
        action="store_true",
        help="change only these bars, not the returns of their section (it becomes a variant, A′)",
    )
    ap.add_argument("--json", action="store_true")
    ap.set_defaults(run=run)
