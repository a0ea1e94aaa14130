"""The engine process: any job of the catalog runs off the caller's process, reports typed
progress, is cancelled by name, survives crashes, and says when TensorFlow cannot load."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from musicstudio.core.app.catalog import ComposeJob, PrepareJob, TrainJob
from musicstudio.core.app.engine import Engine, EngineEvent
from musicstudio.core.base.progress import Composing, EpochDone
from musicstudio.core.compose.composer import ComposeSettings
from musicstudio.core.learn.models import default_config
from musicstudio.core.learn.training import TrainSettings
from musicstudio.core.music.corpus import CorpusSource, ScanOptions


def wait_for(
    engine: Engine, kinds: set[str], timeout: float = 120, job: int | None = None
) -> tuple[EngineEvent, list[EngineEvent]]:
    seen = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ev = engine.next_event(0.1)
        if ev is None:
            continue
        seen.append(ev)
        if ev.kind in kinds and (job is None or ev.job in (job, 0)):
            return ev, seen
    raise AssertionError(f"no {kinds} within {timeout} s; saw {[e.kind for e in seen]}")


@pytest.fixture
def engine() -> Engine:
    e = Engine()
    yield e
    e.close()


def compose(bundle: Path, length: int) -> ComposeJob:
    return ComposeJob(str(bundle), ComposeSettings(length=length, primer="none"))


def test_compose_in_the_engine(engine: Engine, tiny_bundles: dict[str, Path]) -> None:
    job = engine.submit(compose(tiny_bundles["lstm"], 300))
    ev, seen = wait_for(engine, {"result", "error"})
    assert ev.kind == "result" and ev.job == job, ev.info
    [piece] = ev.info
    assert piece.events == 300 and len(piece.notes) > 100
    assert piece.metrics.copy_rate is not None  # measured in the engine
    assert any(isinstance(e.info, Composing) for e in seen if e.kind == "progress")


def test_training_reads_the_corpus_itself(
    engine: Engine, chorale_dir: Path, tmp_path: Path
) -> None:
    source = CorpusSource((str(chorale_dir),), ScanOptions(threshold=5))
    config = default_config("lstm", units=16, layers=1, window=32, head_units=16)
    out = tmp_path / "m.msb"
    engine.submit(TrainJob(source, config, TrainSettings(epochs=2, batch_size=8), str(out)))
    ev, seen = wait_for(engine, {"result", "error"}, timeout=300)
    assert ev.kind == "result", ev.info
    assert ev.info.epochs == 2 and out.is_file()
    epochs = [e.info for e in seen if isinstance(e.info, EpochDone)]
    assert [e.epoch for e in epochs] == [1, 2]  # milestones are never throttled away


def test_errors_come_back_as_messages(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "x.msb"
    bad.write_text("nope")
    engine.submit(compose(bad, 10))
    ev, _ = wait_for(engine, {"result", "error"})
    assert ev.kind == "error" and "not a MusicStudio model file" in ev.info


def test_a_crashed_engine_is_an_error_and_the_next_job_works(
    engine: Engine, tiny_bundles: dict[str, Path]
) -> None:
    engine.submit(compose(tiny_bundles["wavenet"], 100_000))
    wait_for(engine, {"progress"})
    os.kill(engine._proc.pid, signal.SIGKILL)  # a native crash, out of memory, …
    ev, _ = wait_for(engine, {"error"})
    assert "stopped unexpectedly" in ev.info
    assert engine.pending == []
    engine.submit(compose(tiny_bundles["wavenet"], 50))
    ev, _ = wait_for(engine, {"result", "error"})
    assert ev.kind == "result"


def test_cancel_a_long_composition(engine: Engine, tiny_bundles: dict[str, Path]) -> None:
    job = engine.submit(compose(tiny_bundles["wavenet"], 100_000))
    wait_for(engine, {"progress"})
    t0 = time.monotonic()
    engine.cancel(job)
    ev, _ = wait_for(engine, {"cancelled", "result", "error"})
    assert ev.kind == "cancelled" and time.monotonic() - t0 < 2.0


def test_cancelling_a_compose_leaves_the_preparation_before_it_alone(
    engine: Engine, tiny_bundles: dict[str, Path]
) -> None:
    """The bug: Compose's Cancel used to cancel whatever job was current."""
    prepare = engine.submit(PrepareJob(str(tiny_bundles["lstm"])))
    composing = engine.submit(compose(tiny_bundles["lstm"], 50))
    engine.cancel(composing)  # while the preparation runs (or waits)
    first, _ = wait_for(engine, {"result", "cancelled", "error"}, job=prepare)
    assert first.job == prepare and first.kind == "result", first
    second, _ = wait_for(engine, {"result", "cancelled", "error"}, job=composing)
    assert second.job == composing and second.kind == "cancelled"


def test_a_tensorflow_that_fails_to_load_is_reported(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bug: the engine's import error was dropped and the window said "Ready"."""
    fake = tmp_path / "site" / "tensorflow"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise ImportError('libtensorflow_framework.so.2: cannot open')\n"
    )
    monkeypatch.syspath_prepend(str(fake.parent))  # the engine process starts with our sys.path
    engine.start()
    ev, _ = wait_for(engine, {"loaded", "unavailable"})
    assert ev.kind == "unavailable"
    assert "TensorFlow could not be loaded" in ev.info and "libtensorflow_framework" in ev.info
