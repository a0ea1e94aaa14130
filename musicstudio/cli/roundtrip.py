"""`musicstudio roundtrip IN.mid OUT.mid`: write what the model learns from a file, and say how much."""

from __future__ import annotations

import argparse
from typing import Any

from musicstudio.cli.common import UsageError, add_scan_options, chosen_parts, print_json


def main(
    source: str,
    output: str,
    parts: tuple[int, ...] | None = None,
    threshold: int = 40,
    corpus: str | None = None,
    as_json: bool = False,
) -> int:
    """Encode, tokenize at the threshold, decode, write; print the recall and the voices."""
    from musicstudio.core.music.corpus import ScanOptions, scan
    from musicstudio.core.music.learned import as_learned
    from musicstudio.core.music.midi import MidiError, read_midi, write_midi

    try:
        notes = read_midi(source, parts)
    except MidiError as e:
        raise UsageError(f"cannot read {source}: {e}") from e
    if len(notes) == 0:
        raise UsageError(f"{source} has no notes in the chosen parts")
    vocab = scan([corpus], ScanOptions(threshold=threshold)).vocab if corpus else None
    learned, recall = as_learned(notes, vocab, threshold)
    try:
        write_midi(output, learned)
    except OSError as e:
        raise UsageError(f"cannot write {output}: {e.strerror or e}") from e
    voices = learned.notes_per_voice()
    summary = {
        "out": output,
        "notes": recall.notes,
        "note_recall": round(recall.strict, 5),
        "onset_pitch_recall": round(recall.onset_pitch, 5),
        "duration_exact": round(recall.duration_exact, 5),
        "repaired": notes.repaired,
        "parts_in": notes.notes_per_part(),
        "parts_out": learned.notes_per_part(),
        "voices": voices,
        "joined": list(notes.joined),
    }
    if as_json:
        print_json(summary)
    else:
        print(
            f"{output}: {len(learned):,} of {recall.notes:,} notes,"
            f" note recall {recall.strict:.2%} (onset and pitch {recall.onset_pitch:.2%},"
            f" exact durations {recall.duration_exact:.2%})"
        )
        print("voices: " + ", ".join(f"{v} {n:,}" for v, n in voices.items()))
        for line in notes.joined:
            print(f"  {line}")
    return 0


def run(args: argparse.Namespace) -> int:
    return main(args.input, args.output, chosen_parts(args), args.threshold, args.corpus, args.json)


def register(sub: Any) -> None:
    ap = sub.add_parser(
        "roundtrip", help="write what the model learns from a MIDI file (encode, tokens, decode)"
    )
    ap.add_argument("input", help="MIDI file")
    ap.add_argument("output", help="MIDI file to write")
    add_scan_options(ap, ["threshold"])
    ap.add_argument("--corpus", help="folder whose vocabulary to use (default: the file's own)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.set_defaults(run=run)
