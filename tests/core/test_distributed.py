"""The same training job under tf.distribute: mirrored on two logical CPUs, multi-worker on two processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

MIRRORED = """
import sys, json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from musicstudio.core.music.corpus import ScanOptions, scan
from musicstudio.core.learn.models import default_config
from musicstudio.core.learn.dataset import TrainingData
from musicstudio.core.learn.trainer import train
from musicstudio.core.learn.training import TrainSettings, make_strategy
if __name__ == "__main__":
    corpus = scan([sys.argv[1]], ScanOptions(threshold=5), workers=0)
    data = TrainingData.from_corpus(corpus, 0.2)
    cfg = default_config("wavenet", channels=16, skip_channels=16, layers=3, window=32, head_units=32)
    r = train(data, cfg, TrainSettings(epochs=2, batch_size=8, strategy="mirrored"), sys.argv[2])
    print(json.dumps({"replicas": make_strategy("mirrored").num_replicas_in_sync,
                      "losses": [h["loss"] for h in r.history], "bundle": str(r.bundle)}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_mirrored_on_two_logical_cpus(chorale_dir: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", MIRRORED, str(chorale_dir), str(tmp_path / "m.msb")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["replicas"] == 2
    assert r["losses"][1] < r["losses"][0]
    assert Path(r["bundle"]).exists()


@pytest.mark.slow  # two processes training on two cores: 100 s of the default run's 14 min
def test_multiworker_on_two_local_processes(chorale_dir: Path, tmp_path: Path) -> None:
    ports = [free_port(), free_port()]
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    procs = []
    for i in range(2):
        env = dict(
            os.environ,
            TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}),
        )
        cmd = [
            sys.executable,
            "-m",
            "musicstudio",
            "train",
            str(chorale_dir),
            "--model",
            "wavenet",
            "--epochs",
            "2",
            "--window",
            "32",
            "--batch-size",
            "8",
            "--threshold",
            "5",
            "--strategy",
            "multiworker",
            "--out",
            str(tmp_path / f"w{i}.msb"),
            "--json",
        ]
        procs.append(
            subprocess.Popen(
                cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    results = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=400)
        assert p.returncode == 0, stderr[-3000:]
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    assert all(r["epochs"] == 2 for r in results)
    # Both workers computed the same all-reduced losses; only the chief wrote the model.
    assert results[0]["loss"] == results[1]["loss"]
    assert (tmp_path / "w0.msb").exists() and not (tmp_path / "w1.msb").exists()
