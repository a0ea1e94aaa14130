"""The meter a model may read: one class per meter of at least three files of the folder, the
rarer ones sharing one, the same in the training windows and when composing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from musicstudio.core.learn.dataset import WindowSource
from musicstudio.core.learn.models import build_model, default_config
from musicstudio.core.music.form_profile import FormProfile, meters_of
from musicstudio.core.music.metric import METERS, MeterClasses, meter_class
from musicstudio.core.music.vocab import TokenStream

OTHER = len(METERS)


def test_a_meter_of_one_or_two_files_has_no_class_of_its_own() -> None:
    folder = [(2, 4)] * 4 + [(2, 2)] * 3 + [(6, 8)] * 2 + [(9, 8)] * 2
    classes = MeterClasses.of_folder(folder)
    assert classes.own == {(2, 4), (2, 2)}
    assert meter_class((2, 4), classes) == METERS.index((2, 4))
    assert meter_class((2, 2), classes) == METERS.index((2, 2))
    assert meter_class((6, 8), classes) == meter_class((9, 8), classes) == OTHER  # 4 files
    # One or two files of rarer meters read as the most common meter: no class is one file.
    lone = MeterClasses.of_folder([(2, 4)] * 4 + [(2, 2)] * 3 + [(9, 8)])
    assert meter_class((9, 8), lone) == METERS.index((2, 4))
    # Five tunes of three meters: one class for all (the meter input says nothing).
    tiny = MeterClasses.of_folder([(4, 4), (4, 4), (2, 4), (2, 4), (2, 2)])
    assert {meter_class(m, tiny) for m in ((4, 4), (2, 4), (2, 2))} == {OTHER}
    assert meter_class((5, 4)) == OTHER  # not a meter with a class at all
    assert meter_class((6, 8)) == METERS.index((6, 8))  # no folder known: every meter
    # A profile without its files' meters (an older model) gives every meter its class.
    profile = FormProfile(("A",), (4,), (8,), (10.0,), 0.0, 0.0, 0.0, {})
    assert meters_of(None) is None and meters_of(profile) is None
    with_meters = meters_of(replace(profile, meters=((3, 4),) * 3 + ((4, 4),) * 3))
    assert with_meters is not None and with_meters.own == {(3, 4), (4, 4)}


def test_training_windows_carry_the_meter_class_of_their_piece() -> None:
    rows = np.zeros((20, 5), np.int32)
    rows[:, 2] = 6  # eighth-note steps
    streams = [
        TokenStream(rows.copy(), start=0, time_signature=(2, 4)),
        TokenStream(rows.copy(), start=0, time_signature=(9, 8)),
    ]
    classes = MeterClasses(frozenset({(2, 4)}))
    src = WindowSource.from_streams(streams, 8, meter=True, meters=classes)
    assert src.tokens.shape == (40, 6)
    assert set(src.tokens[:20, 5]) == {METERS.index((2, 4))}
    assert set(src.tokens[20:, 5]) == {OTHER}


def test_the_stepper_reads_a_rare_meter_as_the_other_class() -> None:
    from musicstudio.core.compose.steppers import make_stepper

    sizes = {"pitch": 20, "duration": 33, "step": 49, "velocity": 8, "voice": 8}
    config = default_config("lstm", units=8, layers=1, window=16, meter=True)
    weights = build_model(config, sizes).get_weights()
    x = np.ones((1, 5), np.int64)

    def logits(signature: tuple[int, int], meters: MeterClasses | None) -> np.ndarray:
        stepper = make_stepper(config, sizes, weights, signature, meters)
        out, _ = stepper.step(x, stepper.initial_state(1))
        return out["pitch"]

    folder = MeterClasses(frozenset({(2, 4)}))
    assert np.allclose(logits((9, 8), folder), logits((5, 4), None))  # both the other class
    assert not np.allclose(logits((2, 4), folder), logits((9, 8), folder))
