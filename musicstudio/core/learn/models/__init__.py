"""Model families: a config class (config.py, no TensorFlow) and a module with `build` and `Stepper`.

A third family is one new module (Keras builder), its config class, a line in FAMILY_MODULES
its weight layout in weights.py and its NumPy stepper in compose/steppers.py.
"""

from __future__ import annotations

import importlib
from typing import Any

from musicstudio.core.learn.models.config import (
    CONFIG_CLASSES,
    ConfigError,
    LSTMConfig,
    ModelConfig,
    WaveNetConfig,
    config_from_dict,
    default_config,
)
from musicstudio.core.learn.models.weights import WeightsError, check_weights, weight_shapes

FAMILY_MODULES = {
    "wavenet": "musicstudio.core.learn.models.wavenet",
    "lstm": "musicstudio.core.learn.models.lstm",
}
FAMILY_LABELS = {"wavenet": "WaveNet", "lstm": "LSTM"}


def _module(family: str) -> Any:
    if family not in FAMILY_MODULES:
        raise ConfigError(f"unknown model family {family!r}")
    return importlib.import_module(FAMILY_MODULES[family])


def build_model(config: ModelConfig, sizes: dict[str, int]) -> Any:
    """A fresh Keras model for the config and stream sizes (imports TensorFlow)."""
    config.validate()
    return _module(config.family).build(config, sizes)


__all__ = [
    "CONFIG_CLASSES",
    "ConfigError",
    "LSTMConfig",
    "ModelConfig",
    "WaveNetConfig",
    "build_model",
    "config_from_dict",
    "default_config",
    "WeightsError",
    "check_weights",
    "weight_shapes",
    "FAMILY_LABELS",
]
