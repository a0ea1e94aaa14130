"""The takes of the Compose panel's variations: regenerate the selected bars as a new take, undo
and redo takes, from the row above the piano rolls, the Edit menu, a roll's context menu or keys.

The Edit actions act only while the Compose step is shown: an undo pressed on another step would
change a piece the user cannot see.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from musicstudio.core.app.catalog import RegenerateJob
from musicstudio.core.compose.composer import Composition
from musicstudio.core.compose.linked import apply_regeneration
from musicstudio.core.compose.regenerate import RegenerateSettings, Regeneration
from musicstudio.core.music.corpus import CorpusSource
from musicstudio.core.music.vocab import N_STREAMS
from musicstudio.gui.constraints_box import in_words
from musicstudio.gui.regenerate_box import bars_words, report
from musicstudio.gui.variation import Take, Variation

NO_SELECTION = "Drag across the bar numbers to select bars"

#: Keeps a piece in the user's data folder: (piece, settings, model name) -> its file, or None.
Keep = Callable[[Composition, Any, str], Path | None]


def no_tokens() -> np.ndarray:
    """The tokens of a piece whose events were not all sampled (regenerated, or read from a file)."""
    return np.zeros((0, N_STREAMS), np.int32)


class Takes(QWidget):
    """The row above the piano rolls (the selected bars; Regenerate, Undo, Redo) and the Edit
    actions behind it: one undo group of every variation's takes, the shown variation's active."""

    regenerate_asked = Signal()  # by the button, the menu or Ctrl+R

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.undo_group = QUndoGroup(self)
        self._in_view = True  # the Compose step is the one shown
        self._regenerating: tuple[Variation, RegenerateSettings, str, bool] | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.selection_label = QLabel(NO_SELECTION)
        self.selection_label.setStyleSheet("color: #4a5568;")
        self.regenerate_button = QPushButton("↻ Regenerate")
        self.regenerate_button.setToolTip(
            "Compose the selected bars again, joining what follows (Ctrl+R)"
        )
        self.undo_button = QPushButton("↶ Undo")
        self.redo_button = QPushButton("↷ Redo")
        row.addWidget(self.selection_label, 1)
        for b in (self.regenerate_button, self.undo_button, self.redo_button):
            b.setEnabled(False)
            row.addWidget(b)
        self.regenerate_action = QAction("&Regenerate selected bars", self)
        self.regenerate_action.setShortcut(QKeySequence("Ctrl+R"))
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.regenerate_button.clicked.connect(lambda: self.regenerate_asked.emit())
        self.regenerate_action.triggered.connect(lambda: self.regenerate_asked.emit())
        group = self.undo_group
        for button, action, slot in (
            (self.undo_button, self.undo_action, group.undo),
            (self.redo_button, self.redo_action, group.redo),
        ):
            button.clicked.connect(slot)
            action.triggered.connect(slot)
        group.canUndoChanged.connect(self.undo_button.setEnabled)
        group.canRedoChanged.connect(self.redo_button.setEnabled)
        group.canUndoChanged.connect(self._enable_actions)
        group.canRedoChanged.connect(self._enable_actions)
        group.undoTextChanged.connect(self._on_undo_text)
        group.redoTextChanged.connect(self._on_redo_text)
        self._enable_actions()

    def edit_actions(self) -> list[QAction]:
        """The actions of the window's Edit menu."""
        return [self.undo_action, self.redo_action, self.regenerate_action]

    def set_in_view(self, shown: bool) -> None:
        """Whether the Compose step is shown: the Edit actions act only while it is."""
        self._in_view = shown
        self._enable_actions()

    def _enable_actions(self) -> None:
        shown = self._in_view
        self.regenerate_action.setEnabled(shown and self.regenerate_button.isEnabled())
        self.undo_action.setEnabled(shown and self.undo_group.canUndo())
        self.redo_action.setEnabled(shown and self.undo_group.canRedo())

    def _on_undo_text(self, text: str) -> None:
        self.undo_action.setText(f"&Undo {text}" if text else "&Undo")
        self.undo_button.setToolTip(f"Undo {text}")

    def _on_redo_text(self, text: str) -> None:
        self.redo_action.setText(f"&Redo {text}" if text else "&Redo")
        self.redo_button.setToolTip(f"Redo {text}")

    # -- variations ----------------------------------------------------------------------
    def add(self, variation: Variation) -> None:
        """A new variation: its takes undoable, the actions on its roll's menu and keys."""
        self.undo_group.addStack(variation.stack)
        variation.roll.addActions([self.regenerate_action, self.undo_action, self.redo_action])

    def remove(self, variation: Variation) -> None:
        self.undo_group.removeStack(variation.stack)

    def show_variation(self, variation: Variation | None) -> None:
        """Undo and redo act on the takes of the variation shown."""
        # PySide6's stub wants a QUndoStack; Qt takes None (nullptr): no stack is active.
        self.undo_group.setActiveStack(variation.stack if variation is not None else None)  # type: ignore[arg-type]

    def show_selection(self, variation: Variation | None, can_run: bool) -> None:
        """Say which bars are selected; Regenerate is possible with bars selected and `can_run`
        (a model, and no job running)."""
        bars = variation.roll.selected_bars() if variation is not None else None
        if bars is None:
            self.selection_label.setText(NO_SELECTION if variation is not None else "")
            self.regenerate_button.setText("↻ Regenerate")
        else:
            words = bars_words(*bars)
            self.selection_label.setText(f"{words[0].upper()}{words[1:]} selected (Esc clears)")
            self.regenerate_button.setText(f"↻ Regenerate {words}")
        self.regenerate_button.setEnabled(bars is not None and can_run)
        self._enable_actions()

    # -- regenerating --------------------------------------------------------------------
    def job(
        self,
        variation: Variation,
        bundle_path: str,
        settings: RegenerateSettings,
        measure_against: CorpusSource | None,
        linked: bool = True,
    ) -> RegenerateJob:
        """The job that regenerates bars of the variation's piece (its result goes to `apply`);
        `linked`: the new bars go to every return of their section too."""
        self._regenerating = (variation, settings, Path(bundle_path).stem, linked)
        return RegenerateJob(bundle_path, variation.take.piece.notes, settings, measure_against)

    def apply(self, result: Regeneration, keep: Keep) -> bool:
        """Show the regenerated piece as the variation's new take, undoably, once `keep` has kept
        it; False when its tab is gone or it could not be kept."""
        assert self._regenerating is not None
        variation, settings, model, linked = self._regenerating
        self._regenerating = None
        if variation.stack not in self.undo_group.stacks():
            return False  # its tab is gone
        notes, sections, returns = apply_regeneration(result, variation.take.piece.sections, linked)
        piece = dataclasses.replace(
            variation.take.piece,
            tokens=no_tokens(),  # the events of the new piece were not all sampled
            notes=notes,
            sections=sections,
            seed=result.seed,
            seconds=result.seconds,
            metrics=result.metrics,
            constraints=in_words(settings.constraints, result.key),
            new_from=0.0,
        )
        path = keep(piece, settings, model)
        if path is None:
            return False
        words = bars_words(settings.first_bar, settings.last_bar)
        made = report(result, settings)
        if returns:
            made += f"; the same in {returns} return{'s' * (returns > 1)} of the section"
        elif sections != variation.take.piece.sections:
            made += "; the section is now a variant"
        variation.push(Take(piece, path, made), f"regenerate {words}")
        return True
