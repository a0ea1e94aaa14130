"""The two model families: sizes, causality, and step-wise generation equal to the full model."""

from __future__ import annotations

import numpy as np
import pytest

from musicstudio.core.compose.steppers import make_stepper
from musicstudio.core.learn.models import (
    ConfigError,
    WeightsError,
    build_model,
    config_from_dict,
    default_config,
    weight_shapes,
)
from musicstudio.core.music.metric import meter_class, metric_columns

SIZES = {"pitch": 40, "duration": 33, "step": 49, "velocity": 8, "voice": 8}
CONFIGS = [
    default_config("wavenet", channels=16, skip_channels=16, layers=5, window=32),  # meter on
    default_config(
        "wavenet",
        channels=8,
        skip_channels=8,
        layers=3,
        stacks=2,
        kernel_size=3,
        window=32,
        meter=False,
    ),
    default_config("lstm", units=24, layers=2, window=32, meter=False),
    default_config(
        "wavenet",
        channels=8,
        skip_channels=8,
        layers=3,
        window=32,
        metric_position=True,
        meter=False,
    ),
    default_config("lstm", units=16, layers=2, window=32, metric_position=True, meter=False),
    default_config("lstm", units=16, layers=2, window=32),  # meter on
    default_config("lstm", units=16, layers=2, window=32, metric_position=True),
]
#: Where each test row's first event sits (grid steps from time 0), and the time signature.
STARTS = np.array([0, 30, 100])
SIGNATURE = (3, 4)


def ids(config) -> str:  # type: ignore[no-untyped-def]
    return (
        config.family
        + ("-metric" if config.metric_position else "")
        + ("-meter" if config.meter else "")
    )


def with_metric(config, x: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The model's input: the token rows, then their metric classes and their meter class when
    the model reads them."""
    if config.metric_position:
        cols = [
            metric_columns(row, int(s), SIGNATURE)
            for row, s in zip(x, STARTS[: len(x)], strict=True)
        ]
        x = np.concatenate([x, np.stack(cols)], axis=-1)
    if config.meter:
        x = np.concatenate([x, np.full((*x.shape[:2], 1), meter_class(SIGNATURE))], axis=-1)
    return x.astype("int32")


def tokens(batch: int, length: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack([rng.integers(0, n, (batch, length)) for n in SIZES.values()], axis=-1).astype(
        "int32"
    )


@pytest.mark.parametrize("config", CONFIGS, ids=ids)
def test_parameter_count_shown_in_ui_matches_keras(config) -> None:  # type: ignore[no-untyped-def]
    model = build_model(config, SIZES)
    assert model.count_params() == config.parameter_count(SIZES)


@pytest.mark.parametrize("config", CONFIGS, ids=ids)
def test_every_position_predicts_and_the_future_is_not_seen(config) -> None:  # type: ignore[no-untyped-def]
    model = build_model(config, SIZES)
    x = with_metric(config, tokens(2, 24))
    out = model(x)
    assert out["pitch"].shape == (2, 24, SIZES["pitch"])  # one prediction per position
    y = x.copy()
    y[:, 12:] = with_metric(config, tokens(2, 12, seed=1))
    out2 = model(y)
    assert np.allclose(out["pitch"][:, :12], out2["pitch"][:, :12], atol=1e-5)
    assert not np.allclose(out["pitch"][:, 12:], out2["pitch"][:, 12:], atol=1e-3)


@pytest.mark.parametrize("config", CONFIGS, ids=ids)
def test_stepper_logits_match_full_model(config) -> None:  # type: ignore[no-untyped-def]
    """The NumPy stepper on the trained weights computes what the Keras model computes."""
    model = build_model(config, SIZES)
    x = tokens(3, 40)
    full = model(with_metric(config, x))
    weights = model.get_weights()
    assert [tuple(w.shape) for w in weights] == weight_shapes(config, SIZES)
    stepper = make_stepper(config, SIZES, weights, SIGNATURE)
    state = stepper.initial_state(3, STARTS)
    steps: dict[str, list[np.ndarray]] = {k: [] for k in SIZES}
    for t in range(40):
        logits, state = stepper.step(x[:, t], state)
        for k in SIZES:
            steps[k].append(logits[k])
    for k in SIZES:
        assert np.allclose(np.stack(steps[k], axis=1), full[k].numpy(), atol=1e-4), k


def test_stepper_refuses_weights_of_other_settings() -> None:
    config = default_config("lstm", units=32, layers=1, meter=False)
    weights = build_model(config, SIZES).get_weights()
    with pytest.raises(WeightsError, match="array 7"):
        make_stepper(config, SIZES, weights[:7] + [weights[7].T] + weights[8:])
    with pytest.raises(WeightsError, match="arrays"):
        make_stepper(default_config("lstm", units=32, layers=2, meter=False), SIZES, weights)
    with pytest.raises(WeightsError, match="arrays"):  # weights of a model without the meter
        make_stepper(default_config("lstm", units=32, layers=1), SIZES, weights)


def test_receptive_field() -> None:
    assert default_config("wavenet", layers=9).receptive_field() == 512
    assert (
        default_config("wavenet", layers=4, stacks=2, kernel_size=3).receptive_field()
        == 1 + 2 * 2 * 15
    )


def test_config_refuses_unknown_and_wrong_types() -> None:
    with pytest.raises(ConfigError, match="unknown model family"):
        config_from_dict({"family": "transformer"})
    with pytest.raises(ConfigError, match="unknown setting"):
        config_from_dict({"family": "lstm", "units": 8, "evil": "__import__('os')"})
    with pytest.raises(ConfigError, match="must be int"):
        config_from_dict({"family": "lstm", "units": "8"})
    with pytest.raises(ConfigError, match="Layers must be from 1 to 14, not 40"):
        config_from_dict({"family": "wavenet", "layers": 40})
    with pytest.raises(ConfigError, match="Window must be from 8 to 4096"):
        config_from_dict({"family": "lstm", "window": 4})


def test_keras_file_round_trip_in_safe_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import keras

    config = CONFIGS[0]
    model = build_model(config, SIZES)
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    x = with_metric(config, tokens(1, 10))
    assert np.allclose(model(x)["pitch"], again(x)["pitch"], atol=1e-6)


def test_a_model_that_reads_the_meter_hears_it() -> None:
    """The same events in 2/4 and in 2/2 give other predictions: the meter is an input."""
    config = default_config("lstm", units=16, layers=1, window=32, meter=True)
    weights = build_model(config, SIZES).get_weights()
    x = tokens(1, 8)
    out = {}
    for signature in ((2, 4), (2, 2)):
        stepper = make_stepper(config, SIZES, weights, signature)
        state = stepper.initial_state(1)
        for t in range(8):
            logits, state = stepper.step(x[:, t], state)
        out[signature] = logits["step"]
    assert not np.allclose(out[(2, 4)], out[(2, 2)], atol=1e-4)
