"""Remember form values in QSettings: restored at start, saved on every change.

Values are stored, never positions: a choice is kept as its value (the item's data, else its
text), so adding or reordering a combo box's items never turns a saved choice into another."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget


def remember(settings: QSettings, group: str, widgets: dict[str, QWidget]) -> None:
    """Restore each widget from `group/name` and keep the setting up to date."""
    for name, w in widgets.items():
        key = f"{group}/{name}"
        value = settings.value(key)
        try:
            if isinstance(w, QDoubleSpinBox):
                if value is not None:
                    w.setValue(float(value))
                w.valueChanged.connect(lambda v, k=key: settings.setValue(k, v))
            elif isinstance(w, QSpinBox):
                if value is not None:
                    w.setValue(int(value))
                w.valueChanged.connect(lambda v, k=key: settings.setValue(k, v))
            elif isinstance(w, QComboBox):
                found = _choice_index(w, value)
                if found >= 0:
                    w.setCurrentIndex(found)
                w.currentIndexChanged.connect(
                    lambda _, w=w, k=key: settings.setValue(k, choice_value(w, w.currentIndex()))
                )
            elif isinstance(w, QCheckBox):
                if value is not None:
                    w.setChecked(str(value).lower() in ("true", "1"))
                w.toggled.connect(lambda v, k=key: settings.setValue(k, v))
            elif isinstance(w, QLineEdit):
                if value is not None:
                    w.setText(str(value))
                w.textChanged.connect(lambda v, k=key: settings.setValue(k, v))
        except (TypeError, ValueError):
            settings.remove(key)  # a damaged setting is forgotten, never fatal


def choice_value(box: QComboBox, index: int) -> str:
    """What a combo box's item stands for: its data as text, else its text."""
    data = box.itemData(index)
    return str(data) if data is not None else box.itemText(index)


def _choice_index(box: QComboBox, value: object) -> int:
    """The item a stored value names (-1: none, e.g. an item no longer offered)."""
    if value is None:
        return -1
    return next((i for i in range(box.count()) if choice_value(box, i) == str(value)), -1)
