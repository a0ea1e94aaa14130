"""Model settings as plain dataclasses (no TensorFlow): validated, serialisable, shown in the UI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

from musicstudio.core.jobs.errors import MusicStudioError
from musicstudio.core.music.metric import METRIC_DIMS, METRIC_SIZES

#: Embedding width per event stream (pitch set, duration, step, velocity, part).
EMBED_DIMS = {"pitch": 64, "duration": 16, "step": 16, "velocity": 8, "voice": 8}


class ConfigError(MusicStudioError, ValueError):
    """Settings that cannot build a model, with the reason."""


@dataclass(frozen=True)
class ModelConfig:
    """What every model family shares."""

    family: ClassVar[str] = ""
    window: int = 128  # events per training window (every position predicts its next event)
    dropout: float = 0.1
    head_units: int = 128  # hidden width before the softmax heads
    #: Each event also reads where its onset sits in the bar (metric.py): an input only.
    metric_position: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family, **asdict(self)}

    def receptive_field(self) -> int:
        """Events of context one prediction can see."""
        return self.window

    def validate(self) -> None:
        if not 8 <= self.window <= 4096:
            raise ConfigError(f"window must be 8..4096 events, not {self.window}")
        if not 0.0 <= self.dropout < 0.9:
            raise ConfigError(f"dropout must be in [0, 0.9), not {self.dropout}")
        if not 8 <= self.head_units <= 4096:
            raise ConfigError(f"head_units must be 8..4096, not {self.head_units}")

    def embed_dims(self) -> int:
        """Width of the concatenated embeddings (streams, then metric classes when read)."""
        metric = sum(METRIC_DIMS.values()) if self.metric_position else 0
        return sum(EMBED_DIMS.values()) + metric

    def _embed_params(self, sizes: dict[str, int], width: int) -> int:
        emb = sum(sizes[k] * EMBED_DIMS[k] for k in EMBED_DIMS)
        if self.metric_position:
            emb += sum(METRIC_SIZES[k] * METRIC_DIMS[k] for k in METRIC_SIZES)
        return emb + (self.embed_dims() + 1) * width

    def _head_params(self, width: int, sizes: dict[str, int]) -> int:
        return (width + 1) * self.head_units + sum(
            (self.head_units + 1) * n for n in sizes.values()
        )


@dataclass(frozen=True)
class WaveNetConfig(ModelConfig):
    """Gated, dilated, causal convolutions with residual and skip connections."""

    family: ClassVar[str] = "wavenet"
    window: int = 256
    channels: int = 32
    skip_channels: int = 64
    layers: int = 9  # per stack; dilations 1, 2, 4, … 2**(layers-1)
    stacks: int = 1
    kernel_size: int = 2

    def dilations(self) -> list[int]:
        return [2**i for _ in range(self.stacks) for i in range(self.layers)]

    def receptive_field(self) -> int:
        return 1 + (self.kernel_size - 1) * sum(self.dilations())

    def validate(self) -> None:
        super().validate()
        if not 1 <= self.layers <= 14 or not 1 <= self.stacks <= 8:
            raise ConfigError("layers must be 1..14 and stacks 1..8")
        if not 4 <= self.channels <= 1024 or not 4 <= self.skip_channels <= 1024:
            raise ConfigError("channels and skip_channels must be 4..1024")
        if not 2 <= self.kernel_size <= 8:
            raise ConfigError("kernel_size must be 2..8")

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
    units: int = 128
    layers: int = 2

    def validate(self) -> None:
        super().validate()
        if not 1 <= self.layers <= 8 or not 8 <= self.units <= 2048:
            raise ConfigError("layers must be 1..8 and units 8..2048")

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
