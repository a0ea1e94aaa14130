"""The line under the piano roll: how a piece was made and how it sounds against the corpus.

A composed piece is shown at once and measured after (MeasureJob, in the composer process):
measuring against a folder first reads and profiles it, seconds the piano roll need not wait.
The line says it is measuring, and fills in when the figures come.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from musicstudio.core.app.catalog import MeasureJob
from musicstudio.core.compose.library import note_metrics
from musicstudio.core.music.corpus import CorpusSource
from musicstudio.core.music.measures import Measures
from musicstudio.gui.jobs import JobHandle
from musicstudio.gui.session import Session
from musicstudio.gui.variation import Take


class MetricsLine(QLabel):
    """The metrics of the take shown; asks the engine to measure takes composed unmeasured."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.session = session
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.take: Take | None = None
        self._waiting: list[Take] = []  # composed, their figures not here yet
        self._against = ""
        self._job: JobHandle | None = None

    def show_take(self, take: Take | None) -> None:
        """Say what is known of this take (nothing: an empty line)."""
        self.take = take
        waiting = take is not None and any(t is take for t in self._waiting)
        self.setText("" if take is None else metrics_html(take, self._against if waiting else ""))

    def measure(self, bundle: str, takes: list[Take], against: CorpusSource | None) -> None:
        """Measure these takes in the engine; the line fills in when the figures come. A
        measurement still queued for earlier takes is called off."""
        self.cancel()
        self._waiting = list(takes)
        self._against = words(against)
        job = MeasureJob(
            bundle, tuple((t.piece.tokens, t.piece.notes, t.piece.key) for t in takes), against
        )
        handle = self._job = self.session.engine.submit(job, background=True)
        handle.result.connect(lambda measured: self._on_measured(handle, measured))
        handle.error.connect(lambda message: self._on_failed(handle, message))

    @property
    def measuring(self) -> bool:
        """Figures are awaited for some takes."""
        return bool(self._waiting)

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
        self._forget()

    def _forget(self) -> None:
        self._job, self._waiting = None, []
        self.show_take(self.take)

    def _on_measured(self, handle: JobHandle, measured: list[Measures]) -> None:
        if handle is not self._job:
            return  # called off: its takes are no longer the ones shown
        for take, metrics in zip(self._waiting, measured, strict=True):
            take.piece.metrics = take.piece.metrics.merged(metrics)  # the copies words stay
            try:
                note_metrics(take.path, metrics)  # beside the kept piece, as the CLI's
            except (OSError, ValueError):
                pass  # an unsaved piece, or a settings file removed meanwhile: nothing to add to
        self._forget()

    def _on_failed(self, handle: JobHandle, message: str) -> None:
        if handle is not self._job:
            return
        self._forget()
        self.session.message.emit(f"Could not measure the composition: {message}")


def words(source: CorpusSource | None) -> str:
    """What pieces are measured against, in words: 'band', or the model's own primers."""
    if source is None:
        return "the passages the model keeps"
    paths = source.paths
    return Path(paths[0]).name if len(paths) == 1 else f"{len(paths)} folders and files"


def metrics_html(take: Take, measuring_against: str = "") -> str:
    """How the take was made, then its figures (or that they are being measured)."""
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
    m = piece.metrics
    if measuring_against:
        lines.append(f"Measuring how it sounds against {measuring_against}…")
    if m.longest_repeat is not None:
        lines.append(
            f"longest repeated note/chord run {m.longest_repeat} (corpus: {m.corpus_longest_repeat}) · "
            f"in key {m.key or '?'}: {m.in_key or 0:.0%} · copied 8-event phrases {m.copy_rate or 0:.0%} · "
            f"range {m.pitch_range} semitones · polyphony {m.polyphony or 0:.1f}"
        )
    if m.closeness_words:
        lines.append(f"Sounds {m.closeness_words}")
    if piece.form or m.form_words:
        num, den = piece.notes.time_signature
        form = f"Form {piece.form} in {num}/{den}" if piece.form else "Form"
        lines.append(form + (f" · {m.form_words}" if m.form_words else ""))
    if m.copies_words:
        lines.append(f"{m.copies_words[0].upper()}{m.copies_words[1:]}")
    return "<br>".join(lines)
