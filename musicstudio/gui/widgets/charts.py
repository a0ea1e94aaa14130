"""pyqtgraph plots in the app's look (light, quiet axes, a legend), with a hover read-out.

pyqtgraph draws, zooms, pans and fits; this module only styles it and adds what it lacks: a
read-out that follows the mouse, a line of text while a plot is empty, whole-number ticks and
short log-axis labels ("1k" rather than "10³").
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QSizePolicy

INK = "#2d3748"  # titles and legend text
MUTED = "#5f6b7e"  # tick labels and axis names
FRAME = "#a0a9b8"  # axis lines
BACKGROUND = "#ffffff"
FONT_PT = 8

#: What a hover read-out says at an x in data units: (the x it snapped to, the text), or None.
Describe = Callable[[float], tuple[float, str] | None]


def short_number(v: float) -> str:
    """1500 -> '1.5k': tick labels that stay narrow."""
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:g}{suffix}"
    return f"{v:g}"


class Axis(pg.AxisItem):
    """An axis with whole-number ticks (epochs, ranks) and short labels on a log scale."""

    def __init__(self, orientation: str, integer: bool = False) -> None:
        super().__init__(orientation)
        self.integer = integer

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802
        levels = super().tickValues(minVal, maxVal, size)
        if not self.integer or self.logMode:
            return levels
        whole = [(s, [v for v in vals if float(v).is_integer()]) for s, vals in levels if s >= 1]
        return whole or [(1.0, [float(v) for v in range(math.ceil(minVal), int(maxVal) + 1)])]

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        return [short_number(10.0**v * scale) if float(v).is_integer() else "" for v in values]


class ChartWidget(pg.PlotWidget):
    """A light plot: title, axis names, a legend, and a line of text while empty.

    No grid: pyqtgraph's axis grid costs ~8 ms a repaint (measured offscreen), more than all
    the curves; the hover read-out gives exact values instead."""

    def __init__(
        self,
        title: str,
        x_label: str,
        y_label: str = "",
        log_y: bool = False,
        integer_x: bool = False,
    ) -> None:
        axes = {"bottom": Axis("bottom", integer_x), "left": Axis("left")}
        super().__init__(background=BACKGROUND, axisItems=axes)
        item = self.getPlotItem()
        item.setTitle(title, color=INK, size=f"{FONT_PT + 1}pt", bold=True)
        for name, label in (("bottom", x_label), ("left", y_label)):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(FRAME))
            axis.setTextPen(pg.mkPen(MUTED))
            axis.setStyle(tickFont=self._font(), tickLength=-4)
            if label:
                axis.setLabel(label, color=MUTED, **{"font-size": f"{FONT_PT}pt"})
        if log_y:
            item.getAxis("left").setLogMode(False, True)  # data arrive as log10 already
        item.setMenuEnabled(False)  # pyqtgraph's menu offers log/FFT switches that break charts
        item.hideButtons()  # the "A" button overlaps the axis; double-click fits instead
        item.getViewBox().setDefaultPadding(0.03)
        self.legend = item.addLegend(
            offset=(-8, 8),
            brush=pg.mkBrush(255, 255, 255, 235),
            pen=pg.mkPen("#e2e6ee"),
            labelTextColor=INK,
            labelTextSize=f"{FONT_PT}pt",
        )
        self.empty_label = pg.LabelItem("", color=MUTED, size=f"{FONT_PT + 1}pt")
        self.empty_label.setParentItem(item.getViewBox())
        self.empty_label.anchor(itemPos=(0.5, 0.5), parentPos=(0.5, 0.5))
        self.scene().sigMouseClicked.connect(self._clicked)
        item.titleLabel.setToolTip("Wheel: zoom · drag: pan · double-click: fit")
        self.setMinimumSize(240, 120)  # two fit a laptop-sized Training step
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(480, 260)

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(FONT_PT)
        return font

    def _clicked(self, event: object) -> None:
        if getattr(event, "double", lambda: False)():
            self.fit()

    def fit(self) -> None:
        """Show all the data again (after the user zoomed or panned)."""
        self.getPlotItem().enableAutoRange()

    def set_empty(self, text: str) -> None:
        """What the plot says while it has nothing to show ('' once it has data); the ticks
        hide with it, since the range of an empty plot means nothing."""
        self.empty_label.setText(text, color=MUTED)
        self.empty_label.setVisible(bool(text))
        item = self.getPlotItem()
        for name in ("bottom", "left"):
            item.getAxis(name).setStyle(showValues=not text)
        self.legend.setVisible(not text)


class HoverReadout(QObject):
    """A guide line and a label that follow the mouse over a chart, saying what lies under it."""

    def __init__(self, chart: ChartWidget, describe: Describe) -> None:
        super().__init__(chart)
        self.chart, self.describe = chart, describe
        self.line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#8a94a6", dash=[3, 3]))
        self.label = pg.TextItem(
            color=INK, fill=pg.mkBrush(255, 255, 255, 235), border=pg.mkPen("#cbd2dd")
        )
        self.label.setZValue(20)
        for item in (self.line, self.label):
            chart.addItem(item, ignoreBounds=True)
        self.hide()
        chart.scene().sigMouseMoved.connect(self.show_at)
        chart.viewport().installEventFilter(self)

    def text(self) -> str:
        """The read-out now shown ('' when hidden)."""
        return self.label.toPlainText() if self.label.isVisible() else ""

    def hide(self) -> None:
        """Hide the guide and the label (the mouse left the data)."""
        self.line.hide()
        self.label.hide()

    def show_at(self, scene_pos: QPointF) -> None:
        """Describe the data under a scene point (the mouse), or hide off the data."""
        box = self.chart.getPlotItem().getViewBox()
        if not box.sceneBoundingRect().contains(scene_pos):
            self.hide()
            return
        hit = self.describe(box.mapSceneToView(scene_pos).x())
        if hit is None:
            self.hide()
            return
        x, text = hit
        (x0, x1), (y0, y1) = box.viewRange()
        self.line.setPos(x)
        self.label.setText(text)
        # The label hangs from the top, on the side of the line with more room; where it would
        # meet the legend it moves left of it (its size is in pixels: it ignores the view scale).
        right = x >= (x0 + x1) / 2
        self.label.setAnchor((1, 0) if right else (0, 0))
        size = self.label.textItem.boundingRect().size()
        corner = box.mapViewToScene(QPointF(x, y1))
        area = QRectF(corner.x() - (size.width() if right else 0), corner.y(), *size.toTuple())
        legend = self.chart.legend.sceneBoundingRect()
        at = x
        if self.chart.legend.isVisible() and area.intersects(legend):
            self.label.setAnchor((1, 0))
            at = box.mapSceneToView(QPointF(legend.left() - 6, 0)).x()
        self.label.setPos(at, y1)
        self.line.show()
        self.label.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Leave:
            self.hide()
        return False


def nearest(xs: np.ndarray, x: float) -> int | None:
    """Index of the value in sorted xs closest to x (None when xs is empty)."""
    if not xs.size:
        return None
    i = int(np.searchsorted(xs, x))
    if i in (0, xs.size):
        return min(i, xs.size - 1)
    return i - 1 if x - xs[i - 1] <= xs[i] - x else i
