"""The token-frequency histogram of the original method, with the rare-token threshold marked."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from musicstudio.gui.widgets.plot import LinePlot, Series


class TokenHistogram(QWidget):
    """Counts of every distinct note/chord, most frequent first, on a log scale."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot = LinePlot(
            "How often each note / chord occurs",
            "notes and chords, most frequent first",
            log_y=True,
        )
        self.kept = self.plot.add_series(Series("kept", "#2b6cb0", fill=True))
        self.rare = self.plot.add_series(Series("split", "#dd6b20", fill=True))
        layout.addWidget(self.plot, 1)
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.counts = np.zeros(0, np.int64)
        self.threshold = 1

    def set_counts(self, counts: np.ndarray) -> None:
        self.counts = np.asarray(counts, np.int64)
        self._redraw()

    def set_threshold(self, n: int) -> None:
        self.threshold = max(1, int(n))
        self._redraw()

    def kept_count(self) -> int:
        """Tokens at or above the threshold (kept whole)."""
        return int((self.counts >= self.threshold).sum())

    def _redraw(self) -> None:
        c = self.counts.astype(float)
        x = np.arange(1, c.size + 1, dtype=float)
        kept = self.counts >= self.threshold
        self.plot.set_data(self.kept, x[kept], c[kept])
        # The rare part starts where the kept part ends, so the two areas join.
        start = max(0, int(kept.sum()) - 1)
        self.plot.set_data(self.rare, x[start:], c[start:])
        self.plot.set_hline(float(self.threshold))
        rare = int((~kept).sum())
        self.caption.setText(
            f"{self.kept_count():,} kept whole at threshold {self.threshold} · "
            f"{rare:,} rarer ones are split into frequent sub-chords (their notes stay)"
        )
