"""Faults during work: kill -9 mid-training or mid-save, unwritable outputs — nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.learn.checkpoints import Checkpoints, run_dir_for

TRAIN = ["--model", "wavenet", "--window", "32", "--batch-size", "8", "--threshold", "5"]


def cli(*args: str, **kw) -> subprocess.Popen:  # type: ignore[no-untyped-def,type-arg]
    return subprocess.Popen(
        [sys.executable, "-m", "musicstudio", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_kill_9_mid_training_then_resume(chorale_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.msb"
    proc = cli("train", str(chorale_dir), *TRAIN, "--epochs", "400", "--out", str(out))
    checkpoints = Checkpoints(run_dir_for(out))
    end = time.monotonic() + 240
    while time.monotonic() < end and (checkpoints.state() or {}).get("epoch", 0) < 2:
        time.sleep(0.05)
    state = checkpoints.state()
    assert state, proc.stderr.read() if proc.poll() is not None else "no checkpoint"
    os.kill(proc.pid, signal.SIGKILL)  # mid-epoch, no chance to clean up
    proc.wait()
    done = checkpoints.state()["epoch"]
    assert load_bundle(out).epochs >= 1  # the bundle under its real name is complete
    again = cli(
        "train",
        str(chorale_dir),
        *TRAIN,
        "--epochs",
        str(done + 1),
        "--out",
        str(out),
        "--resume",
        "--json",
    )
    stdout, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr[-2000:]
    result = json.loads(stdout.strip().splitlines()[-1])
    assert result["resumed_from"] == done and result["epochs"] == done + 1
    assert load_bundle(out).epochs == done + 1


SAVER = """
import sys, numpy as np
from musicstudio.core.learn.bundle import load_bundle
b = load_bundle(sys.argv[1])
b.weights = [w + 1e-3 for w in b.weights] * 1
print("saving", flush=True)
while True:
    b.save(sys.argv[1])
"""


def test_kill_during_bundle_save_leaves_a_loadable_bundle(
    tiny_bundles: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "m.msb"
    target.write_bytes(Path(tiny_bundles["lstm"]).read_bytes())
    for delay in (0.3, 0.45, 0.6, 0.8):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(target)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "saving"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert (
            load_bundle(target).family == "lstm"
        )  # always the old or the new file, never half of one
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert len(leftovers) <= 4  # a killed writer may leave its temp file, never a broken real one


def test_export_to_an_unwritable_place_is_a_clear_error(
    tiny_bundles: dict[str, Path], tmp_path: Path
) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    for bad in (blocker / "out.mid", Path("/proc/musicstudio/out.mid")):
        proc = cli("compose", str(tiny_bundles["lstm"]), "--length", "32", "--out", str(bad))
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 2, stderr[-2000:]
        assert "cannot write" in stderr and "Traceback" not in stderr
