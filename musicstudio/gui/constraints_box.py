"""The Compose panel's constraints: key, range, notes per chord and the parts that may play."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QWidget

from musicstudio.core.compose.constraints import FOUND_KEYS, Constraints
from musicstudio.core.music.theory import parse_key
from musicstudio.gui.settings_form import SettingsForm
from musicstudio.gui.widgets.part_checks import PartChecks

#: How the keys found by listening read in the Key box.
FOUND_KEY_LABELS = {
    "files": "like your files",
    "corpus": "the corpus's key",
    "primer": "the primer's key",
}


class ConstraintsBox(QGroupBox):
    """Rules every composed note follows: rows generated from the Constraints declarations,
    and a check per part the model learned."""

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Constraints", parent)
        form = QFormLayout(self)
        self.form = SettingsForm(
            Constraints, ["key", "lowest", "highest", "max_chord", "novelty_guard"], form, settings
        )
        w = self.form.widgets
        self.lowest, self.highest, self.max_chord = w["lowest"], w["highest"], w["max_chord"]
        self.key = w["key"]
        assert isinstance(self.key, QComboBox)
        for found in FOUND_KEYS:
            self.key.setItemText(self.key.findData(found), FOUND_KEY_LABELS[found])
        self.key.setMaxVisibleItems(14)
        self.parts = PartChecks("Let this part play", settings, "Constraints/silent_parts")
        form.addRow("Parts", self.parts)
        self.parts_label = form.labelForField(self.parts)
        self.set_parts([])

    def set_parts(self, parts: Sequence[str]) -> None:
        """A check per part the model learned."""
        self.parts.set_parts(parts)
        if self.parts_label is not None:
            self.parts_label.setVisible(bool(parts))

    def constraints(self) -> Constraints:
        """The constraints as set (raises ConstraintError for a note name that is not one)."""
        return Constraints(**self.form.values(), parts=self.parts.chosen())


def in_words(constraints: Constraints, kept: str = "") -> str:
    """The constraints as the metrics line says them ('' when there are none); `kept`: the
    scale the Key 'like your files' kept to ('' where it kept none)."""
    key = (kept or None) if constraints.key == "files" else constraints.key
    if not constraints.active and key is None:
        return ""
    if key is not None and key not in FOUND_KEYS:
        return constraints.describe(parse_key(key))
    words = [FOUND_KEY_LABELS[key]] if key is not None else []
    rest = constraints.describe()
    return ", ".join(words + ([rest] if rest != "no constraints" else []))
