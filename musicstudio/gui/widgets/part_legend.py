"""The parts of a piece as a legend: each part's colour and name, with mute and solo buttons."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS, PART_COLOURS, PART_LABELS, PARTS
from musicstudio.core.music.tempo_map import tempo_map_from

LEGEND_BG = "#f4f5f8"
BUTTON_STYLE = (
    "QToolButton { border: 1px solid #c3c9d4; border-radius: 3px; padding: 0 3px;"
    " color: #4a5568; background: #ffffff; font-size: 10px; }"
    " QToolButton#mute:checked { background: #f6ad55; border-color: #c05621; color: #1a202c; }"
    " QToolButton#solo:checked { background: #68d391; border-color: #2f855a; color: #1a202c; }"
)


def audible_notes(notes: NoteArray, parts: Iterable[int], start: float = 0.0) -> NoteArray:
    """The notes of these parts from `start` (quarters) on, moved to begin at 0: what playback
    renders after a mute, solo or restart mid-piece (MIDI files cannot be seeked into)."""
    keep = np.isin(notes.parts, np.fromiter(parts, np.int64)) & (
        notes.onset + notes.duration > start
    )
    chosen = notes.select(keep)
    onset = np.maximum(chosen.onset - start, 0.0)
    end = chosen.onset + chosen.duration - start  # a note sounding at `start` keeps its rest
    return dataclasses.replace(
        chosen,
        onset=onset,
        duration=np.maximum(end - onset, 0.0),
        tempo_map=tempo_map_from(notes.tempo_map, notes.tempo_qpm, start),
    )


class PartLegend(QWidget):
    """One entry per part of the piece; `changed` fires when what should sound changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("partLegend")
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"#partLegend {{ background: {LEGEND_BG}; }} {BUTTON_STYLE}")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(8, 2, 8, 2)
        self._row.setSpacing(4)
        self._row.addStretch(1)
        self.parts: list[int] = []
        self.mute_buttons: dict[int, QToolButton] = {}
        self.solo_buttons: dict[int, QToolButton] = {}
        self._entries: list[QWidget] = []

    def set_parts(self, parts: Iterable[int], notes_per_part: dict[int, int] | None = None) -> None:
        """Show these parts (in the fixed PARTS order), none muted or soloed."""
        for w in self._entries:
            self._row.removeWidget(w)
            w.deleteLater()
        self._entries.clear()
        self.mute_buttons.clear()
        self.solo_buttons.clear()
        self.parts = sorted({int(p) for p in parts})
        for i, part in enumerate(self.parts):
            entry = self._entry(part, (notes_per_part or {}).get(part))
            self._row.insertWidget(i, entry)
            entry.show()  # now, not queued: the roll sizes its legend strip from our size hint
            self._entries.append(entry)

    def _entry(self, part: int, notes: int | None) -> QWidget:
        entry = QWidget()
        row = QHBoxLayout(entry)
        row.setContentsMargins(0, 0, 10, 0)
        row.setSpacing(3)
        swatch = QLabel()
        swatch.setFixedSize(12, 12)
        radius = 6 if part == DRUMS else 2  # drums are drawn as round-ish ticks, not bars
        swatch.setStyleSheet(f"background: {PART_COLOURS[part]}; border-radius: {radius}px;")
        name = QLabel(PART_LABELS[part])
        name.setStyleSheet("color: #2d3748;")
        counted = f" ({notes:,} notes)" if notes is not None else ""
        entry.setToolTip(f"{PART_LABELS[part]}{counted}")
        row.addWidget(swatch)
        row.addWidget(name)
        for key, text, tip, store in (
            ("mute", "M", "Mute", self.mute_buttons),
            ("solo", "S", "Solo (hear only the soloed parts)", self.solo_buttons),
        ):
            b = QToolButton()
            b.setObjectName(key)
            b.setText(text)
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setToolTip(f"{tip}: {PARTS[part]}")
            b.setAccessibleName(f"{tip.split(' ')[0]} {PARTS[part]}")
            b.toggled.connect(self.changed)
            store[part] = b
            row.addWidget(b)
        return entry

    def set_muted(self, part: int, on: bool = True) -> None:
        """Mute or unmute a part (as a click on its M button)."""
        self.mute_buttons[part].setChecked(on)

    def set_solo(self, part: int, on: bool = True) -> None:
        """Solo or unsolo a part (as a click on its S button)."""
        self.solo_buttons[part].setChecked(on)

    def audible(self) -> frozenset[int]:
        """The parts that sound: the soloed ones if any (else all), less the muted ones."""
        soloed = {p for p, b in self.solo_buttons.items() if b.isChecked()}
        muted = {p for p, b in self.mute_buttons.items() if b.isChecked()}
        return frozenset((soloed or set(self.parts)) - muted)

    def all_audible(self) -> bool:
        """Nothing muted away: the piece sounds as written."""
        return self.audible() == frozenset(self.parts)
