"""Drops on the window: MIDI files and folders are taken, anything else is refused while dragged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication

from tests.conftest import sample_files

COPY, LEFT, NO_MODS = (
    Qt.DropAction.CopyAction,
    Qt.MouseButton.LeftButton,
    Qt.KeyboardModifier.NoModifier,
)


def mime_of(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drag(window, paths: list[Path]) -> tuple[bool, bool]:  # type: ignore[no-untyped-def]
    """A real drag over the window and away: whether it takes the enter, then a move."""
    mime = mime_of(paths)
    pos = QPoint(window.width() // 2, window.height() // 2)
    enter = QDragEnterEvent(pos, COPY, mime, LEFT, NO_MODS)
    QApplication.sendEvent(window, enter)
    move = QDragMoveEvent(pos + QPoint(5, 5), COPY, mime, LEFT, NO_MODS, QEvent.Type.DragMove)
    QApplication.sendEvent(window, move)  # Qt sends moves only where the enter was taken
    QApplication.sendEvent(window, QDragLeaveEvent())
    return enter.isAccepted(), move.isAccepted()


def release(window, paths: list[Path]) -> bool:  # type: ignore[no-untyped-def]
    """A drag that ends in a drop; whether the window took the drop."""
    mime = mime_of(paths)
    pos = QPoint(window.width() // 2, window.height() // 2)
    QApplication.sendEvent(window, QDragEnterEvent(pos, COPY, mime, LEFT, NO_MODS))
    event = QDropEvent(QPointF(pos), COPY, mime, LEFT, NO_MODS)
    QApplication.sendEvent(window, event)
    return event.isAccepted()


@pytest.fixture
def things(tmp_path: Path) -> dict[str, Path]:
    """An image, a text file, a MIDI file and a folder of MIDI files."""
    image = tmp_path / "cover.png"
    QImage(8, 8, QImage.Format.Format_RGB32).save(str(image))
    text = tmp_path / "notes.txt"
    text.write_text("not music")
    midi = tmp_path / sample_files(1)[0].name
    shutil.copy(sample_files(1)[0], midi)
    folder = tmp_path / "chorales"
    folder.mkdir()
    for f in sample_files(3):
        shutil.copy(f, folder / f.name)
    return {"image": image, "text": text, "midi": midi, "folder": folder}


@pytest.mark.parametrize("kind", ["image", "text"])
def test_a_non_midi_file_is_refused_and_the_status_bar_says_why(window, things, kind: str) -> None:  # type: ignore[no-untyped-def]
    path = things[kind]
    assert drag(window, [path]) == (False, False)  # the cursor shows "no"
    message = window.statusBar().currentMessage()
    assert path.name in message and "MIDI" in message
    assert release(window, [path]) is False
    assert window.dataset.paths == [] and window.dataset.scan_thread is None  # no scan, no error
    assert not window.banner.isVisible()


def test_midi_files_and_folders_are_taken(window, things, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert drag(window, [things["folder"]]) == (True, True)
    assert drag(window, [things["midi"]]) == (True, True)
    assert drag(window, [things["midi"], things["folder"]]) == (True, True)
    assert release(window, [things["folder"]]) is True
    assert window.dataset.paths == [str(things["folder"])]
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    assert window.session.corpus.stats["ok"] == 3


def test_a_mixed_drop_takes_only_the_midi_files_and_folders(window, things, qtbot) -> None:  # type: ignore[no-untyped-def]
    mix = [things["image"], things["midi"], things["text"], things["folder"]]
    assert drag(window, mix) == (True, True)
    assert release(window, mix) is True
    assert window.dataset.paths == [str(things["midi"]), str(things["folder"])]
    message = window.statusBar().currentMessage()
    assert "cover.png" in message and "notes.txt" in message and "Leaving out" in message
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    assert window.session.corpus.stats["files"] == 4  # the MIDI file and the folder's three
    assert not window.banner.isVisible()  # nothing became a scan error


def test_a_model_file_is_taken_on_its_own(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = Path(__file__).resolve().parents[2] / "resources" / "models" / "sample-lstm.msb"
    assert drag(window, [model]) == (True, True)
    other = tmp_path / "cover.png"
    other.write_bytes(b"\x89PNG")
    assert drag(window, [model, other]) == (False, False)  # a model is never part of a mix
