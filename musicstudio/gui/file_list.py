"""The Dataset panel's file list: every scanned file, problem files on demand, and any file
played as the model learns it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from musicstudio.core.music.corpus import ScanOptions
from musicstudio.core.music.learned import as_learned
from musicstudio.core.music.midi import MidiError, read_midi
from musicstudio.core.music.recall import Recall
from musicstudio.gui.corpus_view import COLUMNS, REASON_COLUMN, FileTable, ProblemFilter
from musicstudio.gui.player import QtMidiPlayer
from musicstudio.gui.session import Session

PLAY, STOP = "▶ Play as learned", "■ Stop"
#: The widest text of each column with a fixed width ("" for the stretching ones); a file with
#: more parts than a band's five shows the rest in its tooltip.
WIDEST = ("", "000,000", "000,000", "keys, bass, strings, lead, drums", "unreadable", "")


class FileList(QWidget):
    """Scanned files in a sortable table; the selected one plays through the learned events."""

    def __init__(
        self,
        session: Session,
        player: QtMidiPlayer | None,
        options: Callable[[], ScanOptions],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.player, self.options = session, player, options
        self._playing: str | None = None  # the file this list plays as learned
        if player is not None:
            player.finished.connect(self._on_finished)
        self._build()

    def _build(self) -> None:
        lv = QVBoxLayout(self)
        lv.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.problems_only = QCheckBox("Show problem files only")
        self.play_button = QPushButton(PLAY)
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
        # Fixed widths, from the widest text each column holds: sizing columns to their contents
        # asks Python for every cell, 16 roles each, after every batch of a scan (~100 ms of UI
        # thread for 400 files). Names and reasons stretch; the user can drag the rest.
        for column, text in enumerate(WIDEST):
            if text:
                width = max(
                    self.fontMetrics().horizontalAdvance(t) for t in (text, COLUMNS[column])
                )
                header.resizeSection(column, width + 14)
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

    def sort_as_shown(self) -> None:
        """Sort the rows by the column and order the header shows (after a scan)."""
        header = self.table.horizontalHeader()
        self.table_model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    # -- selection ---------------------------------------------------------------------------
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

    # -- play as learned -----------------------------------------------------------------------
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
        options = self.options()
        parts = corpus.options.parts if corpus is not None else options.parts
        try:
            notes = read_midi(path, parts)
        except MidiError as e:
            self.session.message.emit(f"Cannot play {name}: {e}")
            return None
        if not len(notes):
            self.session.message.emit(f"{name} has no notes in the chosen parts")
            return None
        vocab = corpus.vocab if corpus is not None else None
        learned, recall = as_learned(notes, vocab, options.threshold)
        try:
            self.player.play_notes(learned, "as-learned.mid", owner=self)
        except Exception as e:  # PlaybackError: no audio device, no SoundFont; OSError
            self.session.message.emit(str(e))
            return None
        self._playing = path
        self.play_button.setText(STOP)
        self.play_button.setEnabled(True)
        self.play_status.setText(
            f"Playing {name} as learned · note recall (onset, pitch, part, duration):"
            f" {recall.strict:.2%} of {recall.notes:,} notes"
        )
        return recall

    def stop_playing(self) -> None:
        """Stop the file this list plays (music another panel plays is left alone)."""
        if self._playing is not None and self.player is not None:
            self.player.stop()
        self._stop_following()

    def _stop_following(self) -> None:
        if self._playing is not None:
            self.play_status.setText(self.play_status.text().replace("Playing", "Played", 1))
        self._playing = None
        self.play_button.setText(PLAY)
        self._on_selection()

    def _on_finished(self) -> None:
        """The file ended, was stopped, or another panel plays now."""
        if self._playing is not None:
            self._stop_following()
