"""Training as a user relies on it: the loss goes down, cancel is prompt, resume continues."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.base.progress import EpochDone, TrainingStep
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.learn.checkpoints import run_dir_for
from musicstudio.core.learn.dataset import TrainingData
from musicstudio.core.learn.models import default_config
from musicstudio.core.learn.trainer import train
from musicstudio.core.learn.training import TrainingError, TrainSettings
from musicstudio.core.music.corpus import ScanOptions, scan
from musicstudio.core.music.vocab import TokenStream

TINY = {
    "wavenet": default_config(
        "wavenet", channels=16, skip_channels=16, layers=4, window=32, head_units=32
    ),
    "lstm": default_config("lstm", units=32, layers=1, window=32, head_units=32),
}


@pytest.fixture
def data(chorale_dir: Path, tmp_path: Path) -> TrainingData:
    corpus = scan([chorale_dir], ScanOptions(threshold=5), cache_dir=tmp_path / "cache")
    return TrainingData.from_corpus(corpus, share=0.2)


@pytest.mark.parametrize("family", ["wavenet", "lstm"])
def test_loss_goes_down_and_bundle_loads(family: str, data: TrainingData, tmp_path: Path) -> None:
    out = tmp_path / f"{family}.msb"
    result = train(
        data, TINY[family], TrainSettings(epochs=4, batch_size=8, learning_rate=5e-3), out
    )
    losses = [h["loss"] for h in result.history]
    assert result.epochs == 4 and losses[-1] < losses[0] * 0.85, losses
    assert result.history[-1]["val_loss"] < result.history[0]["val_loss"]
    assert result.targets_per_second > 0
    bundle = load_bundle(result.bundle)  # type: ignore[arg-type]
    assert bundle.epochs == 4 and bundle.family == family
    assert len(bundle.vocab) == len(data.vocab)
    assert bundle.best_val_loss() == min(h["val_loss"] for h in result.history)


def test_every_position_is_a_target(data: TrainingData, tmp_path: Path) -> None:
    infos = []
    train(
        data,
        TINY["wavenet"],
        TrainSettings(epochs=1, batch_size=8),
        tmp_path / "m.msb",
        progress=lambda f, i: infos.append(i),
    )
    steps = [i for i in infos if isinstance(i, TrainingStep)]
    # Tokens per step = batch × window: every position of every window is trained.
    assert steps and steps[-1].steps == len(steps)


def test_same_seed_same_first_epoch_loss(data: TrainingData, tmp_path: Path) -> None:
    s = TrainSettings(epochs=1, batch_size=8, seed=7)
    a = train(data, TINY["wavenet"], s, tmp_path / "a.msb").history[0]["loss"]
    b = train(data, TINY["wavenet"], s, tmp_path / "b.msb").history[0]["loss"]
    c = train(
        data, TINY["wavenet"], TrainSettings(epochs=1, batch_size=8, seed=8), tmp_path / "c.msb"
    ).history[0]["loss"]
    assert a == pytest.approx(b, rel=1e-5)
    assert a != pytest.approx(c, rel=1e-5)


def test_cancel_lands_within_a_second_and_keeps_checkpoints(
    data: TrainingData, tmp_path: Path
) -> None:
    token = CancelToken()
    out = tmp_path / "m.msb"
    epochs_done = []
    cancelled_at: list[float] = []

    def progress(f: float, event: object) -> None:
        if isinstance(event, EpochDone):
            epochs_done.append(event.epoch)
        if (
            isinstance(event, TrainingStep)
            and event.epoch == 2
            and event.step == 2
            and not cancelled_at
        ):
            threading.Timer(
                0.05, lambda: (cancelled_at.append(time.perf_counter()), token.cancel())
            ).start()

    result = train(data, TINY["lstm"], TrainSettings(epochs=50, batch_size=8), out, progress, token)
    returned = time.perf_counter()
    assert result.cancelled and result.epochs == 1 == len(epochs_done)
    assert returned - cancelled_at[0] < 1.0
    assert load_bundle(out).epochs == 1  # the finished epoch is kept
    assert (run_dir_for(out) / "last.npz").exists()


def test_resume_continues_where_it_stopped(data: TrainingData, tmp_path: Path) -> None:
    out = tmp_path / "m.msb"
    first = train(data, TINY["wavenet"], TrainSettings(epochs=2, batch_size=8), out)
    again = train(data, TINY["wavenet"], TrainSettings(epochs=3, batch_size=8), out, resume=True)
    assert again.resumed_from == 2 and again.epochs == 3
    assert [h["epoch"] for h in again.history] == [1, 2, 3]
    assert again.history[:2] == first.history
    # The third epoch starts from the trained weights: its loss is near the second's, not a fresh start.
    assert again.history[2]["loss"] < first.history[0]["loss"]


def test_too_little_data_is_a_clear_error(data: TrainingData, tmp_path: Path) -> None:
    # A big batch and window fit a small folder (test_small_folders.py); ten events do not.
    ten = TokenStream(data.train[0].tokens[:10])
    small = TrainingData(data.vocab, [ten], data.validation)
    with pytest.raises(TrainingError, match="not enough training events"):
        train(small, TINY["wavenet"], TrainSettings(batch_size=64), tmp_path / "m.msb")


def test_early_stopping_waits_for_patience(data: TrainingData, tmp_path: Path) -> None:
    # A learning rate of zero never improves after the first epoch: stop after `patience` more.
    r = train(
        data,
        TINY["wavenet"],
        TrainSettings(epochs=20, batch_size=8, learning_rate=0.0, patience=3),
        tmp_path / "m.msb",
    )
    assert r.stopped_early and r.epochs == 4 and r.stop_reason == "early"
    assert "stopped early" in r.why_stopped and r.best_epoch == 1


def test_a_time_budget_trains_until_the_budget_not_a_default_epoch_count(
    data: TrainingData, tmp_path: Path
) -> None:
    out = tmp_path / "m.msb"
    settings = TrainSettings(epochs=10_000, minutes=0.25, batch_size=8, patience=0)
    t0 = time.perf_counter()
    r = train(data, TINY["lstm"], settings, out)
    took = time.perf_counter() - t0
    assert r.stop_reason == "budget" and "time budget" in r.why_stopped
    assert r.epochs > 3  # far more than one epoch fits in 15 s on this corpus
    last_epoch = max(h["seconds"] for h in r.history)
    assert 15 <= took <= 15 + 2 * last_epoch + 20  # the budget, one cut epoch, its validation
    # The bundle ships the best epoch on validation, and says which one it is.
    bundle = load_bundle(out)
    best = min(r.history, key=lambda h: h["val_loss"])["epoch"]
    assert bundle.best_epoch == r.best_epoch == best


def test_why_training_stopped_is_said_in_words(data: TrainingData, tmp_path: Path) -> None:
    r = train(data, TINY["wavenet"], TrainSettings(epochs=2, batch_size=8), tmp_path / "m.msb")
    assert r.stop_reason == "epochs" and r.why_stopped.startswith("finished all 2 epochs")


def test_label_smoothing_is_in_the_training_loss_only() -> None:
    import numpy as np
    import tensorflow as tf

    from musicstudio.core.learn.evaluation import head_losses
    from musicstudio.core.learn.models import build_model

    sizes = {"pitch": 40, "duration": 33, "step": 49, "velocity": 8, "voice": 8}
    model = build_model(TINY["lstm"], sizes)
    rng = np.random.default_rng(0)
    x = np.stack([rng.integers(0, n, (2, 16)) for n in sizes.values()], -1).astype("int32")
    y = tf.constant(np.roll(x, -1, axis=1))
    if TINY["lstm"].meter:  # the meter class is read, not predicted: a column of the input only
        x = np.concatenate([x, np.zeros((2, 16, 1), "int32")], axis=-1)
    plain, ce, _ = head_losses(model, x, y, False)
    smooth, ce2, _ = head_losses(model, x, y, False, label_smoothing=0.2)
    assert np.allclose(ce, ce2)  # the reported cross-entropy is never smoothed
    assert not np.allclose(plain, smooth)


def test_weight_decay_and_halving_the_learning_rate(data: TrainingData, tmp_path: Path) -> None:
    """AdamW shrinks the weights; a patience of 1 halves the rate on the first bad epoch."""
    from musicstudio.core.learn.trainer import _Trainer

    settings = TrainSettings(
        epochs=6, batch_size=8, learning_rate=5e-3, weight_decay=0.05, lr_patience=1, patience=0
    )
    trainer = _Trainer(
        data, TINY["lstm"], settings, tmp_path / "m.msb", lambda f, e: None, None, "m"
    )
    assert type(trainer.optimizer).__name__ == "AdamW"
    trainer.best, trainer.best_epoch = 1.0, 3
    trainer._maybe_halve_learning_rate(4)
    assert float(trainer.optimizer.learning_rate) == pytest.approx(2.5e-3)
    trainer._maybe_halve_learning_rate(4)  # not again for the same epoch
    assert float(trainer.optimizer.learning_rate) == pytest.approx(2.5e-3)
