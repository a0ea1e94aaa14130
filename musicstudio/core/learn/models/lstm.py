"""Stacked LSTM; a stepper that carries each layer's (h, c) state one event at a time."""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from musicstudio.core.learn.models.config import LSTMConfig
from musicstudio.core.learn.models.layers import EventEmbedding, EventHeads
from musicstudio.core.music.vocab import N_STREAMS


def build(config: LSTMConfig, sizes: dict[str, int]) -> keras.Model:
    """Every position predicts the next event from the events up to it."""
    tokens = keras.Input((None, N_STREAMS), dtype="int32", name="events")
    x = EventEmbedding(sizes, config.units, name="embedding")(tokens)
    for i in range(config.layers):
        x = keras.layers.LSTM(config.units, return_sequences=True, name=f"lstm_{i}")(x)
        x = keras.layers.Dropout(config.dropout, name=f"dropout_{i}")(x)
    outputs = EventHeads(sizes, config.head_units, name="heads")(x)
    return keras.Model(tokens, outputs, name="lstm")


class Stepper:
    """Incremental generation with the trained cells and carried state."""

    def __init__(self, model: keras.Model) -> None:
        self.embedding = model.get_layer("embedding")
        self.cells = [layer.cell for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
        self.heads = model.get_layer("heads")

    def initial_state(self, batch: int) -> list[Any]:
        return [tf.zeros((batch, c.units)) for c in self.cells for _ in range(2)]

    def step(self, tokens: Any, state: list[Any]) -> tuple[dict[str, Any], list[Any]]:
        """tokens: (B, N_STREAMS) int32 of the newest event → next-event logits per stream."""
        x = self.embedding(tokens[:, None, :])[:, 0, :]
        new_state = []
        for i, cell in enumerate(self.cells):
            x, (h, c) = cell(x, [state[2 * i], state[2 * i + 1]], training=False)
            new_state += [h, c]
        return self.heads(x), new_state
