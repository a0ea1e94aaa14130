"""Forms made from the settings declarations, a time budget that means it, and engine trouble shown."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox

from musicstudio.core.base.settings import settings_of
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.learn.training import UNLIMITED_EPOCHS


def test_form_rows_follow_the_declared_ranges_labels_and_help(window) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    declared = {f.name: s for f, s in settings_of(SamplingSettings)}
    top_p = cp.top_p
    assert isinstance(top_p, QDoubleSpinBox)
    # below the declared range: unset, the model's (0.9, its pitches' own)
    assert (top_p.minimum(), top_p.maximum()) == (0.0, declared["top_p"].high)
    assert top_p.toolTip() == declared["top_p"].help
    assert top_p.specialValueText().startswith("model's (0.9")
    assert cp.settings().sampling.top_p is None
    top_p.setValue(declared["top_p"].low)
    assert cp.settings().sampling.top_p == declared["top_p"].low
    top_p.setValue(top_p.minimum())
    assert cp.top_k.specialValueText() == "off" and cp.top_k.minimum() == 0
    assert isinstance(cp.variations, QSpinBox) and cp.variations.maximum() == 64
    assert cp.seed.specialValueText() == "random" and cp.settings().sampling.seed is None
    cp.temperature.setValue(0.7)
    cp.seed.setValue(41)
    s = cp.settings()
    assert s.sampling.temperature == 0.7 and s.sampling.seed == 41
    # Remembered under the class and field name, as the CLI names them too.
    assert float(window.settings.value("SamplingSettings/temperature")) == 0.7


def test_a_time_budget_trains_until_the_budget(window) -> None:  # type: ignore[no-untyped-def]
    tp = window.training
    assert tp.epochs.isEnabled() and tp.settings().minutes is None
    tp.minutes.setValue(3.0)
    assert not tp.epochs.isEnabled()  # the budget, not an epoch count, ends training
    s = tp.settings()
    assert s.minutes == 3.0 and s.epochs == UNLIMITED_EPOCHS and s.patience == 5
    tp.minutes.setValue(tp.minutes.minimum())  # "no limit"
    assert tp.epochs.isEnabled() and tp.settings().minutes is None


def test_tensorflow_that_cannot_load_is_said_not_hidden(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    message = "TensorFlow could not be loaded (ImportError: libcudart.so.12)"
    window.session.engine.unavailable.emit(message)
    qtbot.waitUntil(lambda: window.banner.isVisible())
    assert "TensorFlow could not be loaded" in window.statusBar().currentMessage()


def test_avoid_copies_is_a_constraint_on_by_default(window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QCheckBox

    box = window.compose.constraints
    avoid = box.form.widgets["novelty_guard"]
    assert isinstance(avoid, QCheckBox) and avoid.isChecked()
    assert window.compose.settings().constraints.novelty_guard
    avoid.setChecked(False)
    assert not window.compose.settings().constraints.novelty_guard
    assert not box.constraints().active  # not a mask: the metrics line does not list it


def test_the_training_plan_is_shown_while_training(window) -> None:  # type: ignore[no-untyped-def]
    from musicstudio.core.base.progress import TrainingPlan

    message = "730 training events: window 128 → 32 events, batch 32 → 8"
    window.training._on_progress(0.0, TrainingPlan(32, 8, True, message))
    assert window.training.plan.text() == f"{message}."
