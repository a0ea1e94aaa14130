"""What a drop on the window may carry: MIDI files, folders of them, or one model file.

Anything else (an image, a text file, a web link) is refused while it is dragged, so the cursor
says so and the status bar says why, instead of the scan reporting it as an unreadable file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMimeData

from musicstudio.core.music.corpus import MIDI_SUFFIXES

MODEL_SUFFIX = ".msb"
WHAT_FITS = "MIDI files (.mid, .midi, .kar), a folder of them, or a model (.msb)"


@dataclass(frozen=True)
class Drop:
    """The paths of a drag that the window takes, and the names of those it leaves out."""

    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def message(self) -> str:
        """Why something is refused, for the status bar ('' when everything fits)."""
        if not self.refused:
            return ""
        names = ", ".join(self.refused[:3]) + (
            f" and {len(self.refused) - 3} more" if len(self.refused) > 3 else ""
        )
        if not self.accepted:
            return f"Cannot open {names}: drop {WHAT_FITS}"
        return f"Leaving out {names}: only MIDI files and folders are read"


def _is_midi_or_folder(path: Path) -> bool:
    return path.is_dir() or (path.suffix.lower() in MIDI_SUFFIXES and path.is_file())


def sort_drop(mime: QMimeData) -> Drop:
    """Split a drag's URLs into what the window opens and what it refuses."""
    urls = mime.urls() if mime.hasUrls() else []
    local = [Path(u.toLocalFile()) for u in urls if u.isLocalFile() and u.toLocalFile()]
    others = [u.toDisplayString() for u in urls if not (u.isLocalFile() and u.toLocalFile())]
    if len(urls) == 1 and local and local[0].suffix.lower() == MODEL_SUFFIX and local[0].is_file():
        return Drop(accepted=[str(local[0])])  # a model opens on its own, never in a mix
    accepted = [str(p) for p in local if _is_midi_or_folder(p)]
    refused = [p.name or str(p) for p in local if not _is_midi_or_folder(p)] + others
    return Drop(accepted, refused)
