"""Where things are on the piano roll: time across, pitch up, zoom, scroll, a following playhead.

The canvas knows the extent of a piece (its pitch range, its length, its bar), not its notes:
piano_roll.py shows the notes, their parts and the bars selected on top of it.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from musicstudio.gui.widgets.roll_paint import HEADER_PX, KEYBOARD_PX

DEFAULT_PX_PER_QUARTER = 36.0
MIN_PX_PER_QUARTER, MAX_PX_PER_QUARTER = 0.5, 400.0
ZOOM_STEP = 1.25
MIN_ROW_PX, MAX_ROW_PX = 4, 14  # height of one semitone
FOLLOW_MARGIN = 0.1  # the playhead pages the view when it passes 90% of its width


class RollCanvas(QAbstractScrollArea):
    """Time left to right after a keyboard strip, pitch bottom to top under a bar ruler."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ppq = DEFAULT_PX_PER_QUARTER
        self._row = 9
        self._note_low, self._note_high = 48, 84  # the piece's own range (plus a margin)
        self.low, self.high = 48, 84  # what is drawn: the piece's range widened to fill the view
        self._length = 0.0  # where the piece's last note ends, in quarters
        self._quarters_per_bar = 4.0
        self._playhead: float | None = None

    def set_extent(self, low: int, high: int, length: float, quarters_per_bar: float) -> None:
        """The piece's pitch range, its length in quarters and its bar."""
        self._note_low, self._note_high = low, high
        self._length, self._quarters_per_bar = length, quarters_per_bar
        self._relayout()

    def length_quarters(self) -> float:
        """Where the last note ends."""
        return self._length

    def quarters_per_bar(self) -> float:
        """Bar length from the piece's time signature."""
        return self._quarters_per_bar

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

    # -- zoom ---------------------------------------------------------------------------------------
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

    # -- the playhead, followed ---------------------------------------------------------------------
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
        for edge in (old, self.playhead_x()):
            if edge is not None:
                self.viewport().update(QRect(round(edge) - 6, 0, 12, h))

    def playhead(self) -> float | None:
        """The playhead's time in quarters."""
        return self._playhead

    def playhead_x(self) -> float | None:
        """Viewport x of the playhead, None when hidden."""
        return None if self._playhead is None else self.x_of(self._playhead)

    # -- events -------------------------------------------------------------------------------------
    def _place_margins(self) -> None:
        """Place what sits in the viewport's margins (a subclass's strips) before a relayout."""

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._place_margins()
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
