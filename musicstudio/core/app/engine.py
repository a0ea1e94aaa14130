"""The engine: a child process that runs the TensorFlow jobs (train, prepare, compose, evaluate).

The app never imports TensorFlow itself: the engine process does, in the background, so the
window shows at once and never freezes while TensorFlow loads or traces. Any job of the
catalog runs here, one after another, with one Workspace (the compiled composer survives
between Compose clicks). A job reports typed progress through a queue; cancelling names the
job, so cancelling a Compose never stops the model preparation that runs before it. A crash of
the engine (out of memory, a native fault) is an error message, not a dead app, and the next
job starts a fresh engine.

Threading: `Engine` is owned by one thread (the UI thread). Another thread may block in
`wait_event` on the queue, which changes no state; `dispatch` (owner thread) does.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing as mp
import queue
import threading
import traceback
from dataclasses import dataclass
from typing import Any

from musicstudio.core.base.progress import milestone

PROGRESS_INTERVAL = 0.05  # seconds between progress events a job may send

#: What the engine says: "loaded" (TensorFlow ready), "unavailable" (TensorFlow failed to
#: load; info is why), "progress", "result", "cancelled", "error", and "stopped" (the
#: process ended without a word; made here, not sent).
KINDS = ("loaded", "unavailable", "progress", "result", "cancelled", "error", "stopped")


@dataclass(frozen=True)
class EngineEvent:
    """One message from the engine about one job (job 0: the engine itself)."""

    kind: str
    job: int = 0
    fraction: float = 0.0
    info: Any = None


#: Job ids are unique across every engine of a process (an app runs two).
_JOB_IDS = itertools.count(1)


class Engine:
    """Owner side of the engine process.

    `tensorflow=True`: the process imports TensorFlow as it starts (training, evaluation);
    False: it never does unless a job needs it (composing runs on NumPy), so its jobs never
    wait behind TensorFlow's import or a training run.
    """

    def __init__(self, tensorflow: bool = True) -> None:
        self._ctx = mp.get_context("spawn")
        self._proc: Any = None
        self._ids = _JOB_IDS
        self.tensorflow = tensorflow
        self.pending: list[int] = []  # submitted, not finished, oldest first

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        """Start the process (it imports TensorFlow at once, off the caller's thread)."""
        if self.alive:
            return
        self._requests = self._ctx.Queue()
        self._events = self._ctx.Queue()
        self._cancel = self._ctx.Value("q", 0)  # the job to cancel; -1: every job
        # Not a daemon: a job may parse MIDI in worker processes of its own (a scan). It ends
        # with its owner all the same: `close` runs at exit, and the engine watches its parent.
        self._proc = self._ctx.Process(
            target=serve,
            args=(self._requests, self._events, self._cancel, self.tensorflow),
            name="musicstudio-engine" if self.tensorflow else "musicstudio-composer",
            daemon=False,
        )
        self._proc.start()
        atexit.register(self.close)

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def close(self, timeout: float = 3.0) -> None:
        """Ask the engine to stop; kill it if it does not; release the queues."""
        if self._proc is None:
            return
        if self._proc.is_alive():
            self._cancel.value = -1
            try:
                self._requests.put(None)
            except (OSError, ValueError):
                pass
            self._proc.join(timeout)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(1.0)
        self._release()

    def _release(self) -> None:
        """Close the queues so no semaphore or feeder thread outlives the process."""
        atexit.unregister(self.close)
        for q in (self._requests, self._events):
            q.cancel_join_thread()
            q.close()
        self._proc = None
        self.pending.clear()

    # -- jobs ------------------------------------------------------------------------
    def submit(self, job: Any) -> int:
        """Queue a job of the catalog; returns its id. Jobs run one after another."""
        self.start()
        job_id = next(self._ids)
        self.pending.append(job_id)
        self._requests.put((job_id, job))
        return job_id

    def cancel(self, job_id: int) -> None:
        """Ask that job to stop at its next check (within one step); others run on."""
        if self._proc is not None and job_id in self.pending:
            self._cancel.value = job_id

    def kill(self) -> None:
        """Hard stop: end the process now (the next job starts a fresh one)."""
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(2.0)
            self._release()

    def wait_event(self, timeout: float = 0.1) -> EngineEvent | None:
        """The next message, or None. Changes no state: safe from a reader thread."""
        proc, events = self._proc, getattr(self, "_events", None)
        if proc is None or events is None:
            return None
        try:
            kind, job, fraction, info = events.get(timeout=timeout)
        except queue.Empty:
            if not proc.is_alive():
                return EngineEvent("stopped", 0, 0.0, proc.exitcode)
            return None
        except (EOFError, OSError, ValueError):
            return None
        return EngineEvent(kind, job, fraction, info)

    def dispatch(self, event: EngineEvent) -> list[EngineEvent]:
        """Owner thread: account for an event; a stopped engine fails every pending job."""
        if event.kind == "stopped":
            if self._proc is None:
                return []
            failed = [
                EngineEvent(
                    "error",
                    job,
                    0.0,
                    f"the engine process stopped unexpectedly (exit code {event.info}); try again",
                )
                for job in self.pending
            ]
            self._release()
            return failed
        if event.kind in ("result", "error", "cancelled") and event.job in self.pending:
            self.pending.remove(event.job)
        return [event]

    def next_event(self, timeout: float = 0.1) -> EngineEvent | None:
        """Single-threaded use (CLI, tests): wait for an event and account for it."""
        event = self.wait_event(timeout)
        if event is None:
            return None
        events = self.dispatch(event)
        return events[0] if events else None


# -- the child side ---------------------------------------------------------------------
class _JobToken:
    """The cancel token of one job: set when the owner names this job (or every job)."""

    def __init__(self, shared: Any, job: int) -> None:
        self._shared, self._job = shared, job

    @property
    def cancelled(self) -> bool:
        return self._shared.value in (self._job, -1)

    def cancel(self) -> None:
        self._shared.value = self._job

    def raise_if_cancelled(self) -> None:
        from musicstudio.core.base.cancel import Cancelled

        if self.cancelled:
            raise Cancelled()


def serve(requests: Any, events: Any, cancel_shared: Any, tensorflow: bool = True) -> None:
    """Engine main loop (runs in the child process)."""
    import os

    parent = os.getppid()  # first: the app may be closed while TensorFlow loads
    # Composing needs no TensorFlow (NumPy steppers): jobs are served at once while it loads
    # beside them; a training job that comes first waits for the import to finish.
    warm = threading.Thread(target=_warm_up, args=(events,), name="tensorflow", daemon=True)
    if tensorflow:
        warm.start()
    from musicstudio.core.app.workspace import Workspace

    workspace = Workspace()
    while True:
        try:
            request = requests.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:  # the app is gone (even killed): do not linger
                events.cancel_join_thread()  # nobody reads the events any more
                return
            continue
        if request is None:
            return
        job_id, job = request
        if getattr(job, "needs_tensorflow", True) and warm.is_alive():
            warm.join()  # two threads importing TensorFlow at once would break it
        events.put(_run(job_id, job, events, _JobToken(cancel_shared, job_id), workspace))


def _warm_up(events: Any) -> None:
    """Import TensorFlow while the user looks at the window; say whether it worked."""
    try:
        from musicstudio.core.learn.tensorflow_setup import load_tensorflow

        load_tensorflow()
        events.put(("loaded", 0, 0.0, None))
    except Exception as e:  # ImportError, or a broken native library
        events.put(
            (
                "unavailable",
                0,
                0.0,
                f"TensorFlow could not be loaded ({type(e).__name__}: {e});"
                " training needs it (composing does not): reinstall with pip install -e .",
            )
        )


def _run(
    job_id: int, job: Any, events: Any, token: _JobToken, workspace: Any
) -> tuple[str, int, float, Any]:
    """Run one job; the final event as a tuple for the queue."""
    from musicstudio.core.base.cancel import Cancelled, Throttle

    throttle = Throttle(PROGRESS_INTERVAL)

    def progress(fraction: float, event: Any) -> None:
        if throttle.ready(force=milestone(event)):
            events.put(("progress", job_id, float(fraction), event))

    try:
        token.raise_if_cancelled()  # cancelled while it waited in the queue
        return ("result", job_id, 1.0, job.run(progress, token, workspace))
    except Cancelled:
        return ("cancelled", job_id, 0.0, None)
    except Exception as e:  # every failure becomes a message for the user
        return ("error", job_id, 0.0, message(e))


def message(e: BaseException) -> str:
    """What the user reads: the message of an error they can act on, else the bug's traceback."""
    from musicstudio.core.base.errors import MusicStudioError

    if isinstance(e, MusicStudioError | OSError):
        return str(e)
    return f"{type(e).__name__}: {e}\n\n{traceback.format_exc(limit=8)}"
