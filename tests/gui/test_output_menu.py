"""Playback → Output: a system MIDI output chosen from the menu gets the composition; Stop
silences it; no outputs and a broken output say so. The outputs and the port are fakes."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction

from musicstudio.core.compose.composer import Composition
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS, KEYS
from musicstudio.core.music.vocab import N_STREAMS
from musicstudio.core.sound import midi_out
from musicstudio.core.sound.midi_out import MidiOutError
from musicstudio.gui.output_menu import BUILT_IN, NONE_FOUND, SETTING, OutputMenu
from musicstudio.gui.player import QtMidiPlayer

LEFT = Qt.MouseButton.LeftButton
NOTE_ON, CC = 0x90, 0xB0


class RecordingPort:
    def __init__(self) -> None:
        self.sent: list[tuple[float, bytes]] = []

    def send(self, message: bytes) -> None:
        self.sent.append((time.perf_counter(), bytes(message)))

    def close(self) -> None:
        pass

    def note_ons(self, channel: int, since: int = 0) -> int:
        return sum(m[0] == NOTE_ON | channel and m[2] > 0 for _, m in self.sent[since:])


def band_piece() -> Composition:
    """Keys chords and a drum beat, 16 quarters at 120 BPM (8 s)."""
    chords = [(float(q), p) for q in range(0, 16, 2) for p in (48, 52, 55)]
    hits = [(i * 0.5, 38) for i in range(32)]
    notes = NoteArray.from_lists(
        onset=[t for t, _ in chords + hits],
        duration=[2.0] * len(chords) + [0.25] * len(hits),
        pitch=[p for _, p in chords + hits],
        tempo_qpm=120,
        part=[KEYS] * len(chords) + [DRUMS] * len(hits),
    )
    empty = np.zeros((1, N_STREAMS), np.int32)
    return Composition(np.zeros((len(notes), N_STREAMS), np.int32), notes, empty, 0.1)


def open_menu(window: Any, qtbot: Any) -> dict[str, QAction]:
    """Open Playback → Output as a user does (it reads the outputs as it opens)."""
    menu = window.output_menu
    menu.popup(window.mapToGlobal(QPoint(40, 40)))
    qtbot.waitUntil(menu.isVisible)
    return {a.text(): a for a in menu.actions() if not a.isSeparator()}


def click(window: Any, qtbot: Any, action: QAction) -> None:
    menu = window.output_menu
    qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible())


@pytest.fixture
def fake_synth(monkeypatch: pytest.MonkeyPatch) -> RecordingPort:
    port = RecordingPort()
    monkeypatch.setattr(midi_out, "outputs", lambda: ["Fake synth"])
    monkeypatch.setattr(midi_out, "open_port", lambda name: port)
    return port


def test_play_sends_the_composition_to_the_chosen_output_and_stop_silences_it(
    window, qtbot, fake_synth: RecordingPort
) -> None:  # type: ignore[no-untyped-def]
    entries = open_menu(window, qtbot)
    assert list(entries) == [BUILT_IN, "Fake synth"] and entries[BUILT_IN].isChecked()
    click(window, qtbot, entries["Fake synth"])
    assert window.player.output == "Fake synth"
    assert window.settings.value(SETTING) == "Fake synth"
    assert "Playing through Fake synth" in window.statusBar().currentMessage()
    assert open_menu(window, qtbot)["Fake synth"].isChecked()
    window.output_menu.hide()

    cp = window.compose
    window.tabs.setCurrentWidget(cp)
    cp._on_result([band_piece()])  # as the engine hands a composition back
    roll = cp.tabs.currentWidget()
    qtbot.mouseClick(cp.play_button, LEFT)
    qtbot.waitUntil(lambda: fake_synth.note_ons(9) >= 2, timeout=3000)
    assert fake_synth.sent[0][1] == bytes([0xC0, 0])  # program changes first
    assert fake_synth.note_ons(0) >= 3  # the first chord on channel 1, drums on channel 10
    qtbot.waitUntil(lambda: (roll.playhead() or 0) > 1.0, timeout=3000)  # the playhead follows

    muted_at = len(fake_synth.sent)  # mute the drums while playing: they stop coming
    with qtbot.waitSignal(roll.audible_changed):
        qtbot.mouseClick(roll.legend.mute_buttons[DRUMS], LEFT)
    qtbot.waitUntil(lambda: fake_synth.note_ons(0, muted_at) >= 3, timeout=3000)
    assert fake_synth.note_ons(9, muted_at) == 0

    before = len(fake_synth.sent)
    qtbot.mouseClick(cp.stop_button, LEFT)
    tail = [m for _, m in fake_synth.sent[before:]]
    assert bytes([CC | 0, 123, 0]) in tail and bytes([CC | 0, 120, 0]) in tail
    assert all(m[0] & 0xF0 != NOTE_ON for m in tail)
    count = len(fake_synth.sent)
    qtbot.wait(400)
    assert len(fake_synth.sent) == count and not window.player.is_playing
    assert roll.playhead() is None


def test_the_choice_is_remembered(qtbot, tmp_path, fake_synth: RecordingPort) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue(SETTING, "Fake synth")
    player = QtMidiPlayer()
    menu = OutputMenu(player, settings)
    qtbot.waitUntil(lambda: player.output == "Fake synth")
    player.close()
    menu.deleteLater()


def test_no_outputs_and_a_broken_output_say_so(window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(midi_out, "outputs", lambda: [])
    entries = open_menu(window, qtbot)
    assert list(entries) == [BUILT_IN, NONE_FOUND] and not entries[NONE_FOUND].isEnabled()
    window.output_menu.hide()

    def refuse(name: str) -> Any:
        raise MidiOutError(f"cannot open MIDI output {name!r}: Host error")

    monkeypatch.setattr(midi_out, "outputs", lambda: ["Broken synth"])
    monkeypatch.setattr(midi_out, "open_port", refuse)
    click(window, qtbot, open_menu(window, qtbot)["Broken synth"])
    message = window.statusBar().currentMessage()
    assert message == (
        "cannot open MIDI output 'Broken synth': Host error; playing with the built-in player"
    )
    assert window.player.output is None and window.settings.value(SETTING) == ""
    assert open_menu(window, qtbot)[BUILT_IN].isChecked()
    window.output_menu.hide()
