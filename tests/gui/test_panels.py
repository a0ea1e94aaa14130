"""Panels on their own: threshold, bad folders, cancel, sample corpus, model drop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from tests.gui.conftest import drop, tiny_wavenet


def test_threshold_updates_vocabulary_live(window, qtbot, chorale_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window.dataset.load([str(chorale_dir)])
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    before = len(window.session.corpus.vocab)
    window.dataset.threshold.setValue(2)
    after = len(window.session.corpus.vocab)
    assert after > before
    assert f"{after:,} tokens" in window.dataset.summary.text()


def test_bad_folder_shows_a_readable_message(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("hi")
    drop(window, [tmp_path / "texts"])
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=30_000)
    assert "no MIDI files" in window.banner.text.text()
    assert window.session.corpus is None


def test_problem_files_are_listed_and_filterable(window, qtbot, hostile_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window.dataset.load([str(hostile_dir)])
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    total = window.dataset.proxy.rowCount()
    window.dataset.problems_only.setChecked(True)
    problems = window.dataset.proxy.rowCount()
    assert 0 < problems < total
    assert problems == len(window.session.corpus.problems())


def test_sample_models_compose_without_training(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    samples = [m for m in window.session.models if m.sample]
    assert {m.family for m in samples} == {"wavenet", "lstm"}
    cp = window.compose
    window.session.select_model(samples[0].path)
    cp.length.setValue(64)
    qtbot.mouseClick(cp.compose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(cp.pieces) == 1, timeout=120_000)
    assert cp.tabs.currentWidget().note_count() > 10


def test_cancel_training(window, qtbot, chorale_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window.dataset.load([str(chorale_dir)])
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    tp = window.training
    tiny_wavenet(tp, epochs=500)
    qtbot.mouseClick(tp.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "epoch 2/" in tp.status.text(), timeout=240_000)
    qtbot.mouseClick(tp.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tp.train_button.isEnabled(), timeout=30_000)
    assert tp.status.text().startswith("Stopped")
    assert tp.resume_button.isEnabled()


def test_settings_are_remembered_between_sessions(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    from musicstudio.gui.main_window import MainWindow

    path = str(tmp_path / "remember.ini")
    first = MainWindow(QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.training.family.setCurrentIndex(1)
    first.training.units.setValue(256)
    first.compose.temperature.setValue(0.7)
    first.compose.top_k.setValue(12)
    first.close()
    second = MainWindow(QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    assert second.training.family.currentData() == "lstm"
    assert second.training.units.value() == 256
    assert second.compose.temperature.value() == 0.7 and second.compose.top_k.value() == 12
    second.close()


def test_the_dataset_says_which_files_were_played_off_their_grid(
    window, qtbot, played_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    from musicstudio.gui.corpus_view import REASON_COLUMN

    window.dataset.load([str(played_dir)])
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    assert (
        "Played files (off their own grid): 1 put on the beats tracked from their notes;"
        " 1 with no steady beat, read as written"
    ) in window.dataset.summary.text()
    model = window.dataset.table_model
    reasons = {
        model.index(r, 0).data(): model.index(r, REASON_COLUMN).data()
        for r in range(model.rowCount())
    }
    assert reasons["played.mid"] == "beats tracked" and reasons["chorale.mid"] == ""
    assert reasons["noise.mid"].startswith("no steady beat: read as written (only ")
    noise = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "noise.mid")
    tip = model.index(noise, REASON_COLUMN).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == reasons["noise.mid"]  # the whole reason, where the column cuts it short
