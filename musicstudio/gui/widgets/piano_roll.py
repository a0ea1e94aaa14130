"""A piano roll of a NoteArray: a colour per part, mute/solo, zoom, scroll, a following playhead,
a selection of bars (to compose again), and drag out as a .mid file."""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import QMenu, QToolButton, QToolTip, QWidget

from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS, PARTS
from musicstudio.core.music.theory import pitch_name
from musicstudio.gui.widgets import roll_paint as paint
from musicstudio.gui.widgets.bar_selection import BarSelection
from musicstudio.gui.widgets.part_legend import PartLegend
from musicstudio.gui.widgets.roll_canvas import ZOOM_STEP, RollCanvas
from musicstudio.gui.widgets.roll_drag import DragOut
from musicstudio.gui.widgets.roll_notes import RollNotes
from musicstudio.gui.widgets.roll_paint import HEADER_PX, HEADER_TEXT, KEYBOARD_PX

__all__ = ["HEADER_PX", "KEYBOARD_PX", "ZOOM_STEP", "PianoRoll", "pitch_name"]


class PianoRoll(RollCanvas):
    """Time left to right, pitch bottom to top, a colour per part; paints only the exposed part,
    so 5,000 notes stay smooth. The legend above it mutes and solos parts. Where things are,
    the zoom and the playhead are the canvas's (roll_canvas.py)."""

    #: The parts that should sound changed (a mute or solo click); playback re-renders.
    audible_changed = Signal()
    #: Bars were selected or the selection was cleared.
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._notes = RollNotes()
        self._audible: frozenset[int] = frozenset(range(len(PARTS)))
        self.sections: list[tuple[str, float, float]] = []  # (name, start, end) in quarters
        self.drag_out = DragOut(self.viewport())
        self.selection = BarSelection(self)  # after DragOut: its filter is asked first
        self.selection.changed.connect(self.selection_changed)
        self.legend = PartLegend(self)
        self.legend.changed.connect(self._on_legend)
        self.legend.hide()
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
    def set_notes(self, notes: NoteArray, keep_view: bool = False) -> None:
        """Show these notes, fitting the pitch range to them and scrolling to the start; with
        `keep_view` (another version of the same piece) the view and the selection stay."""
        hbar, vbar = self.horizontalScrollBar(), self.verticalScrollBar()
        view = (hbar.value(), vbar.value())
        self._notes = RollNotes.of(notes)
        counts = self._notes.notes_per_part()
        self.legend.set_parts([p for p, n in enumerate(counts) if n], dict(enumerate(counts)))
        self._audible = self.legend.audible()
        self._place_margins()
        num, den = notes.time_signature
        bar = num * 4.0 / den if num > 0 and den > 0 else 4.0
        self.set_extent(*self._notes.pitch_range(), self._notes.length(), bar)
        if keep_view:
            hbar.setValue(view[0])
            vbar.setValue(view[1])
        else:
            self.selection.clear()
            hbar.setValue(0)
            vbar.setValue(vbar.maximum() // 2)
        self.viewport().update()

    def set_sections(self, sections: list[tuple[str, float, float]]) -> None:
        """The piece's form: labelled bands over its bars ((name, start, end) in quarters)."""
        self.sections = list(sections)
        self.viewport().update()

    def set_midi_path(self, path: str | os.PathLike[str] | None) -> None:
        """The file a drag out of the roll carries (None: no drag)."""
        self.drag_out.set_path(path)

    def mime_data(self) -> QMimeData | None:
        """What a drag out carries: the composition's MIDI file as a URL (None without a file)."""
        return self.drag_out.mime_data()

    def selected_bars(self) -> tuple[int, int] | None:
        """The bars selected (first, last; 1-based), None when none are."""
        return self.selection.bars()

    def select_bars(self, first: int, last: int) -> None:
        """Select whole bars, as a drag across their numbers does."""
        self.selection.select(first, last)

    def clear_selection(self) -> None:
        self.selection.clear()

    def context_menu(self) -> QMenu:
        """The right-click menu: the actions given to the roll (regenerate, undo, redo), then
        the roll's own."""
        menu = QMenu(self)
        menu.addActions(self.actions())
        if self.actions():
            menu.addSeparator()
        clear = menu.addAction("Clear selection", self.clear_selection)
        clear.setShortcut(Qt.Key.Key_Escape)
        clear.setEnabled(self.selected_bars() is not None)
        menu.addAction("Show the whole piece", self.zoom_to_fit).setShortcut(Qt.Key.Key_0)
        return menu

    def parts(self) -> list[int]:
        """The parts that play in the piece (PARTS order)."""
        return list(self.legend.parts)

    def audible_parts(self) -> frozenset[int]:
        """The parts the legend lets sound (none muted, none soloed: all of them)."""
        return self._audible

    def _on_legend(self) -> None:
        self._audible = self.legend.audible()
        self.viewport().update()
        self.audible_changed.emit()

    def _place_margins(self) -> None:
        """The legend sits in a strip above the viewport (a viewport margin), shown with notes."""
        shown = bool(self.legend.parts)
        self.legend.setVisible(shown)
        height = self.legend.sizeHint().height() if shown else 0
        self.setViewportMargins(0, height, 0, 0)
        fw = self.frameWidth()
        self.legend.setGeometry(fw, fw, max(0, self.width() - 2 * fw), height)

    def note_count(self) -> int:
        """How many notes the roll holds (drawn or scrolled out of view)."""
        return len(self._notes)

    # -- the notes on screen ------------------------------------------------------------------------
    def _notes_in(self, area: QRect) -> tuple[np.ndarray, list[QRectF]]:
        """Indices and viewport rectangles of the notes touching an area of the roll."""
        t0, t1 = self.time_at(max(area.left(), KEYBOARD_PX)), self.time_at(area.right() + 1)
        p_hi, p_lo = self.pitch_at(max(area.top(), HEADER_PX)), self.pitch_at(area.bottom())
        n = self._notes
        idx = n.touching(t0, t1, p_lo, p_hi)
        if not idx.size:
            return idx, []
        xs = self.x_of(0.0) + n.onset[idx] * self._ppq
        ws = np.maximum(2.0, (n.end[idx] - n.onset[idx]) * self._ppq - 1.0)
        ys = self.y_of(0) - n.pitch[idx].astype(float) * self._row + 1.0
        h = max(2.0, self._row - 1.0)
        drums = n.part[idx] == DRUMS
        if drums.any():  # a drum hit has no length to show: a diamond one row high
            xs = np.where(drums, xs - 1.0, xs)
            ws = np.where(drums, h + 2.0, ws)
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

    # -- events ----------------------------------------------------------------------------------------
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
        elif key == Qt.Key.Key_Escape and self.selected_bars() is not None:
            self.clear_selection()
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        self.context_menu().exec(event.globalPos())

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            QToolTip.showText(event.globalPos(), self._tooltip_at(event.pos()), self.viewport())
            return True
        return super().viewportEvent(event)

    def _tooltip_at(self, pos: QPoint) -> str:
        if pos.y() < HEADER_PX and pos.x() >= KEYBOARD_PX and len(self._notes):
            bar = self.selection.bar_at(pos.x())
            return (
                f"Bar {bar} · drag across the bar numbers (or Shift + drag on the notes)"
                " to select bars to compose again · Esc clears"
            )
        if pos.y() >= HEADER_PX and pos.x() < KEYBOARD_PX:
            return pitch_name(self.pitch_at(pos.y()))
        i = self.note_at(pos)
        if i is None:
            drag = " · drag to save as a .mid file" if self.drag_out.path else ""
            return f"Ctrl + wheel or +/− to zoom{drag}"
        n = self._notes
        return paint.note_tooltip(
            int(n.pitch[i]),
            int(n.part[i]),
            int(n.velocity[i]),
            float(n.onset[i]),
            float(n.end[i] - n.onset[i]),
            self._quarters_per_bar,
            int(n.part[i]) in self._audible,
        )

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
            paint.paint_rows(p, self, roll)
            paint.paint_grid(p, self, roll)
            paint.paint_sections(p, self, self.sections, roll)
            self._paint_notes(p, roll)
            p.restore()
        if exposed.top() < HEADER_PX:
            paint.paint_header(p, self, exposed)
        if exposed.left() < KEYBOARD_PX:
            paint.paint_keyboard(p, self, exposed)
        span = self.selection.span()
        if span is not None:
            paint.paint_selection(p, self, *span)
        paint.paint_playhead(p, self)
        if not len(self._notes):
            p.setPen(HEADER_TEXT)
            p.drawText(
                view.adjusted(KEYBOARD_PX, HEADER_PX, 0, 0),
                Qt.AlignmentFlag.AlignCenter,
                "No notes",
            )
        p.end()

    def _paint_notes(self, p: QPainter, area: QRect) -> None:
        idx, rects = self._notes_in(area)
        if rects:
            outline = self._row >= 6 and self._ppq >= 8  # thin notes read better without an edge
            n = self._notes
            paint.paint_notes(p, rects, n.part[idx], n.velocity[idx], self._audible, outline)
