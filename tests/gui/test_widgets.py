"""The piano roll, loss chart and token histogram on their own, offscreen, with real geometry."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from musicstudio.core.music.midi import NoteArray
from musicstudio.gui.widgets.histogram import TokenHistogram
from musicstudio.gui.widgets.loss_chart import LossChart
from musicstudio.gui.widgets.piano_roll import KEYBOARD_PX, ZOOM_STEP, PianoRoll, pitch_name


def scale(n_bars: int = 4) -> NoteArray:
    """One quarter-note C-major scale run per bar, louder as it goes."""
    steps = [0, 2, 4, 5]
    n = 4 * n_bars
    return NoteArray.from_lists(
        onset=range(n),
        duration=[1.0] * n,
        pitch=[60 + steps[i % 4] + 12 * ((i // 4) % 2) for i in range(n)],
        velocity=np.linspace(20, 127, n).astype(int),
    )


@pytest.fixture
def roll(qtbot) -> PianoRoll:  # type: ignore[no-untyped-def]
    w = PianoRoll()
    qtbot.addWidget(w)
    w.resize(800, 400)
    w.show()
    qtbot.waitExposed(w)
    return w


# -- piano roll ---------------------------------------------------------------------------------
def test_roll_draws_one_rectangle_per_note(roll: PianoRoll) -> None:
    notes = scale(4)
    roll.set_notes(notes)
    rects = roll.visible_note_rects()
    assert roll.note_count() == len(notes) == len(rects) == 16
    view = roll.viewport().rect()
    assert all(view.contains(r.center().toPoint()) for r in rects)
    # Onset order left to right, one quarter wide each; higher pitch higher up.
    xs = [r.left() for r in rects]
    assert xs == sorted(xs)
    assert all(r.width() == pytest.approx(roll.pixels_per_quarter() - 1) for r in rects)
    assert rects[4].top() < rects[0].top()  # C5 above C4
    first = rects[0].center().toPoint()
    assert roll.note_at(first) == 0
    assert roll._tooltip_at(first).startswith("C4 · keys · velocity 20")


def test_roll_fits_the_pitch_range_of_the_notes(roll: PianoRoll) -> None:
    roll.set_notes(NoteArray.from_lists([0, 1, 2], [1, 1, 1], [30, 55, 101]))
    assert roll.low <= 30 and roll.high >= 101
    assert len(roll.visible_note_rects()) == 3  # five octaves still fit 400 px
    roll.set_notes(NoteArray.from_lists([0, 1], [1, 1], [64, 67]))
    assert roll.low <= 64 <= 67 <= roll.high
    assert roll.high - roll.low < 60  # a narrow melody gets tall rows, not the whole keyboard
    assert len(roll.visible_note_rects()) == 2
    assert pitch_name(60) == "C4" and pitch_name(61) == "C#4"


def test_roll_filled_before_it_is_shown(qtbot) -> None:  # type: ignore[no-untyped-def]
    roll = PianoRoll()  # as the compose panel does: notes first, then the tab is shown
    qtbot.addWidget(roll)
    roll.set_notes(NoteArray.from_lists([0, 1, 2], [1, 1, 1], [40, 60, 80]))
    roll.resize(700, 360)
    roll.show()
    qtbot.waitExposed(roll)
    assert len(roll.visible_note_rects()) == 3


def test_roll_paints_5000_notes_quickly(roll: PianoRoll) -> None:
    rng = np.random.default_rng(1)
    onset = np.sort(rng.uniform(0, 1200, 5000))
    pitch = rng.integers(36, 90, 5000)
    roll.set_notes(NoteArray.from_lists(onset, rng.choice([0.5, 1, 2], 5000), pitch))
    roll.zoom_to_fit()
    assert roll.note_count() == 5000
    start = time.perf_counter()
    image = roll.grab()
    full = time.perf_counter() - start
    assert not image.isNull()
    assert len(roll.visible_note_rects()) == 5000
    assert full < 1.0
    roll.zoom_by(40)  # zoomed in, only a few bars are painted
    assert 0 < len(roll.visible_note_rects()) < 500


def test_zoom_changes_pixels_per_quarter(roll: PianoRoll, qtbot) -> None:  # type: ignore[no-untyped-def]
    roll.set_notes(scale(16))
    before = roll.pixels_per_quarter()
    width = roll.visible_note_rects()[0].width()
    roll.zoom_in()
    assert roll.pixels_per_quarter() == pytest.approx(before * ZOOM_STEP)
    assert roll.visible_note_rects()[0].width() > width
    roll.zoom_out()
    assert roll.pixels_per_quarter() == pytest.approx(before)
    # Ctrl + wheel zooms; a plain wheel does not.
    pos = QPointF(400, 200)
    for mods, grows in (
        (Qt.KeyboardModifier.ControlModifier, True),
        (Qt.KeyboardModifier.NoModifier, False),
    ):
        start = roll.pixels_per_quarter()
        wheel = QWheelEvent(
            pos, roll.viewport().mapToGlobal(pos), QPoint(), QPoint(0, 120),
            Qt.MouseButton.NoButton, mods, Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        QApplication.sendEvent(roll.viewport(), wheel)
        assert (roll.pixels_per_quarter() > start) is grows
    roll.zoom_to_fit()
    assert roll.horizontalScrollBar().maximum() == 0  # the whole piece fits


def test_playhead_moves_and_autoscrolls(roll: PianoRoll) -> None:
    roll.set_notes(scale(60))  # 240 quarters, far wider than the view
    bar = roll.horizontalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    roll.set_playhead(2.0)
    assert bar.value() == 0
    assert roll.playhead_x() == pytest.approx(KEYBOARD_PX + 2 * roll.pixels_per_quarter())
    roll.set_playhead(4.0)
    assert roll.playhead_x() > KEYBOARD_PX + 2 * roll.pixels_per_quarter()  # it moved right
    roll.set_playhead(200.0)  # far beyond the view: the view pages to it
    assert bar.value() > 0
    assert KEYBOARD_PX <= roll.playhead_x() <= roll.viewport().width()
    roll.set_playhead(1.0)  # back to the start (a replay): the view follows back
    assert KEYBOARD_PX <= roll.playhead_x() <= roll.viewport().width()
    roll.set_playhead(None)
    assert roll.playhead() is None and roll.playhead_x() is None


def test_drag_carries_the_midi_file_url(roll: PianoRoll, tmp_path: Path) -> None:
    roll.set_notes(scale(2))
    assert roll.mime_data() is None  # nothing to drag yet
    path = tmp_path / "variation 1.mid"
    path.write_bytes(b"MThd")
    roll.set_midi_path(path)
    mime = roll.mime_data()
    assert mime is not None and mime.hasUrls()
    assert [u.toLocalFile() for u in mime.urls()] == [str(path.resolve())]
    assert mime.urls()[0].toString().startswith("file://")

    dragged: list[QMimeData] = []
    roll.drag_out.exec_drag = dragged.append  # type: ignore[method-assign]  # the real one blocks
    vp = roll.viewport()

    def mouse(kind: QEvent.Type, x: int, buttons: Qt.MouseButton) -> None:
        pos = QPointF(x, 100)
        button = (
            Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
        )
        event = QMouseEvent(
            kind, pos, vp.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(vp, event)

    left = Qt.MouseButton.LeftButton
    mouse(QEvent.Type.MouseButtonPress, 200, left)
    mouse(QEvent.Type.MouseMove, 201, left)  # a twitch is not a drag
    assert dragged == []
    mouse(QEvent.Type.MouseMove, 260, left)
    assert len(dragged) == 1 and dragged[0].urls()[0].toLocalFile() == str(path.resolve())
    mouse(QEvent.Type.MouseButtonRelease, 260, Qt.MouseButton.NoButton)


# -- loss chart -----------------------------------------------------------------------------------
def epoch_metrics(epoch: int) -> dict[str, float]:
    m = {"loss": 4.0 / epoch, "val_loss": 4.5 / epoch}
    for i, head in enumerate(("pitch", "duration", "step", "velocity", "voice")):
        m[f"loss_{head}"] = (i + 1) / epoch
        m[f"val_loss_{head}"] = (i + 1.5) / epoch
    return m


def curve(item) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """The points a pyqtgraph curve plots."""
    x, y = item.getOriginalDataset()
    return ([] if x is None else x.tolist()), ([] if y is None else y.tolist())


def hover(chart, x: float) -> None:  # type: ignore[no-untyped-def]
    """Move the mouse over a chart to data x (mid-height), as a user does."""
    QApplication.processEvents()  # the chart fits its new data when it paints
    box = chart.getPlotItem().getViewBox()
    (_, _), (y0, y1) = box.viewRange()
    pos = QPointF(chart.mapFromScene(box.mapViewToScene(QPointF(x, (y0 + y1) / 2))))
    vp = chart.viewport()
    event = QMouseEvent(
        QEvent.Type.MouseMove, pos, vp.mapToGlobal(pos), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(vp, event)


def test_loss_chart_holds_steps_and_epochs(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = LossChart()
    qtbot.addWidget(chart)
    chart.show()
    assert chart.epoch_plot.empty_label.isVisible()  # says where the loss will appear
    start = time.perf_counter()
    for i in range(5000):
        chart.add_step(i, 3.0 - i / 5000)
    assert time.perf_counter() - start < 1.0  # no repaint per step
    qtbot.waitUntil(lambda: len(curve(chart.step_line)[1]) == 5000, timeout=2000)
    steps, losses = chart.step_series()
    assert steps.size == 5000 and losses[0] == 3.0
    assert curve(chart.step_line) == (steps.tolist(), losses.tolist())
    smooth_x, smooth_y = curve(chart.smooth_line)
    assert smooth_x[0] == 20 and len(smooth_x) == 4980  # the average starts after 20 steps
    assert losses[-1] < smooth_y[-1] < 3.0  # it lags behind the falling loss
    assert not chart.step_plot.empty_label.isVisible()
    for e in (1, 2, 3):
        chart.add_epoch(e, epoch_metrics(e))
    epochs, train, val = chart.epoch_series()
    assert epochs.tolist() == [1, 2, 3]
    assert train.tolist() == pytest.approx([4.0, 2.0, 4 / 3])
    assert val.tolist() == pytest.approx([4.5, 2.25, 1.5])
    assert curve(chart.train_line) == ([1, 2, 3], pytest.approx(train.tolist()))
    assert "epoch 3" in chart.readout.text() and "best validation 1.500" in chart.readout.text()
    assert not chart.epoch_plot.empty_label.isVisible()
    chart.clear()
    assert chart.step_series()[0].size == 0 and chart.epoch_series()[0].size == 0
    assert curve(chart.train_line) == ([], []) and curve(chart.step_line) == ([], [])
    assert chart.epoch_plot.empty_label.isVisible()


def test_loss_chart_switches_heads(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = LossChart()
    qtbot.addWidget(chart)
    for e in (1, 2):
        chart.add_epoch(e, epoch_metrics(e))
    assert chart.head() == "Total"
    chart.set_head("pitch")
    assert chart.head() == "Pitch"
    assert curve(chart.train_line)[1] == pytest.approx([1.0, 0.5])
    assert curve(chart.val_line)[1] == pytest.approx([1.5, 0.75])
    chart.head_combo.setCurrentText("Voice")  # as the user picks it
    assert curve(chart.train_line)[1] == pytest.approx([5.0, 2.5])
    with pytest.raises(ValueError):
        chart.set_head("tempo")
    chart.set_head("total")
    chart.add_epoch(3, {"loss": 1.0})  # a run without validation or per-head losses
    _, train, val = chart.epoch_series("total")
    assert train[-1] == 1.0 and np.isnan(val[-1])
    assert curve(chart.train_line)[0] == [1, 2, 3]
    assert curve(chart.val_line)[0] == [1, 2]  # no point where validation is missing
    chart.set_head("velocity")
    assert curve(chart.train_line)[0] == [1, 2]


def test_loss_chart_reads_out_what_is_under_the_mouse(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = LossChart()
    qtbot.addWidget(chart)
    chart.resize(700, 500)
    chart.show()
    qtbot.waitExposed(chart)
    for i in range(1, 101):
        chart.add_step(i, 5.0 - i / 100)
    chart.flush()
    for e in (1, 2, 3, 4):
        chart.add_epoch(e, epoch_metrics(e))
    hover(chart.epoch_plot, 2.2)  # near epoch 2: the read-out snaps to it
    assert chart.epoch_hover.text() == "epoch 2 · train 2.000 · validation 2.250"
    assert chart.epoch_hover.line.value() == 2
    hover(chart.step_plot, 50)
    assert chart.step_hover.text().startswith("step 50 · loss 4.500 · smoothed ")
    QApplication.sendEvent(chart.step_plot.viewport(), QEvent(QEvent.Type.Leave))
    assert chart.step_hover.text() == ""  # gone when the mouse leaves
    hover(chart.epoch_plot, 4)  # the last epoch: the read-out's corner is the legend's
    QApplication.processEvents()  # a text item knows its size on screen once painted
    label, legend = chart.epoch_hover.label, chart.epoch_plot.legend
    assert chart.epoch_hover.text().startswith("epoch 4 ·") and legend.isVisible()
    assert not label.sceneBoundingRect().intersects(legend.sceneBoundingRect())


def test_a_zoomed_chart_fits_its_data_again_on_double_click(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = LossChart()
    qtbot.addWidget(chart)
    chart.resize(700, 500)
    chart.show()
    qtbot.waitExposed(chart)
    for e in range(1, 11):
        chart.add_epoch(e, epoch_metrics(e))
    box = chart.epoch_plot.getPlotItem().getViewBox()
    box.setXRange(4, 5, padding=0)  # as a wheel zoom leaves it
    qtbot.waitUntil(lambda: box.viewRange()[0][0] == pytest.approx(4))
    vp = chart.epoch_plot.viewport()
    pos = QPointF(vp.width() / 2, vp.height() / 2)
    left = Qt.MouseButton.LeftButton
    for kind, buttons in (
        (QEvent.Type.MouseButtonPress, left),
        (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton),
        (QEvent.Type.MouseButtonDblClick, left),
        (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton),
    ):
        event = QMouseEvent(
            kind, pos, vp.mapToGlobal(pos), left, buttons, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(vp, event)
    qtbot.waitUntil(lambda: box.viewRange()[0][0] < 1 and box.viewRange()[0][1] > 10)


# -- token histogram ------------------------------------------------------------------------------
def test_histogram_marks_kept_tokens_at_the_threshold(qtbot) -> None:  # type: ignore[no-untyped-def]
    hist = TokenHistogram()
    qtbot.addWidget(hist)
    assert hist.plot.empty_label.isVisible() and not hist.threshold_line.isVisible()
    hist.set_counts(np.array([100, 50, 20, 20, 19, 5, 1, 1]))
    hist.set_threshold(20)
    assert hist.kept_count() == 4 and hist.split_count() == 4
    ranks, kept = hist.bar_counts(hist.kept_bars)
    assert ranks.tolist() == [1, 2, 3, 4] and kept.tolist() == [100, 50, 20, 20]
    ranks, split = hist.bar_counts(hist.split_bars)
    assert ranks.tolist() == [5, 6, 7, 8] and split.tolist() == [19, 5, 1, 1]
    # The threshold (on the log axis) and the kept|split boundary are drawn and labelled.
    assert 10 ** hist.threshold_line.value() == pytest.approx(20)
    assert hist.threshold_line.label.toPlainText() == "threshold 20"
    assert hist.boundary_line.value() == 4.5 and hist.boundary_line.isVisible()
    assert hist.boundary_line.label.toPlainText() == "4 kept  |  4 split"
    assert "4 of 8" in hist.caption.text()
    hist.set_threshold(1)
    assert hist.kept_count() == 8 and hist.split_count() == 0
    assert hist.bar_counts(hist.split_bars)[1].size == 0 and not hist.boundary_line.isVisible()
    hist.set_threshold(1000)
    assert hist.kept_count() == 0
    hist.set_counts(np.array([1, 7, 3]))  # unsorted input is sorted, most frequent first
    hist.set_threshold(3)
    assert hist.bar_counts(hist.kept_bars)[1].tolist() == [7, 3]


def test_histogram_keeps_the_threshold_line_in_view(qtbot) -> None:  # type: ignore[no-untyped-def]
    hist = TokenHistogram()
    qtbot.addWidget(hist)
    hist.resize(600, 400)
    hist.show()
    qtbot.waitExposed(hist)
    hist.set_counts(np.array([50, 20, 3]))
    hist.set_threshold(5000)  # far above every count
    box = hist.plot.getPlotItem().getViewBox()
    qtbot.waitUntil(lambda: box.viewRange()[1][1] >= np.log10(5000))
    hover(hist.plot, 2)
    assert hist.hover.text() == "#2 · seen 20 times · rare: split into kept sub-chords"
