"""Training throughput and held-out accuracy: our WaveNet and LSTM vs the original notebooks' models.

    python benchmarks/train.py [DIR] [--seconds 120] [--big 10000]

Same corpus, same file split, same wall-clock budget per model, one process. The
replicas are Keras copies of the original many-to-one models (one target per window):
  WaveNet: Embedding(100) → Conv1D 64/128/256, dilation 1/2/4, Dropout, MaxPool →
           GlobalMaxPool → Dense 256 → softmax; window 32, batch 256.
  LSTM:    2×LSTM(256) on raw (normalised) index inputs → Dense 256 → softmax; window 50, batch 72.
They see the pitch-set token stream (the original's notes and chords); ours see all four streams.
Accuracy is next-pitch-token accuracy on the held-out files (ours: averaged over every
position of each window, which includes short contexts; the replicas': full context).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def windows(tokens: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """The original's input/next-note pairs (a full N × window matrix, as the notebooks built)."""
    idx = np.arange(len(tokens) - window)[:, None] + np.arange(window)[None, :]
    return tokens[idx], tokens[np.arange(window, len(tokens))]


def replica_wavenet(vocab: int):  # type: ignore[no-untyped-def]
    import keras
    from keras import layers

    m = keras.Sequential(
        [
            keras.Input((32,), dtype="int32"),
            layers.Embedding(vocab, 100),
            layers.Conv1D(64, 3, dilation_rate=1, padding="causal", activation="relu"),
            layers.Dropout(0.2),
            layers.MaxPool1D(2),
            layers.Conv1D(128, 3, dilation_rate=2, padding="causal", activation="relu"),
            layers.Dropout(0.2),
            layers.MaxPool1D(2),
            layers.Conv1D(256, 3, dilation_rate=4, padding="causal", activation="relu"),
            layers.Dropout(0.2),
            layers.MaxPool1D(2),
            layers.GlobalMaxPool1D(),
            layers.Dense(256, activation="relu"),
            layers.Dense(vocab, activation="softmax"),
        ]
    )
    m.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return m


def replica_lstm(vocab: int):  # type: ignore[no-untyped-def]
    import keras
    from keras import layers

    m = keras.Sequential(
        [
            keras.Input((50, 1)),
            layers.LSTM(256, return_sequences=True),
            layers.Dropout(0.3),
            layers.LSTM(256),
            layers.Dense(256),
            layers.Dropout(0.3),
            layers.Dense(vocab, activation="softmax"),
        ]
    )
    m.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return m


def run_replica(
    name: str, train_tok: np.ndarray, val_tok: np.ndarray, vocab: int, seconds: float
) -> dict:
    import keras

    window, batch = (32, 256) if name == "wavenet" else (50, 72)
    x, y = windows(train_tok, window)
    vx, vy = windows(val_tok, window)
    if name == "lstm":
        x, vx = x[..., None] / vocab, vx[..., None] / vocab
    model = replica_wavenet(vocab) if name == "wavenet" else replica_lstm(vocab)

    class Budget(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.samples = 0
            self.t0 = 0.0
            self.train_seconds = 0.0

        def on_train_begin(self, logs=None):  # type: ignore[no-untyped-def]
            self.t0 = time.perf_counter()

        def on_train_batch_begin(self, batch_i, logs=None):  # type: ignore[no-untyped-def]
            self.tb = time.perf_counter()

        def on_train_batch_end(self, batch_i, logs=None):  # type: ignore[no-untyped-def]
            if self.samples or batch_i > 0:  # skip the first (tracing) batch in the rate
                self.train_seconds += time.perf_counter() - self.tb
                self.samples += batch
            if time.perf_counter() - self.t0 > seconds:
                self.model.stop_training = True

    cb = Budget()
    t0 = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=1000, callbacks=[cb], verbose=0, shuffle=True)
    wall = time.perf_counter() - t0
    _, acc = model.evaluate(vx, vy, batch_size=512, verbose=0)
    return {
        "model": f"replica {name}",
        "targets_per_second": cb.samples / max(cb.train_seconds, 1e-9),
        "val_accuracy_pitch": float(acc),
        "seconds": wall,
    }


