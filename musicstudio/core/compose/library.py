"""Every composition kept: a MIDI file and its settings (seed included), never overwritten.

Names carry the time and the seed (`20261125-011530-s123456789.mid`); the settings beside it
in a .json make the piece again with the same model.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from musicstudio.core.base.files import atomic_write_bytes
from musicstudio.core.compose.composer import ComposeSettings, Composition
from musicstudio.core.compose.regenerate import RegenerateSettings
from musicstudio.core.music.measures import Measures
from musicstudio.core.music.midi import midi_bytes, write_midi
from musicstudio.core.music.musicxml import write_musicxml


def keep(
    folder: Path,
    piece: Composition,
    settings: ComposeSettings | RegenerateSettings,
    model: str,
) -> Path:
    """Write the piece and the settings that made it (a Compose, or a Regenerate of some of its
    bars) under a new name in `folder`; returns the MIDI path."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        name = f"{stamp}-s{piece.seed}" + (f"-{n + 1}" if n else "")
        try:  # claim the name atomically: two pieces (or two app windows) never share one
            fd = os.open(folder / f"{name}.json", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        break
    else:
        raise FileExistsError(f"no free name for a composition in {folder}")
    path = folder / f"{name}.mid"
    atomic_write_bytes(path, midi_bytes(piece.notes, markers=piece.markers()))
    about: dict[str, Any] = {
        "model": model,
        "seed": piece.seed,
        "events": piece.events,
        "settings": asdict(settings),
        "constraints": piece.constraints,  # in words, the key found included
        "form": piece.form,  # the plan's form string; its sections are the MIDI's markers
        "metrics": piece.metrics.to_json(),
    }
    atomic_write_bytes(folder / f"{name}.json", json.dumps(about, default=float).encode())
    return path


def note_metrics(path: Path, metrics: Measures) -> None:
    """Add a kept piece's metrics to its settings file (the app measures after keeping it)."""
    about = path.with_suffix(".json")
    record = json.loads(about.read_text())
    record["metrics"] = metrics.to_json()
    atomic_write_bytes(about, json.dumps(record, default=float).encode())


def write_piece(path: str | os.PathLike[str], piece: Composition, kind: str = "midi") -> Path:
    """Write a piece for other programs: MIDI with its sections as markers (DAWs show them),
    or MusicXML (one staff per part). Missing folders are made; OSError when it cannot be."""
    if kind == "midi":
        return write_midi(path, piece.notes, markers=piece.markers())
    return write_musicxml(path, piece.notes)


def kept(folder: Path) -> list[Path]:
    """The kept compositions of a folder, newest first."""
    return sorted(folder.glob("*-s*.mid"), key=lambda p: p.stat().st_mtime, reverse=True)
