"""Files MusicStudio writes: atomically, and arrays + JSON in one container.

Every file is written beside its real name and renamed over it after an fsync, so a crash or a
full disk never leaves half a file under a name the user (or the next start) relies on; the folders
on the way to it are made, as a user who types `--out new/dir/piece.mid` expects. The
container is an .npz (a zip of .npy arrays) with the JSON in one more member: loading it never
unpickles anything (allow_pickle=False).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

META = "__meta__"  # the member holding the JSON


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    with _atomic(path) as f:
        f.write(data)


def atomic_copy(source: str | os.PathLike[str], path: str | os.PathLike[str]) -> None:
    """Copy a file to `path` as atomic_write_bytes writes one (an export, a model saved as)."""
    with open(source, "rb") as src, _atomic(path) as f:
        shutil.copyfileobj(src, f)


@contextlib.contextmanager
def _atomic(path: str | os.PathLike[str], durable: bool = True) -> Iterator[BinaryIO]:
    """A file to write that becomes `path` when the block ends well; missing folders are made.

    An error names `path`, the file the user chose, never the hidden temporary beside it.
    `durable`: on disk before it gets its name (fsync); a cache, which a power cut may only
    make a slower next scan, skips that wait."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)  # its error names the folder it could not make
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as e:
        raise OSError(e.errno, e.strerror, str(path)) from e
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # an ordinary file, not mkstemp's private 0600
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.filename in (None, tmp):
            raise OSError(e.errno, e.strerror, str(path)) from e
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
    atomic_write_bytes(path, arrays_bytes(arrays, meta))


def save_array_pieces(
    path: str | os.PathLike[str],
    pieces: Mapping[str, tuple[np.dtype[Any] | type, Sequence[np.ndarray]]],
    meta: Any,
    durable: bool = True,
) -> None:
    """save_arrays for 1-D arrays given as pieces to join: (dtype, pieces) by name.

    Each array is written piece by piece straight into the file, so the joined arrays and the
    container never exist in memory; load_arrays reads it as it reads save_arrays' files."""
    if META in pieces:
        raise ValueError(f"{META!r} is reserved for the JSON")
    text = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    with (
        _atomic(path, durable) as f,
        zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as z,
    ):
        _write_member(z, META, np.uint8, [text])
        for name, (dtype, parts) in pieces.items():
            _write_member(z, name, dtype, parts)


def _write_member(
    z: zipfile.ZipFile, name: str, dtype: np.dtype[Any] | type, parts: Sequence[np.ndarray]
) -> None:
    """One .npy member, as np.savez writes it, from the pieces of a 1-D array."""
    dt = np.dtype(dtype)
    header = {
        "descr": np.lib.format.dtype_to_descr(dt),
        "fortran_order": False,
        "shape": (sum(len(p) for p in parts),),
    }
    with z.open(f"{name}.npy", "w", force_zip64=True) as member:
        np.lib.format.write_array_header_1_0(member, header)
        for p in parts:
            member.write(np.ascontiguousarray(p, dt).data)  # zipfile counts its nbytes


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
