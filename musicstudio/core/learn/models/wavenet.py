"""WaveNet: gated dilated causal convolutions; a stepper that caches past activations."""

from __future__ import annotations

import keras

from musicstudio.core.learn.models.config import WaveNetConfig
from musicstudio.core.learn.models.layers import EventEmbedding, EventHeads, GatedResidualBlock


def build(config: WaveNetConfig, sizes: dict[str, int]) -> keras.Model:
    """Every position predicts the next event from the events up to it."""
    tokens = keras.Input((None, config.input_columns()), dtype="int32", name="events")
    x = EventEmbedding(
        sizes, config.channels, config.metric_position, config.meter, name="embedding"
    )(tokens)
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
