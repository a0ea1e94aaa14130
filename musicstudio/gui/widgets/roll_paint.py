"""What the piano roll paints around its notes: rows, grid, bar numbers, keyboard, playhead.

Hand-painted with QPainter (no chart library draws a piano roll), from the roll's public
geometry (x_of, y_of, time_at, pitch_at), so only the exposed strip is ever drawn.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from functools import cache

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
)

from musicstudio.core.music.parts import DRUMS, PART_COLOURS, PARTS
from musicstudio.core.music.theory import pitch_name
from musicstudio.gui.widgets.roll_view import RollView

KEYBOARD_PX = 52  # width of the keyboard strip at the left
HEADER_PX = 20  # height of the bar-number strip at the top
SHADES = 8  # velocity levels per part, each drawn in one batch
BLACK_KEYS = frozenset({1, 3, 6, 8, 10})

ROLL_BG, BLACK_ROW = QColor("#ffffff"), QColor("#f0f2f6")
OCTAVE_LINE, SUB_LINE, BEAT_LINE, BAR_LINE = "#d5dae3", "#f5f6f9", "#e8ebf0", "#b9c0cd"
HEADER_BG, HEADER_TEXT, BLACK_KEY = QColor("#f4f5f8"), QColor("#4a5568"), QColor("#3a4150")
PLAYHEAD = QColor("#e53e3e")
SELECTION = QColor(49, 130, 206, 38)  # the selected bars over the notes …
SELECTION_RULER = QColor(49, 130, 206, 120)  # … on the bar ruler
SELECTION_EDGE = QColor(43, 108, 176, 200)
CHIP = QColor(24, 72, 138, 230)
SOFTEST = 0.4  # share of the part colour in the softest note (the rest is white)
MUTED = 0.22  # share of the part colour in a muted part's notes
#: GM kit pieces the tooltip names (the rest are "kit piece N").
DRUM_NAMES = {
    35: "kick",
    36: "kick",
    37: "side stick",
    38: "snare",
    39: "clap",
    40: "snare",
    42: "closed hi-hat",
    44: "pedal hi-hat",
    46: "open hi-hat",
    49: "crash",
    51: "ride",
    57: "crash",
}


def _mix(colour: QColor, share: float, alpha: int = 255) -> QColor:
    """`share` of a colour on white."""
    r, g, b = (
        round(255 + (c - 255) * share) for c in (colour.red(), colour.green(), colour.blue())
    )
    return QColor(r, g, b, alpha)


@cache
def part_palettes() -> list[list[tuple[QColor, QColor]]]:
    """Per part, fill and outline per velocity shade: soft notes pale, loud notes the part colour."""
    out = []
    for hex_colour in PART_COLOURS:
        base = QColor(hex_colour)
        shades = []
        for i in range(SHADES):
            share = SOFTEST + (1 - SOFTEST) * i / (SHADES - 1)
            shades.append((_mix(base, share, 240), base.darker(160)))
        out.append(shades)
    return out


@cache
def muted_palette() -> list[tuple[QColor, QColor]]:
    """Per part, the faint fill and outline of a muted part's notes."""
    return [(_mix(QColor(c), MUTED), _mix(QColor(c), 2 * MUTED)) for c in PART_COLOURS]


def note_tooltip(
    pitch: int,
    part: int,
    velocity: int,
    onset: float,
    length: float,
    quarters_per_bar: float,
    audible: bool,
) -> str:
    """What the tooltip over a note says: pitch (or kit piece), part, velocity, where, how long."""
    what = DRUM_NAMES.get(pitch, f"kit piece {pitch}") if part == DRUMS else pitch_name(pitch)
    muted = "" if audible else " (muted)"
    bar, beat = divmod(onset, quarters_per_bar)
    return (
        f"{what} · {PARTS[part]}{muted} · velocity {velocity}\n"
        f"bar {int(bar) + 1}, beat {beat + 1:g} · {length:g} quarter{'s' * (length != 1)}"
    )


def paint_notes(
    p: QPainter,
    rects: list[QRectF],
    parts: np.ndarray,
    velocity: np.ndarray,
    audible: Collection[int],
    outline: bool,
) -> None:
    """One batch per (part, velocity shade); muted parts faint; drum hits as diamonds."""
    shade = (velocity.astype(np.int32) * SHADES - 1) // 127
    key = parts.astype(np.int32) * SHADES + shade
    palettes, muted = part_palettes(), muted_palette()
    for k in np.unique(key).tolist():
        part, level = divmod(k, SHADES)
        fill, edge = palettes[part][level] if part in audible else muted[part]
        p.setBrush(fill)
        p.setPen(QPen(edge, 1) if outline or part == DRUMS else Qt.PenStyle.NoPen)
        chosen = [rects[i] for i in np.flatnonzero(key == k).tolist()]
        if part != DRUMS:
            p.drawRects(chosen)
            continue
        path = QPainterPath()
        for r in chosen:
            c = r.center()
            corners = [
                QPointF(c.x(), r.top()),
                QPointF(r.right(), c.y()),
                QPointF(c.x(), r.bottom()),
                QPointF(r.left(), c.y()),
            ]
            path.addPolygon(QPolygonF(corners))
            path.closeSubpath()
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.drawPath(path)
        p.restore()


