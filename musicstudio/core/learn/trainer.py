"""The training loop: sequence-to-sequence next-event prediction, cancellable, resumable, distributable.

One custom loop serves all three strategies. Keras 3.15's `fit()` fails under
MultiWorkerMirroredStrategy (keras-team/keras#20585) while `strategy.run` in a
custom loop works; the same loop also gives per-step progress and a cancel check
between steps (and inside validation), which `fit` callbacks do not honour promptly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.base.progress import (
    EpochDone,
    ProgressFn,
    Resumed,
    TrainingPlan,
    TrainingStep,
    no_progress,
)
from musicstudio.core.learn.bundle import ModelBundle
from musicstudio.core.learn.checkpoints import Checkpoints, run_dir_for
from musicstudio.core.learn.dataset import (
    MIN_WINDOW,
    TrainingData,
    WindowSource,
    fit_windows,
    primer_windows,
)
from musicstudio.core.learn.evaluation import compiled_steps, evaluate_windows
from musicstudio.core.learn.models.config import ModelConfig
from musicstudio.core.learn.training import (
    EARLY_STOP_FLOOR,
    PATIENCE_STEPS,
    TrainingError,
    TrainResult,
    TrainSettings,
    is_chief,
    make_strategy,
)
from musicstudio.core.music.form_profile import meters_of
from musicstudio.core.music.vocab import STREAMS


def train(
    data: TrainingData,
    config: ModelConfig,
    settings: TrainSettings,
    bundle_path: str | Path,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    resume: bool = False,
    name: str = "",
) -> TrainResult:
    """Train until the epochs, the time budget or early stopping; the bundle keeps the best epoch.

    Checkpoints every epoch (resumable); with a budget the epoch count is only an upper limit.
    """
    trainer = _Trainer(data, config, settings, Path(bundle_path), progress, cancel, name)
    if resume:
        trainer.resume()
    return trainer.run()


class _Trainer:
    """One training run: the model, its data sources, the compiled steps and the bookkeeping."""

    def __init__(
        self,
        data: TrainingData,
        config: ModelConfig,
        settings: TrainSettings,
        bundle_path: Path,
        progress: ProgressFn,
        cancel: CancelToken | None,
        name: str,
    ) -> None:
        import keras

        config.validate()
        keras.utils.set_random_seed(settings.seed)
        self.strategy = make_strategy(settings.strategy)
        self.replicas = self.strategy.num_replicas_in_sync
        if settings.batch_size % self.replicas:
            raise TrainingError(
                f"batch size {settings.batch_size} must be a multiple of the"
                f" {self.replicas} replicas"
            )
        events = sum(len(s) for s in data.train)
        self.fit = fit_windows(events, config.window, settings.batch_size, self.replicas)
        if self.fit.steps < 1:
            raise TrainingError(
                f"not enough training events for one window: {events} events, need at least"
                f" {MIN_WINDOW + 1} (add files, or longer ones)"
            )
        # The bundle records the window trained with; the batch is only this run's.
        config = replace(config, window=self.fit.window)
        settings = replace(settings, batch_size=self.fit.batch)
        # Patience counts learning, not passes: an epoch of a tiny folder is a handful of steps,
        # and a few such epochs without a better validation loss are no evidence that the model
        # stopped learning (nor reason to halve its rate). So with fewer than PATIENCE_STEPS
        # steps per epoch both patiences are counted in epochs of about PATIENCE_STEPS steps.
        self.patience_scale = max(1, math.ceil(PATIENCE_STEPS / max(1, self.fit.steps)))
        self.data, self.config, self.settings = data, config, settings
        self.bundle_path, self.progress, self.name = bundle_path, progress, name
        self.cancel = cancel or CancelToken()
        self.ckpt = Checkpoints(run_dir_for(bundle_path))
        metric, meter = config.metric_position, config.meter
        meters = meters_of(data.form)
        self.train_src = WindowSource.from_streams(
            data.train, config.window, metric=metric, meter=meter, meters=meters
        )
        self.val_src = WindowSource.from_streams(
            data.validation,
            config.window,
            within_pieces=data.validation_kind == "stretches",
            metric=metric,
            meter=meter,
            meters=meters,
        )
        with self.strategy.scope():
            from musicstudio.core.learn.models import build_model

            self.model = build_model(config, data.vocab.sizes)
            if settings.weight_decay > 0:
                self.optimizer = keras.optimizers.AdamW(
                    settings.learning_rate, weight_decay=settings.weight_decay, clipnorm=1.0
                )
            else:
                self.optimizer = keras.optimizers.Adam(settings.learning_rate, clipnorm=1.0)
            self.optimizer.build(self.model.trainable_variables)
        self.train_step, self.eval_step = compiled_steps(
            self.model,
            self.optimizer,
            self.strategy,
            self.replicas,
            float(settings.label_smoothing),
        )
        self.start_epoch = 0
        self.history: list[dict[str, Any]] = []
        self.best, self.best_epoch = math.inf, 0
        self._halved_at = 0  # the epoch the learning rate was last halved
        self.targets_done, self.train_seconds = 0, 0.0
        self.t_start = time.perf_counter()
        self.budget = settings.minutes * 60 if settings.minutes else None

    # -- the run -------------------------------------------------------------------------
    def resume(self) -> None:
        """Continue after the last checkpointed epoch (or say there is none)."""
        state = self.ckpt.state()
        if state is not None and self.ckpt.restore("last", self.model, self.optimizer):
            self.start_epoch, self.history = int(state["epoch"]), list(state["history"])
            self.best = float(state.get("best", math.inf))
            self.best_epoch = int(state.get("best_epoch", 0))
            message = f"resuming after epoch {self.start_epoch}"
        else:
            message = "no checkpoint to resume from: starting fresh"
        self.progress(0.0, Resumed(self.start_epoch, message))

    @property
    def max_epochs(self) -> int:
        return self.settings.epochs

    @property
    def plan(self) -> str:
        """The window, batch, validation and patience of this run, in words."""
        events = sum(len(s) for s in self.data.train)
        words = f"{self.fit.in_words(events)}; {self.data.validation_in_words()}"
        patience = self.settings.patience
        if self.patience_scale > 1 and patience:
            words += (
                f"; early stopping after {patience * self.patience_scale} epochs without a better"
                f" validation loss ({patience} epochs of about {PATIENCE_STEPS} steps)"
            )
        return words

    def _may_stop_early(self) -> bool:
        """Early stopping may end a budgeted run only after EARLY_STOP_FLOOR of its budget.

        The budget is the time the user chose to give; early stopping is a guess that more
        training will not help, and its evidence is the validation loss. On a small folder
        that is a few hundred targets, whose epoch-to-epoch noise is as large as the trend, so
        `patience` epochs without a new best happen by chance while the model still learns.
        The floor bounds what such a false stop can cost (a third of the budget at most) and
        what training on costs is nothing in quality: the best epoch on validation ships.
        Without a budget the user's patience stands as it is (counted in steps, see __init__).
        """
        if self.budget is None:
            return True
        return time.perf_counter() - self.t_start >= EARLY_STOP_FLOOR * self.budget

    def run(self) -> TrainResult:
        reason, since_best = "epochs", 0
        chief = is_chief(self.strategy)
        self.progress(
            0.0,
            TrainingPlan(self.fit.window, self.fit.batch, self.fit.changed, self.plan),
        )
        for epoch in range(self.start_epoch, self.max_epochs):
            trained = self._train_epoch(epoch)
            if trained is None:
                reason = "cancelled"
                break
            record, out_of_time = trained
            val = evaluate_windows(
                self.val_src, self.settings.batch_size, self.eval_step, self.strategy, self.cancel
            )
            if val is None and self.cancel.cancelled:
                reason = "cancelled"
                break
            record.update(val or {})
            improved = self._end_epoch(record, chief)
            since_best = 0 if improved else since_best + 1
            if out_of_time:
                reason = "budget"
                break
            patience = self.settings.patience * self.patience_scale
            if patience and since_best >= patience and self._may_stop_early():
                reason = "early"
                break
        if chief and self.history:
            # The bundle holds the best weights, with the full history (later, worse epochs too).
            weights = self.ckpt.weights("best") or self.model.get_weights()
            self._bundle(weights).save(self.bundle_path)
        return TrainResult(
            bundle=self.bundle_path
            if chief and self.history and self.bundle_path.exists()
            else None,
            history=self.history,
            epochs=len(self.history),
            cancelled=reason == "cancelled",
            resumed_from=self.start_epoch,
            seconds=time.perf_counter() - self.t_start,
            targets_per_second=self.targets_done / self.train_seconds
            if self.train_seconds
            else 0.0,
            stopped_early=reason == "early",
            stop_reason=reason,
            best_epoch=self.best_epoch,
            plan=self.plan,
            window=self.fit.window,
            batch_size=self.fit.batch,
        )

    def _fraction(self, epochs_done: float) -> float:
        """Progress: the epochs done, or the budget used when that is further along."""
        by_epochs = epochs_done / self.max_epochs
        if self.budget is None:
            return by_epochs
        return min(1.0, max(by_epochs, (time.perf_counter() - self.t_start) / self.budget))

    def _train_epoch(self, epoch: int) -> tuple[dict[str, Any], bool] | None:
        """One pass over the training windows: its figures and whether the budget ran out."""
        batch, src = self.settings.batch_size, self.train_src
        starts = src.starts(epoch, self.settings.seed)
        steps = len(starts) // batch
        ds = self.strategy.experimental_distribute_dataset(src.dataset(starts, batch))
        ce_tot, hit_tot, n_tok = np.zeros(len(STREAMS)), np.zeros(len(STREAMS)), 0
        t_epoch = time.perf_counter()
        out_of_time = False
        for step, (x, y) in enumerate(ds):
            if self.cancel.cancelled:
                return None
            t0 = time.perf_counter()
            ce, hits = self.train_step(x, y)
            ce_np, hits_np = ce.numpy(), hits.numpy()
            dt = time.perf_counter() - t0
            tokens = batch * src.usable_window
            ce_tot += ce_np
            hit_tot += hits_np
            n_tok += tokens
            if step > 0 or epoch > self.start_epoch:  # the first step includes tracing
                self.targets_done += tokens
                self.train_seconds += dt
            self._report_step(epoch, step, steps, float(ce_np.sum() / tokens), dt, t_epoch)
            if self.budget is not None and time.perf_counter() - self.t_start > self.budget:
                out_of_time = True
                break
        record: dict[str, Any] = {
            "epoch": epoch + 1,
            "seconds": round(time.perf_counter() - t_epoch, 2),
            "loss": float(ce_tot.sum() / max(1, n_tok)),
        }
        for k, c, h in zip(STREAMS, ce_tot, hit_tot, strict=True):
            record[f"loss_{k}"] = float(c / max(1, n_tok))
            record[f"accuracy_{k}"] = float(h / max(1, n_tok))
        return record, out_of_time

    def _report_step(
        self, epoch: int, step: int, steps: int, loss: float, dt: float, t_epoch: float
    ) -> None:
        elapsed = time.perf_counter() - t_epoch
        tokens = self.settings.batch_size * self.train_src.usable_window
        rate = (
            self.targets_done / self.train_seconds if self.train_seconds else tokens / max(dt, 1e-9)
        )
        per_step = elapsed / (step + 1)
        remaining = (steps - step - 1) * per_step + (self.max_epochs - epoch - 1) * steps * per_step
        if self.budget is not None:
            remaining = min(remaining, max(0.0, self.budget - (time.perf_counter() - self.t_start)))
        self.progress(
            self._fraction(epoch + (step + 1) / steps),
            TrainingStep(epoch + 1, self.max_epochs, step + 1, steps, loss, rate, remaining),
        )

    def _end_epoch(self, record: dict[str, Any], chief: bool) -> bool:
        """Keep the epoch's figures and checkpoints; True when it is the best so far."""
        self.history.append(record)
        score = record.get("val_loss", record["loss"])
        improved = score < self.best
        if improved:
            self.best, self.best_epoch = score, int(record["epoch"])
        self._maybe_halve_learning_rate(int(record["epoch"]))
        if chief:
            state = {
                "epoch": record["epoch"],
                "history": self.history,
                "best": self.best,
                "best_epoch": self.best_epoch,
            }
            self.ckpt.save("last", self.model, self.optimizer, state)
            if improved:
                self.ckpt.save("best", self.model, self.optimizer, {})
                self._bundle(self.model.get_weights()).save(self.bundle_path)
        self.progress(
            self._fraction(record["epoch"]),
            EpochDone(record["epoch"], self.max_epochs, record, improved, self.best_epoch),
        )
        return improved

    def _maybe_halve_learning_rate(self, epoch: int) -> None:
        """Halve the rate after lr_patience epochs without a better validation loss (counted
        from the best epoch or the last halving)."""
        patience = self.settings.lr_patience * self.patience_scale
        if not patience:
            return
        since = epoch - max(self.best_epoch, self._halved_at)
        if since >= patience:
            rate = self.optimizer.learning_rate
            rate.assign(rate * 0.5)
            self._halved_at = epoch

    def _bundle(self, weights: Sequence[np.ndarray]) -> ModelBundle:
        return ModelBundle(
            self.config,
            self.data.vocab,
            [np.asarray(w) for w in weights],
            list(self.history),
            self.data.corpus_summary,
            self.data.scan_options,
            self.name,
            primers=primer_windows(self.data.train),
            best_epoch=self.best_epoch,
            form=self.data.form,
        )
