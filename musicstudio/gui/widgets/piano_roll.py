"""A piano roll of a NoteArray: a colour per part, mute/solo, zoom, scroll, a following playhead,
a selection of bars (to compose again), and drag out as a .mid file."""

from __future__ import annotations

import math
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
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QMenu, QToolButton, QToolTip, QWidget

from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS, PARTS
from musicstudio.core.music.theory import pitch_name
from musicstudio.gui.widgets import roll_paint as paint
from musicstudio.gui.widgets.bar_selection import BarSelection
from musicstudio.gui.widgets.part_legend import PartLegend
from musicstudio.gui.widgets.roll_drag import DragOut
from musicstudio.gui.widgets.roll_notes import RollNotes
from musicstudio.gui.widgets.roll_paint import HEADER_PX, HEADER_TEXT, KEYBOARD_PX

__all__ = ["HEADER_PX", "KEYBOARD_PX", "PianoRoll", "pitch_name"]

DEFAULT_PX_PER_QUARTER = 36.0
MIN_PX_PER_QUARTER, MAX_PX_PER_QUARTER = 0.5, 400.0
ZOOM_STEP = 1.25
MIN_ROW_PX, MAX_ROW_PX = 4, 14  # height of one semitone
FOLLOW_MARGIN = 0.1  # the playhead pages the view when it passes 90% of its width


class PianoRoll(QAbstractScrollArea):
    """Time left to right, pitch bottom to top, a colour per part; paints only the exposed part,
    so 5,000 notes stay smooth. The legend above it mutes and solos parts."""

    #: The parts that should sound changed (a mute or solo click); playback re-renders.
    audible_changed = Signal()
    #: Bars were selected or the selection was cleared.
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ppq = DEFAULT_PX_PER_QUARTER
        self._row = 9
        self._note_low, self._note_high = 48, 84  # the notes' own range (plus a margin)
        self.low, self.high = 48, 84  # what is drawn: the notes' range widened to fill the view
        self._notes = RollNotes()
        self._audible: frozenset[int] = frozenset(range(len(PARTS)))
        self._quarters_per_bar = 4.0
        self._playhead: float | None = None
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
        self._place_legend()
        num, den = notes.time_signature
        self._quarters_per_bar = num * 4.0 / den if num > 0 and den > 0 else 4.0
        self._note_low, self._note_high = self._notes.pitch_range()
        self._relayout()
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

    def _place_legend(self) -> None:
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

    def length_quarters(self) -> float:
        """Where the last note ends."""
        return self._notes.length()

    # -- geometry ---------------------------------------------------------------------------------
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
        self._place_legend()
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