def visible_pitches(roll: RollView, area: QRect) -> range:
    top = min(roll.high, roll.pitch_at(max(area.top(), HEADER_PX)))
    return range(max(roll.low, roll.pitch_at(area.bottom())), top + 1)


def bar_stride(roll: RollView, min_px: float) -> int:
    """Draw every n-th bar so that drawn bars are at least min_px apart."""
    every = 1
    while every * roll.quarters_per_bar() * roll.pixels_per_quarter() < min_px:
        every *= 2
    return every


def paint_rows(p: QPainter, roll: RollView, area: QRect) -> None:
    p.fillRect(area, ROLL_BG)
    right, row = area.right() + 1, roll.row_height()
    for pitch in visible_pitches(roll, area):
        y = round(roll.y_of(pitch))
        if pitch % 12 in BLACK_KEYS:
            p.fillRect(QRect(area.left(), y, right - area.left(), row), BLACK_ROW)
        elif pitch % 12 == 0:
            p.setPen(QColor(OCTAVE_LINE))
            p.drawLine(area.left(), y + row - 1, right, y + row - 1)


def paint_grid(p: QPainter, roll: RollView, area: QRect) -> None:
    t0, t1 = roll.time_at(area.left()), roll.time_at(area.right() + 1)
    top, bottom, ppq = area.top(), area.bottom(), roll.pixels_per_quarter()
    # Finer lines as the zoom allows: sixteenths, then beats, then every bar.
    for step, color, min_px in ((0.25, SUB_LINE, 12), (1.0, BEAT_LINE, 7)):
        if step * ppq >= min_px:
            p.setPen(QColor(color))
            for k in range(math.floor(t0 / step), math.ceil(t1 / step) + 1):
                x = round(roll.x_of(k * step))
                p.drawLine(x, top, x, bottom)
    p.setPen(QColor(BAR_LINE))
    every, bar_q = bar_stride(roll, 10), roll.quarters_per_bar()
    for k in range(math.floor(t0 / bar_q), math.ceil(t1 / bar_q) + 1):
        if k % every == 0:
            x = round(roll.x_of(k * bar_q))
            p.drawLine(x, top, x, bottom)


def paint_header(p: QPainter, roll: RollView, exposed: QRect) -> None:
    w = roll.viewport().width()
    p.fillRect(QRect(0, 0, w, HEADER_PX), HEADER_BG)
    p.setPen(QColor(BAR_LINE))
    p.drawLine(0, HEADER_PX - 1, w, HEADER_PX - 1)
    every, bar_q = bar_stride(roll, 32), roll.quarters_per_bar()
    t0 = roll.time_at(max(exposed.left(), KEYBOARD_PX) - 40)
    t1 = roll.time_at(exposed.right() + 1)
    for k in range(max(0, math.floor(t0 / bar_q)), math.ceil(t1 / bar_q) + 1):
        if k % every:
            continue
        x = round(roll.x_of(k * bar_q))
        if x < KEYBOARD_PX:
            continue
        p.setPen(QColor(BAR_LINE))
        p.drawLine(x, HEADER_PX - 6, x, HEADER_PX - 1)
        p.setPen(HEADER_TEXT)
        p.drawText(QRect(x + 3, 0, 60, HEADER_PX - 1), Qt.AlignmentFlag.AlignVCenter, str(k + 1))
    p.fillRect(QRect(0, 0, KEYBOARD_PX, HEADER_PX), HEADER_BG)
    p.setPen(HEADER_TEXT)
    label = QRect(6, 0, KEYBOARD_PX - 8, HEADER_PX - 1)
    p.drawText(label, Qt.AlignmentFlag.AlignVCenter, "bar")


