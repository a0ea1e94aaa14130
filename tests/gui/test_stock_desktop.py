"""The window behaves as a desktop app should: the main buttons stay in view, Ctrl+Enter runs the
step, the wheel scrolls a form instead of changing the setting under the pointer, the Training
step says what it will learn from, a piece shows before it is measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from musicstudio.gui.training_panel import NO_CORPUS

CTRL = Qt.KeyboardModifier.ControlModifier
KEYPAD = Qt.KeyboardModifier.KeypadModifier


def choose_sample(window, family: str = "lstm") -> None:  # type: ignore[no-untyped-def]
    sample = next(m for m in window.session.models if m.sample and m.family == family)
    window.session.select_model(sample.path)


def in_view(widget: QWidget, window: QWidget) -> bool:
    """Shown, inside the window, and not clipped away by a scroll area (some of it is seen)."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    inside = window.rect().contains(top_left) and window.rect().contains(
        top_left + QPoint(widget.width() - 1, widget.height() - 1)
    )
    return widget.isVisible() and inside and not widget.visibleRegion().isEmpty()


def wheel(widget: QWidget, qtbot, notches: int = -1) -> None:  # type: ignore[no-untyped-def]
    """A mouse wheel turned over the middle of `widget` (negative: towards the user, down)."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)
    qtbot.wait(20)


@pytest.mark.parametrize("step", ["training", "compose"])
@pytest.mark.parametrize("size", ["default", "smallest"])
def test_the_action_bar_is_in_view_at_every_scroll_position(
    window, qtbot, step: str, size: str
) -> None:  # type: ignore[no-untyped-def]
    choose_sample(window)  # the Compose form grows a row per part of the model
    panel = getattr(window, step)
    window.tabs.setCurrentWidget(panel)
    if size == "smallest":
        window.resize(window.minimumSizeHint())
    qtbot.waitUntil(lambda: panel.isVisible())
    QApplication.processEvents()
    bar = panel.scroll_area.verticalScrollBar()
    if size == "smallest" or step == "compose":  # the Training form fits a default window
        assert bar.maximum() > 0, "the form fits: nothing to scroll at this size"
    for value in (0, bar.maximum() // 2, bar.maximum()):
        bar.setValue(value)
        QApplication.processEvents()
        assert in_view(panel.action_bar.action, window), f"{step} button hidden at {value}"
        assert not panel.scroll_area.isAncestorOf(panel.action_bar)  # below the scroll area
        assert panel.scroll_area.widget().y() == -value  # the column moved; the bar did not
    assert panel.action_bar.action.text() in ("Train", "Compose")


def test_the_first_run_needs_no_scrolling(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Sample corpus → Train → Compose → Play, each button seen at the default size."""
    for panel, button in (
        (window.dataset, window.dataset.sample_button),
        (window.training, window.training.train_button),
        (window.compose, window.compose.compose_button),
        (window.compose, window.compose.play_button),
    ):
        window.tabs.setCurrentWidget(panel)
        qtbot.waitUntil(lambda p=panel: p.isVisible())
        assert in_view(button, window), button.text()


def test_ctrl_enter_runs_the_current_steps_action(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    choose_sample(window)
    window.tabs.setCurrentWidget(cp)
    cp.length.setValue(48)
    window.activateWindow()
    cp.seed.setFocus()  # typing in a field of the form, as a user would before running it
    qtbot.waitUntil(lambda: cp.seed.hasFocus())
    QTest.keyClick(cp.seed, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: cp.composed == 1 and cp.job is None, timeout=120_000)
    assert cp.tabs.currentWidget().note_count() > 0

    window.tabs.setCurrentWidget(window.training)  # nothing scanned: Train says what is missing
    window.training.window_events.setFocus()
    qtbot.waitUntil(lambda: window.training.window_events.hasFocus())
    QTest.keyClick(window.training.window_events, Qt.Key.Key_Enter, CTRL | KEYPAD)
    qtbot.waitUntil(lambda: window.banner.isVisible())
    assert window.banner.text.text() == "Scan a dataset first (step 1)."


def test_the_wheel_scrolls_the_form_past_an_unfocused_setting(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    choose_sample(window)  # the instruments' combo boxes are made now, after the window
    window.tabs.setCurrentWidget(cp)
    qtbot.waitUntil(lambda: cp.isVisible())
    bar = cp.scroll_area.verticalScrollBar()
    instrument = next(iter(cp.instruments.boxes.values()))
    for editor, value in ((instrument, instrument.currentIndex), (cp.length, cp.length.value)):
        bar.setValue(0)
        cp.scroll_area.ensureWidgetVisible(editor)
        QApplication.processEvents()
        before, scrolled_to = value(), bar.value()
        assert not editor.hasFocus() and editor.focusPolicy() == Qt.FocusPolicy.StrongFocus
        wheel(editor, qtbot)
        assert bar.value() > scrolled_to, type(editor).__name__  # the form scrolled
        assert value() == before  # and the setting under the pointer stayed

    window.activateWindow()
    cp.scroll_area.ensureWidgetVisible(instrument)
    instrument.setFocus()  # a clicked (or tabbed to) combo box takes the wheel
    qtbot.waitUntil(lambda: instrument.hasFocus())
    before, scrolled_to = instrument.currentIndex(), bar.value()
    wheel(instrument, qtbot)
    assert instrument.currentIndex() == before + 1 and bar.value() == scrolled_to


def test_an_editor_outside_a_scroll_area_keeps_the_wheel(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    parts = window.dataset.parts  # the Dataset step's options: not in a scrolled column
    assert not any(isinstance(a, QScrollArea) for a in ancestors(parts))
    parts.blockSignals(True)  # no rescan: nothing is scanned
    wheel(parts, qtbot)
    assert parts.currentIndex() == 1


def ancestors(widget: QWidget) -> list[QWidget]:
    out, w = [], widget.parentWidget()
    while w is not None:
        out.append(w)
        w = w.parentWidget()
    return out


def test_training_says_what_it_will_learn_from(
    window, qtbot, chorale_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    status = window.training.status
    assert status.text() == NO_CORPUS
    window.dataset.load([str(chorale_dir)])
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    events = window.session.corpus.stats["events"]
    assert status.text() == f"Ready to train on 24 files ({events:,} events) of chorales."
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("hi")
    window.dataset.load([str(tmp_path / "texts")])  # a folder without MIDI: the scan fails
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=30_000)
    assert window.session.corpus is None and status.text() == NO_CORPUS


def test_the_piece_shows_first_and_its_figures_follow(window, qtbot, chorale_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window.dataset.load([str(chorale_dir)])
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    cp = window.compose
    choose_sample(window)
    window.tabs.setCurrentWidget(cp)
    cp.length.setValue(120)
    seen: list[str] = []  # the line as the piece appears on the piano roll
    window.session.compositions_changed.connect(lambda _: seen.append(cp.metrics.text()))
    qtbot.mouseClick(cp.compose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cp.composed == 1 and cp.job is None, timeout=120_000)
    assert cp.tabs.currentWidget().note_count() > 0
    assert "Measuring how it sounds against chorales…" in seen[0] and "Sounds" not in seen[0]
    qtbot.waitUntil(lambda: not cp.metrics.measuring, timeout=120_000)
    piece = cp.pieces[0]
    assert f"Sounds {piece.metrics.closeness_words}" in cp.metrics.text()
    assert "Measuring" not in cp.metrics.text()
    kept = json.loads(cp.files[0].with_suffix(".json").read_text())
    assert kept["metrics"]["closeness"] == piece.metrics.closeness  # kept beside the piece
