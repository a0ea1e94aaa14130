"""Selecting whole bars on the piano roll: drag across the bar numbers (or Shift + drag on the notes).

A plain drag on the notes stays the drag out of the window as a .mid file (roll_drag.py); the
bar ruler at the top, like a DAW's, is where a selection is made. This filter is installed after
the drag-out one, so Qt asks it first and a press it takes never starts a file drag.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent

from musicstudio.gui.widgets.roll_paint import HEADER_PX, KEYBOARD_PX
from musicstudio.gui.widgets.roll_view import RollView


class BarSelection(QObject):
    """The bars selected on one piano roll (1-based, first and last included), snapped to bars."""

    changed = Signal()

    def __init__(self, roll: RollView) -> None:
        super().__init__(roll.viewport())  # lives as long as the notes it filters the mouse of
        self.roll = roll
        self._bars: tuple[int, int] | None = None
        self._anchor: int | None = None  # the bar a drag started in
        roll.viewport().installEventFilter(self)

    def bars(self) -> tuple[int, int] | None:
        """(first, last) bar selected, None when nothing is."""
        return self._bars

    def span(self) -> tuple[float, float] | None:
        """Where the selection starts and ends, in quarters."""
        if self._bars is None:
            return None
        bar = self.roll.quarters_per_bar()
        return (self._bars[0] - 1) * bar, self._bars[1] * bar

    def bar_count(self) -> int:
        """Bars of the piece (the last one may be partly filled)."""
        return max(1, math.ceil(self.roll.length_quarters() / self.roll.quarters_per_bar() - 1e-9))

    def bar_at(self, x: float) -> int:
        """The bar under a viewport x (1-based), within the piece."""
        bar = math.floor(self.roll.time_at(max(x, KEYBOARD_PX)) / self.roll.quarters_per_bar())
        return min(max(1, bar + 1), self.bar_count())

    def select(self, first: int, last: int) -> None:
        """Select bars first..last (in either order), kept within the piece."""
        count = self.bar_count()
        a, b = sorted((min(max(1, first), count), min(max(1, last), count)))
        if self._bars != (a, b):
            self._bars = (a, b)
            self._changed()

    def clear(self) -> None:
        if self._bars is not None:
            self._bars = None
            self._changed()

    def _changed(self) -> None:
        self.roll.viewport().update()
        self.changed.emit()

    def starts_selection(self, event: QMouseEvent) -> bool:
        """A left press on the bar numbers, or with Shift anywhere on the roll."""
        pos = event.position()
        on_ruler = pos.y() < HEADER_PX
        shifted = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        return (
            event.button() == Qt.MouseButton.LeftButton
            and pos.x() >= KEYBOARD_PX
            and (on_ruler or shifted)
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if not isinstance(event, QMouseEvent) or not self.roll.note_count():
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and self.starts_selection(event):
            self._anchor = self.bar_at(event.position().x())
            self.select(self._anchor, self._anchor)
        elif self._anchor is None:
            return False
        elif kind == QEvent.Type.MouseMove:
            self.select(self._anchor, self.bar_at(event.position().x()))
        elif kind == QEvent.Type.MouseButtonRelease:
            self.select(self._anchor, self.bar_at(event.position().x()))
            self._anchor = None
        else:
            return False
        event.accept()
        return True
