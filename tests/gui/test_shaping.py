"""Shaping a composition in the app: constraints from the form, bars selected on the piano roll
and regenerated (undoably), and the History of every piece kept, across app starts."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QMessageBox

from musicstudio.core.music.midi import NoteArray, read_midi
from musicstudio.core.music.parts import DRUMS
from musicstudio.gui.widgets.piano_roll import HEADER_PX, PianoRoll

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
D_MINOR = {2, 4, 5, 7, 9, 10, 0}


def scale(n_bars: int) -> NoteArray:
    n = 4 * n_bars
    return NoteArray.from_lists(
        onset=range(n), duration=[1.0] * n, pitch=[60 + (i % 8) for i in range(n)]
    )


def drag(widget, start: QPoint, end: QPoint, modifier=NONE) -> None:  # type: ignore[no-untyped-def]
    """A real press, moves and release, as a hand on a mouse makes them."""
    QTest.mousePress(widget, LEFT, modifier, start)
    steps = 6
    for i in range(1, steps + 1):
        QTest.mouseMove(widget, start + (end - start) * (i / steps))
    QTest.mouseRelease(widget, LEFT, modifier, end)


def bar_x(roll: PianoRoll, bar: int, share: float = 0.5) -> int:
    """Viewport x inside a bar (1-based)."""
    return round(roll.x_of((bar - 1 + share) * roll.quarters_per_bar()))


def select_by_dragging(roll: PianoRoll, first: int, last: int) -> None:
    y = HEADER_PX // 2  # on the bar numbers
    drag(roll.viewport(), QPoint(bar_x(roll, first, 0.3), y), QPoint(bar_x(roll, last, 0.7), y))


def rows(notes: NoteArray, keep: np.ndarray) -> list[tuple]:  # type: ignore[type-arg]
    """Every note as (onset, duration, pitch, velocity, program, part), in one order."""
    times = (notes.onset.round(6), notes.duration.round(6))  # a MIDI file holds ticks
    cols = (*times, notes.pitch, notes.velocity, notes.program, notes.parts)
    return sorted(zip(*(c[keep].tolist() for c in cols), strict=True))


def same_notes(a: NoteArray, b: NoteArray) -> bool:
    return rows(a, np.ones(len(a), bool)) == rows(b, np.ones(len(b), bool))


def audio(path: Path) -> np.ndarray:
    """The disk audio driver's file: 44.1 kHz signed 16-bit stereo, as mono floats."""
    return np.fromfile(path, np.int16).reshape(-1, 2).astype(float).mean(axis=1)


