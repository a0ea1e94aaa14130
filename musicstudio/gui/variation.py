"""One variation of the Compose panel: its piece in a piano roll, with its own undo history.

Every version of a variation (a take) is a piece kept in its own file; regenerating bars pushes
a new take on the variation's undo stack, and undo shows the previous take again, note for note.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from musicstudio.core.compose.composer import Composition
from musicstudio.gui.widgets.piano_roll import PianoRoll


@dataclass(frozen=True)
class Take:
    """One version of a variation: the piece, the file it is kept in, and how it was made."""

    piece: Composition
    path: Path
    made: str = ""  # e.g. "bars 5–8 regenerated: candidate 3 of 8, …" ("" for a composition)


def sections_of(piece: Composition) -> list[tuple[str, float, float]]:
    """The piece's form as the piano roll draws it."""
    return [(m.name, m.start, m.end) for m in piece.sections]


class Variation(QObject):
    """A piece shown in a piano roll; `changed` fires when another take is shown."""

    changed = Signal()

    def __init__(self, take: Take, roll: PianoRoll, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.take = take
        self.roll = roll
        self.stack = QUndoStack(self)
        roll.set_notes(take.piece.notes)
        roll.set_sections(sections_of(take.piece))
        roll.set_midi_path(str(take.path))

    def push(self, take: Take, text: str) -> None:
        """Show a new take, undoably (`text` names the change: "regenerate bars 5–8")."""
        self.stack.push(TakeCommand(self, self.take, take, text))

    def show(self, take: Take) -> None:
        """Show a take of this piece (the view and the selected bars stay)."""
        self.take = take
        self.roll.set_notes(take.piece.notes, keep_view=True)
        self.roll.set_sections(sections_of(take.piece))
        self.roll.set_midi_path(str(take.path))
        self.changed.emit()


class TakeCommand(QUndoCommand):
    """Going from one take of a variation to another, and back."""

    def __init__(self, variation: Variation, before: Take, after: Take, text: str) -> None:
        super().__init__(text)
        self.variation, self.before, self.after = variation, before, after

    def redo(self) -> None:
        self.variation.show(self.after)

    def undo(self) -> None:
        self.variation.show(self.before)
