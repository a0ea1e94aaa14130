"""Training checkpoints: last and best weights with the optimizer state, and where they live.

A run folder beside the bundle (`model.msb.run/`) holds `last.npz` and `best.npz` (weights,
then optimizer variables, as plain arrays) and `state.json` (epoch, history, best score);
every write is atomic, so a run killed mid-save resumes from the previous epoch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from musicstudio.core.midi import atomic_write_bytes


class Checkpoints:
    """last.npz / best.npz (weights + optimizer state) and state.json in a run folder."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir

    def save(self, kind: str, model: Any, optimizer: Any, state: dict[str, Any]) -> None:
        import io

        self.dir.mkdir(parents=True, exist_ok=True)
        arrays = {f"w{i:04d}": np.asarray(w) for i, w in enumerate(model.get_weights())}
        arrays.update(
            {f"o{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(optimizer.variables)}
        )
        buf = io.BytesIO()
        np.savez(buf, **arrays)  # type: ignore[arg-type]
        atomic_write_bytes(self.dir / f"{kind}.npz", buf.getvalue())
        if kind == "last":
            atomic_write_bytes(self.dir / "state.json", json.dumps(state).encode())

    def state(self) -> dict[str, Any] | None:
        try:
            return dict(json.loads((self.dir / "state.json").read_text()))
        except (OSError, ValueError):
            return None

    def restore(self, kind: str, model: Any, optimizer: Any | None) -> bool:
        path = self.dir / f"{kind}.npz"
        if not path.exists():
            return False
        with np.load(path, allow_pickle=False) as z:
            weights = [z[k] for k in sorted(z.files) if k.startswith("w")]
            opt = [z[k] for k in sorted(z.files) if k.startswith("o")]
        model.set_weights(weights)
        if optimizer is not None and opt:
            for var, value in zip(optimizer.variables, opt, strict=True):
                var.assign(value)
        return True

    def weights(self, kind: str) -> list[np.ndarray] | None:
        path = self.dir / f"{kind}.npz"
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as z:
            return [z[k] for k in sorted(z.files) if k.startswith("w")]


def run_dir_for(bundle_path: Path) -> Path:
    """The checkpoint folder beside a bundle."""
    return bundle_path.with_name(bundle_path.name + ".run")
