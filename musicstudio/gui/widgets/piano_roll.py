"""A piano roll: time × pitch, velocity as shade, zoom and scroll, a playhead, drag out as .mid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QRectF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDrag,
    QFont,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from musicstudio.core.midi import NoteArray

KEYBOARD = 46  # px of the keyboard strip
HEADER = 18  # px of the bar-number strip
BLACK = {1, 3, 6, 8, 10}
NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]


class PianoRoll(QAbstractScrollArea):
    """Draws a NoteArray; only the exposed part is painted, so thousands of notes stay cheap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.px_per_quarter = 40.0
        self.row = 9.0  # px per semitone
        self.low, self.high = 48, 84
        self.onset = self.duration = np.zeros(0)
        self.pitch = self.velocity = np.zeros(0, np.int16)
        self.playhead: float | None = None
        self.midi_path: str | None = None
        self._press: QPoint | None = None
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.viewport().setMouseTracking(False)
        self.setMinimumHeight(220)
        self.setToolTip("Ctrl + wheel to zoom · drag out to save as a .mid file")

    # -- data --------------------------------------------------------------------------
    def set_notes(self, notes: NoteArray) -> None:
        """Show these notes, fitting the pitch range to them."""
        self.onset = notes.onset.astype(float)
        self.duration = notes.duration.astype(float)
        self.pitch = notes.pitch.astype(np.int16)
        self.velocity = notes.velocity.astype(np.int16)
        if len(self.pitch):
            self.low = max(0, int(self.pitch.min()) - 3)
            self.high = min(127, int(self.pitch.max()) + 3)
        self.horizontalScrollBar().setValue(0)
        self._update_scrollbars()
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum() // 2)
        self.viewport().update()

    def set_midi_path(self, path: str) -> None:
        """The file a drag out of the roll carries."""
        self.midi_path = path

    def note_count(self) -> int:
        return int(self.pitch.size)

    def length_quarters(self) -> float:
        return float((self.onset + self.duration).max()) if self.onset.size else 4.0

    # -- geometry ------------------------------------------------------------------------
    def content_size(self) -> tuple[float, float]:
        return (self.length_quarters() + 4) * self.px_per_quarter, (
            self.high - self.low + 1
        ) * self.row

    def _update_scrollbars(self) -> None:
        w, h = self.content_size()
        vw = max(1, self.viewport().width() - KEYBOARD)
        vh = max(1, self.viewport().height() - HEADER)
        self.horizontalScrollBar().setRange(0, max(0, int(w - vw)))
        self.horizontalScrollBar().setPageStep(vw)
        self.verticalScrollBar().setRange(0, max(0, int(h - vh)))
        self.verticalScrollBar().setPageStep(vh)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._update_scrollbars()

    def x_of(self, quarters: float) -> float:
        return KEYBOARD + quarters * self.px_per_quarter - self.horizontalScrollBar().value()

    def y_of(self, pitch: int) -> float:
        return HEADER + (self.high - pitch) * self.row - self.verticalScrollBar().value()

    def visible_note_rects(self) -> list[QRectF]:
        """Viewport rectangles of the notes currently on screen."""
        left = self.horizontalScrollBar().value() / self.px_per_quarter
        right = left + self.viewport().width() / self.px_per_quarter
        sel = np.flatnonzero((self.onset + self.duration >= left) & (self.onset <= right))
        out = []
        for i in sel:
            x = self.x_of(self.onset[i])
            y = self.y_of(int(self.pitch[i]))
            out.append(
                QRectF(x, y, max(2.0, self.duration[i] * self.px_per_quarter - 1), self.row - 1)
            )
        return [r for r in out if r.bottom() >= HEADER and r.top() <= self.viewport().height()]

    # -- zoom and playhead ---------------------------------------------------------------
    def zoom(self, factor: float) -> None:
        centre = (
            self.horizontalScrollBar().value() + self.viewport().width() / 2
        ) / self.px_per_quarter
        self.px_per_quarter = float(np.clip(self.px_per_quarter * factor, 4.0, 400.0))
        self._update_scrollbars()
        self.horizontalScrollBar().setValue(
            int(centre * self.px_per_quarter - self.viewport().width() / 2)
        )
        self.viewport().update()

    def zoom_in(self) -> None:
        self.zoom(1.25)

    def zoom_out(self) -> None:
        self.zoom(0.8)

    def set_playhead(self, quarters: float | None) -> None:
        """Draw the playhead there (None hides it) and keep it in view."""
        self.playhead = quarters
        if quarters is not None:
            x = quarters * self.px_per_quarter
            bar = self.horizontalScrollBar()
            visible = self.viewport().width() - KEYBOARD
            if x < bar.value() or x > bar.value() + visible * 0.85:
                bar.setValue(int(x - visible * 0.15))
        self.viewport().update()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
        else:
            super().wheelEvent(event)

    # -- drag out ---------------------------------------------------------------------------
    def mime_data(self) -> QMimeData | None:
        """What a drag carries: the composition's MIDI file."""
        if not self.midi_path or not Path(self.midi_path).exists():
            return None
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(self.midi_path)])
        return mime

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is None or not (event.buttons() & Qt.MouseButton.LeftButton):
            return
        if (
            event.position().toPoint() - self._press
        ).manhattanLength() < QApplication.startDragDistance():
            return
        mime = self.mime_data()
        self._press = None
        if mime is not None:
            drag = QDrag(self)
            drag.setMimeData(mime)
            drag.exec(Qt.DropAction.CopyAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press = None
        super().mouseReleaseEvent(event)

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self.viewport())
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        w, h = self.viewport().width(), self.viewport().height()
        p.fillRect(0, 0, w, h, QColor("#fbfbfd"))
        # Pitch rows: black keys shaded, C rows marked.
        for pitch in range(self.low, self.high + 1):
            y = self.y_of(pitch)
            if y + self.row < HEADER or y > h:
                continue
            if pitch % 12 in BLACK:
                p.fillRect(QRectF(KEYBOARD, y, w - KEYBOARD, self.row), QColor("#eef0f5"))
            if pitch % 12 == 0:
                p.setPen(QPen(QColor("#d5d9e2")))
                p.drawLine(KEYBOARD, int(y + self.row), w, int(y + self.row))
        # Bar and beat lines.
        left = self.horizontalScrollBar().value() / self.px_per_quarter
        right = left + w / self.px_per_quarter
        for q in range(int(left), int(right) + 2):
            x = self.x_of(q)
            if x < KEYBOARD:
                continue
            p.setPen(QPen(QColor("#b9bfcc" if q % 4 == 0 else "#e3e6ee")))
            p.drawLine(int(x), HEADER, int(x), h)
        # Notes, velocity as shade.
        sel = np.flatnonzero(
            (self.onset + self.duration >= left)
            & (self.onset <= right)
            & (self.pitch >= self.low)
            & (self.pitch <= self.high)
        )
        for i in sel:
            x = self.x_of(self.onset[i])
            y = self.y_of(int(self.pitch[i]))
            if y + self.row < HEADER or y > h:
                continue
            shade = 0.35 + 0.65 * float(self.velocity[i]) / 127.0
            color = QColor.fromRgbF(0.16, 0.38, 0.78, shade)
            rect = QRectF(
                max(x, KEYBOARD),
                y + 0.5,
                max(2.0, self.duration[i] * self.px_per_quarter - 1),
                self.row - 1,
            )
            p.fillRect(rect, color)
            p.setPen(QPen(QColor(20, 50, 110, 160)))
            p.drawRect(rect)
        # Header with bar numbers.
        p.fillRect(0, 0, w, HEADER, QColor("#f0f2f7"))
        p.setPen(QColor("#4a5568"))
        font = QFont(p.font())
        font.setPointSizeF(7.5)
        p.setFont(font)
        for q in range(int(left) - int(left) % 4, int(right) + 4, 4):
            x = self.x_of(q)
            if x >= KEYBOARD:
                p.drawText(int(x) + 3, HEADER - 5, str(q // 4 + 1))
        # Keyboard strip.
        p.fillRect(0, HEADER, KEYBOARD, h, QColor("#ffffff"))
        for pitch in range(self.low, self.high + 1):
            y = self.y_of(pitch)
            if y + self.row < HEADER or y > h:
                continue
            if pitch % 12 in BLACK:
                p.fillRect(QRectF(0, y, KEYBOARD * 0.62, self.row), QColor("#2d3340"))
            if pitch % 12 == 0:
                p.setPen(QColor("#2d3340"))
                p.drawText(
                    QRectF(2, y - 2, KEYBOARD - 4, self.row + 4),
                    int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                    f"C{pitch // 12 - 1}",
                )
        p.setPen(QPen(QColor("#b9bfcc")))
        p.drawLine(KEYBOARD, HEADER, KEYBOARD, h)
        p.fillRect(0, 0, KEYBOARD, HEADER, QColor("#f0f2f7"))
        # Playhead.
        if self.playhead is not None:
            x = self.x_of(self.playhead)
            if x >= KEYBOARD:
                p.setPen(QPen(QColor("#e53e3e"), 2))
                p.drawLine(int(x), 0, int(x), h)
        if not self.pitch.size:
            p.setPen(QColor("#8a94a6"))
            p.drawText(self.viewport().rect(), int(Qt.AlignmentFlag.AlignCenter), "No notes")
        p.end()
