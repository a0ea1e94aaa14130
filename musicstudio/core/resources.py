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
    for candidate in (here.parents[1] / "resources", here.parents[2] / "resources"):
        if candidate.is_dir():
            return candidate
    return here.parents[2] / "resources"


def sample_corpus_dir() -> Path | None:
    d = resources_dir() / "sample_corpus"
    return d if d.is_dir() and any(d.glob("*.mid")) else None
