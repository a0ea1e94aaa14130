"""Dataset panel: drop a folder, watch the scan, read the summary, set the rare-token threshold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from musicstudio.core.constants import DEFAULT_THRESHOLD
from musicstudio.core.corpus import Corpus, ScanOptions
from musicstudio.core.events import Recall
from musicstudio.core.learned import as_learned
from musicstudio.core.midi import MidiError, read_midi
from musicstudio.core.parts import DRUMS, PART_LABELS, PARTS
from musicstudio.core.resources import sample_corpus_dir
from musicstudio.gui.corpus_view import (
    REASON_COLUMN,
    FileTable,
    ProblemFilter,
    summary_html,
)
from musicstudio.gui.jobs import ScanThread
from musicstudio.gui.session import Session

#: The parts filter: label and ScanOptions.parts (None: every part, drums too).
PART_CHOICES: list[tuple[str, tuple[int, ...] | None]] = [
    ("All parts (with drums)", None),
    ("All but drums", tuple(p for p in range(len(PARTS)) if p != DRUMS)),
    *((f"{label} only", (i,)) for i, label in enumerate(PART_LABELS)),
]


class DatasetPanel(QWidget):
    """Step 1: the MIDI files to learn from."""

    state_changed = Signal(str)

    def __init__(self, session: Session, player: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.player = player
        self._playing: str | None = None  # the file this panel plays as learned
        self._starting = False  # this panel is starting the player (not another panel)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(100)
        self.poll_timer.timeout.connect(self._poll)
        if hasattr(player, "started"):
            player.started.connect(self._on_player_started)
        self.scan_thread: ScanThread | None = None
        self.paths: list[str] = []
        self._build()
        from musicstudio.gui.persist import remember

        remember(
            session.settings,
            "dataset",
            {
                "parts": self.parts,
                "transpose": self.transpose,
                "normalize": self.normalize,
            },
        )

    # -- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        from musicstudio.gui.widgets.histogram import TokenHistogram

        root = QVBoxLayout(self)
        self.drop_hint = QLabel(
            "Drop a folder of MIDI files anywhere on this window\n"
            "or open one — or start with the Bach chorales that come with MusicStudio."
        )
        self.drop_hint.setObjectName("dropTarget")
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setMinimumHeight(90)
        self.drop_hint.setStyleSheet(
            "#dropTarget { border: 2px dashed #8a94a6; border-radius: 10px;"
            " color: #4a5568; font-size: 15px; padding: 12px; }"
        )
        root.addWidget(self.drop_hint)

        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open folder…")
        self.open_button.clicked.connect(self.choose_folder)
        self.sample_button = QPushButton("Use sample corpus")
        self.sample_button.setToolTip(
            "Bach chorales from music21's corpus, shipped with MusicStudio"
        )
        self.sample_button.clicked.connect(self.use_sample)
        self.sample_button.setEnabled(sample_corpus_dir() is not None)
        self.folder_label = QLabel("")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.sample_button)
        buttons.addWidget(self.folder_label, 1)
        root.addLayout(buttons)

        options = QGroupBox("What to learn")
        form = QHBoxLayout(options)
        self.parts = QComboBox()
        for label, parts in PART_CHOICES:
            self.parts.addItem(label, parts)
        self.parts.setToolTip(
            "Which parts of the band to learn. A track's part comes from its General MIDI"
            " instrument (channel 10 is drums)"
        )
        self.transpose = QSpinBox()
        self.transpose.setRange(0, 6)
        self.transpose.setPrefix("± ")
        self.transpose.setSuffix(" semitones")
        self.transpose.setToolTip("Augmentation: also learn every piece transposed up and down")
        self.normalize = QCheckBox("Move every piece to C major / A minor")
        self.threshold = QSpinBox()
        self.threshold.setRange(1, 100000)
        self.threshold.setValue(int(self.session.settings.value("threshold", DEFAULT_THRESHOLD)))
        self.threshold.setToolTip(
            "Chords seen fewer times than this are split into frequent sub-chords"
        )
        for label, w in (("Parts", self.parts), ("Transpose", self.transpose)):
            form.addWidget(QLabel(label))
            form.addWidget(w)
        form.addWidget(self.normalize)
        form.addStretch(1)
        form.addWidget(QLabel("Rare-token threshold"))
        form.addWidget(self.threshold)
        root.addWidget(options)
        for w in (self.parts, self.transpose):
            w.currentIndexChanged.connect(self.rescan) if isinstance(
                w, QComboBox
            ) else w.valueChanged.connect(self.rescan)
        self.normalize.toggled.connect(self.rescan)
        self.threshold.valueChanged.connect(self.apply_threshold)

        bar = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m files")
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.cancel_button)
        root.addLayout(bar)

        split = QSplitter()
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.problems_only = QCheckBox("Show problem files only")
        self.play_button = QPushButton("▶ Play as learned")
        self.play_button.setToolTip(
            "Hear the selected file as the model learns it: every part through the events and"
            " the vocabulary, on the file's own instruments"
        )
        self.play_button.setEnabled(False)
        self.play_button.clicked.connect(self.toggle_play_as_learned)
        self.play_status = QLabel("")
        self.play_status.setStyleSheet("color: #4a5568;")
        row.addWidget(self.problems_only)
        row.addStretch(1)
        row.addWidget(self.play_button)
        lv.addLayout(row)
        self.table_model = FileTable()
        self.proxy = ProblemFilter()
        self.proxy.setSourceModel(self.table_model)
        self.problems_only.toggled.connect(self.proxy.set_problems_only)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.proxy.setDynamicSortFilter(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in range(1, REASON_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(REASON_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table_model.modelReset.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _i: self.play_as_learned())
        lv.addWidget(self.table)
        lv.addWidget(self.play_status)
        split.addWidget(left)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("No files yet.")
        self.summary.setWordWrap(True)
        self.summary.setToolTip(
            "Note recall: the share of notes that come back from the events the model learns"
            " with the same onset, pitch, part and duration (velocity within one step).\n"
            "Onset and pitch only: the looser measure used before parts."
        )
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        rv.addWidget(self.summary)
        self.histogram = TokenHistogram()
        rv.addWidget(self.histogram, 1)
        split.addWidget(right)
        split.setSizes([520, 480])
        root.addWidget(split, 1)

    # -- actions -------------------------------------------------------------------------
    def options(self) -> ScanOptions:
        return ScanOptions(
            parts=self.parts.currentData(),
            threshold=self.threshold.value(),
            transpose=self.transpose.value(),
            normalize_key=self.normalize.isChecked(),
        )

    def choose_folder(self) -> None:
        start = (self.session.recent("recent_folders") or [str(Path.home())])[0]
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of MIDI files", start)
        if folder:
            self.load([folder])

    def use_sample(self) -> None:
        d = sample_corpus_dir()
        if d is not None:
            self.load([str(d)])

    def load(self, paths: list[str]) -> None:
        """Scan folders or files (from a drop, the dialog or the recent list)."""
        self.paths = list(paths)
        if len(paths) == 1 and Path(paths[0]).is_dir():
            self.session.remember("recent_folders", str(Path(paths[0]).resolve()))
            self.session.settings.setValue("last_folder", str(Path(paths[0]).resolve()))
        self.folder_label.setText(", ".join(str(p) for p in paths)[:200])
        self.rescan()

    def rescan(self) -> None:
        if not self.paths:
            return
        if self.scan_thread is not None:
            self.scan_thread.cancel()
            self.scan_thread.wait(5000)
        self.table_model.clear()
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.summary.setText("Scanning…")
        self.state_changed.emit("scanning…")
        t = ScanThread(self.paths, self.options(), self)
        t.files.connect(self.table_model.append)
        t.progress.connect(self._on_progress)
        t.done.connect(self._on_done)
        t.failed.connect(self._on_failed)
        t.cancelled.connect(self._on_cancelled)
        self.scan_thread = t
        t.start()

    def cancel(self) -> None:
        if self.scan_thread is not None:
            self.scan_thread.cancel()

    def _finish(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.scan_thread = None

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _on_failed(self, message: str) -> None:
        self._finish()
        self.summary.setText(f"<b>Could not scan:</b> {message}")
        self.state_changed.emit("no files")
        self.session.message.emit(message)

    def _on_cancelled(self) -> None:
        self._finish()
        self.summary.setText("Scan cancelled.")
        self.state_changed.emit("cancelled")

    def _on_done(self, corpus: Corpus) -> None:
        self._finish()
        header = self.table.horizontalHeader()
        self.table_model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.drop_hint.setVisible(False)
        self.session.set_corpus(corpus)
        self._show(corpus)

    def apply_threshold(self, value: int) -> None:
        self.session.settings.setValue("threshold", value)
        if self.session.corpus is None:
            return
        corpus = self.session.corpus.with_threshold(value)
        self.session.set_corpus(corpus)
        self._show(corpus)

    def _show(self, corpus: Corpus) -> None:
        s = corpus.stats
        self.summary.setText(summary_html(s))
        self.histogram.set_counts(corpus.vocab.histogram())
        self.histogram.set_threshold(corpus.vocab.threshold)
        self.state_changed.emit(f"{s['ok']:,} files")

    # -- play as learned -------------------------------------------------------------------
    def selected_path(self) -> str | None:
        """The file selected in the table."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.table_model.rows[self.proxy.mapToSource(rows[0]).row()].path

    def _on_selection(self) -> None:
        self.play_button.setEnabled(self.player is not None and self.selected_path() is not None)

    def context_menu(self) -> QMenu:
        """The table's right-click menu for the selected file."""
        menu = QMenu(self)
        playing = self._playing is not None
        action = menu.addAction("Stop" if playing else "Play as learned")
        action.setEnabled(playing or self.play_button.isEnabled())
        action.triggered.connect(self.toggle_play_as_learned)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        self.context_menu().exec(self.table.viewport().mapToGlobal(pos))

    def toggle_play_as_learned(self) -> None:
        if self._playing is not None:
            self.stop_playing()
        else:
            self.play_as_learned()

    def play_as_learned(self, path: str | None = None) -> Recall | None:
        """Play a file (default: the selected one) as the model learns it, with the corpus's
        parts and vocabulary; the status line says how many notes come back."""
        path = path or self.selected_path()
        if path is None or self.player is None:
            return None
        corpus, name = self.session.corpus, Path(path).name
        parts = corpus.options.parts if corpus is not None else self.parts.currentData()
        try:
            notes = read_midi(path, parts)
        except MidiError as e:
            self.session.message.emit(f"Cannot play {name}: {e}")
            return None
        if not len(notes):
            self.session.message.emit(f"{name} has no notes in the chosen parts")
            return None
        vocab = corpus.vocab if corpus is not None else None
        learned, recall = as_learned(notes, vocab, self.threshold.value())
        self._starting = True
        try:
            self.player.play_notes(learned, "as-learned.mid")
        except Exception as e:  # PlaybackError: no audio device, no SoundFont; OSError
            self.session.message.emit(str(e))
            return None
        finally:
            self._starting = False
        self._playing = path
        self.play_button.setText("■ Stop")
        self.play_button.setEnabled(True)
        self.play_status.setText(
            f"Playing {name} as learned · note recall (onset, pitch, part, duration):"
            f" {recall.strict:.2%} of {recall.notes:,} notes"
        )
        self.poll_timer.start()
        return recall

    def stop_playing(self) -> None:
        """Stop the file this panel plays (music another panel plays is left alone)."""
        if self._playing is not None and self.player is not None:
            self.player.stop()
        self._stop_following()

    def _stop_following(self) -> None:
        self.poll_timer.stop()
        if self._playing is not None:
            self.play_status.setText(self.play_status.text().replace("Playing", "Played", 1))
        self._playing = None
        self.play_button.setText("▶ Play as learned")
        self._on_selection()

    def _on_player_started(self) -> None:
        if not self._starting:  # another panel plays now
            self._stop_following()

    def _poll(self) -> None:
        self.player.poll()
        if not self.player.is_playing:
            self._stop_following()
