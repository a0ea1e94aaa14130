"""A small painted line plot (axes, nice ticks, optional log scale, legend).

Painted with QPainter rather than pyqtgraph: pyqtgraph 0.14 under PySide6 6.12 crashed
here after a few hundred repaints ("deallocating None", a refcount error in the binding).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


@dataclass
class Series:
    """One line (optionally filled down to the axis)."""

    name: str
    color: str
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    y: np.ndarray = field(default_factory=lambda: np.zeros(0))
    width: float = 2.0
    fill: bool = False
    markers: bool = False


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 1)]


class LinePlot(QWidget):
    """Series over a shared x axis; y linear or log10."""

    def __init__(
        self,
        title: str = "",
        x_label: str = "",
        y_label: str = "",
        log_y: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title, self.x_label, self.y_label, self.log_y = title, x_label, y_label, log_y
        self.series: list[Series] = []
        self.hline: float | None = None
        self.setMinimumHeight(140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def add_series(self, series: Series) -> Series:
        self.series.append(series)
        return series

    def set_data(
        self, series: Series, x: np.ndarray | list[float], y: np.ndarray | list[float]
    ) -> None:
        series.x = np.asarray(x, float)
        series.y = np.asarray(y, float)
        self.update()

    def set_hline(self, value: float | None) -> None:
        self.hline = value
        self.update()

    def _ty(self, y: np.ndarray) -> np.ndarray:
        return np.log10(np.maximum(y, 1e-9)) if self.log_y else y

    def _ranges(self) -> tuple[float, float, float, float]:
        xs = [s.x[np.isfinite(s.y)] for s in self.series if s.x.size]
        ys = [self._ty(s.y[np.isfinite(s.y)]) for s in self.series if s.y.size]
        xs = [x for x in xs if x.size]
        ys = [y for y in ys if y.size]
        if not xs:
            return 0.0, 1.0, 0.0, 1.0
        x0, x1 = min(float(x.min()) for x in xs), max(float(x.max()) for x in xs)
        y0, y1 = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
        if self.hline is not None:
            h = float(self._ty(np.array([self.hline]))[0])
            y0, y1 = min(y0, h), max(y1, h)
        if x1 <= x0:
            x1 = x0 + 1
        pad = (y1 - y0) * 0.08 or 0.5
        return x0, x1, (0.0 if self.log_y else y0 - pad), y1 + pad

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(self.rect(), QColor("#ffffff"))
        font = QFont(p.font())
        font.setPointSizeF(8.0)
        p.setFont(font)
        left, top, right, bottom = 52, 22, 12, 30
        plot = QRectF(
            left, top, max(10, self.width() - left - right), max(10, self.height() - top - bottom)
        )
        x0, x1, y0, y1 = self._ranges()

        def px(x: float) -> float:
            return plot.left() + (x - x0) / (x1 - x0) * plot.width()

        def py(y: float) -> float:
            return plot.bottom() - (y - y0) / ((y1 - y0) or 1.0) * plot.height()

        p.setPen(QColor("#2d3748"))
        p.drawText(QRectF(0, 2, self.width(), 18), int(Qt.AlignmentFlag.AlignHCenter), self.title)
        grid = QPen(QColor("#edf0f5"))
        for t in nice_ticks(y0, y1):
            y = py(t)
            p.setPen(grid)
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(QColor("#4a5568"))
            label = f"{10**t:,.0f}" if self.log_y else f"{t:g}"
            p.drawText(
                QRectF(0, y - 8, left - 6, 16),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
        for t in nice_ticks(x0, x1, 6):
            x = px(t)
            p.setPen(QColor("#4a5568"))
            p.drawText(
                QRectF(x - 30, plot.bottom() + 2, 60, 14),
                int(Qt.AlignmentFlag.AlignHCenter),
                f"{t:g}",
            )
        p.drawText(
            QRectF(plot.left(), plot.bottom() + 14, plot.width(), 14),
            int(Qt.AlignmentFlag.AlignHCenter),
            self.x_label,
        )
        p.setPen(QPen(QColor("#a0aec0")))
        p.drawRect(plot)
        p.setClipRect(plot)
        for s in self.series:
            ok = np.isfinite(s.y)
            if not ok.any():
                continue
            xs, ys = s.x[ok], self._ty(s.y[ok])
            path = QPainterPath(QPointF(px(float(xs[0])), py(float(ys[0]))))
            for x, y in zip(xs[1:], ys[1:], strict=True):
                path.lineTo(px(float(x)), py(float(y)))
            color = QColor(s.color)
            if s.fill:
                area = QPainterPath(path)
                area.lineTo(px(float(xs[-1])), plot.bottom())
                area.lineTo(px(float(xs[0])), plot.bottom())
                area.closeSubpath()
                fill = QColor(color)
                fill.setAlpha(70)
                p.fillPath(area, fill)
            p.setPen(QPen(color, s.width))
            p.drawPath(path)
            if s.markers:
                p.setBrush(color)
                for x, y in zip(xs, ys, strict=True):
                    p.drawEllipse(QPointF(px(float(x)), py(float(y))), 3, 3)
                p.setBrush(Qt.BrushStyle.NoBrush)
        if self.hline is not None:
            y = py(float(self._ty(np.array([self.hline]))[0]))
            p.setPen(QPen(QColor("#c53030"), 1, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        p.setClipping(False)
        named = [s for s in self.series if s.name]
        x = plot.right() - 8
        for s in reversed(named):
            w = 14 + 7 * len(s.name)
            x -= w
            p.setPen(QPen(QColor(s.color), 3))
            p.drawLine(QPointF(x, plot.top() + 10), QPointF(x + 10, plot.top() + 10))
            p.setPen(QColor("#2d3748"))
            p.drawText(QPointF(x + 13, plot.top() + 14), s.name)
        p.end()
