"""Qt side of playback: the Qt-free core players, polled by the panels' timers.

Two core players share one surface (play, play_notes, stop, poll, position): the built-in
SoundFont player (pygame's mixer) and a live system MIDI output (core.midi_out). The panels
talk to this one object, so the Playback → Output choice reaches every Play button.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from musicstudio.core.music.midi import NoteArray, write_midi


class QtMidiPlayer(QObject):
    """Wraps the core players; their hooks become signals."""

    started = Signal()
    finished = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player: Any = None  # the built-in player, made on first use
        self._live: Any = None  # a core.midi_out.MidiOutput while a system output is chosen
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self.last_rendered: Path | None = None  # the file play_notes wrote last

    @property
    def output(self) -> str | None:
        """The system MIDI output in use; None for the built-in SoundFont player."""
        return None if self._live is None else str(self._live.name)

    def set_output(self, name: str | None) -> None:
        """Play through a system MIDI output from now on (None: the built-in player).

        The port is opened at once, so a choice that cannot work raises MidiOutError here
        and the built-in player stays in use."""
        from musicstudio.core.sound.midi_out import MidiOutput

        live = None
        if name is not None:
            live = MidiOutput(name)
            live.open()
        self.stop()
        if self._live is not None:
            self._live.close()
        self._live = live

    def _core(self) -> Any:
        if self._live is not None:
            return self._live
        if self._player is None:
            from musicstudio.core.sound.playback import MidiPlayer

            self._player = MidiPlayer()
        return self._player

    def play(self, path: str) -> None:
        self._core().play(path)
        self.started.emit()

    def play_notes(self, notes: NoteArray, name: str = "playback.mid") -> Path | None:
        """Play notes that have no file of their own (parts muted, a file as learned). The
        built-in player gets a scratch MIDI file, which is returned; a MIDI output gets the
        notes themselves (None)."""
        if self._live is not None:
            self._live.play_notes(notes)
            self.started.emit()
            return None
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="musicstudio-play-")
        path = self.last_rendered = write_midi(Path(self._scratch.name) / name, notes)
        self.play(str(path))
        return path

    def stop(self) -> None:
        """Stop both players (a MIDI output is sent all-notes-off)."""
        for core in (self._player, self._live):
            if core is not None:
                core.stop()

    def close(self) -> None:
        """Stop and release the audio device and the MIDI port (the window is closing)."""
        for core in (self._player, self._live):
            if core is not None:
                core.close()
        self._player = self._live = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def poll(self) -> None:
        core = self._live if self._live is not None else self._player
        if core is None:
            return
        was = core.is_playing
        core.poll()
        if was and not core.is_playing:
            error = getattr(core, "error", "")
            if error:  # the MIDI output failed while sending (unplugged)
                self.failed.emit(error)
            self.finished.emit()

    @property
    def is_playing(self) -> bool:
        core = self._live if self._live is not None else self._player
        return core is not None and bool(core.is_playing)

    @property
    def position(self) -> float:
        core = self._live if self._live is not None else self._player
        return float(core.position) if core is not None else 0.0
