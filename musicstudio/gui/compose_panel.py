"""Compose panel: pick a model, settings and constraints, compose variations, see, hear and export
them; select bars and regenerate them (undoably); re-open earlier pieces from the History."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from musicstudio.core.app.catalog import ComposeJob, PrepareJob
from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.compose.composer import ComposeSettings, Composition
from musicstudio.core.compose.library import keep, write_piece
from musicstudio.core.compose.regenerate import Regeneration
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.music.corpus import CorpusSource
from musicstudio.core.music.midi import MidiError
from musicstudio.core.music.parts import PARTS
from musicstudio.gui.compose_column import ComposeColumn
from musicstudio.gui.file_export import MUSICXML, FileExport
from musicstudio.gui.history import History, compositions_folder, kept_take
from musicstudio.gui.jobs import JobHandle
from musicstudio.gui.metrics_line import MetricsLine
from musicstudio.gui.player import QtMidiPlayer
from musicstudio.gui.regenerate_box import bars_words
from musicstudio.gui.session import Session
from musicstudio.gui.step_column import ActionBar, StepColumn, scrolled
from musicstudio.gui.takes import Takes
from musicstudio.gui.transport import RollTransport
from musicstudio.gui.variation import Take, Variation
from musicstudio.gui.widgets.piano_roll import PianoRoll


class ComposePanel(QWidget):
    """Step 3: compose, listen, shape."""

    state_changed = Signal(str)

    def __init__(
        self, session: Session, player: QtMidiPlayer, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.player = player
        self.job: JobHandle | None = None
        self.open_variations: list[Variation] = []
        self.composed = 0
        self._made_with: ComposeSettings | None = None  # the settings of the Compose running
        self._made_by = ""  # and its model
        self.transport = RollTransport(player, self)
        self.xml_export = FileExport(session, self.current_piece, MUSICXML, self)  # seconds
        self._build()
        session.models_changed.connect(self._update_shaping)
        session.model_selected.connect(self._update_shaping)
        session.model_selected.connect(self.prepare)
        self.transport.status.connect(self.play_status.setText)
        self.transport.failed.connect(self.session.message)
        self.history.reopen.connect(self.open_kept)
        self.history.message.connect(self.session.message)

    def _build(self) -> None:
        root = QHBoxLayout(self)
        split = QSplitter()
        root.addWidget(split)
        self.column = f = ComposeColumn(self.session)
        # The form's editors, reached through the panel (by the main window, tests and scripts).
        self.model, self.instruments, self.constraints = f.model, f.instruments, f.constraints
        self.length, self.bars, self.variations = f.length, f.bars, f.variations
        self.form, self.minutes = f.form, f.minutes
        self.temperature, self.rhythm, self.seed = f.temperature, f.rhythm, f.seed
        self.top_k, self.top_p, self.include_primer = f.top_k, f.top_p, f.include_primer
        self.regenerate_box = f.regenerate_box
        self.scroll_area = scrolled(f)  # many parts make the form taller than a window
        self.side = QTabWidget()
        self.side.addTab(self.scroll_area, "Settings")
        self.history = History(self.session.settings)
        self.side.addTab(self.history, "History")
        self.compose_button = QPushButton("Compose")
        self.compose_button.setToolTip("Compose new pieces with the model")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.action_bar = ActionBar(self.compose_button, (self.cancel_button,), (self.progress,))
        split.addWidget(StepColumn(self.side, self.action_bar))

        right = QWidget()
        rv = QVBoxLayout(right)
        transport = QHBoxLayout()
        self.play_button = QPushButton("▶ Play")
        self.stop_button = QPushButton("■ Stop")
        self.export_midi = QPushButton("Export MIDI…")
        self.export_xml = QPushButton("Export MusicXML…")
        for b in (self.play_button, self.stop_button, self.export_midi, self.export_xml):
            b.setEnabled(False)
            transport.addWidget(b)
        transport.addStretch(1)
        self.play_status = QLabel("")
        transport.addWidget(self.play_status)
        rv.addLayout(transport)
        self.takes = Takes()
        self.addActions(self.takes.edit_actions())  # their keys work on this step without a menu
        rv.addWidget(self.takes)
        self.tabs = QTabWidget()
        placeholder = QLabel(
            "Compositions appear here as a piano roll.\nDrag one out of the window to save it"
            " as a .mid file; drag across its bar numbers to select bars to regenerate."
        )
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setWordWrap(True)  # its one line must not set the window's least width
        self.tabs.addTab(placeholder, "—")
        rv.addWidget(self.tabs, 1)
        self.metrics = MetricsLine(self.session)
        rv.addWidget(self.metrics)
        split.addWidget(right)
        split.setSizes([340, 700])

        self.compose_button.clicked.connect(self.compose)
        self.cancel_button.clicked.connect(self.cancel)
        self.play_button.clicked.connect(self.play)
        self.stop_button.clicked.connect(self.stop)
        self.export_midi.clicked.connect(lambda: self.export("midi"))
        self.export_xml.clicked.connect(lambda: self.export("musicxml"))
        self.takes.regenerate_asked.connect(self.regenerate)
        self.tabs.currentChanged.connect(self._on_variation_shown)

    def prepare(self, path: Path) -> None:
        """Load and compile the model in the engine in the background (first Compose is then fast)."""
        if path.is_file() and not self.session.engine.busy_in(tensorflow=False):
            self.session.engine.submit(PrepareJob(str(path)), background=True)

    # -- composing -----------------------------------------------------------------------
    def sampling(self) -> SamplingSettings:
        return self.column.sampling()

    def settings(self) -> ComposeSettings:
        """The Compose settings as set (raises a MusicStudioError for a value that is not one)."""
        return self.column.settings()

    def _ready(self) -> str | None:
        """The model to use, or None after telling the user why nothing can start."""
        path = self.model.currentData()
        if not path:
            self.session.message.emit("Train a model (step 2) or open one first.")
            return None
        if self.session.engine.busy_in(tensorflow=False):  # training may run meanwhile
            self.session.message.emit("A composition is being made; wait or stop it first.")
            return None
        return str(path)

    def compose(self) -> None:
        path = self._ready()
        if path is None:
            return
        try:
            settings = self.settings()
        except (MusicStudioError, ValueError) as e:
            self.session.message.emit(str(e))
            return
        self._made_with, self._made_by = settings, path
        self.metrics.cancel()  # the pieces it would measure are about to go
        # Shown first, measured after (MetricsLine): measuring against a folder not read yet
        # takes seconds the piano roll need not wait for.
        job = ComposeJob(path, settings, self._measure_against(), measure=False)
        self._start(job, self._on_result, "composing…")

    def _measure_against(self) -> CorpusSource | None:
        """The corpus pieces should sound like: the one open, else the primers in the model."""
        corpus = self.session.corpus
        return corpus.source if corpus is not None else None

    def _start(self, job: Any, on_result: Any, state: str) -> None:
        self.job = self.session.engine.submit(job).on(
            self._on_progress, on_result, self._on_error, self._on_cancelled
        )
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.compose_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._update_shaping()
        self.state_changed.emit(state)

    def cancel(self) -> None:
        """Stop this Compose or Regenerate (a model preparation running before it goes on)."""
        if self.job is not None:
            self.job.cancel()

    def _done(self) -> None:
        self.job = None
        self.progress.setVisible(False)
        self.compose_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self._update_shaping()

    def _on_progress(self, fraction: float, info: Any) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(fraction * 1000))

    def _on_error(self, message: str) -> None:
        self._done()
        self.state_changed.emit(self._composed_text())
        self.session.message.emit(message)

    def _on_cancelled(self) -> None:
        self._done()
        self.state_changed.emit(self._composed_text())

    def _keep(self, piece: Composition, settings: Any, model: str = "") -> Path | None:
        """Keep a piece in the user's data folder under a new name (nothing is overwritten)."""
        model = model or Path(str(self.model.currentData() or "model")).stem
        try:
            return keep(compositions_folder(), piece, settings, model)
        except OSError as e:
            self.session.message.emit(f"Could not keep the composition: {e.strerror or e}")
            return None

    def _on_result(self, pieces: Any) -> None:
        settings = self._made_with or self.settings()
        self._made_with = None
        self._done()
        self.stop()
        self._clear_variations()
        for i, piece in enumerate(pieces):
            self.composed += 1
            path = self._keep(piece, settings) or compositions_folder() / "unsaved.mid"
            self._add_variation(Take(piece, path), f"Variation {i + 1}")
        takes = [v.take for v in self.open_variations]
        self.metrics.measure(self._made_by, takes, self._measure_against())
        self.tabs.setCurrentIndex(0)
        self._on_variation_shown()
        self.history.refresh()
        self.session.set_compositions(self.pieces)
        self.state_changed.emit(self._composed_text())

    # -- variations ----------------------------------------------------------------------
    @property
    def pieces(self) -> list[Composition]:
        """The piece each variation shows now."""
        return [v.take.piece for v in self.open_variations]

    @property
    def files(self) -> list[Path]:
        """The file each variation's piece is kept in."""
        return [v.take.path for v in self.open_variations]

    def current_variation(self) -> Variation | None:
        roll = self.tabs.currentWidget()
        return next((v for v in self.open_variations if v.roll is roll), None)

    def _clear_variations(self) -> None:
        for v in self.open_variations:
            self.takes.remove(v)
            v.roll.deleteLater()
            v.deleteLater()
        self.open_variations = []
        self.tabs.clear()

    def _add_variation(self, take: Take, title: str) -> Variation:
        if not self.open_variations:
            self.tabs.clear()  # the placeholder
        roll = PianoRoll()
        variation = Variation(take, roll, self)
        self.takes.add(variation)
        roll.audible_changed.connect(self.transport.on_audible_changed)
        roll.selection_changed.connect(self._update_shaping)
        variation.changed.connect(lambda v=variation: self._on_take_changed(v))
        self.open_variations.append(variation)
        self.tabs.addTab(roll, title)
        for b in (self.play_button, self.stop_button, self.export_midi, self.export_xml):
            b.setEnabled(True)
        return variation

    def _on_variation_shown(self, _index: int = -1) -> None:
        v = self.current_variation()
        self.takes.show_variation(v)
        parts = v.roll.parts() if v is not None else []
        self.regenerate_box.set_parts([PARTS[p] for p in parts])
        self._update_shaping()
        self._show_metrics()

    def _on_take_changed(self, variation: Variation) -> None:
        if self.transport.active:
            self.stop()  # the music playing is not the piece shown any more
        if variation is self.current_variation():
            self._show_metrics()
            self._update_shaping()

    def _update_shaping(self) -> None:
        """Regenerate is possible with bars selected, a model, and no job running."""
        can_run = bool(self.model.currentData()) and self.job is None
        self.takes.show_selection(self.current_variation(), can_run)

    def _show_metrics(self) -> None:
        v = self.current_variation()
        self.metrics.show_take(v.take if v is not None else None)

    def _composed_text(self) -> str:
        return f"{self.composed} composition{'' if self.composed == 1 else 's'}"

    # -- regenerating --------------------------------------------------------------------
    def regenerate(self) -> None:
        """Compose the selected bars of the current variation again (in the engine)."""
        v = self.current_variation()
        bars = v.roll.selected_bars() if v is not None else None
        if v is None or bars is None:
            self.session.message.emit(
                "Select bars first: drag across the bar numbers above the piano roll."
            )
            return
        path = self._ready()
        if path is None:
            return
        try:
            settings = self.regenerate_box.settings(
                bars, self.sampling(), self.constraints.constraints()
            )
        except (MusicStudioError, ValueError) as e:
            self.session.message.emit(str(e))
            return
        linked = self.regenerate_box.linked.isChecked()
        job = self.takes.job(v, path, settings, self._measure_against(), linked)
        self._start(job, self._on_regenerated, f"regenerating {bars_words(*bars)}…")

    def _on_regenerated(self, result: Regeneration) -> None:
        self._done()
        if self.takes.apply(result, self._keep):
            self.history.refresh()
            self.state_changed.emit(self._composed_text())

    # -- history -------------------------------------------------------------------------
    def open_kept(self, path: Path) -> None:
        """Show a kept piece as a new variation (to play it, regenerate bars, export it)."""
        try:
            take = kept_take(path)
        except MidiError as e:
            self.session.message.emit(f"Cannot open {path.name}: {e}")
            return
        self._add_variation(take, path.stem)
        self.tabs.setCurrentIndex(self.tabs.count() - 1)
        self._on_variation_shown()

    # -- playback and export -------------------------------------------------------------
    def current_piece(self) -> tuple[Composition, Path] | None:
        v = self.current_variation()
        return (v.take.piece, v.take.path) if v is not None else None

    def play(self) -> None:
        """Play the current variation from the start (the parts its legend lets sound)."""
        v = self.current_variation()
        if v is not None:
            self.transport.play(v.roll, v.take.piece.notes, v.take.path)

    def toggle_play(self) -> None:
        if self.transport.active:
            self.stop()
        else:
            self.play()

    def stop(self) -> None:
        self.transport.stop()

    def export(self, kind: str) -> None:
        """Export the variation shown to a file the user picks ("midi" or "musicxml")."""
        if kind == "musicxml":
            return self.xml_export.ask(self)  # in the engine: music21 takes seconds
        if self.current_piece() is None:
            return
        folder = Path(str(self.session.settings.value("export_dir", str(Path.home()))))
        dest, _ = QFileDialog.getSaveFileName(
            self, "Export", str(folder / "composition.mid"), "MIDI (*.mid)"
        )
        if dest:
            self.export_to(dest, kind)

    def export_to(self, dest: str, kind: str) -> Path | None:
        cur = self.current_piece()
        if cur is None:
            return None
        try:
            out = write_piece(dest, cur[0], kind)
        except OSError as e:
            self.session.message.emit(f"Could not export to {dest}: {e.strerror or e}")
            return None
        self.session.settings.setValue("export_dir", str(Path(dest).parent))
        return out
