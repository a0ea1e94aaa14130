"""Model settings as plain dataclasses (no TensorFlow): validated, serialisable, shown in the UI.

Every setting is declared once (core/base/settings.py): its default, range, label and help. The
Training panel's editors and `validate` both read the declarations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.base.settings import SettingsError, setting, validate
from musicstudio.core.music.metric import (
    METER_CLASSES,
    METER_DIM,
    METRIC_DIMS,
    METRIC_SIZES,
    N_METRIC,
)
from musicstudio.core.music.vocab import N_STREAMS

_WINDOW_HELP = "Events per training window; every position predicts its next event"

#: Embedding width per event stream (pitch set, duration, step, velocity, part).
EMBED_DIMS = {"pitch": 64, "duration": 16, "step": 16, "velocity": 8, "voice": 8}


class ConfigError(MusicStudioError, ValueError):
    """Settings that cannot build a model, with the reason."""


@dataclass(frozen=True)
class ModelConfig:
    """What every model family shares."""

    family: ClassVar[str] = ""
    window: int = setting(128, "Window", _WINDOW_HELP, low=8, high=4096, step=16, unit="events")
    dropout: float = setting(
        0.1, "Dropout", "Share of activations dropped while training", low=0.0, high=0.85, step=0.05
    )
    head_units: int = setting(
        128, "Head units", "Hidden width before the softmax heads", low=8, high=4096, step=16
    )
    metric_position: bool = setting(
        False,
        "Metric position",
        "Each event also reads where its onset sits in the bar (metric.py): an input only",
    )
    # On since round 4: a folk model wrote its 2/2 reels at 13.8 notes a bar (the tunes: 7.6)
    # and 2/4 ones sparser, one density for every meter (benchmarks/README.md, "Meter").
    meter: bool = setting(
        True,
        "Meter",
        "Each event also reads the piece's time signature (2/4, 2/2, 6/8 …; a meter of three"
        " files or more), so pieces in each meter of a mixed folder get their own density:"
        " an input only",
    )

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family, **asdict(self)}

    def receptive_field(self) -> int:
        """Events of context one prediction can see."""
        return self.window

    def validate(self) -> None:
        """Every setting within its declared range (ConfigError names the first that is not)."""
        try:
            validate(self)
        except SettingsError as e:
            raise ConfigError(str(e)) from None

    def input_columns(self) -> int:
        """Columns of an input row: the streams, the metric classes, the meter class."""
        return N_STREAMS + (N_METRIC if self.metric_position else 0) + int(self.meter)

    def embed_dims(self) -> int:
        """Width of the concatenated embeddings (streams, then metric and meter classes when
        read)."""
        metric = sum(METRIC_DIMS.values()) if self.metric_position else 0
        return sum(EMBED_DIMS.values()) + metric + (METER_DIM if self.meter else 0)

    def _embed_params(self, sizes: dict[str, int], width: int) -> int:
        emb = sum(sizes[k] * EMBED_DIMS[k] for k in EMBED_DIMS)
        if self.metric_position:
            emb += sum(METRIC_SIZES[k] * METRIC_DIMS[k] for k in METRIC_SIZES)
        if self.meter:
            emb += METER_CLASSES * METER_DIM
        return emb + (self.embed_dims() + 1) * width

    def _head_params(self, width: int, sizes: dict[str, int]) -> int:
        return (width + 1) * self.head_units + sum(
            (self.head_units + 1) * n for n in sizes.values()
        )


@dataclass(frozen=True)
class WaveNetConfig(ModelConfig):
    """Gated, dilated, causal convolutions with residual and skip connections."""

    family: ClassVar[str] = "wavenet"
    window: int = setting(256, "Window", _WINDOW_HELP, low=8, high=4096, step=16, unit="events")
    channels: int = setting(
        32, "Channels", "Width of each dilated convolution", low=4, high=1024, step=8
    )
    skip_channels: int = setting(
        64, "Skip channels", "Width of the skip connections summed", low=4, high=1024, step=8
    )
    layers: int = setting(9, "Layers", "Layers per stack; dilations 1, 2, 4, …", low=1, high=14)
    stacks: int = setting(1, "Stacks", "Repeats of the dilation pattern", low=1, high=8)
    kernel_size: int = setting(2, "Kernel size", "Taps of each convolution", low=2, high=8)

    def dilations(self) -> list[int]:
        return [2**i for _ in range(self.stacks) for i in range(self.layers)]

    def receptive_field(self) -> int:
        return 1 + (self.kernel_size - 1) * sum(self.dilations())

    def parameter_count(self, sizes: dict[str, int]) -> int:
        c, s, k = self.channels, self.skip_channels, self.kernel_size
        block = (k * c + 1) * 2 * c + (c + 1) * c + (c + 1) * s
        n = len(self.dilations())
        last_residual = (c + 1) * c  # the last block feeds only the skip path
        return (
            self._embed_params(sizes, c)
            + n * block
            - last_residual
            + (s + 1) * s
            + self._head_params(s, sizes)
        )


@dataclass(frozen=True)
class LSTMConfig(ModelConfig):
    """Stacked LSTM over the same embeddings and heads."""

    family: ClassVar[str] = "lstm"
    units: int = setting(128, "Units", "Units per LSTM layer", low=8, high=2048, step=16)
    layers: int = setting(2, "Layers", "Stacked LSTM layers", low=1, high=8)

    def parameter_count(self, sizes: dict[str, int]) -> int:
        u = self.units
        total = self._embed_params(sizes, u)
        total += self.layers * 4 * ((u + u + 1) * u)
        return total + self._head_params(u, sizes)


CONFIG_CLASSES: dict[str, type[ModelConfig]] = {"wavenet": WaveNetConfig, "lstm": LSTMConfig}


def config_from_dict(data: dict[str, Any]) -> ModelConfig:
    """Rebuild a config from JSON, refusing unknown families, keys and wrong types."""
    if not isinstance(data, dict):
        raise ConfigError("model config must be an object")
    family = data.get("family")
    cls = CONFIG_CLASSES.get(str(family))
    if cls is None:
        raise ConfigError(f"unknown model family {family!r} (known: {', '.join(CONFIG_CLASSES)})")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "family":
            continue
        if key not in known:
            raise ConfigError(f"unknown setting {key!r} for {family}")
        want = type(getattr(cls(), key))
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is not want:
            raise ConfigError(
                f"setting {key!r} must be {want.__name__}, not {type(value).__name__}"
            )
        values[key] = value
    config = cls(**values)
    config.validate()
    return config


def default_config(family: str, **overrides: Any) -> ModelConfig:
    """The default config of a family with some settings changed."""
    return config_from_dict({"family": family, **overrides})
