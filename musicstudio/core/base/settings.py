"""Every user setting declared once: a dataclass field with its default, range, label and help.

The CLI flags (cli/common.py), the Qt form rows (gui/settings_form.py) and the saved values
(QSettings keys "<Class>/<field>") are generated from these declarations, and `validate`
checks the ranges in core, so a bad value gets the same clear message from every door.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from musicstudio.core.base.errors import MusicStudioError


class SettingsError(MusicStudioError, ValueError):
    """A setting outside its range, with the setting's name and the range."""


@dataclass(frozen=True)
class Setting:
    """What a form, a flag and a check need to know of one setting."""

    label: str
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()
    step: float | None = None  # a spin box's step
    decimals: int = 2
    unit: str = ""  # shown after the value in a form ("BPM", "events")
    off: str = ""  # a form's text for the `low` value when it means "off" (e.g. top-k 0)
    optional: bool = False  # None is allowed ("no budget")


def setting(default: Any, label: str, help: str, **kw: Any) -> Any:
    """A dataclass field with its Setting in the metadata."""
    meta = {"setting": Setting(label, help, **kw)}
    if isinstance(default, list | dict | set):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def settings_of(cls: Any) -> list[tuple[dataclasses.Field[Any], Setting]]:
    """The declared settings of a settings class, in declaration order."""
    return [(f, f.metadata["setting"]) for f in dataclasses.fields(cls) if "setting" in f.metadata]


def validate(obj: Any) -> None:
    """Raise SettingsError for the first setting of `obj` outside its range or choices."""
    for f, s in settings_of(obj):
        value = getattr(obj, f.name)
        if value is None:
            if not s.optional:
                raise SettingsError(f"{s.label} needs a value")
            continue
        if s.choices and value not in s.choices:
            raise SettingsError(
                f"{s.label} must be one of {', '.join(map(str, s.choices))}, not {value!r}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise SettingsError(f"{s.label} must be a number, not {value}")
        if (s.low is not None and value < s.low) or (s.high is not None and value > s.high):
            raise SettingsError(f"{s.label} must be {_range(s)}, not {value:g}")


def _range(s: Setting) -> str:
    if s.low is not None and s.high is not None:
        return f"from {s.low:g} to {s.high:g}"
    return f"at least {s.low:g}" if s.low is not None else f"at most {s.high:g}"


def as_values(obj: Any, names: Sequence[str] | None = None) -> dict[str, Any]:
    """The declared settings of `obj` as a plain dict (JSON, QSettings)."""
    return {
        f.name: getattr(obj, f.name)
        for f, _ in settings_of(obj)
        if names is None or f.name in names
    }
