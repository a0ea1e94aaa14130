"""Undo, redo and regenerate act on the Compose step only: a key pressed on another step never
changes a piece the user cannot see."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest

from tests.gui.test_shaping import CTRL, LEFT, SHIFT, compose_with_sample, same_notes


def edit_menu(window) -> dict[str, QAction]:  # type: ignore[no-untyped-def]
    """The Edit menu's actions by their first word ('Undo', 'Redo', 'Regenerate')."""
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    return {a.text().replace("&", "").split()[0]: a for a in edit.actions()}


def show_step(window, panel) -> None:  # type: ignore[no-untyped-def]
    """Click the step's tab, as a user does."""
    bar = window.tabs.tabBar()
    QTest.mouseClick(bar, LEFT, pos=bar.tabRect(window.tabs.indexOf(panel)).center())
    assert window.tabs.currentWidget() is panel


def test_undo_on_another_step_does_nothing_and_is_greyed(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    compose_with_sample(window, qtbot)
    before = cp.pieces[0].notes
    cp.tabs.currentWidget().select_bars(3, 4)
    qtbot.mouseClick(cp.takes.regenerate_button, LEFT)
    stack = cp.open_variations[0].stack
    qtbot.waitUntil(lambda: stack.count() == 1 and cp.job is None, timeout=60_000)
    after = cp.pieces[0].notes
    assert not same_notes(after, before)
    menu = edit_menu(window)
    assert menu["Undo"].isEnabled() and menu["Regenerate"].isEnabled()

    for step in (window.dataset, window.training):
        show_step(window, step)
        QTest.keyClick(window, Qt.Key.Key_Z, CTRL)
        assert stack.index() == 1 and cp.pieces[0].notes is after  # not undone, unseen
        QTest.keyClick(window, Qt.Key.Key_R, CTRL)
        assert cp.job is None and stack.count() == 1  # nothing regenerated either
        assert not any(a.isEnabled() for a in menu.values())  # greyed in the Edit menu

    show_step(window, cp)
    assert menu["Undo"].isEnabled() and menu["Regenerate"].isEnabled()
    assert not menu["Redo"].isEnabled()  # nothing undone yet
    QTest.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert cp.pieces[0].notes is before  # the previous take, shown
    assert menu["Redo"].isEnabled() and not menu["Undo"].isEnabled()

    show_step(window, window.dataset)
    QTest.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert cp.pieces[0].notes is before and not menu["Redo"].isEnabled()
    show_step(window, cp)
    QTest.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert cp.pieces[0].notes is after
