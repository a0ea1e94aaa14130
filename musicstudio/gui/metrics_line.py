"""The line under the piano roll: how a piece was made and how it sounds against the corpus."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from musicstudio.gui.variation import Take


class MetricsLine(QLabel):
    """The metrics of the take shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.take: Take | None = None

    def show_take(self, take: Take | None) -> None:
        """Say what is known of this take (nothing: an empty line)."""
        self.take = take
        self.setText("" if take is None else metrics_html(take))


def metrics_html(take: Take) -> str:
    """How the take was made, then its figures."""
    piece = take.piece
    per_part = " · ".join(f"{n} {name}" for name, n in piece.notes.notes_per_part().items())
    if take.made:
        first = f"{len(piece.notes)} notes ({per_part}) · {take.made}"
    else:
        first = (
            f"{piece.events} events, {len(piece.notes)} notes ({per_part}),"
            f" composed in {piece.seconds:.2f} s, seed {piece.seed},"
            f" temperature {piece.temperatures[0]:g} / rhythm {piece.temperatures[1]:g}"
        )
    if piece.constraints:
        first += f" · obeys: {piece.constraints}"
    lines = [first]
    if piece.new_from > 0:
        bar = piece.notes.time_signature[0] * 4 / piece.notes.time_signature[1]
        lines.append(f"The primer, then new music from bar {int(piece.new_from // bar) + 1}")
    m = piece.metrics or {}
    if "longest_repeat" in m:
        lines.append(
            f"longest repeated note/chord run {m.get('longest_repeat')} (corpus: {m.get('corpus_longest_repeat')}) · "
            f"in key {m.get('key', '?')}: {m.get('in_key', 0):.0%} · copied 8-event phrases {m.get('copy_rate', 0):.0%} · "
            f"range {m.get('pitch_range')} semitones · polyphony {m.get('polyphony', 0):.1f}"
        )
    if m.get("closeness_words"):
        lines.append(f"Sounds {m['closeness_words']}")
    return "<br>".join(lines)
