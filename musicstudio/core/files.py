"""Files MusicStudio writes: atomically, and arrays + JSON in one container.

Every file is written beside its real name and renamed over it after an fsync, so a crash or a
full disk never leaves half a file under a name the user (or the next start) relies on. The
container is an .npz (a zip of .npy arrays) with the JSON in one more member: loading it never
unpickles anything (allow_pickle=False).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

META = "__meta__"  # the member holding the JSON


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # an ordinary file, not mkstemp's private 0600
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def arrays_bytes(arrays: Mapping[str, np.ndarray], meta: Any) -> bytes:
    """Arrays and a JSON-able value as the bytes of one container."""
    if META in arrays:
        raise ValueError(f"{META!r} is reserved for the JSON")
    buf = io.BytesIO()
    text = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    np.savez(buf, **{META: text}, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def save_arrays(path: str | os.PathLike[str], arrays: Mapping[str, np.ndarray], meta: Any) -> None:
    """Write arrays and their JSON atomically (the folder is made if needed)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, arrays_bytes(arrays, meta))


def load_arrays(
    source: str | os.PathLike[str] | io.BytesIO, names: list[str] | None = None
) -> tuple[dict[str, np.ndarray], Any]:
    """The arrays (all, or those named) and the JSON of a container; ValueError if damaged."""
    with np.load(source, allow_pickle=False) as z:
        if META not in z.files:
            raise ValueError("not a MusicStudio container (no JSON member)")
        meta = json.loads(bytes(z[META]).decode())
        wanted = [k for k in z.files if k != META] if names is None else names
        return {k: z[k] for k in wanted}, meta
