"""A check per part (its colour and name): which parts may play, or which to compose again."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QWidget

from musicstudio.core.music.parts import PART_COLOURS, PART_LABELS, PARTS


class PartChecks(QWidget):
    """Part checks, all on by default. A part the user turned off stays off when the parts
    change (another model, another piece), and across app starts when a settings key is given."""

    changed = Signal()

    def __init__(
        self,
        tip: str,
        settings: QSettings | None = None,
        key: str = "",
        columns: int = 2,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tip, self.columns = tip, columns
        self._settings, self._key = settings, key
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(12)
        self.checks: dict[str, QCheckBox] = {}
        self._off: set[str] = set(self._remembered())

    def _remembered(self) -> list[str]:
        if self._settings is None or not self._key:
            return []
        value = self._settings.value(self._key, [])
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [str(v) for v in values if str(v) in PARTS]

    def set_parts(self, parts: Iterable[str]) -> None:
        """Show a check per part (names of core.music.parts.PARTS, in the order given)."""
        for check in self.checks.values():
            self._grid.removeWidget(check)
            check.deleteLater()
        self.checks.clear()
        for i, name in enumerate(p for p in parts if p in PARTS):
            part = PARTS.index(name)
            check = QCheckBox(PART_LABELS[part])
            swatch = f"border-left: 4px solid {PART_COLOURS[part]}; padding-left: 4px;"
            check.setStyleSheet(f"QCheckBox {{ {swatch} }}")
            check.setToolTip(f"{self.tip}: {name}")
            check.setChecked(name not in self._off)
            check.toggled.connect(lambda on, name=name: self._on_toggled(name, on))
            self.checks[name] = check
            self._grid.addWidget(check, i // self.columns, i % self.columns)
        self.setVisible(bool(self.checks))

    def _on_toggled(self, name: str, on: bool) -> None:
        if on:
            self._off.discard(name)
        else:
            self._off.add(name)
        if self._settings is not None and self._key:
            self._settings.setValue(self._key, sorted(self._off))
        self.changed.emit()

    def set_checked(self, name: str, on: bool) -> None:
        """Check or uncheck a part (as a click on it)."""
        self.checks[name].setChecked(on)

    def chosen(self) -> tuple[str, ...] | None:
        """The checked parts; None when every part shown is checked (no choice made)."""
        on = tuple(name for name, check in self.checks.items() if check.isChecked())
        return None if len(on) == len(self.checks) else on
