"""Incremental generation on a trained model's weights, in NumPy: one event per step.

Training is Keras; composing is a few small matrix products per event, and NumPy does those
without a graph to trace or TensorFlow to import: the first Compose of a fresh process costs
what the hundredth does. The LSTM carries each layer's (h, c); the WaveNet keeps, per dilated
block, a queue of its last (k - 1) · d inputs. The weights are the bundle's arrays in the order
the Keras builders create them (learn/models/weights.py says which), and the stepper tests compare every
step with the full Keras model, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from musicstudio.core.learn.models.config import LSTMConfig, ModelConfig, WaveNetConfig
from musicstudio.core.learn.models.weights import check_weights
from musicstudio.core.music.metric import (
    N_METRIC,
    STEP_COLUMN,
    MeterClasses,
    meter_class,
    metric_of_onsets,
)
from musicstudio.core.music.vocab import N_STREAMS, STREAMS

Array = np.ndarray
State = list[Array]


def _sigmoid(x: Array) -> Array:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # no overflow warnings for large |x|


class _Reader:
    def __init__(self, weights: list[Array]) -> None:
        self._it: Iterator[Array] = iter([np.asarray(w, np.float32) for w in weights])

    def take(self, n: int = 1) -> list[Array]:
        return [next(self._it) for _ in range(n)]


class _Shared:
    """The embeddings in front and the heads behind: the same for every family.

    With the metric position, the state's last array is every row's clock: the onset (grid
    steps from time 0) of the event it feeds next; each step reads its metric classes from it
    and moves it on by the event's step. With the meter, every row also reads its meter class
    (the time signature's, the same for the whole piece)."""

    def __init__(self, r: _Reader, config: ModelConfig, time_signature: tuple[int, int]) -> None:
        self.metric = config.metric_position
        self.meter = config.meter
        self.time_signature = time_signature
        self.tables = r.take(len(STREAMS) + (N_METRIC if self.metric else 0))
        self.meter_table = r.take()[0] if self.meter else None
        self.meters: MeterClasses | None = None  # the folder's classes
        self.project, self.project_bias = r.take(2)

    def clock(self, batch: int, onset: int | Array) -> State:
        """The clock arrays of a fresh state ([] without the metric position)."""
        if not self.metric:
            return []
        return [np.broadcast_to(np.asarray(onset, np.int64), (batch,)).copy()]

    def embed(self, tokens: Array, state: State) -> tuple[Array, State]:
        """The rows' embeddings, and the clock after them ([] without the metric position)."""
        tokens = np.asarray(tokens)[:, :N_STREAMS]
        columns = [t[tokens[:, i]] for i, t in enumerate(self.tables[: len(STREAMS)])]
        clock: State = []
        if self.metric:
            at = state[-1]
            metric = metric_of_onsets(at, self.time_signature)
            columns += [t[metric[:, i]] for i, t in enumerate(self.tables[len(STREAMS) :])]
            clock = [at + tokens[:, STEP_COLUMN]]
        if self.meter_table is not None:
            row = self.meter_table[meter_class(self.time_signature, self.meters)]
            columns.append(np.broadcast_to(row, (len(tokens), row.size)))
        x = np.concatenate(columns, axis=-1)
        return x @ self.project + self.project_bias, clock

    def read_heads(self, r: _Reader) -> None:
        self.hidden, self.hidden_bias = r.take(2)
        self.heads = [tuple(r.take(2)) for _ in STREAMS]

    def logits(self, h: Array) -> dict[str, Array]:
        z = np.maximum(h @ self.hidden + self.hidden_bias, 0.0)
        return {k: z @ w + b for k, (w, b) in zip(STREAMS, self.heads, strict=True)}


class Stepper:
    """A family's stepper: `initial_state(batch, onset)`, then `step(tokens, state)` per event.

    `onset` is the grid step (from time 0) of the first event fed: only a model that reads the
    metric position uses it."""

    family: ClassVar[str] = ""
    shared: _Shared

    @property
    def time_signature(self) -> tuple[int, int]:
        """The meter its events are placed in (read when the model reads the metric position)."""
        return self.shared.time_signature

    @time_signature.setter
    def time_signature(self, value: tuple[int, int]) -> None:
        self.shared.time_signature = (int(value[0]), int(value[1]))

    def initial_state(self, batch: int, onset: int | Array = 0) -> State:
        raise NotImplementedError

    def step(self, tokens: Array, state: State) -> tuple[dict[str, Array], State]:
        """tokens: (B, N_STREAMS) int of the newest event → next-event logits per stream."""
        raise NotImplementedError


class LSTMStepper(Stepper):
    family = "lstm"

    def __init__(
        self, config: LSTMConfig, weights: list[Array], time_signature: tuple[int, int] = (4, 4)
    ) -> None:
        r = _Reader(weights)
        self.shared = _Shared(r, config, time_signature)
        self.cells = [tuple(r.take(3)) for _ in range(config.layers)]
        self.shared.read_heads(r)
        self.units = config.units

    def initial_state(self, batch: int, onset: int | Array = 0) -> State:
        cells = [np.zeros((batch, self.units), np.float32) for _ in range(2 * len(self.cells))]
        return cells + self.shared.clock(batch, onset)

    def step(self, tokens: Array, state: State) -> tuple[dict[str, Array], State]:
        x, clock = self.shared.embed(tokens, state)
        new: State = []
        for i, (kernel, recurrent, bias) in enumerate(self.cells):
            h, c = state[2 * i], state[2 * i + 1]
            z = x @ kernel + h @ recurrent + bias  # gates i, f, c, o (Keras order)
            u = self.units
            gates = _sigmoid(z)  # one call for the three gates that are sigmoids
            c = gates[:, u : 2 * u] * c + gates[:, :u] * np.tanh(z[:, 2 * u : 3 * u])
            x = gates[:, 3 * u :] * np.tanh(c)
            new += [x, c]
        return self.shared.logits(x), new + clock


class WaveNetStepper(Stepper):
    family = "wavenet"

    def __init__(
        self, config: WaveNetConfig, weights: list[Array], time_signature: tuple[int, int] = (4, 4)
    ) -> None:
        r = _Reader(weights)
        self.shared = _Shared(r, config, time_signature)
        self.channels = config.channels
        self.blocks: list[dict[str, Any]] = []
        dilations = config.dilations()
        for i, d in enumerate(dilations):
            kernel, bias = r.take(2)
            residual = tuple(r.take(2)) if i < len(dilations) - 1 else None
            self.blocks.append(
                {
                    "dilation": d,
                    "history": (config.kernel_size - 1) * d,
                    "kernel": kernel,  # (k, C, 2C): taps t-(k-1)d, …, t-d, t
                    "bias": bias,
                    "residual": residual,
                    "skip": tuple(r.take(2)),
                }
            )
        skips = [b.pop("skip") for b in self.blocks]  # kept only stacked, as step uses them
        self.skip = np.concatenate([w for w, _ in skips], axis=0)
        self.skip_bias = np.sum([b for _, b in skips], axis=0)
        self.post, self.post_bias = r.take(2)
        self.shared.read_heads(r)

    def initial_state(self, batch: int, onset: int | Array = 0) -> State:
        queues = [np.zeros((batch, b["history"], self.channels), np.float32) for b in self.blocks]
        return queues + self.shared.clock(batch, onset)

    def step(self, tokens: Array, state: State) -> tuple[dict[str, Array], State]:
        x, clock = self.shared.embed(tokens, state)
        gated: list[Array] = []
        new: State = []
        for block, past in zip(self.blocks, state[: len(self.blocks)], strict=True):
            d, kernel = block["dilation"], block["kernel"]
            h = x @ kernel[-1] + block["bias"]
            for j in range(kernel.shape[0] - 1):
                h += past[:, j * d] @ kernel[j]
            c = self.channels  # slices, not np.split: this runs once per layer and event
            z = np.tanh(h[:, :c]) * _sigmoid(h[:, c:])
            new.append(np.concatenate([past[:, 1:], x[:, None, :]], axis=1))
            if block["residual"] is not None:
                w, b = block["residual"]
                x = x + z @ w + b
            gated.append(z)
        # Every layer's skip projection at once: sum_i z_i W_i + b_i = [z_1 … z_n] [W_1; …; W_n] + b
        skip_sum = np.concatenate(gated, axis=-1) @ self.skip + self.skip_bias
        h = np.maximum(np.maximum(skip_sum, 0.0) @ self.post + self.post_bias, 0.0)
        return self.shared.logits(h), new + clock


def make_stepper(
    config: ModelConfig,
    sizes: dict[str, int],
    weights: list[Array],
    time_signature: tuple[int, int] = (4, 4),
    meters: MeterClasses | None = None,
) -> Stepper:
    """The family's stepper over trained weights (checked against the settings first); the
    time signature places its events in the bar when the model reads the metric position,
    and is its meter class (of `meters`, as in training) when it reads the meter."""
    check_weights(config, sizes, weights)
    stepper: Stepper
    if isinstance(config, LSTMConfig):
        stepper = LSTMStepper(config, weights, time_signature)
    else:
        assert isinstance(config, WaveNetConfig)  # weight_shapes refused any other family
        stepper = WaveNetStepper(config, weights, time_signature)
    stepper.shared.meters = meters
    return stepper