def run_ours(name: str, data, seconds: float, bundle: Path) -> dict:  # type: ignore[no-untyped-def]
    from musicstudio.core.learn.models import default_config
    from musicstudio.core.learn.trainer import train
    from musicstudio.core.learn.training import TrainSettings

    t0 = time.perf_counter()
    r = train(
        data, default_config(name), TrainSettings(epochs=10_000, minutes=seconds / 60), bundle
    )
    best = max((h.get("val_accuracy_pitch", 0.0) for h in r.history), default=0.0)
    return {
        "model": f"ours {name}",
        "targets_per_second": r.targets_per_second,
        "val_accuracy_pitch": best,
        "seconds": time.perf_counter() - t0,
        "epochs": r.epochs,
    }


def big_child(folder: Path, out: Path) -> None:
    from musicstudio.core.learn.dataset import TrainingData
    from musicstudio.core.learn.models import default_config
    from musicstudio.core.learn.trainer import train
    from musicstudio.core.learn.training import TrainSettings
    from musicstudio.core.music.corpus import scan

    corpus = scan([folder])
    data = TrainingData.from_corpus(corpus)
    r = train(data, default_config("wavenet"), TrainSettings(epochs=2, minutes=4), out)
    print(
        json.dumps(
            {
                "files": corpus.stats["ok"],
                "events": corpus.stats["events"],
                "epochs": r.epochs,
                "targets_per_second": r.targets_per_second,
                "rss_mb": rss_mb(),
            }
        )
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", type=Path, default=ROOT / "resources" / "sample_corpus")
    ap.add_argument("--seconds", type=float, default=120, help="wall-clock budget per model")
    ap.add_argument("--threshold", type=int, default=40)
    ap.add_argument(
        "--big", type=int, default=0, help="also train on a synthetic folder of N files"
    )
    ap.add_argument("--only", choices=["ours", "replicas"], help=argparse.SUPPRESS)
    ap.add_argument("--big-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.big_child:
        big_child(*args.big_child)
        return 0
    import tempfile

    from musicstudio.core.learn.dataset import TrainingData
    from musicstudio.core.music.corpus import ScanOptions, scan

    corpus = scan([args.dir], ScanOptions(threshold=args.threshold))
    data = TrainingData.from_corpus(corpus)
    train_tok = np.concatenate([t.tokens[:, 0] for t in data.train])
    val_tok = np.concatenate([t.tokens[:, 0] for t in data.validation])
    vocab = len(data.vocab)
    print(
        f"corpus {args.dir}: {corpus.stats['ok']} files, {len(train_tok):,} train / {len(val_tok):,} held-out events,"
        f" pitch vocabulary {vocab}; budget {args.seconds:.0f} s per model\n"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("wavenet", "lstm"):
            rows.append(run_ours(name, data, args.seconds, Path(tmp) / f"{name}.msb"))
            print(f"  done: {rows[-1]['model']}", flush=True)
        for name in ("wavenet", "lstm"):
            rows.append(run_replica(name, train_tok, val_tok, vocab, args.seconds))
            print(f"  done: {rows[-1]['model']}", flush=True)
    print(f"\n{'model':<18} {'targets/s':>12} {'held-out pitch acc':>20} {'wall s':>8}")
    for r in rows:
        print(
            f"{r['model']:<18} {r['targets_per_second']:>12,.0f} {r['val_accuracy_pitch']:>20.3f} {r['seconds']:>8.0f}"
        )
    by = {r["model"]: r for r in rows}
    for name in ("wavenet", "lstm"):
        ratio = (
            by[f"ours {name}"]["targets_per_second"] / by[f"replica {name}"]["targets_per_second"]
        )
        print(f"speed-up {name}: {ratio:.1f}x targets/s")
    print(f"peak RSS (this process): {rss_mb():.0f} MB")

    if args.big:
        sys.path.insert(0, str(Path(__file__).parent))
        from popmidi import write_pop_folder

        big = ROOT / "bench_data" / f"pop_small{args.big}"
        print(f"\nwriting {args.big} synthetic files to {big} …", flush=True)
        write_pop_folder(big, args.big, target_notes=1000)
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [sys.executable, __file__, "--big-child", str(big), str(Path(tmp) / "big.msb")],
                capture_output=True,
                text=True,
            )
        line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "{}"
        r = json.loads(line)
        print(
            f"big corpus: {r.get('files')} files, {r.get('events'):,} events, {r.get('epochs')} epochs,"
            f" {r.get('targets_per_second', 0):,.0f} targets/s, peak RSS {r.get('rss_mb', 0):.0f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
