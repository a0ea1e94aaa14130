"""A piano roll of a NoteArray: zoom, scroll, a following playhead, and drag out as a .mid file."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QRect, QRectF, QSize, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDrag,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QToolButton, QToolTip, QWidget

from musicstudio.core.midi import NoteArray

KEYBOARD_PX = 52  # width of the keyboard strip at the left
HEADER_PX = 20  # height of the bar-number strip at the top
DEFAULT_PX_PER_QUARTER = 36.0
MIN_PX_PER_QUARTER, MAX_PX_PER_QUARTER = 0.5, 400.0
ZOOM_STEP = 1.25
MIN_ROW_PX, MAX_ROW_PX = 4, 14  # height of one semitone
MIN_SPAN = 25  # semitones shown at least, so a narrow melody is not blown up
FOLLOW_MARGIN = 0.1  # the playhead pages the view when it passes 90% of its width
SHADES = 8  # velocity levels, each drawn in one batch
BLACK_KEYS = frozenset({1, 3, 6, 8, 10})
NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

ROLL_BG, BLACK_ROW = QColor("#ffffff"), QColor("#f0f2f6")
OCTAVE_LINE, SUB_LINE, BEAT_LINE, BAR_LINE = "#d5dae3", "#f5f6f9", "#e8ebf0", "#b9c0cd"
HEADER_BG, HEADER_TEXT, BLACK_KEY = QColor("#f4f5f8"), QColor("#4a5568"), QColor("#3a4150")
SOFT_NOTE, LOUD_NOTE = (150, 186, 232), (24, 72, 138)  # velocity 1 and 127
PLAYHEAD = QColor("#e53e3e")


def pitch_name(pitch: int) -> str:
    """'C4' for MIDI 60, the usual (scientific) octave numbering."""
    return f"{NAMES[pitch % 12]}{pitch // 12 - 1}"


def _note_palette() -> list[tuple[QColor, QColor]]:
    """Fill and outline per velocity shade: soft notes pale, loud notes deep."""
    out = []
    for i in range(SHADES):
        t = i / (SHADES - 1)
        r, g, b = (round(s + (loud - s) * t) for s, loud in zip(SOFT_NOTE, LOUD_NOTE, strict=True))
        out.append((QColor(r, g, b, 235), QColor(r, g, b).darker(150)))
    return out


class PianoRoll(QAbstractScrollArea):
    """Time left to right, pitch bottom to top; paints only the exposed part, so 5,000 notes stay smooth."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ppq = DEFAULT_PX_PER_QUARTER
        self._row = 9
        self._note_low, self._note_high = 48, 84  # the notes' own range (plus a margin)
        self.low, self.high = 48, 84  # what is drawn: the notes' range widened to fill the view
        self._onset = self._end = np.zeros(0)
        self._pitch = self._velocity = np.zeros(0, np.int16)
        self._max_duration = 0.0
        self._quarters_per_bar = 4.0
        self._playhead: float | None = None
        self._midi_path: str | None = None
        self._press: QPoint | None = None
        self._palette = _note_palette()
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.horizontalScrollBar().setSingleStep(24)
        self.verticalScrollBar().setSingleStep(24)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(320, 180)
        self.setAccessibleName("Piano roll")
        # Scroll-bar widgets stack leftwards, so these read "−  +  Fit" on screen.
        for text, tip, slot in (
            ("Fit", "Show the whole piece (0)", self.zoom_to_fit),
            ("+", "Zoom in (Ctrl + wheel, or +)", self.zoom_in),
            ("−", "Zoom out (Ctrl + wheel, or −)", self.zoom_out),
        ):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            self.addScrollBarWidget(button, Qt.AlignmentFlag.AlignRight)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(720, 360)

    # -- data ------------------------------------------------------------------------------------
    def set_notes(self, notes: NoteArray) -> None:
        """Show these notes, fitting the pitch range to them and scrolling to the start."""
        order = np.argsort(notes.onset, kind="stable")
        self._onset = np.asarray(notes.onset, float)[order]
        duration = np.maximum(np.asarray(notes.duration, float)[order], 0.0)
        self._end = self._onset + duration
        self._max_duration = float(duration.max()) if duration.size else 0.0
        self._pitch = np.asarray(notes.pitch, np.int16)[order]
        self._velocity = np.clip(np.asarray(notes.velocity, np.int16)[order], 1, 127)
        num, den = notes.time_signature
        self._quarters_per_bar = num * 4.0 / den if num > 0 and den > 0 else 4.0
        if self._pitch.size:
            lo, hi = int(self._pitch.min()) - 2, int(self._pitch.max()) + 2
        else:
            lo, hi = 48, 72
        missing = MIN_SPAN - (hi - lo + 1)
        if missing > 0:
            lo, hi = lo - missing // 2, hi + missing - missing // 2
        self._note_low, self._note_high = max(0, lo), min(127, hi)
        self._relayout()
        self.horizontalScrollBar().setValue(0)
        vbar = self.verticalScrollBar()
        vbar.setValue(vbar.maximum() // 2)
        self.viewport().update()

    def set_midi_path(self, path: str | os.PathLike[str] | None) -> None:
        """The file a drag out of the roll carries (None: no drag)."""
        self._midi_path = None if path is None else str(path)
        cursor = Qt.CursorShape.OpenHandCursor if path else Qt.CursorShape.ArrowCursor
        self.viewport().setCursor(cursor)

    def note_count(self) -> int:
        """How many notes the roll holds (drawn or scrolled out of view)."""
        return int(self._pitch.size)

    def length_quarters(self) -> float:
        """Where the last note ends."""
        return float(self._end.max()) if self._end.size else 0.0

    # -- geometry ---------------------------------------------------------------------------------
    def pixels_per_quarter(self) -> float:
        """Horizontal zoom."""
        return self._ppq

    def row_height(self) -> int:
        """Pixels per semitone."""
        return self._row

    def _roll_size(self) -> tuple[int, int]:
        return (
            max(1, self.viewport().width() - KEYBOARD_PX),
            max(1, self.viewport().height() - HEADER_PX),
        )

    def _relayout(self) -> None:
        """Row height, drawn pitch range and scroll ranges for the current size and zoom."""
        view_w, view_h = self._roll_size()
        span = self._note_high - self._note_low + 1
        self._row = int(np.clip(view_h // span, MIN_ROW_PX, MAX_ROW_PX))
        # Widen the drawn range to fill the view, so no empty band sits under the keyboard.
        rows = max(span, view_h // self._row)
        lo = self._note_low - (rows - span) // 2
        lo = min(max(0, lo), max(0, 128 - rows))
        self.low, self.high = lo, min(127, lo + rows - 1)
        content_w = (self.length_quarters() + self._quarters_per_bar) * self._ppq
        content_h = (self.high - self.low + 1) * self._row
        hbar, vbar = self.horizontalScrollBar(), self.verticalScrollBar()
        hbar.setRange(0, max(0, math.ceil(content_w - view_w)))
        hbar.setPageStep(view_w)
        vbar.setRange(0, max(0, math.ceil(content_h - view_h)))
        vbar.setPageStep(view_h)

    def x_of(self, quarters: float) -> float:
        """Viewport x of a time in quarters."""
        return KEYBOARD_PX + quarters * self._ppq - self.horizontalScrollBar().value()

    def y_of(self, pitch: int) -> float:
        """Viewport y of the top of a pitch row."""
        return HEADER_PX + (self.high - pitch) * self._row - self.verticalScrollBar().value()

    def time_at(self, x: float) -> float:
        """Quarters at a viewport x."""
        return (x - KEYBOARD_PX + self.horizontalScrollBar().value()) / self._ppq

    def pitch_at(self, y: float) -> int:
        """Pitch of the row at a viewport y."""
        return self.high - math.floor(
            (y - HEADER_PX + self.verticalScrollBar().value()) / self._row
        )

    def _notes_in(self, area: QRect) -> tuple[np.ndarray, list[QRectF]]:
        """Indices and viewport rectangles of the notes touching an area of the roll."""
        t0, t1 = self.time_at(max(area.left(), KEYBOARD_PX)), self.time_at(area.right() + 1)
        p_hi, p_lo = self.pitch_at(max(area.top(), HEADER_PX)), self.pitch_at(area.bottom())
        # Onsets are sorted: only notes starting in [t0 - longest note, t1] can reach the area.
        a = int(np.searchsorted(self._onset, t0 - self._max_duration, "left"))
        b = int(np.searchsorted(self._onset, t1, "right"))
        pitch = self._pitch[a:b]
        idx = a + np.flatnonzero((self._end[a:b] >= t0) & (pitch >= p_lo) & (pitch <= p_hi))
        if not idx.size:
            return idx, []
        xs = self.x_of(0.0) + self._onset[idx] * self._ppq
        ws = np.maximum(2.0, (self._end[idx] - self._onset[idx]) * self._ppq - 1.0)
        ys = self.y_of(0) - self._pitch[idx].astype(float) * self._row + 1.0
        h = max(2.0, self._row - 1.0)
        rects = [
            QRectF(x, y, w, h)
            for x, y, w in zip(xs.tolist(), ys.tolist(), ws.tolist(), strict=True)
        ]
        return idx, rects

    def visible_note_rects(self) -> list[QRectF]:
        """Viewport rectangles of the notes now on screen (what paintEvent draws)."""
        view = self.viewport().rect()
        return self._notes_in(view.adjusted(KEYBOARD_PX, HEADER_PX, 0, 0))[1]

    def note_at(self, pos: QPoint) -> int | None:
        """Index (in onset order) of the note under a viewport point, if any."""
        idx, rects = self._notes_in(QRect(pos, QSize(1, 1)))
        hits = [int(i) for i, r in zip(idx, rects, strict=True) if r.contains(QPointF(pos))]
        return hits[-1] if hits else None

    # -- zoom and playhead ---------------------------------------------------------------------------
    def zoom_by(self, factor: float, anchor_x: float | None = None) -> None:
        """Zoom time, keeping the moment under anchor_x (default: the view's centre) in place."""
        view_w, _ = self._roll_size()
        anchor = KEYBOARD_PX + view_w / 2 if anchor_x is None else max(KEYBOARD_PX, anchor_x)
        moment = self.time_at(anchor)
        self._ppq = float(np.clip(self._ppq * factor, MIN_PX_PER_QUARTER, MAX_PX_PER_QUARTER))
        self._relayout()
        self.horizontalScrollBar().setValue(round(moment * self._ppq - (anchor - KEYBOARD_PX)))
        self.viewport().update()

    def zoom_in(self) -> None:
        """Wider quarters: more detail."""
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        """Narrower quarters: more of the piece."""
        self.zoom_by(1 / ZOOM_STEP)

    def zoom_to_fit(self) -> None:
        """The whole piece in the width of the view."""
        view_w, _ = self._roll_size()
        length = self.length_quarters() + self._quarters_per_bar  # the scrollable width
        self._ppq = float(np.clip(view_w / length, MIN_PX_PER_QUARTER, MAX_PX_PER_QUARTER))
        self._relayout()
        self.horizontalScrollBar().setValue(0)
        self.viewport().update()

    def set_playhead(self, quarters: float | None) -> None:
        """Draw the playhead at a time (None hides it), paging the view to keep it visible."""
        old = self.playhead_x()
        self._playhead = None if quarters is None else float(quarters)
        if self._playhead is not None:
            view_w, _ = self._roll_size()
            x = self._playhead * self._ppq
            bar = self.horizontalScrollBar()
            if x < bar.value() or x > bar.value() + view_w * (1 - FOLLOW_MARGIN):
                bar.setValue(round(x - view_w * FOLLOW_MARGIN))
        # Repaint only the strips the line left and entered (a full repaint follows a scroll).
        h = self.viewport().height()
        for x in (old, self.playhead_x()):
            if x is not None:
                self.viewport().update(QRect(round(x) - 6, 0, 12, h))

    def playhead(self) -> float | None:
        """The playhead's time in quarters."""
        return self._playhead

    def playhead_x(self) -> float | None:
        """Viewport x of the playhead, None when hidden."""
        return None if self._playhead is None else self.x_of(self._playhead)

    # -- events ----------------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._relayout()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        self.viewport().update()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta().y() or event.angleDelta().x()
        mods = event.modifiers()
        if mods & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(ZOOM_STEP ** (delta / 120), event.position().x())
        elif mods & Qt.KeyboardModifier.ShiftModifier or self.verticalScrollBar().maximum() == 0:
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - round(delta / 3))
        else:
            super().wheelEvent(event)
            return
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.zoom_to_fit()
        elif key == Qt.Key.Key_Home:
            self.horizontalScrollBar().setValue(0)
        else:
            super().keyPressEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            QToolTip.showText(event.globalPos(), self._tooltip_at(event.pos()), self.viewport())
            return True
        return super().viewportEvent(event)

    def _tooltip_at(self, pos: QPoint) -> str:
        if pos.y() >= HEADER_PX and pos.x() < KEYBOARD_PX:
            return pitch_name(self.pitch_at(pos.y()))
        i = self.note_at(pos)
        if i is None:
            drag = " · drag to save as a .mid file" if self._midi_path else ""
            return f"Ctrl + wheel or +/− to zoom{drag}"
        onset, length = float(self._onset[i]), float(self._end[i] - self._onset[i])
        bar, beat = divmod(onset, self._quarters_per_bar)
        return (
            f"{pitch_name(int(self._pitch[i]))} · velocity {int(self._velocity[i])}\n"
            f"bar {int(bar) + 1}, beat {beat + 1:g} · {length:g} quarter{'s' * (length != 1)}"
        )

    # -- drag out ----------------------------------------------------------------------------------------
    def mime_data(self) -> QMimeData | None:
        """What a drag out carries: the composition's MIDI file as a URL (None without a file)."""
        if not self._midi_path or not Path(self._midi_path).is_file():
            return None
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(Path(self._midi_path).resolve()))])
        return mime

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            if self._midi_path:
                self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            super().mouseMoveEvent(event)
            return
        moved = (event.position().toPoint() - self._press).manhattanLength()
        if moved < QApplication.startDragDistance():
            return
        self._press = None
        mime = self.mime_data()
        if mime is not None:
            self._exec_drag(mime)
        self.set_midi_path(self._midi_path)  # restores the cursor

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press = None
        self.set_midi_path(self._midi_path)
        super().mouseReleaseEvent(event)

    def _exec_drag(self, mime: QMimeData) -> None:
        """Run the drag (blocks until dropped); tests replace this."""
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(self._drag_pixmap())
        drag.exec(Qt.DropAction.CopyAction)

    def _drag_pixmap(self) -> QPixmap:
        """A small chip with the file name, shown under the cursor while dragging."""
        text = f"♪  {Path(self._midi_path or '').name}"
        fm = self.fontMetrics()
        size = QSize(fm.horizontalAdvance(text) + 24, fm.height() + 12)
        pm = QPixmap(size)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(*LOUD_NOTE, 230))
        p.drawRoundedRect(QRectF(0, 0, size.width(), size.height()), 6, 6)
        p.setPen(QColor("#ffffff"))
        p.drawText(pm.rect(), int(Qt.AlignmentFlag.AlignCenter), text)
        p.end()
        return pm

    # -- painting ------------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        exposed = event.rect()
        view = self.viewport().rect()
        roll = exposed.intersected(view.adjusted(KEYBOARD_PX, HEADER_PX, 0, 0))
        p = QPainter(self.viewport())
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        p.setFont(font)
        if not roll.isEmpty():
            p.save()
            p.setClipRect(roll)
            self._paint_rows(p, roll)
            self._paint_grid(p, roll)
            self._paint_notes(p, roll)
            p.restore()
        if exposed.top() < HEADER_PX:
            self._paint_header(p, exposed)
        if exposed.left() < KEYBOARD_PX:
            self._paint_keyboard(p, exposed)
        self._paint_playhead(p)
        if not self._pitch.size:
            p.setPen(HEADER_TEXT)
            p.drawText(
                view.adjusted(KEYBOARD_PX, HEADER_PX, 0, 0),
                Qt.AlignmentFlag.AlignCenter,
                "No notes",
            )
        p.end()

    def _visible_pitches(self, area: QRect) -> range:
        top = min(self.high, self.pitch_at(max(area.top(), HEADER_PX)))
        return range(max(self.low, self.pitch_at(area.bottom())), top + 1)

    def _paint_rows(self, p: QPainter, area: QRect) -> None:
        p.fillRect(area, ROLL_BG)
        right = area.right() + 1
        for pitch in self._visible_pitches(area):
            y = round(self.y_of(pitch))
            if pitch % 12 in BLACK_KEYS:
                p.fillRect(QRect(area.left(), y, right - area.left(), self._row), BLACK_ROW)
            elif pitch % 12 == 0:
                p.setPen(QColor(OCTAVE_LINE))
                p.drawLine(area.left(), y + self._row - 1, right, y + self._row - 1)

    def _paint_grid(self, p: QPainter, area: QRect) -> None:
        t0, t1 = self.time_at(area.left()), self.time_at(area.right() + 1)
        top, bottom = area.top(), area.bottom()
        # Finer lines as the zoom allows: sixteenths, then beats, then every bar.
        for step, color, min_px in ((0.25, SUB_LINE, 12), (1.0, BEAT_LINE, 7)):
            if step * self._ppq >= min_px:
                p.setPen(QColor(color))
                for k in range(math.floor(t0 / step), math.ceil(t1 / step) + 1):
                    x = round(self.x_of(k * step))
                    p.drawLine(x, top, x, bottom)
        p.setPen(QColor(BAR_LINE))
        every = self._bar_stride(10)
        bar_q = self._quarters_per_bar
        for k in range(math.floor(t0 / bar_q), math.ceil(t1 / bar_q) + 1):
            if k % every == 0:
                x = round(self.x_of(k * bar_q))
                p.drawLine(x, top, x, bottom)

    def _bar_stride(self, min_px: float) -> int:
        """Draw every n-th bar so that drawn bars are at least min_px apart."""
        every = 1
        while every * self._quarters_per_bar * self._ppq < min_px:
            every *= 2
        return every

    def _paint_notes(self, p: QPainter, area: QRect) -> None:
        idx, rects = self._notes_in(area)
        if not rects:
            return
        shade = (self._velocity[idx].astype(np.int32) * SHADES - 1) // 127
        outline = self._row >= 6 and self._ppq >= 8  # thin notes read better without an edge
        for level in np.unique(shade).tolist():
            fill, edge = self._palette[level]
            p.setBrush(fill)
            p.setPen(QPen(edge, 1) if outline else Qt.PenStyle.NoPen)
            p.drawRects([rects[i] for i in np.flatnonzero(shade == level).tolist()])

    def _paint_header(self, p: QPainter, exposed: QRect) -> None:
        w = self.viewport().width()
        p.fillRect(QRect(0, 0, w, HEADER_PX), HEADER_BG)
        p.setPen(QColor(BAR_LINE))
        p.drawLine(0, HEADER_PX - 1, w, HEADER_PX - 1)
        every = self._bar_stride(32)
        bar_q = self._quarters_per_bar
        t0 = self.time_at(max(exposed.left(), KEYBOARD_PX) - 40)
        t1 = self.time_at(exposed.right() + 1)
        for k in range(max(0, math.floor(t0 / bar_q)), math.ceil(t1 / bar_q) + 1):
            if k % every:
                continue
            x = round(self.x_of(k * bar_q))
            if x < KEYBOARD_PX:
                continue
            p.setPen(QColor(BAR_LINE))
            p.drawLine(x, HEADER_PX - 6, x, HEADER_PX - 1)
            p.setPen(HEADER_TEXT)
            p.drawText(
                QRect(x + 3, 0, 60, HEADER_PX - 1), Qt.AlignmentFlag.AlignVCenter, str(k + 1)
            )
        p.fillRect(QRect(0, 0, KEYBOARD_PX, HEADER_PX), HEADER_BG)
        p.setPen(HEADER_TEXT)
        p.drawText(
            QRect(6, 0, KEYBOARD_PX - 8, HEADER_PX - 1), Qt.AlignmentFlag.AlignVCenter, "bar"
        )

    def _paint_keyboard(self, p: QPainter, exposed: QRect) -> None:
        h = self.viewport().height()
        strip = QRect(0, HEADER_PX, KEYBOARD_PX, h - HEADER_PX)
        p.save()
        p.setClipRect(strip.intersected(exposed))
        p.fillRect(strip, QColor("#ffffff"))
        black_w = round(KEYBOARD_PX * 0.58)
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for pitch in self._visible_pitches(strip.intersected(exposed)):
            y = round(self.y_of(pitch))
            pc = pitch % 12
            if pc in BLACK_KEYS:
                p.fillRect(QRect(0, y, black_w, self._row), BLACK_KEY)
            elif pc in (0, 5):  # B|C and E|F: two white keys meet
                p.setPen(QColor(OCTAVE_LINE))
                p.drawLine(0, y + self._row - 1, KEYBOARD_PX, y + self._row - 1)
            if pc == 0:
                p.setPen(HEADER_TEXT)
                label = QRect(black_w - 4, y + self._row // 2 - 8, KEYBOARD_PX - black_w, 16)
                p.drawText(label, align, pitch_name(pitch))
        p.setPen(QColor(BAR_LINE))
        p.drawLine(KEYBOARD_PX - 1, HEADER_PX, KEYBOARD_PX - 1, h)
        p.restore()

    def _paint_playhead(self, p: QPainter) -> None:
        x = self.playhead_x()
        if x is None or not KEYBOARD_PX <= x <= self.viewport().width():
            return
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(QPen(PLAYHEAD, 2))
        p.drawLine(QPointF(x, HEADER_PX - 4), QPointF(x, self.viewport().height()))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(PLAYHEAD)
        tri = [QPointF(x - 5, 2), QPointF(x + 5, 2), QPointF(x, HEADER_PX - 4)]
        p.drawPolygon(QPolygonF(tri))
        p.restore()
