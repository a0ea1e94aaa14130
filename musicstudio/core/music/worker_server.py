"""The server that forks the scan's worker processes, started early.

Workers come from a forkserver (never a fork of the app: they must not inherit TensorFlow or
Qt state) that has the parser imported once, so each worker starts ready. Importing it takes
the server ~0.15 s; `warm_up` starts it while the app or the command line does something else
(this module imports nothing heavy, so the CLI can call it first).
"""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

#: What the server imports before it forks a worker (symusic too: the parser imports it
#: lazily, which would cost every worker ~70 ms).
PRELOAD = ["musicstudio.core.music.parsing", "symusic"]


def worker_context() -> Any:
    """The multiprocessing context of the scan's workers: forkserver where there is one."""
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
    return ctx


def warm_up() -> None:
    """Start the worker server now, with the parser imported in it: a few ms here; nothing
    where there is no forkserver (Windows, macOS)."""
    if worker_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
