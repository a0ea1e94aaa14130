"""`musicstudio render IN.mid OUT.wav`: the piece as audio anyone can play, with the SoundFont."""

from __future__ import annotations

import argparse
import wave
from pathlib import Path
from typing import Any

from musicstudio.cli.common import TerminalProgress, UsageError, print_json, run_job


def main(
    source: Path,
    output: Path,
    soundfont: str | None = None,
    sample_rate: int = 44100,
    as_json: bool = False,
) -> int:
    """Render through the same job as File → Export audio; say where the WAV is and how long."""
    from musicstudio.core.app.catalog import RenderJob
    from musicstudio.core.base.cancel import Cancelled
    from musicstudio.core.base.progress import Progress, Rendering
    from musicstudio.core.music.midi import MidiError

    if output.suffix.lower() != ".wav":
        raise UsageError(f"{output.name} is not a .wav file name (write e.g. {output.stem}.wav)")
    term = TerminalProgress(enabled=not as_json)

    def progress(fraction: float, event: Progress) -> None:
        if isinstance(event, Rendering):
            term.bar(fraction, f"{event.seconds:5.1f} of {event.total:.1f} s  {source.name}")

    try:
        out = Path(run_job(RenderJob(str(source), str(output), soundfont, sample_rate), progress))
    except MidiError as e:
        raise UsageError(f"cannot render {source.name}: {e}") from e
    except Cancelled:
        term.line("stopped")
        return 130
    with wave.open(str(out)) as w:
        seconds = w.getnframes() / w.getframerate()
    if as_json:
        print_json({"out": str(out), "seconds": round(seconds, 3), "sample_rate": sample_rate})
    else:
        term.line("")
        print(f"{out}: {seconds:.1f} s, {sample_rate} Hz, 16-bit stereo")
    return 0


def run(args: argparse.Namespace) -> int:
    return main(Path(args.input), Path(args.output), args.soundfont, args.sample_rate, args.json)


def register(sub: Any) -> None:
    ap = sub.add_parser("render", help="render a MIDI file to a WAV file with the SoundFont")
    ap.add_argument("input", help="MIDI file")
    ap.add_argument("output", help="WAV file to write (folders are made as needed)")
    ap.add_argument("--soundfont", help="a General MIDI .sf2/.sf3 (default: the one shipped)")
    ap.add_argument("--sample-rate", type=int, default=44100, help="Hz (default: 44100)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.set_defaults(run=run)
