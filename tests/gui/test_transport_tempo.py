"""The playhead follows a piece's tempo map (a played file's beats, a piece with feel)."""

from __future__ import annotations

import dataclasses

import pytest

from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import KEYS
from musicstudio.gui.player import QtMidiPlayer
from musicstudio.gui.transport import RollTransport
from musicstudio.gui.widgets.part_legend import audible_notes

MAP = ((0.0, 60.0), (4.0, 240.0))  # 4 quarters in 4 s, then 4 quarters a second


def mapped() -> NoteArray:
    notes = NoteArray.from_lists(range(8), [1.0] * 8, [60 + i for i in range(8)])
    return dataclasses.replace(notes, tempo_map=MAP)


class StoppedClock(QtMidiPlayer):
    """The app's player, its position set by the test."""

    position = 0.0  # type: ignore[assignment]


def test_the_playhead_reads_seconds_on_the_map(qtbot) -> None:  # type: ignore[no-untyped-def]
    player = StoppedClock()
    player.position = 4.5
    transport = RollTransport(player)
    transport._notes, transport._offset = mapped(), 0.0
    assert transport.position() == pytest.approx(6.0)  # 120 qpm would say 9
    transport._offset, player.position = 2.0, 1.0  # played from quarter 2 (at 2 s)
    assert transport.position() == pytest.approx(3.0)
    transport._notes = dataclasses.replace(mapped(), tempo_map=())
    transport._offset = 0.0
    assert transport.position() == pytest.approx(2.0)  # no map: tempo_qpm


def test_playing_from_the_playhead_keeps_the_map_from_there() -> None:
    later = audible_notes(mapped(), {KEYS}, 5.0)
    assert later.tempo_map == ((0.0, 240.0),)
    assert audible_notes(mapped(), {KEYS}, 2.0).tempo_map == ((0.0, 60.0), (2.0, 240.0))
