"""What the Dataset panel shows of a corpus: every file (its voices, what happened to it) and a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from musicstudio.core.music.beats import ON_GRID
from musicstudio.core.music.corpus import OK, FileReport
from musicstudio.core.music.corpus_stats import played_summary
from musicstudio.core.music.form_profile import FormProfile
from musicstudio.core.music.parts import DRUMS, PART_COLOURS, PARTS
from musicstudio.core.music.voices import VOICE_LABELS, VOICE_PART, VOICES
from musicstudio.gui.widgets.instruments import GM_PROGRAMS

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()


def voices_text(report: FileReport) -> str:
    """'keys ×2, bass, drums': the parts a file plays, in the fixed part order, with how many
    voices each has when more than one."""
    slots = [VOICE_PART[VOICES.index(v)] for v in report.voices if v in VOICES]
    per_part = np.bincount(np.asarray(slots, np.int64), minlength=len(PARTS))
    return ", ".join(
        p if per_part[i] <= 1 else f"{p} ×{per_part[i]}"
        for i, p in enumerate(PARTS)
        if report.parts.get(p)
    )


def voices_tooltip(report: FileReport) -> str:
    """Per voice: its instrument and notes; then the tracks that joined another's voice."""
    program: dict[int, tuple[int, int]] = {}  # voice -> (notes, program) of its main program
    for voice, prog, notes in report.programs:
        program[voice] = max(program.get(voice, (0, 0)), (notes, prog))
    lines = [
        f"{VOICE_LABELS[v]} — "
        f"{'drum kit' if VOICE_PART[v] == DRUMS else GM_PROGRAMS[program.get(v, (0, 0))[1]]}:"
        f" {report.voices[name]:,} notes"
        for v, name in enumerate(VOICES)
        if report.voices.get(name)
    ]
    return "\n".join(lines + [f"{m}" for m in report.joined])


COLUMNS = ("File", "Notes", "Events", "Voices", "Form", "Status", "Reason")
PARTS_COLUMN, FORM_COLUMN, REASON_COLUMN = 3, 4, 6


def row_text(r: FileReport, form: str = "") -> tuple[str, ...]:
    """What each column shows for one file (its form once the scan has found it)."""
    name = Path(r.path).name
    reason = r.reason or ("" if r.timing in ("", ON_GRID) else r.timing)  # played: its beats
    return (name, f"{r.notes:,}", f"{r.events:,}", voices_text(r), form, r.status, reason)


class FileTable(QAbstractTableModel):
    """Scanned files, appended in batches as the scan finishes them.

    The text of every cell is made once, when its file arrives: the header sizes its columns to
    their contents by asking for every cell again after each batch, and building the text then
    (file names through pathlib) kept the UI thread busy for over 100 ms on 400 files."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[FileReport] = []
        self._text: list[tuple[str, ...]] = []  # row_text of each row

    def rowCount(self, parent: Index = NO_PARENT) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text[index.row()][col]
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == PARTS_COLUMN:
                return voices_tooltip(r) or None
            return r.path if col == 0 else self._text[index.row()][REASON_COLUMN] or r.status
        if role == Qt.ItemDataRole.BackgroundRole and r.status != OK:
            return QColor(255, 226, 214) if r.status == "unreadable" else QColor(255, 243, 205)
        if role == Qt.ItemDataRole.UserRole:
            return r.status
        return None

    def append(self, reports: list[FileReport]) -> None:
        if not reports:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(reports) - 1)
        self.rows.extend(reports)
        self._text.extend(row_text(r) for r in reports)
        self.endInsertRows()

    def set_forms(self, forms: dict[str, str]) -> None:
        """Every file's form string (path -> "A A B A"), found after the scan."""
        self._text = [row_text(r, forms.get(r.path, "")) for r in self.rows]
        if self.rows:
            top, bottom = self.index(0, FORM_COLUMN), self.index(len(self.rows) - 1, FORM_COLUMN)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole])

    def clear(self) -> None:
        self.beginResetModel()
        self.rows, self._text = [], []
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """One list sort in C, instead of a proxy calling data() n·log n times from Python."""
        keys = (
            lambda r, text: text[0].lower(),
            lambda r, text: r.notes,
            lambda r, text: r.events,
            lambda r, text: text[PARTS_COLUMN],
            lambda r, text: text[FORM_COLUMN],
            lambda r, text: r.status,
            lambda r, text: r.reason,
        )
        key = keys[column]
        pairs = sorted(
            zip(self.rows, self._text, strict=True),
            key=lambda pair: key(*pair),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self.layoutAboutToBeChanged.emit()
        self.rows = [r for r, _ in pairs]
        self._text = [text for _, text in pairs]
        self.layoutChanged.emit()


class ProblemFilter(QSortFilterProxyModel):
    """Shows only problem files when asked."""

    def __init__(self) -> None:
        super().__init__()
        self.problems_only = False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the source model's (fast); this proxy only filters."""
        self.sourceModel().sort(column, order)

    def set_problems_only(self, on: bool) -> None:
        if not hasattr(self, "beginFilterChange"):  # Qt before 6.10
            self.problems_only = on
            self.invalidateFilter()
            return
        self.beginFilterChange()
        self.problems_only = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802
        if not self.problems_only:
            return True
        idx = self.sourceModel().index(row, 0, parent)
        return self.sourceModel().data(idx, Qt.ItemDataRole.UserRole) != OK


def summary_html(s: dict[str, Any], form: FormProfile | None = None) -> str:
    """The corpus in a few lines: files, notes and instrument per voice, vocabulary, and how many
    notes the representation gives back."""
    skipped = ", ".join(f"{n} {k}" for k, n in s["skipped_by_reason"].items()) or "none"
    repaired = f", {s['repaired']:,} repaired" if s.get("repaired") else ""
    programs = s.get("programs") or {}
    rows = "".join(
        f'<tr><td><span style="color:{PART_COLOURS[int(VOICE_PART[VOICES.index(v)])]}">■</span>'
        f" {v}</td>"
        f'<td align="right" style="padding-left: 10px">{n:,} notes</td>'
        f'<td style="padding-left: 14px">'
        f"{'drum kit' if v == 'drums' else GM_PROGRAMS[programs.get(v, 0)]}</td></tr>"
        for v, n in (s.get("voices") or {}).items()
        if v in VOICES
    )
    joined = s.get("joined") or 0
    if joined:
        rows += (
            f'<tr><td colspan="3">{joined:,} tracks joined another\'s voice'
            " (doublings, continuations; see each file's tooltip)</td></tr>"
        )
    num, den = s.get("time_signature") or (4, 4)
    played = played_summary(s)
    return (
        f"<b>{s['files']:,} files</b>: {s['ok']:,} usable{repaired}, skipped: {skipped} · "
        f"mostly {num}/{den}<br>"
        f"{s['notes']:,} notes → {s['events']:,} events · "
        f"{s['unique_tokens']:,} distinct notes/chords"
        f'<table cellspacing="0" cellpadding="1" style="margin: 3px 0 3px 12px">{rows}</table>'
        f"Vocabulary at threshold {s['threshold']}: <b>{s['vocab_size']:,} tokens</b>, "
        f"{s['coverage']:.1%} of events kept whole (rare chords are split, not dropped)<br>"
        f"Note recall (onset, pitch, voice, duration): <b>{s['note_recall']:.2%}</b>"
        f" · onset and pitch only: {s['onset_pitch_recall']:.2%}"
        f" · scanned in {s['seconds']:.2f} s"
        + (f"<br>{played[0].upper()}{played[1:]}" if played else "")
        + (f"<br>Form: {form.describe()}" if form is not None else "")
    )
