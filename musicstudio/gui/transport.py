"""Play a piece shown in a piano roll, with its playhead following, and mute or solo its parts.

MIDI files cannot be seeked into, so a mute or solo while playing renders what should sound
from the playhead on to a scratch file and plays that, remembering where in the piece it starts.
A system MIDI output (Playback → Output) is sent those notes directly, by the same path.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.tempo_map import quarters_at, seconds_at
from musicstudio.gui.player import QtMidiPlayer
from musicstudio.gui.widgets.part_legend import audible_notes
from musicstudio.gui.widgets.piano_roll import PianoRoll


class RollTransport(QObject):
    """Plays one roll's piece at a time through the app's player and moves that roll's playhead."""

    status = Signal(str)  # "playing", the time in the piece, "" once stopped
    failed = Signal(str)  # playback is impossible (no audio device, no SoundFont)

    def __init__(self, player: QtMidiPlayer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self._roll: PianoRoll | None = None
        self._notes: NoteArray | None = None
        self._path = Path()
        self._offset = 0.0  # quarters: where the file now playing starts in the piece
        self._following = False  # the player plays what this transport started
        player.ticked.connect(self._on_tick)
        player.finished.connect(self._on_finished)

    @property
    def active(self) -> bool:
        """Playing a roll's piece now."""
        return self._following

    def play(self, roll: PianoRoll, notes: NoteArray, path: Path, start: float = 0.0) -> None:
        """Play the roll's audible parts from `start` quarters (the file itself when all sound)."""
        if self._roll is not None and self._roll is not roll:
            self._roll.set_playhead(None)
        try:
            live = self.player.output is not None  # a MIDI output takes notes
            if start <= 0 and roll.legend.all_audible() and not live:
                self.player.play(str(path), owner=self)
            else:
                audible = audible_notes(notes, roll.audible_parts(), start)
                self.player.play_notes(audible, owner=self)
        except Exception as e:  # PlaybackError: no audio device, no SoundFont; OSError
            self.failed.emit(str(e))
            return
        self._roll, self._notes, self._path = roll, notes, path
        self._offset = max(0.0, start)
        self._following = True
        self.status.emit("playing")

    def on_audible_changed(self) -> None:
        """A part of the playing roll was muted, soloed or brought back: go on from the playhead."""
        roll = self.sender()
        if self.active and roll is self._roll and self._notes is not None:
            self.play(self._roll, self._notes, self._path, self.position())

    def position(self) -> float:
        """The playhead, in quarters of the piece."""
        if self._notes is None:
            return self._offset + self.player.position * 2.0  # 120 BPM
        clock = self._notes.tempo_map, self._notes.tempo_qpm  # the tempo map, when it has one
        return float(quarters_at(seconds_at(self._offset, *clock) + self.player.position, *clock))

    def stop(self) -> None:
        """Stop the music this transport plays (another panel's is left alone)."""
        if self.active:
            self.player.stop()
        self._stop_following()

    def _stop_following(self) -> None:
        self._following = False
        self.status.emit("")
        if self._roll is not None:
            self._roll.set_playhead(None)

    def _on_finished(self) -> None:
        """The music ended, was stopped, or another panel plays now: stop following."""
        if self._following:
            self._stop_following()

    def _on_tick(self) -> None:
        if not self._following or self.player.owner is not self:
            return
        if self._roll is None or self._notes is None:
            self.stop()
            return
        quarters = self.position()
        self._roll.set_playhead(quarters)
        seconds = float(seconds_at(quarters, self._notes.tempo_map, self._notes.tempo_qpm))
        self.status.emit(f"{seconds:5.1f} s")
