"""What the piano roll's helpers read of it: where times and pitches are on screen.

Painting (roll_paint.py) and the bar selection (bar_selection.py) are given the roll through
this interface, so neither imports piano_roll.py, which imports them both.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QWidget


class RollView(Protocol):
    """A piano roll seen from its helpers (PianoRoll is one)."""

    low: int  # the lowest pitch drawn
    high: int  # the highest pitch drawn

    def viewport(self) -> QWidget: ...

    def note_count(self) -> int: ...

    def length_quarters(self) -> float: ...

    def quarters_per_bar(self) -> float: ...

    def pixels_per_quarter(self) -> float: ...

    def row_height(self) -> int: ...

    def x_of(self, quarters: float) -> float: ...

    def y_of(self, pitch: int) -> float: ...

    def time_at(self, x: float) -> float: ...

    def pitch_at(self, y: float) -> int: ...

    def playhead_x(self) -> float | None: ...
