"""Background work for the window: scans in a QThread, TensorFlow jobs through the engine process.

Core jobs know nothing of Qt; here their callbacks become queued signals, throttled so a
per-file or per-step callback cannot flood the event loop.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, QThread, Signal

from musicstudio.core.app.catalog import Job, ScanJob
from musicstudio.core.app.engine import Engine, EngineEvent
from musicstudio.core.app.workspace import Workspace
from musicstudio.core.base.cancel import Cancelled, CancelToken, Throttle
from musicstudio.core.base.progress import FileScanned, Progress
from musicstudio.core.music.corpus import Corpus, CorpusError, CorpusSource, FileReport, ScanOptions

#: What a job's signal calls: progress (fraction, event), result (value), error (text), cancelled ().
Handler = Callable[..., object]


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
    done = Signal(object)  # Corpus (its files' forms still to find)
    formed = Signal(object)  # CorpusForm: each file's form and the profile, after `done`
    failed = Signal(str)
    failed_form = Signal(str)  # the forms could not be found (the corpus stands)
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
            # Every core parses: the workers run niced (parsing.WORKER_NICENESS), so the window
            # still comes first (benchmarks/scan_window.py measures the event loop's stalls).
            corpus: Corpus = job.run(self._on_progress, self.token, Workspace())
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
        # Each file's form after the corpus, here rather than on the UI thread: the files and
        # the summary show (and Train is ready) while this takes ~1-3 ms a file.
        if corpus.streams and not self.token.cancelled:
            try:
                form = corpus.with_form().form
            except Exception as e:  # the forms are extra: the scan stands without them
                self.failed_form.emit(f"{type(e).__name__}: {e}")
                return
            if not self.token.cancelled:
                self.formed.emit(form)


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
        self._client.engine_of(self.job).cancel(self.job)

    def on(
        self,
        progress: Handler | None = None,
        result: Handler | None = None,
        error: Handler | None = None,
        cancelled: Handler | None = None,
    ) -> JobHandle:
        """Connect the handlers given (a small builder, Anki-style; not QObject.connect)."""
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
    """The engine processes seen from Qt: submit jobs, get a JobHandle whose signals report them.

    Two processes: `engine` imports TensorFlow at once and trains; `composer` never needs it
    (composing runs on NumPy), so Compose answers at once, even while TensorFlow loads or a
    model trains. Owned by the UI thread: only it submits, cancels and changes state. A reader
    thread per process blocks on its queue and hands each event over as a queued signal.
    """

    loaded = Signal()  # TensorFlow is imported in the engine
    unavailable = Signal(str)  # TensorFlow could not be loaded: why

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = Engine(tensorflow=True)
        self.composer = Engine(tensorflow=False)
        self._readers: dict[Engine, _Reader] = {}  # by the engine itself, never id()
        self._jobs: dict[int, JobHandle] = {}
        self._owners: dict[int, Engine] = {}

    @property
    def busy(self) -> bool:
        """A user's job (train, compose) is running; background preparation does not count."""
        return any(not h.background for h in self._jobs.values())

    def busy_in(self, tensorflow: bool) -> bool:
        """A user's job runs in that process: training (True) or composing (False)."""
        engine = self.engine if tensorflow else self.composer
        return any(
            not h.background and self._owners.get(j) is engine for j, h in self._jobs.items()
        )

    def start(self, tensorflow: bool = True) -> None:
        """Start the composing process, and (unless told to wait) the one that loads
        TensorFlow while the user looks at the window."""
        self._start(self.composer)
        if tensorflow:
            self._start(self.engine)

    def start_tensorflow(self) -> None:
        """Start the process that imports TensorFlow (a no-op once it runs)."""
        self._start(self.engine)

    def _start(self, engine: Engine) -> None:
        engine.start()
        if engine not in self._readers:
            reader = self._readers[engine] = _Reader(engine, self)
            reader.arrived.connect(lambda ev, e=engine: self._dispatch(e, ev))
            reader.start()

    def engine_of(self, job: int) -> Engine:
        return self._owners.get(job, self.engine)

    def submit(self, job: Job, background: bool = False) -> JobHandle:
        """Queue a job of the catalog; jobs of one process run one after another."""
        engine = self.engine if getattr(job, "needs_tensorflow", True) else self.composer
        self._start(engine)
        job_id = engine.submit(job)
        self._owners[job_id] = engine
        handle = self._jobs[job_id] = JobHandle(job_id, job.kind, self, background)
        return handle

    def shutdown(self) -> None:
        for reader in self._readers.values():
            reader.stop()
        for reader in self._readers.values():
            reader.wait(3000)
        self._readers.clear()
        self.engine.close()
        self.composer.close()

    def _dispatch(self, engine: Engine, raw: EngineEvent) -> None:
        for ev in engine.dispatch(raw):
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
        self._owners.pop(ev.job, None)
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

    arrived = Signal(object)  # an EngineEvent (not `event`: QObject.event is a virtual)

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
                self.arrived.emit(ev)
                if ev.kind == "stopped":
                    self.msleep(200)  # the UI thread releases the dead engine meanwhile
            elif not self.engine.alive:
                self.msleep(50)
