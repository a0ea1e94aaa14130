"""The engine: a child process that runs the TensorFlow jobs (train, compose).

The app never imports TensorFlow itself: the engine process does, in the background,
so the window shows at once and never freezes while TensorFlow loads or traces.
A job reports progress through a queue and is cancelled through a shared event;
a crash of the engine (out of memory, a native fault) is an error message, not a
dead app, and the next job starts a fresh engine.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import queue
import traceback
from dataclasses import dataclass
from typing import Any

PROGRESS_INTERVAL = 0.05  # seconds between progress events a job may send


@dataclass(frozen=True)
class EngineEvent:
    """One message from the engine: ready, progress, result, cancelled or error."""

    kind: str
    job: int = 0
    fraction: float = 0.0
    info: Any = None


class Engine:
    """Owner side of the engine process (usable from any one thread)."""

    def __init__(self) -> None:
        self._ctx = mp.get_context("spawn")
        self._proc: Any = None
        self._ids = itertools.count(1)
        self.current: int | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        """Start the process (it imports TensorFlow at once, off the caller's thread)."""
        if self.alive:
            return
        self._requests = self._ctx.Queue()
        self._events = self._ctx.Queue()
        self._cancel = self._ctx.Event()
        self._proc = self._ctx.Process(
            target=serve,
            args=(self._requests, self._events, self._cancel),
            name="musicstudio-engine",
            daemon=True,
        )
        self._proc.start()

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def close(self, timeout: float = 3.0) -> None:
        """Ask the engine to stop; kill it if it does not."""
        if self._proc is None:
            return
        if self._proc.is_alive():
            self._cancel.set()
            try:
                self._requests.put(("stop", 0, None))
            except (OSError, ValueError):
                pass
            self._proc.join(timeout)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(1.0)
        self._proc = None

    # -- jobs ------------------------------------------------------------------------
    def submit(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue a job ("train", "compose", "warmup"); returns its id."""
        self.start()
        job = next(self._ids)
        self._cancel.clear()
        self.current = job
        self._requests.put((kind, job, payload))
        return job

    def cancel(self) -> None:
        """Ask the running job to stop at its next check (within one training step)."""
        if self._proc is not None:
            self._cancel.set()

    def kill(self) -> None:
        """Hard stop: end the process now (the next job starts a fresh one)."""
        if self._proc is not None and self._proc.is_alive():
            self._proc.kill()
            self._proc.join(2.0)
        self._proc = None

    def next_event(self, timeout: float = 0.1) -> EngineEvent | None:
        """The next message, or None; an engine that died mid-job is reported as an error."""
        if self._proc is None:
            return None
        try:
            kind, job, fraction, info = self._events.get(timeout=timeout)
        except queue.Empty:
            if not self._proc.is_alive() and self.current is not None:
                job, self.current = self.current, None
                code = self._proc.exitcode
                self._proc = None
                return EngineEvent(
                    "error",
                    job,
                    0.0,
                    f"the engine process stopped unexpectedly (exit code {code}); try again",
                )
            return None
        except (EOFError, OSError):
            return None
        if kind in ("result", "error", "cancelled") and job == self.current:
            self.current = None
        return EngineEvent(kind, job, fraction, info)


# -- the child side ---------------------------------------------------------------------
def serve(requests: Any, events: Any, cancel_event: Any) -> None:
    """Engine main loop (runs in the child process)."""
    import os

    parent = os.getppid()  # first: the app may be closed while TensorFlow loads
    from musicstudio.core.jobs import Cancelled, CancelToken, Throttle

    token = CancelToken(_event=cancel_event)
    composers: dict[Any, Any] = {}
    events.put(("ready", 0, 0.0, None))
    try:
        from musicstudio.core.tensorflow_setup import load_tensorflow

        load_tensorflow()  # warm up while the user looks at the window
    except ImportError as e:
        events.put(
            ("error", 0, 0.0, f"TensorFlow is not installed ({e}); install musicstudio[cpu]")
        )
    events.put(("loaded", 0, 0.0, None))
    while True:
        try:
            kind, job, payload = requests.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:  # the app is gone (even killed): do not linger
                events.cancel_join_thread()  # nobody reads the events any more
                return
            continue
        if kind == "stop":
            return
        throttle = Throttle(PROGRESS_INTERVAL)

        def progress(
            fraction: float, info: dict[str, Any], job: int = job, throttle: Throttle = throttle
        ) -> None:
            if throttle.ready(force=info.get("phase") in ("epoch", "resumed")):
                info = {k: v for k, v in info.items() if k != "report"}
                events.put(("progress", job, float(fraction), info))

        try:
            result = _run(kind, payload, progress, token, composers)
            events.put(("result", job, 1.0, result))
        except Cancelled:
            events.put(("cancelled", job, 0.0, None))
        except Exception as e:  # every failure becomes a message for the user
            events.put(("error", job, 0.0, _message(e)))


def _message(e: Exception) -> str:
    from musicstudio.core.errors import MusicStudioError

    if isinstance(e, MusicStudioError | OSError):
        return str(e)
    return f"{type(e).__name__}: {e}\n\n{traceback.format_exc(limit=8)}"


def _run(
    kind: str,
    payload: dict[str, Any],
    progress: Any,
    token: Any,
    composers: dict[Any, Any],
) -> Any:
    if kind == "warmup":
        return None
    if kind == "train":
        from musicstudio.core.training import train

        result = train(
            payload["data"],
            payload["config"],
            payload["settings"],
            payload["bundle_path"],
            progress,
            token,
            resume=payload.get("resume", False),
            name=payload.get("name", ""),
        )
        if result.cancelled and result.bundle is None:
            from musicstudio.core.jobs import Cancelled

            raise Cancelled()
        return result
    if kind == "prepare":
        # Load and trace the composer now, so the user's first Compose is fast.
        from musicstudio.core.compose import ComposeSettings

        _composer(payload["bundle_path"], composers).compose(
            ComposeSettings(length=4, primer="corpus")
        )
        return None
    if kind == "compose":
        composer = _composer(payload["bundle_path"], composers)
        pieces = composer.compose(payload["settings"], progress, token)
        profile = _profile(composer.bundle, payload.get("profile_streams"), composers)
        from musicstudio.core.metrics import evaluate_composition

        for piece in pieces:
            piece.metrics = evaluate_composition(piece.tokens, piece.notes, profile)
        return pieces
    raise ValueError(f"unknown job {kind!r}")


def _composer(bundle_path: Any, cache: dict[Any, Any]) -> Any:
    """The compiled composer of a bundle, kept while the file is unchanged (one model at a time)."""
    from pathlib import Path

    from musicstudio.core.bundle import load_bundle
    from musicstudio.core.compose import Composer

    path = Path(bundle_path)
    key = (str(path), path.stat().st_mtime)
    if key not in cache:
        cache.clear()
        cache[key] = Composer(load_bundle(path))
    return cache[key]


def _profile(bundle: Any, streams: Any, cache: dict[Any, Any]) -> Any:
    """The corpus a composition is measured against: the scanned dataset, else the bundle's primers."""
    from musicstudio.core.metrics import CorpusProfile

    if not streams:
        return CorpusProfile.from_tokens(bundle.primers, bundle.vocab)
    key = ("profile", id(bundle), len(streams), sum(len(s) for s in streams))
    if key not in cache:
        for old in [k for k in cache if k[0] == "profile"]:
            del cache[old]
        cache[key] = CorpusProfile.from_events(streams, bundle.vocab)
    return cache[key]
