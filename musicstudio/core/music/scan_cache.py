"""The scan cache: a folder's parsed files as one index plus concatenated arrays (fast to load).

Keyed by the folder and the options that change what a file parses to; an entry is reused
while the file's size and modification time are unchanged. A damaged cache is only a slower
scan: it is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from musicstudio.core.base.files import load_arrays, save_array_pieces
from musicstudio.core.music.constants import REPRESENTATION_VERSION
from musicstudio.core.music.events import EventStream
from musicstudio.core.music.parsing import PACK_ARRAYS, PACK_DTYPES

OBS_ARRAYS = ("obs_lo", "obs_hi", "obs_n")
Observed = tuple[np.ndarray, np.ndarray, np.ndarray]  # one file's pitch sets (lo, hi) and counts


def event_stream(arrays: dict[str, np.ndarray], meta: Sequence[int]) -> EventStream:
    """An EventStream from its arrays and [start, capped, numerator, denominator]."""
    start, capped, num, den = (int(x) for x in meta)
    return EventStream(
        arrays["lo"],
        arrays["hi"],
        arrays["duration"],
        arrays["step"],
        arrays["velocity"],
        arrays["voice"],
        start=start,
        capped=capped,
        time_signature=(num, den),
    )


def default_cache_dir() -> Path:
    env = os.environ.get("MUSICSTUDIO_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("musicstudio", appauthor=False))


@dataclass
class Pack:
    """A folder's parsed files: one index plus concatenated arrays (fast to load)."""

    entries: dict[str, dict[str, Any]]
    arrays: dict[str, np.ndarray]

    @staticmethod
    def path_for(cache_dir: Path, roots: Sequence[str], parse_key: str) -> Path:
        """The pack of these folders, parsed with options whose parse key is `parse_key`."""
        key = hashlib.sha1(json.dumps([sorted(roots), parse_key]).encode()).hexdigest()[:20]
        return cache_dir / "packs" / f"{key}.npz"

    @classmethod
    def load(cls, path: Path) -> Pack | None:
        try:
            arrays, index = load_arrays(path, list(PACK_ARRAYS + OBS_ARRAYS))
            if index.get("version") != REPRESENTATION_VERSION:
                return None
            return cls(index["entries"], arrays)
        except Exception:  # a damaged cache is only a slower scan
            return None

    def stream(self, entry: dict[str, Any]) -> EventStream:
        a, b = entry["span"]
        return event_stream({k: self.arrays[k][a:b] for k in PACK_ARRAYS}, entry["meta"])

    def observed(self, entry: dict[str, Any]) -> Observed:
        a, b = entry["obs_span"]
        lo, hi, n = (self.arrays[k][a:b] for k in OBS_ARRAYS)
        return lo, hi, n


def save_pack(
    path: Path,
    entries: dict[str, dict[str, Any]],
    streams: dict[str, EventStream],
    observed: dict[str, Observed],
) -> None:
    """Write the pack: each array is written file by file into the container (never joined)."""
    offset = obs_offset = 0
    kept: list[EventStream] = []
    kept_obs: list[Observed] = []
    for key, entry in entries.items():
        s = streams.get(key)
        if s is not None:
            entry["span"] = [offset, offset + len(s)]
            entry["meta"] = [s.start, s.capped, *s.time_signature]
            offset += len(s)
            kept.append(s)
            obs = observed[key]
            entry["obs_span"] = [obs_offset, obs_offset + len(obs[0])]
            obs_offset += len(obs[0])
            kept_obs.append(obs)
    pieces: dict[str, tuple[type, list[np.ndarray]]] = {
        k: (PACK_DTYPES[k], [getattr(s, k) for s in kept]) for k in PACK_ARRAYS
    }
    for i, (k, dtype) in enumerate(zip(OBS_ARRAYS, (np.uint64, np.uint64, np.int64), strict=True)):
        pieces[k] = (dtype, [o[i] for o in kept_obs])
    meta = {"version": REPRESENTATION_VERSION, "entries": entries}
    save_array_pieces(path, pieces, meta, durable=False)  # a cache: no fsync to wait for


def fingerprint(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
