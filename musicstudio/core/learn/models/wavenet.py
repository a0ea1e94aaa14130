"""WaveNet: gated dilated causal convolutions; a stepper that caches past activations."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from musicstudio.core.learn.models.config import WaveNetConfig
from musicstudio.core.learn.models.layers import EventEmbedding, EventHeads, GatedResidualBlock
from musicstudio.core.music.vocab import N_STREAMS


def build(config: WaveNetConfig, sizes: dict[str, int]) -> keras.Model:
    """Every position predicts the next event from the events up to it."""
    tokens = keras.Input((None, N_STREAMS), dtype="int32", name="events")
    x = EventEmbedding(sizes, config.channels, name="embedding")(tokens)
    skips = []
    dilations = config.dilations()
    for i, d in enumerate(dilations):
        last = i == len(dilations) - 1
        x, s = GatedResidualBlock(
            config.channels,
            config.skip_channels,
            config.kernel_size,
            d,
            config.dropout,
            residual=not last,
            name=f"block_{i}",
        )(x)
        skips.append(s)
    h = keras.layers.Activation("relu")(
        keras.layers.Add(name="skips")(skips) if len(skips) > 1 else skips[0]
    )
    h = keras.layers.Dense(config.skip_channels, activation="relu", name="post")(h)
    outputs = EventHeads(sizes, config.head_units, name="heads")(h)
    return keras.Model(tokens, outputs, name="wavenet")


class Stepper:
    """Fast generation: each block keeps a queue of its last (k-1)·d inputs."""

    def __init__(self, model: keras.Model) -> None:
        self.embedding = model.get_layer("embedding")
        self.blocks = [layer for layer in model.layers if isinstance(layer, GatedResidualBlock)]
        self.post = model.get_layer("post")
        self.heads = model.get_layer("heads")

    def initial_state(self, batch: int) -> list[Any]:
        return [tf.zeros((batch, b.history, b.channels)) for b in self.blocks]

    def step(self, tokens: Any, state: list[Any]) -> tuple[dict[str, Any], list[Any]]:
        """tokens: (B, N_STREAMS) int32 of the newest event → next-event logits per stream."""
        x = self.embedding(tokens[:, None, :])[:, 0, :]
        new_state, skip_sum = [], None
        for block, past in zip(self.blocks, state, strict=True):
            x, s, past = block.step(x, past)
            new_state.append(past)
            skip_sum = s if skip_sum is None else skip_sum + s
        h = self.post(tf.nn.relu(skip_sum))
        return self.heads(h), new_state
