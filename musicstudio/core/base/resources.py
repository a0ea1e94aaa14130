"""Where the shipped resources live: source tree, installed package or frozen app."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The resources folder for this layout (MUSICSTUDIO_RESOURCES overrides)."""
    env = os.environ.get("MUSICSTUDIO_RESOURCES")
    if env:
        return Path(env)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "resources", here.parents[3] / "resources"):
        if candidate.is_dir():
            return candidate
    return here.parents[3] / "resources"


def app_icon() -> Path | None:
    """The app's icon (window, task bar), if shipped."""
    icon = resources_dir() / "icons" / "musicstudio-256.png"
    return icon if icon.is_file() else None


def sample_corpus_dir() -> Path | None:
    d = resources_dir() / "sample_corpus"
    return d if d.is_dir() and any(d.glob("*.mid")) else None


def user_data_dir() -> Path:
    """Where trained models, compositions and the log go (MUSICSTUDIO_DATA_DIR overrides)."""
    env = os.environ.get("MUSICSTUDIO_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir as _user_data_dir

    return Path(_user_data_dir("musicstudio", appauthor=False))


def models_dir() -> Path:
    """The user's trained models."""
    return user_data_dir() / "models"


def sample_models_dir() -> Path | None:
    """The pretrained sample models shipped with the app."""
    d = resources_dir() / "models"
    return d if d.is_dir() else None
