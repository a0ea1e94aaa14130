"""The engine process: jobs run off the caller's process, report progress, cancel, survive crashes."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from musicstudio.core.compose import ComposeSettings
from musicstudio.core.engine import Engine, EngineEvent


def wait_for(
    engine: Engine, kinds: set[str], timeout: float = 120
) -> tuple[EngineEvent, list[EngineEvent]]:
    seen = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ev = engine.next_event(0.1)
        if ev is None:
            continue
        seen.append(ev)
        if ev.kind in kinds:
            return ev, seen
    raise AssertionError(f"no {kinds} within {timeout} s; saw {[e.kind for e in seen]}")


@pytest.fixture
def engine() -> Engine:
    e = Engine()
    yield e
    e.close()


def test_compose_in_the_engine(engine: Engine, tiny_bundles: dict[str, Path]) -> None:
    job = engine.submit(
        "compose",
        {
            "bundle_path": str(tiny_bundles["lstm"]),
            "settings": ComposeSettings(length=300, primer="none"),
        },
    )
    ev, seen = wait_for(engine, {"result", "error"})
    assert ev.kind == "result" and ev.job == job, ev.info
    [piece] = ev.info
    assert piece.events == 300 and len(piece.notes) > 100
    assert any(e.kind == "progress" for e in seen)


def test_errors_come_back_as_messages(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "x.msb"
    bad.write_text("nope")
    engine.submit("compose", {"bundle_path": str(bad), "settings": ComposeSettings(length=10)})
    ev, _ = wait_for(engine, {"result", "error"})
    assert ev.kind == "error" and "not a MusicStudio model file" in ev.info


def test_a_crashed_engine_is_an_error_and_the_next_job_works(
    engine: Engine, tiny_bundles: dict[str, Path]
) -> None:
    wait_for(engine, {"loaded"}) if engine.submit("warmup", {}) else None
    engine.submit(
        "compose",
        {
            "bundle_path": str(tiny_bundles["wavenet"]),
            "settings": ComposeSettings(length=100_000, primer="none"),
        },
    )
    wait_for(engine, {"progress"})
    os.kill(engine._proc.pid, signal.SIGKILL)  # a native crash, out of memory, …
    ev, _ = wait_for(engine, {"error"})
    assert "stopped unexpectedly" in ev.info
    engine.submit(
        "compose",
        {
            "bundle_path": str(tiny_bundles["wavenet"]),
            "settings": ComposeSettings(length=50, primer="none"),
        },
    )
    ev, _ = wait_for(engine, {"result", "error"})
    assert ev.kind == "result"


def test_cancel_a_long_composition(engine: Engine, tiny_bundles: dict[str, Path]) -> None:
    engine.submit(
        "compose",
        {
            "bundle_path": str(tiny_bundles["wavenet"]),
            "settings": ComposeSettings(length=100_000, primer="none"),
        },
    )
    wait_for(engine, {"progress"})
    t0 = time.monotonic()
    engine.cancel()
    ev, _ = wait_for(engine, {"cancelled", "result", "error"})
    assert ev.kind == "cancelled" and time.monotonic() - t0 < 2.0
