"""Training checkpoints: last and best weights with the optimizer state, and where they live.

A run folder beside the bundle (`model.msb.run/`) holds `last.npz` and `best.npz`: weights,
then optimizer variables, as plain arrays, with the run's state (epoch, history, best score)
as JSON in the same container (files.py). Every write is atomic, so a run killed mid-save
resumes from the previous epoch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from musicstudio.core.base.files import load_arrays, save_arrays


class Checkpoints:
    """last.npz and best.npz in a run folder: weights, optimizer state, and the run's state."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir

    def save(self, kind: str, model: Any, optimizer: Any, state: dict[str, Any]) -> None:
        """One container per kind: a crash mid-save keeps the previous one whole."""
        arrays = {f"w{i:04d}": np.asarray(w) for i, w in enumerate(model.get_weights())}
        arrays.update(
            {f"o{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(optimizer.variables)}
        )
        save_arrays(self.dir / f"{kind}.npz", arrays, state)

    def _load(self, kind: str) -> tuple[dict[str, np.ndarray], Any] | None:
        try:
            return load_arrays(self.dir / f"{kind}.npz")
        except (OSError, ValueError, EOFError):
            return None  # none yet, or damaged: training starts fresh

    def state(self) -> dict[str, Any] | None:
        """Epoch, history and best score of the last checkpoint."""
        loaded = self._load("last")
        return dict(loaded[1]) if loaded is not None and loaded[1] else None

    def restore(self, kind: str, model: Any, optimizer: Any | None) -> bool:
        loaded = self._load(kind)
        if loaded is None:
            return False
        arrays = loaded[0]
        model.set_weights([arrays[k] for k in sorted(arrays) if k.startswith("w")])
        opt = [arrays[k] for k in sorted(arrays) if k.startswith("o")]
        if optimizer is not None and opt:
            for var, value in zip(optimizer.variables, opt, strict=True):
                var.assign(value)
        return True

    def weights(self, kind: str) -> list[np.ndarray] | None:
        loaded = self._load(kind)
        if loaded is None:
            return None
        return [loaded[0][k] for k in sorted(loaded[0]) if k.startswith("w")]


def run_dir_for(bundle_path: Path) -> Path:
    """The checkpoint folder beside a bundle."""
    return bundle_path.with_name(bundle_path.name + ".run")
