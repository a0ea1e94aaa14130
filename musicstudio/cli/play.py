"""`musicstudio play FILE.mid`: play through the built-in SoundFont synthesizer, with a position line."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from musicstudio.cli.common import TerminalProgress, UsageError


def main(path: Path, soundfont: str | None = None) -> int:
    """Play until the end (or Ctrl-C, exit 130)."""
    from musicstudio.core.music.midi import MidiError, read_midi
    from musicstudio.core.music.tempo_map import seconds_at
    from musicstudio.core.sound.playback import MidiPlayer

    try:
        notes = read_midi(path)
    except MidiError as e:
        raise UsageError(f"cannot play {path.name}: {e}") from e
    end = notes.onset.max(initial=0.0) + 1.0
    length = float(seconds_at(end, notes.tempo_map, max(1.0, notes.tempo_qpm)))
    player = MidiPlayer(soundfont)
    term = TerminalProgress(enabled=True)
    try:
        player.play(path)
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


def run(args: argparse.Namespace) -> int:
    return main(Path(args.file), args.soundfont)


def register(sub: Any) -> None:
    ap = sub.add_parser("play", help="play a MIDI file through the built-in synthesizer")
    ap.add_argument("file")
    ap.add_argument("--soundfont", help="a General MIDI .sf2/.sf3 (default: the one shipped)")
    ap.set_defaults(run=run)
