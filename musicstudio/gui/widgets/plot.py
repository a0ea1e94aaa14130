"""A small painted chart (lines, bars, log axis, legend, reference lines) for the app's plots.

Painted with QPainter rather than pyqtgraph: pyqtgraph 0.14 under PySide6 6.12 crashed here
after a few hundred repaints, and two simple charts do not justify the dependency. Series with
more points than the plot has pixels are reduced to a min/max per pixel column before drawing,
so tens of thousands of points paint as fast as a few hundred.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

INK = "#2d3748"  # titles and legend text
MUTED = "#5f6b7e"  # tick labels
FRAME = "#c3c9d5"
GRID = "#e9ecf2"
GRID_MINOR = "#f4f5f8"
BAR_ALPHA = 160
BACKGROUND = "#ffffff"
LOG_FLOOR = 0.5  # where bars start on a log axis, so a count of 1 still shows


@dataclass
class Series:
    """One named curve; `bars` draws a bar per x (or per pixel column when they are thin)."""

    name: str
    color: str
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    y: np.ndarray = field(default_factory=lambda: np.zeros(0))
    width: float = 2.0
    style: Literal["line", "bars"] = "line"
    markers: bool = False


@dataclass(frozen=True)
class Marker:
    """A labelled reference line across the plot (a threshold, a boundary)."""

    orientation: Literal["h", "v"]
    value: float
    label: str
    color: str = "#c53030"


def nice_ticks(lo: float, hi: float, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values covering [lo, hi] (whole numbers only when `integer`)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    if integer:
        step = max(1.0, round(step))
    start = math.ceil(lo / step - 1e-9) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


def column_extrema(x: np.ndarray, y: np.ndarray, columns: int) -> tuple[np.ndarray, ...]:
    """Min and max of y per pixel column of sorted x: what a dense line looks like on screen."""
    span = float(x[-1] - x[0]) or 1.0
    col = np.minimum(((x - x[0]) / span * columns).astype(np.int64), columns - 1)
    starts = np.r_[0, np.flatnonzero(np.diff(col)) + 1]
    return x[starts], np.minimum.reduceat(y, starts), np.maximum.reduceat(y, starts)


def _short(v: float) -> str:
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:g}{suffix}"
    return f"{v:g}"


@dataclass(frozen=True)
class Frame:
    """Where the data area sits in the widget and which data range it shows."""

    rect: QRectF
    x0: float
    x1: float
    y0: float
    y1: float

    def px(self, x: float) -> float:
        return self.rect.left() + (x - self.x0) / (self.x1 - self.x0) * self.rect.width()

    def py(self, y: float) -> float:
        return (
            self.rect.bottom() - (y - self.y0) / ((self.y1 - self.y0) or 1.0) * self.rect.height()
        )

    def points(self, x: np.ndarray, y: np.ndarray) -> list[QPointF]:
        """Data points to widget points, vectorised."""
        sx = self.rect.left() + (x - self.x0) / (self.x1 - self.x0) * self.rect.width()
        sy = self.rect.bottom() - (y - self.y0) / ((self.y1 - self.y0) or 1.0) * self.rect.height()
        return [QPointF(a, b) for a, b in zip(sx.tolist(), sy.tolist(), strict=True)]


class Plot(QWidget):
    """Series over a shared x axis; y linear or log10; optional legend and reference lines."""

    def __init__(
        self,
        title: str = "",
        x_label: str = "",
        y_label: str = "",
        log_y: bool = False,
        integer_x: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title, self.x_label, self.y_label = title, x_label, y_label
        self.log_y, self.integer_x = log_y, integer_x
        self.series: list[Series] = []
        self.markers: list[Marker] = []
        self.empty_text = ""
        self.setMinimumSize(240, 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(480, 260)

    # -- data -----------------------------------------------------------------------------
    def add_series(self, series: Series) -> Series:
        """Register a curve; later `set_data` calls refill it."""
        self.series.append(series)
        return series

    def set_data(
        self, series: Series, x: np.ndarray | list[float], y: np.ndarray | list[float]
    ) -> None:
        """Replace a curve's points and schedule a repaint (Qt merges repaints)."""
        series.x = np.asarray(x, dtype=float)
        series.y = np.asarray(y, dtype=float)
        self.update()

    def set_markers(self, markers: list[Marker]) -> None:
        """Reference lines to draw over the data."""
        self.markers = list(markers)
        self.update()

    def set_empty_text(self, text: str) -> None:
        """What the plot says while it has no data."""
        self.empty_text = text
        self.update()

    def has_data(self) -> bool:
        """True when any series has a finite point to draw."""
        return any(bool(np.isfinite(s.y).any()) for s in self.series if s.y.size)

    # -- geometry ---------------------------------------------------------------------------
    def axis_y(self, y: np.ndarray) -> np.ndarray:
        """Data values in y-axis units (log10 on a log axis)."""
        return np.log10(np.maximum(y, LOG_FLOOR)) if self.log_y else y

    def data_range(self) -> tuple[float, float, float, float]:
        """x0, x1, y0, y1 of everything drawn, y in axis units."""
        xs, ys = [], []
        for s in self.series:
            ok = np.isfinite(s.y) & np.isfinite(s.x)
            if ok.any():
                xs.append(s.x[ok])
                ys.append(self.axis_y(s.y[ok]))
        if not xs:
            return 0.0, 1.0, 0.0, 1.0
        x0, x1 = min(float(x.min()) for x in xs), max(float(x.max()) for x in xs)
        y0, y1 = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
        if any(s.style == "bars" for s in self.series):
            x0, x1 = x0 - 0.5, x1 + 0.5
            y0 = math.log10(LOG_FLOOR) if self.log_y else min(0.0, y0)
        for m in self.markers:
            if m.orientation == "h":
                v = float(self.axis_y(np.array([m.value]))[0])
                y0, y1 = min(y0, v), max(y1, v)
        if x1 <= x0:
            x0, x1 = x0 - 0.5, x1 + 0.5
        elif any(s.markers for s in self.series):
            x0, x1 = x0 - 0.02 * (x1 - x0), x1 + 0.02 * (x1 - x0)  # whole end markers
        pad = (y1 - y0) * 0.08 or 0.5
        return x0, x1, (y0 if self.log_y else y0 - pad), y1 + pad

    def _y_ticks(self, y0: float, y1: float) -> list[tuple[float, str, bool]]:
        """(value in axis units, label, major) for the y axis."""
        if not self.log_y:
            return [(t, f"{t:g}", True) for t in nice_ticks(y0, y1)]
        out: list[tuple[float, str, bool]] = []
        for d in range(math.floor(y0), math.ceil(y1) + 1):
            if y0 <= d <= y1:
                out.append((float(d), _short(10.0**d), True))
            if y1 - y0 < 6:
                out += [(d + math.log10(m), "", False) for m in range(2, 10)]
        return [t for t in out if y0 <= t[0] <= y1]

    # -- painting ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(self.rect(), QColor(BACKGROUND))
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() * 0.92))
        p.setFont(font)
        fm = QFontMetricsF(font)
        x0, x1, y0, y1 = self.data_range()
        yticks = self._y_ticks(y0, y1)
        label_w = max([fm.horizontalAdvance(t[1]) for t in yticks] + [fm.horizontalAdvance("00")])
        left = 10 + label_w + (fm.height() + 4 if self.y_label else 0)
        top = 10 + (fm.height() + 8 if self.title else 0)
        bottom = 10 + fm.height() * (2 if self.x_label else 1) + 4
        rect = QRectF(left, top, self.width() - left - 16, self.height() - top - bottom)
        if rect.width() >= 20 and rect.height() >= 20:
            frame = Frame(rect, x0, x1, y0, y1)
            self._paint_axes(p, fm, frame, yticks)
            p.save()
            p.setClipRect(rect.adjusted(0, -3, 3, 0))
            for s in self.series:
                (self._paint_bars if s.style == "bars" else self._paint_line)(p, s, frame)
            self._paint_markers(p, fm, frame)
            p.restore()
            self._paint_legend(p, fm, frame)
            if not self.has_data() and self.empty_text:
                p.setPen(QColor(MUTED))
                p.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), self.empty_text)
        p.end()

    def _paint_axes(
        self, p: QPainter, fm: QFontMetricsF, f: Frame, yticks: list[tuple[float, str, bool]]
    ) -> None:
        rect = f.rect
        if self.title:
            bold = QFont(p.font())
            bold.setBold(True)
            p.save()
            p.setFont(bold)
            p.setPen(QColor(INK))
            p.drawText(QRectF(rect.left(), 8, rect.width(), fm.height() + 2), 0, self.title)
            p.restore()
        right_align = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        p.setPen(QPen(QColor(FRAME), 1))
        p.drawLine(rect.bottomLeft(), rect.bottomRight())
        p.drawLine(rect.bottomLeft(), rect.topLeft())
        if not self.has_data():
            return  # no ticks for a range that means nothing yet
        for value, label, major in yticks:
            y = f.py(value)
            p.setPen(QPen(QColor(GRID if major else GRID_MINOR), 1))
            p.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            if label:
                p.setPen(QColor(MUTED))
                p.drawText(QRectF(0, y - 8, rect.left() - 6, 16), right_align, label)
        count = max(2, int(rect.width() / 90))
        for t in nice_ticks(f.x0, f.x1, count, self.integer_x):
            x = f.px(t)
            if not rect.left() - 1 <= x <= rect.right() + 1:
                continue
            p.setPen(QPen(QColor(FRAME), 1))
            p.drawLine(QPointF(x, rect.bottom()), QPointF(x, rect.bottom() + 3))
            p.setPen(QColor(MUTED))
            text = f"{t:,.0f}" if float(t).is_integer() else f"{t:g}"
            box = QRectF(x - 40, rect.bottom() + 4, 80, fm.height())
            p.drawText(box, int(Qt.AlignmentFlag.AlignHCenter), text)
        p.setPen(QColor(MUTED))
        if self.x_label:
            box = QRectF(rect.left(), rect.bottom() + 6 + fm.height(), rect.width(), fm.height())
            p.drawText(box, int(Qt.AlignmentFlag.AlignHCenter), self.x_label)
        if self.y_label:
            p.save()
            p.translate(4, rect.center().y())
            p.rotate(-90)
            box = QRectF(-rect.height() / 2, 0, rect.height(), fm.height())
            p.drawText(box, int(Qt.AlignmentFlag.AlignHCenter), self.y_label)
            p.restore()

    def _paint_line(self, p: QPainter, s: Series, f: Frame) -> None:
        ok = np.isfinite(s.y) & np.isfinite(s.x)
        if not ok.any():
            return
        xs, ys = s.x[ok], self.axis_y(s.y[ok])
        color = QColor(s.color)
        dense = xs.size > 2 * f.rect.width()
        if dense:
            cx, lo, hi = column_extrema(xs, ys, int(f.rect.width()))
            xs, ys = np.repeat(cx, 2), np.column_stack([lo, hi]).ravel()
        pts = f.points(xs, ys)
        pen = QPen(color, s.width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.drawPolyline(QPolygonF(pts))
        if s.markers and not dense and len(pts) <= f.rect.width() / 8:
            p.setBrush(QColor(BACKGROUND))
            p.setPen(QPen(color, 1.8))
            for pt in pts:
                p.drawEllipse(pt, 3.4, 3.4)
            p.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_bars(self, p: QPainter, s: Series, f: Frame) -> None:
        ok = np.isfinite(s.y) & np.isfinite(s.x)
        if not ok.any():
            return
        xs, ys = s.x[ok], self.axis_y(s.y[ok])
        base = f.rect.bottom()
        slot = f.rect.width() / (f.x1 - f.x0)
        fill = QColor(s.color)
        fill.setAlpha(BAR_ALPHA)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fill)
        if slot >= 3:
            gap = 1.0 if slot >= 6 else 0.0
            pts = f.points(xs, ys)
            p.drawRects(
                [QRectF(q.x() - slot / 2 + gap / 2, q.y(), slot - gap, base - q.y()) for q in pts]
            )
        else:
            # Bars thinner than a few pixels: one outline over the tallest bar of each pixel column.
            columns = max(1, int(f.px(float(xs[-1])) - f.px(float(xs[0]))) + 1)
            cx, _, hi = column_extrema(xs, ys, columns) if xs.size > 1 else (xs, ys, ys)
            right = np.r_[cx[1:], xs[-1] + 1.0] - 0.5
            top = [f.py(y) for y in hi.tolist()]
            outline = []
            for a, b, y in zip((cx - 0.5).tolist(), right.tolist(), top, strict=True):
                outline += [QPointF(f.px(a), y), QPointF(f.px(b), y)]
            area = QPolygonF(
                [QPointF(outline[0].x(), base), *outline, QPointF(outline[-1].x(), base)]
            )
            p.drawPolygon(area)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(QColor(s.color), 1.3))
            p.drawPolyline(QPolygonF(outline))
        p.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_markers(self, p: QPainter, fm: QFontMetricsF, f: Frame) -> None:
        for m in self.markers:
            w = fm.horizontalAdvance(m.label) + 10
            h = fm.height() + 2
            if m.orientation == "h":
                y = f.py(float(self.axis_y(np.array([m.value]))[0]))
                a, b = QPointF(f.rect.left(), y), QPointF(f.rect.right(), y)
                box = QRectF(f.rect.right() - w - 6, y - h - 2, w, h)
            else:
                x = f.px(m.value)
                a, b = QPointF(x, f.rect.top()), QPointF(x, f.rect.bottom())
                box = QRectF(
                    x + 5 if x + 5 + w <= f.rect.right() else x - 5 - w, f.rect.top() + 4, w, h
                )
            p.setPen(QPen(QColor(m.color), 1.4, Qt.PenStyle.DashLine))
            p.drawLine(a, b)
            if m.label:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(255, 255, 255, 225))
                p.drawRoundedRect(box, 3, 3)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.setPen(QColor(m.color))
                p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), m.label)

    def _paint_legend(self, p: QPainter, fm: QFontMetricsF, f: Frame) -> None:
        named = [s for s in self.series if s.name]
        if not named or not self.has_data():
            return
        row = fm.height() + 3
        w = max(fm.horizontalAdvance(s.name) for s in named) + 40
        top = (
            f.rect.top()
            + 6
            + (fm.height() + 10 if any(m.orientation == "v" for m in self.markers) else 0)
        )
        box = QRectF(f.rect.right() - w - 6, top, w, row * len(named) + 8)
        p.setPen(QPen(QColor("#e2e6ee"), 1))
        p.setBrush(QColor(255, 255, 255, 235))
        p.drawRoundedRect(box, 4, 4)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for i, s in enumerate(named):
            y = box.top() + 4 + row * i + row / 2
            color = QColor(s.color)
            if s.style == "bars":
                color.setAlpha(BAR_ALPHA)
                p.fillRect(QRectF(box.left() + 9, y - 5, 18, 10), color)
            else:
                p.setPen(QPen(color, max(2.0, s.width)))
                p.drawLine(QPointF(box.left() + 9, y), QPointF(box.left() + 27, y))
            p.setPen(QColor(INK))
            text_box = QRectF(box.left() + 33, y - row / 2, w - 35, row)
            p.drawText(text_box, int(Qt.AlignmentFlag.AlignVCenter), s.name)
