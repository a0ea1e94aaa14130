"""Remember form values in QSettings: restored at start, saved on every change."""

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
                if value is not None and 0 <= int(value) < w.count():
                    w.setCurrentIndex(int(value))
                w.currentIndexChanged.connect(lambda v, k=key: settings.setValue(k, v))
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
