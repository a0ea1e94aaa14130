"""Qt side of playback: the core player's hooks as signals, and the one timer that polls it.

Two core backends share one surface (core/sound/player.py): the built-in SoundFont player and a
live system MIDI output. Each is used through a thin subclass whose hooks emit this object's
signals, so the Playback → Output choice reaches every Play button. This object owns the only
timer: while music plays it polls the backend and emits `ticked` with the position; a panel
follows only music it started (`owner`), so a second panel never guesses who pressed Play.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from musicstudio.core.music.midi import NoteArray
from musicstudio.core.sound.midi_out import MidiOutput
from musicstudio.core.sound.playback import MidiPlayer
from musicstudio.core.sound.player import Player

POLL_MS = 40


class _QtHooks(Player):
    """A core backend's hooks, forwarded to the Qt player that owns it."""

    qt: QtMidiPlayer

    def on_started(self, what: str) -> None:
        self.qt._on_started()

    def on_finished(self) -> None:
        self.qt._on_ended("")

    def on_failed(self, message: str) -> None:
        self.qt._on_ended(message)


class _SoundFontPlayer(_QtHooks, MidiPlayer):
    """The built-in SoundFont backend, its hooks as signals."""


class _MidiOutput(_QtHooks, MidiOutput):
    """A system MIDI output, its hooks as signals."""


class QtMidiPlayer(QObject):
    """The app's one player: started / ticked / finished / failed, for whoever `owner` is."""

    started = Signal()  # music began (see `owner`: who asked for it)
    ticked = Signal(float)  # seconds played, every POLL_MS while playing
    finished = Signal()  # the music ended, was stopped, or failed
    failed = Signal(str)  # it stopped on an error while playing (a MIDI output unplugged)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player: _SoundFontPlayer | None = None  # the built-in player, made on first use
        self._live: _MidiOutput | None = None  # while a system output is chosen
        self.owner: object = None  # who started the music now playing (or last played)
        self._sounding = False
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)

    @property
    def output(self) -> str | None:
        """The system MIDI output in use; None for the built-in SoundFont player."""
        return None if self._live is None else self._live.name

    def set_output(self, name: str | None) -> None:
        """Play through a system MIDI output from now on (None: the built-in player).

        The port is opened at once, so a choice that cannot work raises MidiOutError here
        and the built-in player stays in use."""
        live = None
        if name is not None:
            live = _MidiOutput(name)
            live.qt = self
            live.open()
        self.stop()
        if self._live is not None:
            self._live.close()
        self._live = live

    def _core(self) -> Player:
        if self._live is not None:
            return self._live
        if self._player is None:
            self._player = _SoundFontPlayer()
            self._player.qt = self
        return self._player

    def play(self, path: str, owner: object = None) -> None:
        """Play a MIDI file for `owner` (PlaybackError when it cannot)."""
        self.stop()
        self.owner = owner
        self._core().play(path)

    def play_notes(
        self, notes: NoteArray, name: str = "playback.mid", owner: object = None
    ) -> Path | None:
        """Play notes that have no file of their own (parts muted, a file as learned). The
        built-in player gets a scratch MIDI file, which is returned; a MIDI output gets the
        notes themselves (None)."""
        self.stop()
        self.owner = owner
        core = self._core()
        if core is self._live:
            core.play_notes(notes)
            return None
        core.play_notes(notes, name)
        return core.last_rendered

    @property
    def last_rendered(self) -> Path | None:
        """The scratch file the built-in player was given last."""
        return self._player.last_rendered if self._player is not None else None

    def stop(self) -> None:
        """Stop the music (a MIDI output is sent all-notes-off); `finished` follows."""
        for core in (self._player, self._live):
            if core is not None:
                core.stop()
        if self._sounding:
            self._on_ended("")

    def close(self) -> None:
        """Stop and release the audio device and the MIDI port (the window is closing)."""
        self.stop()
        for core in (self._player, self._live):
            if core is not None:
                core.close()
        self._player = self._live = None

    @property
    def _in_use(self) -> Player | None:
        """The backend that plays now: the MIDI output when one is chosen (None: none yet)."""
        return self._live if self._live is not None else self._player

    def poll(self) -> None:
        """Notice the end of the music (the timer calls this); `ticked` while it plays."""
        core = self._in_use
        if core is None:
            return
        core.poll()
        if core.is_playing:
            self.ticked.emit(core.position)

    @property
    def is_playing(self) -> bool:
        core = self._in_use
        return core is not None and core.is_playing

    @property
    def position(self) -> float:
        core = self._in_use
        return core.position if core is not None else 0.0

    def _on_started(self) -> None:
        self._sounding = True
        self.timer.start()
        self.started.emit()

    def _on_ended(self, error: str) -> None:
        """Hooks: the music ended (or failed). A failure to start is raised to the caller
        instead, so nothing is said twice."""
        if not self._sounding:
            return
        self._sounding = False
        self.timer.stop()
        if error:
            self.failed.emit(error)
        self.finished.emit()