def paint_keyboard(p: QPainter, roll: RollView, exposed: QRect) -> None:
    h, row = roll.viewport().height(), roll.row_height()
    strip = QRect(0, HEADER_PX, KEYBOARD_PX, h - HEADER_PX)
    p.save()
    p.setClipRect(strip.intersected(exposed))
    p.fillRect(strip, QColor("#ffffff"))
    black_w = round(KEYBOARD_PX * 0.58)
    align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for pitch in visible_pitches(roll, strip.intersected(exposed)):
        y = round(roll.y_of(pitch))
        pc = pitch % 12
        if pc in BLACK_KEYS:
            p.fillRect(QRect(0, y, black_w, row), BLACK_KEY)
        elif pc in (0, 5):  # B|C and E|F: two white keys meet
            p.setPen(QColor(OCTAVE_LINE))
            p.drawLine(0, y + row - 1, KEYBOARD_PX, y + row - 1)
        if pc == 0:
            p.setPen(HEADER_TEXT)
            label = QRect(black_w - 4, y + row // 2 - 8, KEYBOARD_PX - black_w, 16)
            p.drawText(label, align, pitch_name(pitch))
    p.setPen(QColor(BAR_LINE))
    p.drawLine(KEYBOARD_PX - 1, HEADER_PX, KEYBOARD_PX - 1, h)
    p.restore()


def paint_playhead(p: QPainter, roll: RollView) -> None:
    x = roll.playhead_x()
    if x is None or not KEYBOARD_PX <= x <= roll.viewport().width():
        return
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(QPen(PLAYHEAD, 2))
    p.drawLine(QPointF(x, HEADER_PX - 4), QPointF(x, roll.viewport().height()))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(PLAYHEAD)
    tri = [QPointF(x - 5, 2), QPointF(x + 5, 2), QPointF(x, HEADER_PX - 4)]
    p.drawPolygon(QPolygonF(tri))
    p.restore()


def paint_selection(p: QPainter, roll: RollView, start: float, end: float) -> None:
    """The selected bars: shaded over the notes, solid on the bar ruler, edged at both ends."""
    right = roll.viewport().width()
    x0, x1 = max(KEYBOARD_PX, round(roll.x_of(start))), min(right, round(roll.x_of(end)))
    if x1 <= x0:
        return
    h = roll.viewport().height()
    p.save()
    p.fillRect(QRect(x0, HEADER_PX, x1 - x0, h - HEADER_PX), SELECTION)
    p.fillRect(QRect(x0, 0, x1 - x0, HEADER_PX), SELECTION_RULER)
    p.setPen(QPen(SELECTION_EDGE, 1))
    for x, edge in ((roll.x_of(start), x0), (roll.x_of(end), x1)):
        if KEYBOARD_PX <= x <= right:
            p.drawLine(edge, 0, edge, h)
    p.restore()


#: Section tints, by the section's letter: a section and its returns share one.
SECTION_TINTS = ("#3182ce", "#38a169", "#d69e2e", "#805ad5", "#dd6b20", "#319795", "#d53f8c")
SECTION_BAND_PX = 16  # the label strip of each section, under the bar ruler


def section_tint(name: str, alpha: int) -> QColor:
    """The colour of a section: one per letter (A and A′ alike)."""
    root = name.rstrip("′'")
    colour = QColor(SECTION_TINTS[(sum(map(ord, root)) - ord("A")) % len(SECTION_TINTS)])
    colour.setAlpha(alpha)
    return colour


def paint_sections(
    p: QPainter, roll: RollView, sections: Collection[tuple[str, float, float]], area: QRect
) -> None:
    """The form: each section a faint band over its bars, its name in a strip at the top."""
    top, h = HEADER_PX, roll.viewport().height()
    p.save()
    for name, start, end in sections:
        x0, x1 = round(roll.x_of(start)), round(roll.x_of(end))
        if x1 < area.left() or x0 > area.right():
            continue
        p.fillRect(QRect(x0, top, x1 - x0, h - top), section_tint(name, 18))
        p.fillRect(QRect(x0, top, x1 - x0, SECTION_BAND_PX), section_tint(name, 150))
        p.setPen(QPen(section_tint(name, 200), 1))
        p.drawLine(x0, top, x0, h)
        p.setPen(QColor("#ffffff"))
        label = QRect(x0 + 4, top, max(0, x1 - x0 - 6), SECTION_BAND_PX)
        p.drawText(label, Qt.AlignmentFlag.AlignVCenter, name)
    p.restore()


def drag_chip(text: str, metrics: QFontMetrics) -> QPixmap:
    """A small chip with the file name, shown under the cursor while dragging."""
    size = QSize(metrics.horizontalAdvance(text) + 24, metrics.height() + 12)
    pm = QPixmap(size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(CHIP)
    p.drawRoundedRect(QRectF(0, 0, size.width(), size.height()), 6, 6)
    p.setPen(QColor("#ffffff"))
    p.drawText(pm.rect(), int(Qt.AlignmentFlag.AlignCenter), text)
    p.end()
    return pm
