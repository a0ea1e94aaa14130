"""Playback → Output: play through the built-in SoundFont player or a system MIDI output.

The list is read again each time the menu opens (a DAW started after the app shows up), the
choice is remembered in the settings, and an output that cannot be opened says why in the
status bar and leaves the built-in player in use.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.sound import midi_out
from musicstudio.gui.player import QtMidiPlayer

SETTING = "playback_output"  # the output's name; "" for the built-in player
BUILT_IN = "Built-in player (SoundFont)"
NONE_FOUND = "No MIDI outputs found"


class OutputMenu(QMenu):
    """Checkable, exclusive entries: the built-in player, then each system MIDI output."""

    message = Signal(str)  # one line for the status bar

    def __init__(
        self, player: QtMidiPlayer, settings: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__("&Output", parent)
        self.player, self.settings = player, settings
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.aboutToShow.connect(self.refresh)
        if not hasattr(player, "set_output"):  # a stand-in player with no outputs to choose
            self.setEnabled(False)
            return
        if hasattr(player, "failed"):
            player.failed.connect(self.message)
        self._add(BUILT_IN, None)  # the full list is read when the menu opens
        if str(self.settings.value(SETTING, "") or ""):
            QTimer.singleShot(0, self, self.restore)  # after the window has connected `message`

    def refresh(self) -> None:
        """List the outputs there are now, the one in use checked."""
        self.clear()
        for act in self.group.actions():
            self.group.removeAction(act)
        self._add(BUILT_IN, None)
        names = midi_out.outputs()
        current = self.player.output
        if current is not None and current not in names:
            names.append(current)  # in use, though no longer listed: still shown as chosen
        self.addSeparator()
        if not names:
            self.addAction(NONE_FOUND).setEnabled(False)
        for name in names:
            self._add(name, name)

    def _add(self, text: str, name: str | None) -> QAction:
        act = QAction(text.replace("&", "&&"), self)  # a name's "&" is not a shortcut
        act.setData(name)
        act.setCheckable(True)
        act.setChecked(self.player.output == name)
        act.triggered.connect(lambda _=False, n=name: self.choose(n))
        self.group.addAction(act)
        self.addAction(act)
        return act

    def choose(self, name: str | None, remember: bool = True) -> bool:
        """Play through `name` (None: the built-in player); False and a message when it fails."""
        try:
            self.player.set_output(name)
        except MusicStudioError as e:  # MidiOutError: no outputs, unplugged, busy
            self.player.set_output(None)
            self.message.emit(f"{e}; playing with the built-in player")
            ok = False
        else:
            self.message.emit(f"Playing through {name or BUILT_IN}")
            ok = True
        if remember:
            self.settings.setValue(SETTING, (name or "") if ok else "")
        for act in self.group.actions():
            act.setChecked(act.data() == self.player.output)
        return ok

    def restore(self) -> None:
        """Use the output chosen last time; if it is not there now the choice is kept for later."""
        saved = str(self.settings.value(SETTING, "") or "")
        if saved and self.player.output != saved:
            self.choose(saved, remember=False)
