"""Form rows made from the settings declarations (core/base/settings.py): one source for every setting.

Each row's widget, range, step, unit, "off" text, label and tooltip come from the field's
Setting; values are remembered in QSettings under "<Class>/<field>".
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, TypeVar

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from musicstudio.core.base.settings import Setting, settings_of
from musicstudio.gui.persist import remember

_INT_MAX = 2**31 - 1
W = TypeVar("W", bound=QWidget)


def _kind(cls: Any, f: dataclasses.Field[Any]) -> type:
    hint = typing.get_type_hints(cls)[f.name]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if args else hint


def make_widget(cls: Any, name: str) -> QWidget:
    """The editor of one setting of a settings class, at its default."""
    f, s = next((f, s) for f, s in settings_of(cls) if f.name == name)
    kind = _kind(cls, f)
    default: Any = None if f.default is dataclasses.MISSING else f.default
    w: QWidget
    if s.choices:
        w = QComboBox()
        if s.optional:  # the first item means "no value" (None)
            w.addItem(s.off or "none", None)
        for choice in s.choices:
            w.addItem(str(choice), choice)
        w.setCurrentIndex(max(0, w.findData(default)) if default is not None else 0)
    elif kind is str:
        w = QLineEdit("" if default is None else str(default))
        w.setPlaceholderText(s.off if s.optional else "")
        w.setClearButtonEnabled(s.optional)
    elif kind is bool:
        w = QCheckBox(s.label)
        w.setChecked(bool(default))
    elif kind is int:
        w = QSpinBox()
        bottom = int(s.low if s.low is not None else 0) - (1 if s.optional else 0)
        w.setRange(bottom, int(min(s.high or _INT_MAX, _INT_MAX)))
        w.setSingleStep(int(s.step or 1))
        w.setValue(int(default) if default is not None else bottom)
    else:
        w = QDoubleSpinBox()
        w.setDecimals(s.decimals)
        low = float(s.low if s.low is not None else 0.0)
        if s.optional:  # the value below the range means "no value" (None)
            low = 0.0 if low > 0 else low - float(s.step or 0.1)
        w.setRange(low, float(s.high if s.high is not None else 1e9))
        w.setSingleStep(float(s.step or 0.1))
        w.setValue(float(default) if default is not None else low)
    if isinstance(w, QSpinBox | QDoubleSpinBox):
        if s.unit:
            w.setSuffix(f" {s.unit}")
        if s.off or s.optional:
            w.setSpecialValueText(s.off or "no limit")
    w.setToolTip(s.help)
    w.setObjectName(name)
    return w


def widget_for(cls: Any, name: str, kind: type[W]) -> W:
    """`make_widget`, as the kind of widget the declaration makes (a panel laid out by hand)."""
    return _as_kind(make_widget(cls, name), name, kind)


def _as_kind(w: QWidget, name: str, kind: type[W]) -> W:
    if not isinstance(w, kind):
        raise TypeError(f"{name} is edited by a {type(w).__name__}, not a {kind.__name__}")
    return w


def label_of(cls: Any, name: str) -> str:
    """The label a setting is declared with."""
    return next(s.label for f, s in settings_of(cls) if f.name == name)


def read_widget(widget: QWidget, setting: Setting) -> Any:
    """The value a setting's editor holds (None for an optional setting at its "no" value)."""
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QLineEdit):
        text = widget.text().strip()
        return None if setting.optional and not text else text
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        if setting.optional and widget.value() == widget.minimum():
            return None
        return widget.value()
    raise TypeError(f"no editor for {type(widget).__name__}")


class SettingsForm:
    """Rows for some settings of one settings class, in a form layout."""

    def __init__(
        self,
        cls: Any,
        names: list[str],
        layout: QFormLayout,
        settings: QSettings | None = None,
    ) -> None:
        self.cls = cls
        declared = dict((f.name, s) for f, s in settings_of(cls))
        self.settings = {n: declared[n] for n in names}
        self.widgets: dict[str, QWidget] = {}
        for name in names:
            w = self.widgets[name] = make_widget(cls, name)
            if isinstance(w, QCheckBox):
                layout.addRow(w)
            else:
                layout.addRow(self.settings[name].label, w)
        if settings is not None:
            remember(settings, cls.__name__, self.widgets)

    def widget(self, name: str, kind: type[W]) -> W:
        """The editor of one setting, as the kind of widget its declaration makes."""
        return _as_kind(self.widgets[name], name, kind)

    def values(self) -> dict[str, Any]:
        """The form's values, by field name (to build the settings class with)."""
        return {n: read_widget(w, self.settings[n]) for n, w in self.widgets.items()}
