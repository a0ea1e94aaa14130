"""One player: the state machine every backend shares, with hooks a Qt subclass turns into signals.

A player is idle, playing, or finished (or failed). `play(path)` and `play_notes(notes)` start
it, `stop()` ends it at once with no hook, `poll()` (a timer calls it) notices the end and fires
`on_finished` or `on_failed` once, and `position` is the seconds played, which never moves back.
A backend only says how to start, halt, tell whether it still sounds and how far it got:

- the built-in SoundFont player (playback.py: pygame's mixer and its FluidSynth);
- a system MIDI output (midi_out.py: timed messages from a thread).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.music.midi import NoteArray, write_midi


class PlaybackError(MusicStudioError):
    """Playback is impossible here (no audio device, no SoundFont, unreadable file), with the reason."""


class Player:
    """State, position and hooks; a backend implements the `_` methods below."""

    def __init__(self) -> None:
        self._playing = False
        self._finished = False
        self._last_position = 0.0
        self._error = ""
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self.last_rendered: Path | None = None  # the scratch file play_notes wrote last

    # -- what callers use -------------------------------------------------------------------
    def play(self, path: str | os.PathLike[str]) -> None:
        """Play a MIDI file from its beginning (stops what was playing); PlaybackError (and
        on_failed) when it cannot."""
        self._start(lambda: self._start_file(Path(path)))

    def play_notes(self, notes: NoteArray, name: str = "playback.mid") -> None:
        """Play notes that have no file of their own (parts muted, a file as learned). This
        base writes them to a scratch MIDI file (`last_rendered`) and plays that; a backend
        that takes notes sends them itself."""
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="musicstudio-play-")
        self.last_rendered = write_midi(Path(self._scratch.name) / name, notes)
        self.play(self.last_rendered)

    def stop(self) -> None:
        """Stop at once; no on_finished follows."""
        self._halt()
        self._playing = False
        self._last_position = 0.0

    def poll(self) -> None:
        """Notice the end (or a failure while playing); fires on_finished or on_failed once."""
        if not self._playing:
            return
        _ = self.position  # keep the last position before the backend forgets it
        if self._busy():
            return
        self._playing = False
        self._error = self._failure()
        if self._error:
            self.on_failed(self._error)
        else:
            self._finished = True
            self.on_finished()

    @property
    def is_playing(self) -> bool:
        return self._playing

    @property
    def finished(self) -> bool:
        """True once poll() has seen the music reach its end (reset by play and stop)."""
        return self._finished

    @property
    def error(self) -> str:
        """Why playing failed after it started ("" when it did not)."""
        return self._error

    @property
    def position(self) -> float:
        """Seconds since play(); the last position after the end, 0 when stopped."""
        if self._playing:
            self._last_position = max(self._last_position, self._elapsed())
        return self._last_position

    def close(self) -> None:
        """Stop and release what the backend holds (audio device, MIDI port, scratch files)."""
        self.stop()
        self._release()
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def __enter__(self) -> Player:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _start(self, begin: Callable[[], str]) -> None:
        """Stop what plays, then `begin` (the backend starts sounding; what plays, in words):
        playing from 0, or on_failed and the PlaybackError raised on."""
        self.stop()
        try:
            what = begin()
        except PlaybackError as e:
            self._playing = False
            self.on_failed(str(e))
            raise
        self._playing, self._finished, self._last_position, self._error = True, False, 0.0, ""
        self.on_started(what)

    # -- hooks (a Qt subclass turns these into signals) ---------------------------------------
    def on_started(self, what: str) -> None:
        """Playing began: `what` names the file or the output."""

    def on_finished(self) -> None:
        """The music reached its end."""

    def on_failed(self, message: str) -> None:
        """Playing could not start, or stopped on an error; `message` says why."""

    # -- the backend ----------------------------------------------------------------------------
    def _start_file(self, path: Path) -> str:
        """Start sounding `path`; what plays, in words (PlaybackError when it cannot)."""
        raise NotImplementedError

    def _halt(self) -> None:
        """Silence at once (called when idle too)."""

    def _busy(self) -> bool:
        """Still sounding."""
        return False

    def _elapsed(self) -> float:
        """Seconds played since the start."""
        return 0.0

    def _failure(self) -> str:
        """After the end: why it failed ("" when it did not)."""
        return ""

    def _release(self) -> None:
        """Give back the device or port."""