def started(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Let the window start its engine processes (a start queued at construction), so that
    closing it stops them: one left to start after the close would outlive the window."""
    client = window.session.engine
    qtbot.waitUntil(lambda: client.engine.alive and client.composer.alive, timeout=30_000)


def compose_with_sample(window, qtbot, length: int = 240) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    sample = next(m for m in window.session.models if m.sample and m.family == "lstm")
    window.session.select_model(sample.path)
    window.tabs.setCurrentWidget(cp)
    cp.length.setValue(length)
    before = cp.composed
    qtbot.mouseClick(cp.compose_button, LEFT)
    qtbot.waitUntil(lambda: cp.composed > before and cp.job is None, timeout=120_000)
    qtbot.waitUntil(lambda: not cp.metrics.measuring, timeout=120_000)  # the figures, after


# -- the selection on the roll -----------------------------------------------------------------
@pytest.fixture
def roll(qtbot) -> PianoRoll:  # type: ignore[no-untyped-def]
    w = PianoRoll()
    qtbot.addWidget(w)
    w.resize(900, 400)
    w.show()
    qtbot.waitExposed(w)
    w.set_notes(scale(8))
    return w


def test_dragging_across_the_bar_numbers_selects_whole_bars(roll: PianoRoll, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "piece.mid"
    path.write_bytes(b"MThd")
    roll.set_midi_path(path)
    dragged: list[object] = []
    roll.drag_out.exec_drag = dragged.append  # type: ignore[method-assign]  # the real one blocks

    select_by_dragging(roll, 2, 4)
    assert roll.selected_bars() == (2, 4) and dragged == []  # a selection, not a file drag
    image = roll.viewport().grab().toImage()
    inside = QColor(image.pixel(bar_x(roll, 3, 0.1), HEADER_PX // 2))
    outside = QColor(image.pixel(bar_x(roll, 6, 0.1), HEADER_PX // 2))
    assert inside.blue() > inside.red() + 40 and abs(outside.blue() - outside.red()) < 20  # shaded

    drag(roll.viewport(), QPoint(bar_x(roll, 5), HEADER_PX // 2), QPoint(bar_x(roll, 3), 8))
    assert roll.selected_bars() == (3, 5)  # dragged leftwards: the same bars
    roll.setFocus()
    QTest.keyClick(roll, Qt.Key.Key_Escape)
    assert roll.selected_bars() is None

    y = 200  # on the notes: Shift + drag selects, a plain drag still drags the file out
    drag(roll.viewport(), QPoint(bar_x(roll, 1), y), QPoint(bar_x(roll, 2), y), SHIFT)
    assert roll.selected_bars() == (1, 2) and dragged == []
    drag(roll.viewport(), QPoint(bar_x(roll, 3), y), QPoint(bar_x(roll, 4), y))
    assert len(dragged) == 1 and roll.selected_bars() == (1, 2)

    roll.zoom_to_fit()
    drag(roll.viewport(), QPoint(bar_x(roll, 6), 8), QPoint(roll.viewport().width() - 2, 8))
    assert roll.selected_bars() == (6, 8)  # never past the end of the piece


# -- regenerate, undo, redo, play, export --------------------------------------------------------
def test_regenerate_dragged_bars_undo_redo_play_export(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    compose_with_sample(window, qtbot)
    roll = cp.tabs.currentWidget()
    first_file = cp.files[0]
    first_bytes = first_file.read_bytes()
    before = cp.pieces[0].notes
    composed_line = cp.metrics.text()
    button = cp.takes.regenerate_button
    assert not button.isEnabled()  # nothing selected yet

    select_by_dragging(roll, 3, 4)
    assert roll.selected_bars() == (3, 4)
    assert button.isEnabled() and button.text() == "↻ Regenerate bars 3–4"
    menu = [a for a in roll.context_menu().actions() if a.text() == "&Regenerate selected bars"]
    assert len(menu) == 1 and menu[0].isEnabled() and menu[0].shortcut().toString() == "Ctrl+R"

    qtbot.mouseClick(button, LEFT)
    stack = cp.open_variations[0].stack
    qtbot.waitUntil(lambda: stack.count() == 1 and cp.job is None, timeout=60_000)
    after = cp.pieces[0].notes
    start, end = 8.0, 16.0  # bars 3–4 of 4/4
    inside_before = (before.onset >= start) & (before.onset < end)
    inside_after = (after.onset >= start) & (after.onset < end)
    assert rows(after, ~inside_after) == rows(before, ~inside_before)  # outside: untouched
    assert rows(after, inside_after) != rows(before, inside_before)  # inside: new music
    assert roll.selected_bars() == (3, 4)  # the selection stays for another try
    line = cp.metrics.text()
    assert "bars 3–4 regenerated: candidate " in line and " of 8, following bars score " in line
    assert "(median of the others " in line and f"seed {cp.pieces[0].seed}" in line
    closeness = cp.pieces[0].metrics.closeness  # the whole new piece, measured in the engine
    assert 0 <= closeness <= 1 and f"Sounds {cp.pieces[0].metrics.closeness_words}" in line
    shown = re.search(r"your corpus[^(]*\((\d\.\d\d)", line)  # two places, of the unrounded mean
    assert shown and abs(float(shown[1]) - closeness) <= 0.0051 and "furthest in" in line
    assert cp.files[0] != first_file and read_midi(cp.files[0]).onset.size == len(after)
    assert first_file.read_bytes() == first_bytes  # kept as a new file, nothing overwritten

    roll.setFocus()
    QTest.keyClick(roll, Qt.Key.Key_Z, CTRL)
    assert cp.pieces[0].notes is before and roll.note_count() == len(before)  # the exact piece
    assert cp.files[0] == first_file and not cp.takes.undo_button.isEnabled()
    assert cp.metrics.text() == composed_line  # the first take's figures again
    QTest.keyClick(roll, Qt.Key.Key_Z, CTRL | SHIFT)
    assert cp.pieces[0].notes is after and roll.note_count() == len(after)

    QTest.keyClick(roll, Qt.Key.Key_R, CTRL)  # once more, by key
    qtbot.waitUntil(lambda: stack.count() == 2 and cp.job is None, timeout=60_000)
    assert not same_notes(cp.pieces[0].notes, after)

    qtbot.mouseClick(cp.play_button, LEFT)
    qtbot.wait(1500)
    assert window.player.is_playing
    qtbot.mouseClick(cp.stop_button, LEFT)
    samples = audio(tmp_path / "audio.raw")
    assert samples.size > 44100 // 2 and np.sqrt(np.mean(samples**2)) > 50  # real, non-silent

    out = cp.export_to(str(tmp_path / "regenerated.mid"), "midi")
    back, notes = read_midi(out), cp.pieces[0].notes  # onsets and pitches survive a MIDI file
    assert sorted(zip(back.onset.round(6), back.pitch, strict=True)) == sorted(
        zip(notes.onset.round(6), notes.pitch, strict=True)
    )


# -- constraints ----------------------------------------------------------------------------------
def test_the_key_and_range_from_the_form_reach_the_composition(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    box = cp.constraints
    box.key.setCurrentIndex(box.key.findText("D minor"))
    QTest.keyClicks(box.lowest, "C3")
    QTest.keyClicks(box.highest, "C6")
    assert box.key.itemText(0) == "any" and box.key.findText("the corpus's key") > 0
    assert box.key.itemText(1) == "like your files"
    compose_with_sample(window, qtbot)
    notes = cp.pieces[0].notes
    pitched = notes.pitch[notes.parts != DRUMS].astype(int)
    assert pitched.size > 50
    assert set((pitched % 12).tolist()) <= D_MINOR and 48 <= pitched.min() <= pitched.max() <= 84
    line = cp.metrics.text()
    assert "obeys: D minor, C3–C6" in line and f"seed {cp.pieces[0].seed}" in line
    assert "your corpus" in line and "furthest in" in line  # closeness, computed in the engine
    assert cp.pieces[0].constraints == "D minor, C3–C6"


def test_a_regenerated_take_names_the_scale_kept_like_your_files() -> None:
    from musicstudio.core.compose.constraints import Constraints
    from musicstudio.gui.constraints_box import in_words

    files = Constraints()
    assert in_words(files) == "" and in_words(files, "F major") == "F major"
    assert in_words(Constraints(lowest="C3", highest="C6"), "E minor") == "E minor, C3–C6"
    assert in_words(Constraints(key="D minor"), "F major") == "D minor"  # named: kept as asked
    assert in_words(Constraints(key="corpus")) == "the corpus's key"


def test_constraints_and_the_primer_choice_are_remembered(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from musicstudio.gui.main_window import MainWindow

    path = str(tmp_path / "remember.ini")
    first = MainWindow(QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    started(qtbot, first)
    sample = next(m for m in first.session.models if m.sample)
    first.session.select_model(sample.path)
    box = first.compose.constraints
    box.key.setCurrentIndex(box.key.findText("Eb major"))
    box.lowest.setText("G2")
    box.max_chord.setValue(3)
    box.parts.set_checked(sample.parts[0], False)
    first.compose.include_primer.setChecked(True)
    first.close()
    second = MainWindow(QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    started(qtbot, second)
    second.session.select_model(sample.path)
    s = second.compose.settings()
    assert s.include_primer and s.constraints.key == "Eb major" and s.constraints.lowest == "G2"
    assert s.constraints.max_chord == 3 and s.constraints.highest is None
    assert s.constraints.parts == tuple(sample.parts[1:])
    second.close()


def test_a_constraint_that_leaves_nothing_to_play_is_said_not_composed(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    box = cp.constraints
    box.lowest.setText("C6")
    box.highest.setText("C4")
    qtbot.mouseClick(cp.compose_button, LEFT)  # refused at once: no job starts
    assert "the lowest note C6 is above the highest note C4" in window.banner.text.text()
    assert cp.compose_button.isEnabled() and cp.pieces == []

    window.banner.hide()
    box.key.setCurrentIndex(box.key.findText("C major"))
    box.lowest.setText("C#4")
    box.highest.setText("C#4")
    sample = next(m for m in window.session.models if m.sample)
    window.session.select_model(sample.path)
    qtbot.mouseClick(cp.compose_button, LEFT)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=60_000)
    said = window.banner.text.toolTip()
    assert "no note or chord this model knows fits C major, C#4–C#4" in said
    assert "Traceback" not in said and cp.pieces == [] and cp.compose_button.isEnabled()


def test_the_primer_and_eight_new_bars_make_one_piece(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    qtbot.mouseClick(cp.include_primer, LEFT, pos=QPoint(6, cp.include_primer.height() // 2))
    cp.bars.setValue(8)
    assert not cp.length.isEnabled()  # the bars, not a number of events, end the piece
    assert cp.settings().include_primer and cp.settings().bars == 8
    compose_with_sample(window, qtbot)
    piece = cp.pieces[0]
    assert piece.new_from > 0 and (piece.notes.onset < piece.new_from).any()  # the primer…
    new = piece.notes.onset[piece.notes.onset >= piece.new_from] - piece.new_from
    assert 6 * 4 <= new.max() < 8 * 4  # … then eight bars of 4/4 (the last may end in a rest)
    assert "The primer, then new music from bar " in cp.metrics.text()


# -- history --------------------------------------------------------------------------------------
def test_history_reopens_exports_and_deletes_a_piece_of_an_earlier_start(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from musicstudio.gui.main_window import MainWindow

    settings = str(tmp_path / "settings.ini")
    first = MainWindow(QSettings(settings, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.show()
    compose_with_sample(first, qtbot, length=120)
    kept = first.compose.files[0]
    notes = read_midi(kept)  # what the file holds (MIDI merges overlapping same-pitch notes)
    assert first.compose.history.paths()[0] == kept  # newest first
    first.close()

    second = MainWindow(QSettings(settings, QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    second.show()
    started(qtbot, second)
    cp, history = second.compose, second.compose.history
    second.tabs.setCurrentWidget(cp)
    cp.side.setCurrentWidget(history)
    assert kept in history.paths() and cp.pieces == []
    assert history.select(kept)
    assert f"seed {first.compose.pieces[0].seed}" in history.list.currentItem().text()
    qtbot.mouseClick(history.open_button, LEFT)
    assert cp.files == [kept] and same_notes(cp.pieces[0].notes, notes)
    roll = cp.tabs.currentWidget()
    assert roll.note_count() == len(notes) and "opened from the History" in cp.metrics.text()
    roll.select_bars(2, 2)
    assert cp.takes.regenerate_button.isEnabled()  # a piece of an earlier start can be shaped too

    copy = history.export_to(kept, tmp_path / "copy.mid")
    assert copy is not None and same_notes(read_midi(copy), notes)

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    qtbot.mouseClick(history.delete_button, LEFT)
    assert kept.is_file()  # the user said no
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(history.delete_button, LEFT)
    assert not kept.exists() and not kept.with_suffix(".json").exists()
    assert kept not in history.paths()
    second.close()


def test_two_clicks_give_two_pieces_and_a_fixed_seed_the_same_one(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    compose_with_sample(window, qtbot, length=120)
    first = cp.pieces[0]
    compose_with_sample(window, qtbot, length=120)
    second = cp.pieces[0]
    assert first.seed != second.seed and not same_notes(first.notes, second.notes)
    cp.seed.setValue(first.seed)  # the seed shown with the first piece makes it again
    compose_with_sample(window, qtbot, length=120)
    assert cp.pieces[0].seed == first.seed and same_notes(cp.pieces[0].notes, first.notes)


def test_the_feel_is_a_choice_and_remembered(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from musicstudio.gui.main_window import MainWindow

    path = str(tmp_path / "feel.ini")
    first = MainWindow(QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    feel = first.compose.column.feel
    assert [feel.itemData(i) for i in range(feel.count())] == ["straight", "files"]
    assert first.compose.settings().feel == "straight"
    feel.setCurrentIndex(feel.findData("files"))
    first.close()
    stored = QSettings(path, QSettings.Format.IniFormat)
    saved = {k: stored.value(k) for k in stored.allKeys() if k.endswith("/feel")}
    assert list(saved.values()) == ["files"], saved  # the value, not the item's position
    second = MainWindow(QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert second.compose.settings().feel == "files"
    second.close()


def test_the_line_up_is_a_choice_and_remembered(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from musicstudio.gui.main_window import MainWindow

    path = str(tmp_path / "lineup.ini")
    first = MainWindow(QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    lineup = first.compose.column.tempo_form.widget("lineup", QComboBox)
    assert [lineup.itemData(i) for i in range(lineup.count())] == ["files", "all"]
    assert first.compose.settings().lineup == "files"  # a piece plays one file's voices
    lineup.setCurrentIndex(lineup.findData("all"))
    assert first.compose.settings().lineup == "all"
    first.close()
    second = MainWindow(QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert second.compose.settings().lineup == "all"
    second.close()
