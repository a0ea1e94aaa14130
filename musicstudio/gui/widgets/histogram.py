"""The original method's token-frequency plot, with the rare-token threshold and what it keeps."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from musicstudio.gui.widgets.plot import Marker, Plot, Series

KEPT_COLOR, SPLIT_COLOR, THRESHOLD_COLOR = "#2b6cb0", "#dd6b20", "#c53030"


class TokenHistogram(QWidget):
    """Counts of every distinct note/chord, most frequent first, on a log scale."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = Plot(
            "How often each note / chord occurs",
            "notes and chords, most frequent first (rank)",
            "times seen",
            log_y=True,
            integer_x=True,
        )
        self.plot.set_empty_text("Open a MIDI folder to count its notes and chords")
        self.kept_bars = self.plot.add_series(Series("kept whole", KEPT_COLOR, style="bars"))
        self.split_bars = self.plot.add_series(
            Series("rare: split into kept sub-chords", SPLIT_COLOR, style="bars")
        )
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: #4a5568;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)
        self._counts = np.zeros(0, np.int64)
        self._threshold = 1

    def set_counts(self, counts: np.ndarray) -> None:
        """Token counts, most frequent first (Vocabulary.histogram())."""
        self._counts = np.sort(np.asarray(counts, np.int64))[::-1]
        self._redraw()

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

    def _redraw(self) -> None:
        counts = self._counts.astype(float)
        rank = np.arange(1, counts.size + 1, dtype=float)
        kept = self.kept_count()  # counts are sorted, so the kept ones are a prefix
        self.plot.set_data(self.kept_bars, rank[:kept], counts[:kept])
        self.plot.set_data(self.split_bars, rank[kept:], counts[kept:])
        markers = []
        if counts.size:
            markers.append(
                Marker("h", self._threshold, f"threshold {self._threshold}", THRESHOLD_COLOR)
            )
            if 0 < kept < counts.size:
                label = f"{kept:,} kept  |  {counts.size - kept:,} split"
                markers.append(Marker("v", kept + 0.5, label, "#4a5568"))
        self.plot.set_markers(markers)
        self.caption.setText(self._caption(kept))

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
