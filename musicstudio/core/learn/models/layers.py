"""Custom Keras layers shared by the model families (registered for Keras serialization)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from musicstudio.core.learn.models.config import EMBED_DIMS
from musicstudio.core.music.metric import (
    METER_CLASSES,
    METER_DIM,
    METRIC,
    METRIC_DIMS,
    METRIC_SIZES,
)
from musicstudio.core.music.vocab import STREAMS

PACKAGE = "musicstudio"


@keras.saving.register_keras_serializable(PACKAGE)
class EventEmbedding(keras.layers.Layer):
    """One embedding per event stream (and, with `metric`, per metric class of the row's onset;
    with `meter`, of the piece's meter: columns after the streams, in that order),
    concatenated and projected to the model width."""

    def __init__(
        self,
        sizes: dict[str, int],
        width: int,
        metric: bool = False,
        meter: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sizes = {k: int(sizes[k]) for k in STREAMS}
        self.width = int(width)
        self.metric = bool(metric)
        self.meter = bool(meter)
        self.tables = [
            keras.layers.Embedding(self.sizes[k], EMBED_DIMS[k], name=f"embed_{k}") for k in STREAMS
        ]
        if self.metric:
            self.tables += [
                keras.layers.Embedding(METRIC_SIZES[k], METRIC_DIMS[k], name=f"embed_{k}")
                for k in METRIC
            ]
        if self.meter:
            self.tables.append(keras.layers.Embedding(METER_CLASSES, METER_DIM, name="embed_meter"))
        self.dims = sum(EMBED_DIMS.values()) + (sum(METRIC_DIMS.values()) if self.metric else 0)
        self.dims += METER_DIM if self.meter else 0
        self.project = keras.layers.Dense(self.width, name="project")

    def build(self, input_shape: Any) -> None:
        for table in self.tables:
            table.build(input_shape[:-1])
        self.project.build((*input_shape[:-1], self.dims))

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        # Given, so building a model does not trace `call` in a scratch graph (slow).
        return (*input_shape[:-1], self.width)

    def call(self, tokens: Any) -> Any:
        parts = [table(tokens[..., i]) for i, table in enumerate(self.tables)]
        return self.project(ops.concatenate(parts, axis=-1))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "sizes": self.sizes,
            "width": self.width,
            "metric": self.metric,
            "meter": self.meter,
        }


@keras.saving.register_keras_serializable(PACKAGE)
class GatedResidualBlock(keras.layers.Layer):
    """WaveNet block: causal dilated conv, tanh·sigmoid gate, residual and skip outputs."""

    def __init__(
        self,
        channels: int,
        skip_channels: int,
        kernel_size: int,
        dilation: int,
        dropout: float = 0.0,
        residual: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.has_residual = bool(residual)  # the last block only feeds the skip path
        self.channels, self.skip_channels = int(channels), int(skip_channels)
        self.kernel_size, self.dilation, self.dropout_rate = (
            int(kernel_size),
            int(dilation),
            float(dropout),
        )
        self.conv = keras.layers.Conv1D(
            2 * self.channels,
            self.kernel_size,
            dilation_rate=self.dilation,
            padding="causal",
            name="dilated",
        )
        self.residual = (
            keras.layers.Dense(self.channels, name="residual") if self.has_residual else None
        )
        self.skip = keras.layers.Dense(self.skip_channels, name="skip")
        self.dropout = keras.layers.Dropout(self.dropout_rate)

    def build(self, input_shape: Any) -> None:
        self.conv.build(input_shape)
        if self.residual is not None:
            self.residual.build((*input_shape[:-1], self.channels))
        self.skip.build((*input_shape[:-1], self.channels))

    def _gate(self, h: Any) -> Any:
        a, b = ops.split(h, 2, axis=-1)
        return ops.tanh(a) * ops.sigmoid(b)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (tuple(input_shape), (*input_shape[:-1], self.skip_channels))

    def call(self, x: Any, training: bool = False) -> tuple[Any, Any]:
        z = self.dropout(self._gate(self.conv(x)), training=training)
        return (x + self.residual(z) if self.residual is not None else x), self.skip(z)

    @property
    def history(self) -> int:
        """Past inputs one step needs: (k - 1) · dilation."""
        return (self.kernel_size - 1) * self.dilation

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "channels": self.channels,
            "skip_channels": self.skip_channels,
            "kernel_size": self.kernel_size,
            "dilation": self.dilation,
            "dropout": self.dropout_rate,
            "residual": self.has_residual,
        }


@keras.saving.register_keras_serializable(PACKAGE)
class EventHeads(keras.layers.Layer):
    """A hidden layer, then one softmax head (as logits) per event stream."""

    def __init__(self, sizes: dict[str, int], units: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sizes = {k: int(sizes[k]) for k in STREAMS}
        self.units = int(units)
        self.hidden = keras.layers.Dense(self.units, activation="relu", name="hidden")
        self.heads = [keras.layers.Dense(self.sizes[k], name=f"head_{k}") for k in STREAMS]

    def build(self, input_shape: Any) -> None:
        self.hidden.build(input_shape)
        for head in self.heads:
            head.build((*input_shape[:-1], self.units))

    def compute_output_shape(self, input_shape: Any) -> dict[str, tuple[Any, ...]]:
        return {k: (*input_shape[:-1], n) for k, n in self.sizes.items()}

    def call(self, h: Any) -> dict[str, Any]:
        z = self.hidden(h)
        return {k: head(z) for k, head in zip(STREAMS, self.heads, strict=True)}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "sizes": self.sizes, "units": self.units}
