"""Background work for the window: scans in a QThread, TensorFlow jobs through the engine process.

Core jobs know nothing of Qt; here their callbacks become queued signals, throttled so a
per-file or per-step callback cannot flood the event loop.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from musicstudio.core.jobs.cancel import Cancelled, CancelToken, Throttle
from musicstudio.core.jobs.catalog import Job, ScanJob
from musicstudio.core.jobs.engine import Engine, EngineEvent
from musicstudio.core.jobs.progress import FileScanned, Progress
from musicstudio.core.jobs.workspace import Workspace
from musicstudio.core.music.corpus import Corpus, CorpusError, CorpusSource, FileReport, ScanOptions


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic GC inside (refcounting still frees memory); afterwards the survivors are frozen
    so later full collections do not walk them again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


class ScanThread(QThread):
    """Scans a folder; emits finished files in batches and the corpus at the end."""

    files = Signal(list)  # list[FileReport], a batch at a time
    progress = Signal(int, int)  # done, total
    done = Signal(object)  # Corpus
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self, paths: list[str], options: ScanOptions, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.paths, self.options = paths, options
        self.token = CancelToken()
        self._batch: list[FileReport] = []
        self._throttle = Throttle(0.1)

    def cancel(self) -> None:
        self.token.cancel()

    def _on_progress(self, fraction: float, event: Progress) -> None:
        if not isinstance(event, FileScanned):
            return
        self._batch.append(event.report)
        if self._throttle.ready(force=event.done == event.total):
            self.files.emit(self._batch)
            self._batch = []
            self.progress.emit(event.done, event.total)

    def run(self) -> None:
        # A scan allocates many small objects; a full cyclic-GC pass over them holds the GIL
        # long enough to stall the UI (measured 100+ ms). Collect after, then freeze.
        with paused_gc():
            self._scan()

    def _scan(self) -> None:
        try:
            job = ScanJob(CorpusSource(tuple(self.paths), self.options))
            # One core is left to the window: with every core parsing, the event loop stalls.
            workers = max(1, (os.cpu_count() or 2) - 1)
            corpus: Corpus = job.run(self._on_progress, self.token, Workspace(workers))
        except Cancelled:
            self.cancelled.emit()
            return
        except CorpusError as e:
            self.failed.emit(str(e))
            return
        except Exception as e:  # never a silent failure: the window shows it
            self.failed.emit(f"{type(e).__name__}: {e}")
            return
        if self._batch:
            self.files.emit(self._batch)
        self.done.emit(corpus)


class JobHandle(QObject):
    """One engine job seen from Qt: its own signals, so a panel hears only its job."""

    progress = Signal(float, object)  # fraction, a typed progress event (core.jobs.progress)
    result = Signal(object)
    error = Signal(str)
    cancelled = Signal()
    finished = Signal()  # after result, error or cancelled

    def __init__(self, job: int, kind: str, client: EngineClient, background: bool = False) -> None:
        super().__init__(client)
        self.job, self.kind, self.background = job, kind, background
        self._client = client

    def cancel(self) -> None:
        """Stop this job (and no other)."""
        self._client.engine.cancel(self.job)

    def connect(
        self, progress: Any = None, result: Any = None, error: Any = None, cancelled: Any = None
    ) -> JobHandle:
        """Connect the handlers given (a small builder, Anki-style)."""
        for signal, slot in (
            (self.progress, progress),
            (self.result, result),
            (self.error, error),
            (self.cancelled, cancelled),
        ):
            if slot is not None:
                signal.connect(slot)
        return self


class EngineClient(QObject):
    """The engine process seen from Qt: submit jobs, get a JobHandle whose signals report them.

    Owned by the UI thread: only it submits, cancels and changes state. A reader thread blocks
    on the engine's queue and hands each event over as a queued signal.
    """

    loaded = Signal()  # TensorFlow is imported in the engine
    unavailable = Signal(str)  # TensorFlow could not be loaded: why

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = Engine()
        self._reader: _Reader | None = None
        self._jobs: dict[int, JobHandle] = {}

    @property
    def busy(self) -> bool:
        """A user's job (train, compose) is running; background preparation does not count."""
        return any(not h.background for h in self._jobs.values())

    def start(self) -> None:
        """Start the engine (TensorFlow loads there while the user looks at the window)."""
        self.engine.start()
        if self._reader is None:
            self._reader = _Reader(self.engine, self)
            self._reader.event.connect(self._dispatch)
            self._reader.start()

    def submit(self, job: Job, background: bool = False) -> JobHandle:
        """Queue a job of the catalog; jobs run one after another in the engine."""
        self.start()
        job_id = self.engine.submit(job)
        handle = self._jobs[job_id] = JobHandle(job_id, job.kind, self, background)
        return handle

    def shutdown(self) -> None:
        if self._reader is not None:
            self._reader.stop()
            self._reader.wait(3000)
            self._reader = None
        self.engine.close()

    def _dispatch(self, raw: EngineEvent) -> None:
        for ev in self.engine.dispatch(raw):
            self._deliver(ev)

    def _deliver(self, ev: EngineEvent) -> None:
        if ev.kind == "loaded":
            self.loaded.emit()
            return
        if ev.kind == "unavailable":
            self.unavailable.emit(str(ev.info))
            return
        handle = self._jobs.get(ev.job)
        if handle is None:
            return
        if ev.kind == "progress":
            handle.progress.emit(ev.fraction, ev.info)
            return
        del self._jobs[ev.job]
        if ev.kind == "result":
            handle.result.emit(ev.info)
        elif ev.kind == "cancelled":
            handle.cancelled.emit()
        elif ev.kind == "error":
            handle.error.emit(str(ev.info))
        handle.finished.emit()
        handle.deleteLater()


class _Reader(QThread):
    """Blocks on the engine's event queue so the UI thread never does (it changes no state)."""

    event = Signal(object)

    def __init__(self, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self._stop = False

    def stop(self) -> None:
        self._stop = True

    def run(self) -> None:
        while not self._stop:
            ev = self.engine.wait_event(0.05)
            if ev is not None:
                self.event.emit(ev)
                if ev.kind == "stopped":
                    self.msleep(200)  # the UI thread releases the dead engine meanwhile
            elif not self.engine.alive:
                self.msleep(50)
