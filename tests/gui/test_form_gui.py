"""Form in the app: a piece composed in sections shows them as bands, a regenerated passage goes
to every return of its section (or makes a variant), undo brings both back, and the Dataset
panel shows each file's form."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from musicstudio.core.music.midi import NoteArray, read_markers
from musicstudio.gui.corpus_view import FORM_COLUMN
from musicstudio.gui.widgets.roll_paint import SECTION_BAND_PX, section_tint
from tests.conftest import sample_files
from tests.gui.test_shaping import HEADER_PX, LEFT, rows, select_by_dragging, started

BAR = 4.0


def bars(notes: NoteArray, first: int, last: int) -> list[tuple]:  # type: ignore[type-arg]
    """The notes starting in bars first..last, onsets counted from the first of them."""
    lo, hi = (first - 1) * BAR, last * BAR
    inside = (notes.onset >= lo - 1e-6) & (notes.onset < hi - 1e-6)
    return [(round(r[0] - lo, 4), *r[1:]) for r in rows(notes, inside)]


def compose_form(window, qtbot, form: str, n_bars: int) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    sample = next(m for m in window.session.models if m.sample and m.family == "lstm")
    window.session.select_model(sample.path)
    window.tabs.setCurrentWidget(cp)
    cp.length.setValue(cp.length.minimum())  # no number of events: the form sets the length
    cp.form.setText(form)
    cp.bars.setValue(n_bars)
    before = cp.composed
    qtbot.mouseClick(cp.compose_button, LEFT)
    qtbot.waitUntil(lambda: cp.composed > before and cp.job is None, timeout=120_000)


def regenerate(window, qtbot, first: int, last: int, linked: bool) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    cp.regenerate_box.linked.setChecked(linked)
    select_by_dragging(cp.tabs.currentWidget(), first, last)
    stack = cp.open_variations[0].stack
    index = stack.index()  # a new take is pushed after the shown one (a redo is dropped)
    qtbot.mouseClick(cp.takes.regenerate_button, LEFT)
    qtbot.waitUntil(lambda: stack.index() == index + 1 and cp.job is None, timeout=60_000)


def test_sections_show_as_bands_and_a_linked_regenerate_changes_every_return(
    window, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    started(qtbot, window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    compose_form(window, qtbot, "A A B A", 16)
    cp = window.compose
    piece = cp.pieces[0]
    roll = cp.tabs.currentWidget()
    assert roll.sections == [
        ("A", 0.0, 16.0),
        ("A", 16.0, 32.0),
        ("B", 32.0, 48.0),
        ("A", 48.0, 64.0),
    ]
    assert "Form A A B A in 4/4" in cp.metrics.text()  # a typed form: the corpus's meter
    assert bars(piece.notes, 5, 8) == bars(piece.notes, 1, 4) == bars(piece.notes, 13, 16)
    # The bands are painted: the label strip of the second A has A's tint, B's another one.
    roll.zoom_to_fit()
    qtbot.wait(50)
    image = roll.viewport().grab().toImage()
    y = HEADER_PX + SECTION_BAND_PX // 2
    a = QColor(image.pixel(round(roll.x_of(17.0)), y))
    b = QColor(image.pixel(round(roll.x_of(33.0)), y))
    assert a != b and a.blue() > a.red()  # A is blue (#3182ce over white), B is not
    assert section_tint("A", 255).name() != section_tint("B", 255).name()
    window.grab().save(str(tmp_path / "form.png"))

    before = cp.pieces[0].notes
    regenerate(window, qtbot, 2, 3, linked=True)
    after = cp.pieces[0].notes
    assert bars(after, 2, 3) != bars(before, 2, 3)
    assert bars(after, 6, 7) == bars(after, 2, 3) == bars(after, 14, 15)  # every return
    assert bars(after, 9, 12) == bars(before, 9, 12)  # B untouched
    assert "the same in 2 returns of the section" in cp.metrics.text()
    out = cp.export_to(str(tmp_path / "song.mid"), "midi")
    assert out is not None and [name for _, name in read_markers(out)] == ["A", "A", "B", "A"]

    qtbot.mouseClick(cp.takes.undo_button, LEFT)  # undo: every return as it was
    assert rows(cp.pieces[0].notes, before.onset >= 0) == rows(before, before.onset >= 0)

    regenerate(window, qtbot, 2, 3, linked=False)  # this occurrence only: a variant
    variant = cp.pieces[0].notes
    assert [s[0] for s in roll.sections] == ["A′", "A", "B", "A"]
    assert bars(variant, 6, 7) == bars(before, 6, 7) and bars(variant, 2, 3) != bars(before, 2, 3)
    qtbot.mouseClick(cp.takes.undo_button, LEFT)
    assert [s[0] for s in roll.sections] == ["A", "A", "B", "A"]


def test_the_dataset_panel_shows_each_files_form(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "chorales"
    folder.mkdir()
    for f in sample_files(12):
        shutil.copy(f, folder / f.name)
    panel = window.dataset
    panel.load([str(folder)])
    # the files first, then their forms (found after the scan, off the UI thread)
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    qtbot.waitUntil(lambda: window.session.corpus.form is not None, timeout=60_000)
    assert panel.scan_thread is None
    model = panel.table_model
    forms = [
        model.data(model.index(r, FORM_COLUMN), Qt.ItemDataRole.DisplayRole) for r in range(12)
    ]
    assert all(f and f.startswith("A") for f in forms)  # "A B C D", "A A B C", …
    assert any(" A" in f[1:] for f in forms)  # some chorale repeats its first phrase
    assert "Form: sections of 4 bars" in panel.summary.text()


def test_a_folder_dropped_at_launch_is_scanned_before_tensorflow_loads(
    window, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # on two cores TensorFlow's import halved the scan's speed: it waits for the scan to end
    folder = tmp_path / "chorales"
    folder.mkdir()
    for f in sample_files(12):
        shutil.copy(f, folder / f.name)
    engines = window.session.engine
    window.dataset.load([str(folder)])
    window._load_tensorflow()  # the launch timer fires while the scan runs
    assert window.dataset.scan_thread is not None and not engines.engine.alive
    qtbot.waitUntil(lambda: window.dataset.scan_thread is None, timeout=60_000)
    assert window.session.corpus is not None and window.session.corpus.form is not None
    assert engines.engine.alive  # the scan's end started it
