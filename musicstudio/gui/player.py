"""Qt side of playback: the Qt-free core player, polled by the Compose panel's timer."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from musicstudio.core.music.midi import NoteArray, write_midi


class QtMidiPlayer(QObject):
    """Wraps musicstudio.core.playback.MidiPlayer; its hooks become signals."""

    started = Signal()
    finished = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player: Any = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self.last_rendered: Path | None = None  # the file play_notes wrote last

    def _core(self) -> Any:
        if self._player is None:
            from musicstudio.core.playback import MidiPlayer

            self._player = MidiPlayer()
        return self._player

    def play(self, path: str) -> None:
        self._core().play(path)
        self.started.emit()

    def play_notes(self, notes: NoteArray, name: str = "playback.mid") -> Path:
        """Play notes that have no file of their own (parts muted, a file as learned): they are
        written to a scratch MIDI file first, which is returned."""
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="musicstudio-play-")
        path = self.last_rendered = write_midi(Path(self._scratch.name) / name, notes)
        self.play(str(path))
        return path

    def stop(self) -> None:
        if self._player is not None:
            self._player.stop()

    def close(self) -> None:
        """Stop and release the audio device (the window is closing)."""
        if self._player is not None:
            self._player.close()
            self._player = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def poll(self) -> None:
        if self._player is not None:
            was = self._player.is_playing
            self._player.poll()
            if was and not self._player.is_playing:
                self.finished.emit()

    @property
    def is_playing(self) -> bool:
        return self._player is not None and bool(self._player.is_playing)

    @property
    def position(self) -> float:
        return float(self._player.position) if self._player is not None else 0.0
