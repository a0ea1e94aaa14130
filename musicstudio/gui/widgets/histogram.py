"""The original method's token-frequency plot, with the rare-token threshold and what it keeps."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from musicstudio.gui.widgets.charts import ChartWidget, HoverReadout

KEPT_COLOR, SPLIT_COLOR = "#2b6cb0", "#dd6b20"
THRESHOLD_COLOR, BOUNDARY_COLOR = "#c53030", "#4a5568"
BAR_ALPHA = 170  # how much of the colour a bar shows over the white background
#: Bars start here on the log axis (counts are ≥ 1), so a token seen once still shows a bar.
LOG_FLOOR = math.log10(0.5)
GAPS_UP_TO = 150  # bars: beyond this many, gaps between them would only make stripes


def bar_fill(color: str) -> tuple[int, int, int]:
    """A bar's colour, softened towards white; opaque, since thousands of translucent bars
    paint several times slower."""
    r, g, b, _ = pg.mkColor(color).getRgb()
    share = BAR_ALPHA / 255
    return (
        round(r * share + 255 * (1 - share)),
        round(g * share + 255 * (1 - share)),
        round(b * share + 255 * (1 - share)),
    )


def _bars(color: str) -> pg.BarGraphItem:
    return pg.BarGraphItem(
        x=[], height=[], width=0.85, y0=LOG_FLOOR, brush=bar_fill(color), pen=None
    )


def _line(angle: int, color: str, label_at: float) -> pg.InfiniteLine:
    return pg.InfiniteLine(
        angle=angle,
        movable=False,
        pen=pg.mkPen(color, width=1.4, dash=[5, 3]),
        label="",
        labelOpts={
            "position": label_at,
            "color": color,
            "fill": pg.mkBrush(255, 255, 255, 225),
            # pyqtgraph picks the first or second anchor by the side of the line the view's
            # centre is on, so a label near an edge turns inwards.
            "anchors": [(1, 0), (1, 1)] if angle == 0 else [(0, 0), (1, 0)],
        },
    )


class TokenHistogram(QWidget):
    """Counts of every distinct note/chord, most frequent first, on a log scale."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = ChartWidget(
            "How often each note / chord occurs",
            "notes and chords, most frequent first (rank)",
            "times seen",
            log_y=True,
            integer_x=True,
        )
        self.kept_bars = _bars(KEPT_COLOR)
        self.split_bars = _bars(SPLIT_COLOR)
        for bars, name in (
            (self.kept_bars, "kept whole"),
            (self.split_bars, "rare: split into kept sub-chords"),
        ):
            self.plot.addItem(bars)
            self.plot.legend.addItem(bars, name)
        # y is log10(count): the threshold line counts for the fit, so it is never out of view.
        self.threshold_line = _line(0, THRESHOLD_COLOR, 0.97)
        self.boundary_line = _line(90, BOUNDARY_COLOR, 0.7)  # below the legend
        self.plot.addItem(self.threshold_line)
        self.plot.addItem(self.boundary_line, ignoreBounds=True)
        self.hover = HoverReadout(self.plot, self._describe)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: #4a5568;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)
        self._counts = np.zeros(0, np.int64)
        self._threshold = 1
        self._redraw()

    def set_counts(self, counts: np.ndarray) -> None:
        """Token counts, most frequent first (Vocabulary.histogram())."""
        self._counts = np.sort(np.asarray(counts, np.int64))[::-1]
        self._redraw()
        self.plot.fit()

    def set_threshold(self, n: int) -> None:
        """Tokens seen fewer than n times are the rare ones."""
        self._threshold = max(1, int(n))
        self._redraw()

    def threshold(self) -> int:
        """The count a token needs to be kept whole."""
        return self._threshold

    def kept_count(self) -> int:
        """Tokens seen at least `threshold` times (kept whole)."""
        return int((self._counts >= self._threshold).sum())

    def split_count(self) -> int:
        """Tokens rarer than the threshold (split, their notes kept)."""
        return int(self._counts.size - self.kept_count())

    def bar_counts(self, bars: pg.BarGraphItem) -> tuple[np.ndarray, np.ndarray]:
        """Ranks and counts one bar item draws (read back from its log-scale bars)."""
        x = np.asarray(bars.opts["x"], float)
        top = LOG_FLOOR + np.asarray(bars.opts["height"], float)
        return x, np.round(10.0**top)

    def _redraw(self) -> None:
        counts = self._counts
        n, kept = int(counts.size), self.kept_count()  # sorted: the kept ones are a prefix
        rank = np.arange(1, n + 1, dtype=float)
        height = np.log10(np.maximum(counts, 1)) - LOG_FLOOR
        width = 0.85 if n <= GAPS_UP_TO else 1.0
        self.kept_bars.setOpts(x=rank[:kept], height=height[:kept], width=width)
        self.split_bars.setOpts(x=rank[kept:], height=height[kept:], width=width)
        # Shown first: a hidden line's label does not take new text.
        self.threshold_line.setVisible(bool(n))
        self.boundary_line.setVisible(0 < kept < n)
        self.threshold_line.setPos(math.log10(self._threshold))
        self.threshold_line.label.setFormat(f"threshold {self._threshold:,}")
        self.boundary_line.setPos(kept + 0.5)
        self.boundary_line.label.setFormat(f"{kept:,} kept  |  {n - kept:,} split")
        self.plot.set_empty("" if n else "Open a MIDI folder to count its notes and chords")
        self.caption.setText(self._caption(kept))

    def _describe(self, x: float) -> tuple[float, str] | None:
        rank = round(x)
        if not 1 <= rank <= self._counts.size:
            return None
        count = int(self._counts[rank - 1])
        fate = "kept whole" if count >= self._threshold else "rare: split into kept sub-chords"
        return float(rank), f"#{rank:,} · seen {count:,} times · {fate}"

    def _caption(self, kept: int) -> str:
        n = int(self._counts.size)
        if not n:
            return ""
        events = int(self._counts.sum())
        share = float(self._counts[:kept].sum()) / events if events else 1.0
        head = (
            f"{kept:,} of {n:,} notes/chords occur at least {self._threshold} times and are kept "
            f"whole ({share:.0%} of events)."
        )
        if kept == n:
            return f"{head} None is rare enough to be split."
        return (
            f"{head} The {n - kept:,} rarer chords are split into kept sub-chords at the same "
            "onset (single notes always stay), so no note is lost."
        )
