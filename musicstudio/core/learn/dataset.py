"""What training reads: the two token splits of a corpus, and windows cut from them by tf.data.

Pieces are joined into one stream (each starts with its START token, so a window that
crosses a boundary sees where the new piece begins). Only window start offsets are
materialised per epoch, never the N x L window matrix. Held-out stretches (holdout.py) have
no START token, so their validation windows stay inside one stretch.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from musicstudio.core.learn.bundle_info import CorpusInfo
from musicstudio.core.learn.holdout import held_out_stretches, wants_stretches
from musicstudio.core.music.corpus import Corpus, ScanOptions
from musicstudio.core.music.form_profile import FormProfile, profile_of_streams
from musicstudio.core.music.metric import N_METRIC, MeterClasses, meter_class, metric_columns
from musicstudio.core.music.vocab import N_STREAMS, TokenStream, Vocabulary

#: A fitted run aims for this many optimizer steps per epoch (fit_windows).
MIN_STEPS = 4
#: Shortest window a fitted run uses: a bar or two of one part, still some phrase to learn.
MIN_WINDOW = 16
#: The window is halved down to this before the batch is, and the batch down to SOFT_BATCH
#: before the window goes lower: long context matters more than big batches, up to a point.
SOFT_WINDOW = 64
SOFT_BATCH = 8


@dataclass
class WindowSource:
    """One split's tokens and how to cut windows from them."""

    tokens: np.ndarray  # (N, N_STREAMS) int32
    window: int
    #: Row where each piece starts; with `within_pieces`, validation windows never cross them.
    bounds: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    within_pieces: bool = False

    @classmethod
    def from_streams(
        cls,
        streams: Sequence[TokenStream],
        window: int,
        within_pieces: bool = False,
        metric: bool = False,
        meter: bool = False,
        meters: MeterClasses | None = None,
    ) -> WindowSource:
        """With `metric`, every row also carries its metric classes (metric.py) after the
        streams, and with `meter` its piece's meter class after those (by the folder's
        `meters`): inputs the model reads, never targets."""
        kept = [s for s in streams if len(s)]
        arrays = [s.tokens[:, :N_STREAMS] for s in kept]
        if metric:
            arrays = [
                np.concatenate([a, metric_columns(a, s.start, s.time_signature)], axis=1)
                for a, s in zip(arrays, kept, strict=True)
            ]
        if meter:
            arrays = [
                np.concatenate(
                    [a, np.full((len(a), 1), meter_class(s.time_signature, meters))], axis=1
                )
                for a, s in zip(arrays, kept, strict=True)
            ]
        width = N_STREAMS + (N_METRIC if metric else 0) + int(meter)
        flat = np.concatenate(arrays).astype(np.int32) if arrays else np.zeros((0, width), np.int32)
        bounds = np.cumsum([0, *(len(a) for a in arrays)], dtype=np.int64)
        return cls(flat, window, bounds, within_pieces)

    @property
    def usable_window(self) -> int:
        """The window, shortened for a split (or, within pieces, a piece) smaller than one."""
        longest = len(self.tokens)
        if self.within_pieces and len(self.bounds) > 1:
            longest = int(np.diff(self.bounds).min())
        return max(0, min(self.window, longest - 1))

    def validation_starts(self) -> np.ndarray:
        """Non-overlapping windows in order (within each piece when `within_pieces`)."""
        w = self.usable_window
        if w < 1:
            return np.zeros(0, np.int64)
        if not self.within_pieces:
            return self.starts(0, 0, stride=w, shuffle=False)
        return np.concatenate(
            [np.arange(a, b - w, w, dtype=np.int64) for a, b in pairwise(self.bounds)]
        )

    def starts(
        self, epoch: int, seed: int, stride: int | None = None, shuffle: bool = True
    ) -> np.ndarray:
        """Window start offsets for one epoch: a random phase, then every `stride` events."""
        w = self.usable_window
        if w < 1:
            return np.zeros(0, np.int64)
        stride = max(1, stride or w // 2)
        rng = np.random.default_rng([seed, epoch])
        phase = int(rng.integers(0, stride)) if shuffle else 0
        last = len(self.tokens) - w - 1
        starts = np.arange(min(phase, last), last + 1, stride, dtype=np.int64)
        if shuffle:
            rng.shuffle(starts)
        return starts

    def steps(self, batch: int, epoch: int = 0, seed: int = 0, shuffle: bool = True) -> int:
        return len(self.starts(epoch, seed, shuffle=shuffle)) // batch

    def dataset(self, starts: np.ndarray, batch: int) -> Any:
        """(inputs, next events) batches of shape (batch, window, N_STREAMS)."""
        import tensorflow as tf

        w = self.usable_window
        flat = tf.constant(self.tokens)
        offsets = tf.range(w + 1, dtype=tf.int64)

        def cut(s: Any) -> tuple[Any, Any]:
            win = tf.gather(flat, s[:, None] + offsets[None, :])
            return win[:, :-1], win[:, 1:]

        ds = tf.data.Dataset.from_tensor_slices(starts).batch(batch, drop_remainder=True)
        ds = ds.map(cut, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
        return ds.with_options(options).prefetch(2)


@dataclass(frozen=True)
class WindowFit:
    """The window and batch a run uses, fitted to its training events."""

    window: int
    batch: int
    steps: int  # optimizer steps per epoch, at the least
    asked: tuple[int, int]  # the window and batch asked for

    @property
    def changed(self) -> bool:
        return (self.window, self.batch) != self.asked

    def in_words(self, events: int) -> str:
        if not self.changed:
            return f"window {self.window} events, batch {self.batch} ({self.steps} steps per epoch)"
        return (
            f"{events:,} training events: window {self.asked[0]} → {self.window} events,"
            f" batch {self.asked[1]} → {self.batch} (fitted to the data:"
            f" {self.steps} steps per epoch)"
        )


def window_count(events: int, window: int) -> int:
    """Training windows of `window` events one epoch surely cuts from `events` rows (at the
    worst random phase)."""
    last = events - window - 1
    if window < 1 or last < 0:
        return 0
    stride = max(1, window // 2)
    return (last - min(stride - 1, last)) // stride + 1


def fit_windows(events: int, window: int, batch: int, replicas: int = 1) -> WindowFit:
    """The window and batch for a split of `events` rows: as asked, unless an epoch would
    have fewer than MIN_STEPS steps; then the window is halved (to SOFT_WINDOW), the batch
    (to SOFT_BATCH), the window (to MIN_WINDOW) and the batch (to one per replica), in that
    order, until it has them. Fewer steps than that are kept when even the least cannot
    (a one-file folder); none at all is the caller's error to report."""
    w, b = window, batch

    def steps() -> int:
        return window_count(events, w) // b

    def shrink_window(floor: int) -> None:
        nonlocal w
        while steps() < MIN_STEPS and w > floor:
            w = max(floor, w // 2)

    def shrink_batch(floor: int) -> None:
        nonlocal b
        floor = max(floor, replicas)
        while steps() < MIN_STEPS and b > floor:
            b = max(floor, b // 2) // replicas * replicas  # a whole batch per replica

    shrink_window(SOFT_WINDOW)
    shrink_batch(SOFT_BATCH)
    shrink_window(MIN_WINDOW)
    shrink_batch(1)
    return WindowFit(w, b, steps(), (window, batch))


@dataclass
class TrainingData:
    """What a training job needs from a corpus: the vocabulary and the two token splits."""

    vocab: Vocabulary
    train: list[TokenStream]
    validation: list[TokenStream]
    corpus_summary: CorpusInfo = field(default_factory=CorpusInfo)
    scan_options: ScanOptions = field(default_factory=ScanOptions)
    form: FormProfile | None = None  # how the corpus's sections return (kept in the bundle)
    #: "files": whole files held out; "stretches": the end of every file (holdout.py).
    validation_kind: str = "files"

    @classmethod
    def from_corpus(
        cls,
        corpus: Corpus,
        share: float = 0.1,
        seed: int = 0,
        augment: bool = True,
        window: int | None = None,
    ) -> TrainingData:
        """The two splits: whole files held out, or, for a small folder (or too few validation
        windows of `window` events from whole files), a held-out stretch of every file."""
        if wants_stretches(corpus, share, seed, window):
            train, validation = held_out_stretches(corpus, share, augment)
            summary = _summary(corpus, len(corpus.streams), len(validation), "stretches")
            return cls(
                corpus.vocab,
                train,
                validation,
                summary,
                corpus.options,
                form=profile_of_streams(corpus.streams),
                validation_kind="stretches",
            )
        train_idx, val_idx = corpus.split(share, seed)
        summary = _summary(corpus, len(train_idx), len(val_idx), "files")
        return cls(
            corpus.vocab,
            corpus.token_streams(train_idx, augment=augment),
            corpus.token_streams(val_idx),
            summary,
            corpus.options,
            form=profile_of_streams(corpus.streams),
        )

    def validation_in_words(self) -> str:
        """Where the validation loss comes from, for the progress line."""
        if not self.validation:
            return "no validation events: the best epoch is the one with the lowest training loss"
        events = sum(len(s) for s in self.validation)
        if self.validation_kind == "stretches":
            return (
                f"validating on a held-out stretch at the end of {len(self.validation)} files"
                f" ({events:,} events, never trained on)"
            )
        return f"validating on {len(self.validation)} held-out files ({events:,} events)"


def _summary(corpus: Corpus, train: int, validation: int, kind: str) -> CorpusInfo:
    """The corpus figures a bundle keeps (`train` and `validation` files, split by `kind`)."""
    summary = {
        k: corpus.stats.get(k)
        for k in (
            "files",
            "ok",
            "notes",
            "events",
            "vocab_size",
            "note_recall",
            "onset_pitch_recall",
            "parts",
            "voices",
            "programs",
            "time_signature",
            "feel",
        )
    }
    summary["folder"] = os.path.commonpath(corpus.ok_paths) if corpus.ok_paths else ""
    summary.update(train_files=train, validation_files=validation, validation=kind)
    return CorpusInfo.from_json(summary)


def primer_windows(
    streams: Sequence[TokenStream], count: int = 32, length: int = 64, seed: int = 0
) -> list[np.ndarray]:
    """Windows of the training corpus stored in the bundle, for "random primer from the corpus"."""
    rng = np.random.default_rng(seed)
    usable = [s.tokens for s in streams if len(s) > 8]
    if not usable:
        return []
    out = []
    for i in rng.integers(0, len(usable), count):
        toks = usable[int(i)]
        n = min(length, len(toks))
        start = int(rng.integers(0, len(toks) - n + 1))
        out.append(toks[start : start + n].astype(np.int32))
    return out
