"""Stacked LSTM; a stepper that carries each layer's (h, c) state one event at a time."""

from __future__ import annotations

import keras

from musicstudio.core.learn.models.config import LSTMConfig
from musicstudio.core.learn.models.layers import EventEmbedding, EventHeads


def build(config: LSTMConfig, sizes: dict[str, int]) -> keras.Model:
    """Every position predicts the next event from the events up to it."""
    tokens = keras.Input((None, config.input_columns()), dtype="int32", name="events")
    x = EventEmbedding(sizes, config.units, config.metric_position, config.meter, name="embedding")(
        tokens
    )
    for i in range(config.layers):
        x = keras.layers.LSTM(config.units, return_sequences=True, name=f"lstm_{i}")(x)
        x = keras.layers.Dropout(config.dropout, name=f"dropout_{i}")(x)
    outputs = EventHeads(sizes, config.head_units, name="heads")(x)
    return keras.Model(tokens, outputs, name="lstm")
