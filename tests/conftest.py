"""Shared fixtures: real MIDI (the Bach chorales we ship, synthesised files) and hostile files."""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "sample_corpus"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the real user cache or data dirs."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("MUSICSTUDIO_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("MUSICSTUDIO_DATA_DIR", str(base / "data"))


def sample_files(n: int) -> list[Path]:
    files = sorted(SAMPLE.glob("*.mid"))
    assert len(files) >= n, "run scripts/make_sample_corpus.py"
    return files[:n]


@pytest.fixture
def chorale_dir(tmp_path: Path) -> Path:
    """A folder of 24 real Bach chorales (from music21's corpus, as shipped)."""
    d = tmp_path / "chorales"
    d.mkdir()
    for f in sample_files(24):
        shutil.copy(f, d / f.name)
    return d


# -- hand-built MIDI bytes ----------------------------------------------------------------
def vlq(n: int) -> bytes:
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def track_chunk(events: list[tuple[int, bytes]]) -> bytes:
    body = b"".join(vlq(dt) + ev for dt, ev in events) + b"\x00\xff\x2f\x00"
    return b"MTrk" + struct.pack(">I", len(body)) + body


def midi_file(tracks: list[bytes], fmt: int = 1, tpq: int = 480) -> bytes:
    return b"MThd" + struct.pack(">IHHH", 6, fmt, len(tracks), tpq) + b"".join(tracks)


def melody_track(
    n: int = 40, channel: int = 0, base: int = 60, tempo_us: int | None = 500000
) -> bytes:
    ev: list[tuple[int, bytes]] = []
    if tempo_us is not None:
        ev.append((0, b"\xff\x51\x03" + tempo_us.to_bytes(3, "big")))
    for i in range(n):
        p = base + (i * 5) % 12
        ev.append((0, bytes([0x90 | channel, p, 80])))
        ev.append((240, bytes([0x80 | channel, p, 0])))
    return track_chunk(ev)


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    """Broken and odd MIDI files beside two good ones."""
    d = tmp_path / "hostile"
    d.mkdir()
    good = midi_file([melody_track(64)])
    (d / "good1.mid").write_bytes(good)
    (d / "good2.MIDI").write_bytes(midi_file([melody_track(64, base=55)]))
    (d / "truncated.mid").write_bytes(good[: len(good) // 2])
    rng = np.random.default_rng(0)
    (d / "random.mid").write_bytes(rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    (d / "random_header.mid").write_bytes(
        b"MThd" + rng.integers(0, 256, 4000, dtype=np.uint8).tobytes()
    )
    (d / "zero.mid").write_bytes(b"")
    (d / "wrong_header.mid").write_bytes(b"MThx" + good[4:])
    (d / "text.mid").write_text("this is not a MIDI file, just some text\n" * 20)
    (d / "drums.mid").write_bytes(midi_file([melody_track(64, channel=9, base=36)]))
    (d / "type2.mid").write_bytes(midi_file([melody_track(32), melody_track(32)], fmt=2))
    (d / "zero_tempo.mid").write_bytes(midi_file([melody_track(64, tempo_us=0)]))
    (d / "short.mid").write_bytes(midi_file([melody_track(3)]))
    (d / "dir.mid").mkdir()
    return d


@pytest.fixture(scope="session")
def tiny_bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small WaveNet and LSTM trained briefly on 24 chorales (shared by the tests)."""
    from musicstudio.core.learn.dataset import TrainingData
    from musicstudio.core.learn.models import default_config
    from musicstudio.core.learn.trainer import train
    from musicstudio.core.learn.training import TrainSettings
    from musicstudio.core.music.corpus import ScanOptions, scan

    base = tmp_path_factory.mktemp("bundles")
    folder = base / "chorales"
    folder.mkdir()
    for f in sample_files(24):
        shutil.copy(f, folder / f.name)
    corpus = scan([folder], ScanOptions(threshold=5), cache_dir=base / "cache")
    data = TrainingData.from_corpus(corpus, 0.2)
    configs = {
        "wavenet": default_config(
            "wavenet", channels=16, skip_channels=16, layers=4, window=32, head_units=32
        ),
        "lstm": default_config("lstm", units=32, layers=1, window=32, head_units=32),
    }
    out = {}
    for family, config in configs.items():
        path = base / f"{family}.msb"
        train(data, config, TrainSettings(epochs=3, batch_size=8, learning_rate=5e-3), path)
        out[family] = path
    out["corpus"] = folder
    return out


def benchmark_module(name: str):  # type: ignore[no-untyped-def]
    """A helper module of benchmarks/ (the band generator, the MIDI mutator), without sys.path edits."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def band_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve band files: drums (channel 10), bass, keys, synth lead, synth pad (~1,000 notes each)."""
    folder = tmp_path_factory.mktemp("band")
    benchmark_module("popmidi").write_pop_folder(folder, 12, target_notes=1000)
    return folder


@pytest.fixture(scope="session")
def band_bundle(tmp_path_factory: pytest.TempPathFactory, band_dir: Path) -> Path:
    """A small LSTM trained briefly on the band files (composes several parts)."""
    from musicstudio.core.learn.dataset import TrainingData
    from musicstudio.core.learn.models import default_config
    from musicstudio.core.learn.trainer import train
    from musicstudio.core.learn.training import TrainSettings
    from musicstudio.core.music.corpus import ScanOptions, scan

    base = tmp_path_factory.mktemp("band_bundle")
    corpus = scan([band_dir], ScanOptions(threshold=5), cache_dir=base / "cache")
    data = TrainingData.from_corpus(corpus, 0.2)
    config = default_config("lstm", units=48, layers=1, window=48, head_units=48)
    path = base / "band.msb"
    train(data, config, TrainSettings(epochs=4, batch_size=16, learning_rate=1e-2), path)
    return path


def random_onsets_midi(seed: int = 7, notes: int = 600) -> bytes:
    """Notes at random ticks over 200 quarters at 120 BPM: no steady beat to find."""
    from symusic import Note, Score, Tempo, Track

    rng = np.random.default_rng(seed)
    score = Score(480)
    score.tempos.append(Tempo(0, 120.0))
    track = Track("noise", 0, False)
    ticks = np.sort(rng.integers(0, 480 * 200, notes)).astype(np.int32)
    track.notes = Note.from_numpy(
        ticks,
        rng.integers(30, 400, ticks.size).astype(np.int32),
        rng.integers(40, 90, ticks.size).astype(np.int8),
        rng.integers(40, 110, ticks.size).astype(np.int8),
    )
    score.tracks.append(track)
    return bytes(score.dumps_midi())


@pytest.fixture
def played_dir(tmp_path: Path) -> Path:
    """A chorale as written, the same kind of pop file played without a click (a tempo curve,
    a late start), and random onsets."""
    folder = tmp_path / "played"
    folder.mkdir()
    shutil.copy(SAMPLE / "bwv1.6.mid", folder / "chorale.mid")
    pop = benchmark_module("popmidi").pop_score(0, 800).dumps_midi()
    (folder / "played.mid").write_bytes(benchmark_module("played").play(bytes(pop), 0).data)
    (folder / "noise.mid").write_bytes(random_onsets_midi())
    return folder
