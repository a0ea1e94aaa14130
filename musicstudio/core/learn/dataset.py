"""What training reads: the two token splits of a corpus, and windows cut from them by tf.data.

Pieces are joined into one stream (each starts with its START token, so a window that
crosses a boundary sees where the new piece begins). Only window start offsets are
materialised per epoch, never the N x L window matrix.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from musicstudio.core.music.corpus import Corpus
from musicstudio.core.music.form_profile import FormProfile, profile_of_streams
from musicstudio.core.music.vocab import N_STREAMS, TokenStream, Vocabulary


@dataclass
class WindowSource:
    """One split's tokens and how to cut windows from them."""

    tokens: np.ndarray  # (N, N_STREAMS) int32
    window: int

    @classmethod
    def from_streams(cls, streams: Sequence[TokenStream], window: int) -> WindowSource:
        arrays = [s.tokens for s in streams if len(s)]
        flat = (
            np.concatenate(arrays).astype(np.int32)
            if arrays
            else np.zeros((0, N_STREAMS), np.int32)
        )
        return cls(flat, window)

    @property
    def usable_window(self) -> int:
        """The window, shortened for a split smaller than one window."""
        return max(0, min(self.window, len(self.tokens) - 1))

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


@dataclass
class TrainingData:
    """What a training job needs from a corpus: the vocabulary and the two token splits."""

    vocab: Vocabulary
    train: list[TokenStream]
    validation: list[TokenStream]
    corpus_summary: dict[str, Any] = field(default_factory=dict)
    scan_options: dict[str, Any] = field(default_factory=dict)
    form: FormProfile | None = None  # how the corpus's sections return (kept in the bundle)

    @classmethod
    def from_corpus(
        cls, corpus: Corpus, share: float = 0.1, seed: int = 0, augment: bool = True
    ) -> TrainingData:
        train_idx, val_idx = corpus.split(share, seed)
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
                "programs",
                "time_signature",
            )
        }
        summary["folder"] = os.path.commonpath(corpus.ok_paths) if corpus.ok_paths else ""
        summary["train_files"], summary["validation_files"] = len(train_idx), len(val_idx)
        return cls(
            corpus.vocab,
            corpus.token_streams(train_idx, augment=augment),
            corpus.token_streams(val_idx),
            summary,
            asdict(corpus.options),
            profile_of_streams(corpus.streams),
        )


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
