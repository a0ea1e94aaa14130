"""The Compose step samples at the model's own temperatures (tuned after training) unless the
user sets theirs, and says which it used."""

from __future__ import annotations

from PySide6.QtCore import Qt

from musicstudio.core.learn.bundle import read_manifest


def compose(window, qtbot) -> str:  # type: ignore[no-untyped-def]
    cp = window.compose
    before = cp.composed
    qtbot.mouseClick(cp.compose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cp.composed > before and cp.job is None, timeout=120_000)
    return str(cp.metrics.text())


def test_compose_uses_the_models_tuned_temperatures_unless_set(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    sample = next(m for m in window.session.models if m.sample and m.family == "lstm")
    tuned = read_manifest(sample.path)["sampling"]
    window.session.select_model(sample.path)
    window.tabs.setCurrentWidget(cp)
    cp.length.setValue(120)
    assert cp.temperature.text() == f"model's ({tuned['temperature']:g})"
    assert cp.rhythm.text() == f"model's ({tuned['rhythm_temperature']:g})"

    line = compose(window, qtbot)
    assert f"temperature {tuned['temperature']:g} / rhythm {tuned['rhythm_temperature']:g}" in line

    cp.temperature.setValue(1.2)  # the user's own
    cp.rhythm.setValue(0.5)
    line = compose(window, qtbot)
    assert "temperature 1.2 / rhythm 0.5" in line
