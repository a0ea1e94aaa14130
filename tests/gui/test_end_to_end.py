"""As a user: drop a folder, train a tiny model, compose, see the piano roll, play, export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from musicstudio.core.music.midi import read_midi
from tests.gui.conftest import drop, tiny_wavenet


def test_drop_train_compose_play_export(window, qtbot, chorale_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    drop(window, [chorale_dir])
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    assert window.session.corpus.stats["ok"] == 24
    assert window.dataset.table_model.rowCount() == 24
    assert "24 files" in window.tabs.tabText(0)

    tp = window.training
    window.tabs.setCurrentWidget(tp)
    tiny_wavenet(tp, epochs=2)
    qtbot.mouseClick(tp.train_button, Qt.MouseButton.LeftButton)
    assert not tp.train_button.isEnabled()
    qtbot.waitUntil(lambda: tp.train_button.isEnabled(), timeout=240_000)
    assert "Finished all 2 epochs" in tp.status.text(), tp.status.text()
    assert window.session.current_model is not None and window.session.current_model.exists()
    assert tp.model_list.table.rowCount() >= 1

    cp = window.compose
    window.tabs.setCurrentWidget(cp)
    assert cp.model.currentData() == str(window.session.current_model)
    cp.length.setValue(96)
    cp.variations.setValue(2)
    qtbot.mouseClick(cp.compose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(cp.pieces) == 2, timeout=120_000)
    roll = cp.tabs.currentWidget()
    assert roll.note_count() == len(cp.pieces[0].notes) > 20
    assert cp.tabs.count() == 2

    qtbot.mouseClick(cp.play_button, Qt.MouseButton.LeftButton)
    qtbot.wait(1500)
    assert window.player.is_playing
    qtbot.mouseClick(cp.stop_button, Qt.MouseButton.LeftButton)
    audio = np.fromfile(tmp_path / "audio.raw", np.int16)
    assert (
        audio.size > 10_000 and np.sqrt(np.mean(audio.astype(float) ** 2)) > 50
    )  # real, non-silent samples

    out = cp.export_to(str(tmp_path / "export.mid"), "midi")
    back = read_midi(out)
    notes = cp.pieces[0].notes
    assert sorted(zip(back.onset.round(4), back.pitch, strict=True)) == sorted(
        zip(notes.onset.round(4), notes.pitch, strict=True)
    )
