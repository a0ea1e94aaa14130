"""The weight layout of each family: the shape of every array, in the order the Keras builders
create them. A bundle is checked against it before a stepper (compose/steppers.py) reads it, and
the stepper tests compare every step with the full Keras model, so the two cannot drift apart."""

from __future__ import annotations

import numpy as np

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.learn.models.config import EMBED_DIMS, LSTMConfig, ModelConfig, WaveNetConfig
from musicstudio.core.music.metric import (
    METER_CLASSES,
    METER_DIM,
    METRIC,
    METRIC_DIMS,
    METRIC_SIZES,
)
from musicstudio.core.music.vocab import STREAMS

Array = np.ndarray


class WeightsError(MusicStudioError, ValueError):
    """Weights that do not fit the model's settings, with the first array that differs."""


def _embedding_shapes(
    config: ModelConfig, sizes: dict[str, int], width: int
) -> list[tuple[int, ...]]:
    tables = [(sizes[k], EMBED_DIMS[k]) for k in STREAMS]
    if config.metric_position:
        tables += [(METRIC_SIZES[k], METRIC_DIMS[k]) for k in METRIC]
    if config.meter:
        tables.append((METER_CLASSES, METER_DIM))
    return [*tables, (config.embed_dims(), width), (width,)]


def _head_shapes(sizes: dict[str, int], width: int, units: int) -> list[tuple[int, ...]]:
    shapes: list[tuple[int, ...]] = [(width, units), (units,)]
    for k in STREAMS:
        shapes += [(units, sizes[k]), (sizes[k],)]
    return shapes


def weight_shapes(config: ModelConfig, sizes: dict[str, int]) -> list[tuple[int, ...]]:
    """The shape of every weight array, in the order the family's Keras builder creates them."""
    if isinstance(config, LSTMConfig):
        u = config.units
        shapes = _embedding_shapes(config, sizes, u)
        for _ in range(config.layers):
            shapes += [(u, 4 * u), (u, 4 * u), (4 * u,)]
        return shapes + _head_shapes(sizes, u, config.head_units)
    if isinstance(config, WaveNetConfig):
        c, s, k = config.channels, config.skip_channels, config.kernel_size
        shapes = _embedding_shapes(config, sizes, c)
        dilations = config.dilations()
        for i in range(len(dilations)):
            shapes += [(k, c, 2 * c), (2 * c,)]
            if i < len(dilations) - 1:
                shapes += [(c, c), (c,)]
            shapes += [(c, s), (s,)]
        return shapes + [(s, s), (s,)] + _head_shapes(sizes, s, config.head_units)
    raise WeightsError(f"no stepper for the {config.family!r} family")


def check_weights(config: ModelConfig, sizes: dict[str, int], weights: list[Array]) -> None:
    """Refuse weights that do not fit the settings, naming the first array that differs."""
    want = weight_shapes(config, sizes)
    if len(want) != len(weights):
        raise WeightsError(
            f"the weights do not fit this model ({len(weights)} arrays, the model has {len(want)})"
        )
    for i, (a, w) in enumerate(zip(want, weights, strict=True)):
        if tuple(w.shape) != a:
            raise WeightsError(
                f"the weights do not fit this model (array {i}: {tuple(w.shape)} where {a} is"
                " expected); the vocabulary or settings were changed"
            )
