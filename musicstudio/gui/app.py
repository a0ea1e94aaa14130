"""Start the desktop app (and its `--self-test`)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication


def _setup_logging() -> Path | None:
    from musicstudio.core.base.resources import user_data_dir

    try:
        folder = user_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "musicstudio.log"
        logging.basicConfig(
            filename=path,
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        return path
    except OSError:
        return None


def run_app(argv: list[str]) -> int:
    """Open the main window; `--self-test` composes with a sample model, writes a MIDI and exits."""
    from musicstudio.gui.platform_check import xcb_problem

    problem = xcb_problem()
    if problem:  # Qt would abort inside QApplication, where no Python code can explain why
        print(problem, file=sys.stderr)
        return 1
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from musicstudio.gui.main_window import MainWindow

    _setup_logging()
    QCoreApplication.setOrganizationName("MusicStudio")
    QCoreApplication.setApplicationName("MusicStudio")
    running = QApplication.instance()  # tests make theirs first
    app = (
        running
        if isinstance(running, QApplication)
        else QApplication([sys.argv[0], *[a for a in argv if not a.startswith("--self-test")]])
    )
    from PySide6.QtGui import QIcon

    from musicstudio.core.base.resources import app_icon

    icon = app_icon()
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    app.setDesktopFileName("musicstudio")  # Wayland/X11 matching
    window = MainWindow(QSettings())

    def excepthook(kind, value, tb):  # type: ignore[no-untyped-def]
        import traceback

        logging.getLogger("musicstudio").error("".join(traceback.format_exception(kind, value, tb)))
        window.show_error(f"{kind.__name__}: {value}")

    sys.excepthook = excepthook
    _quit_on_sigterm(app)
    app.aboutToQuit.connect(window.close)  # however the app ends, the window's cleanup runs
    window.show()
    from musicstudio.core.music.worker_server import warm_up

    warm_up()  # the scan's worker server imports the parser while the user finds a folder
    import gc

    gc.collect()
    gc.freeze()  # the app's long-lived objects: later GC passes (which stall the UI) skip them
    if any(a.startswith("--self-test") for a in argv):
        from musicstudio.gui.selftest import SelfTest

        test = SelfTest(window)
        test.start()
        app.exec()
        return test.exit_code
    return int(app.exec())


def _quit_on_sigterm(app: QApplication) -> None:
    """A desktop logout or `kill` closes the window properly (the engine process ends with it)."""
    import signal

    from PySide6.QtCore import QTimer

    # Queued: a signal that comes before the event loop runs must still end it.
    signal.signal(signal.SIGTERM, lambda *_: QTimer.singleShot(0, app.quit))
    # Python runs signal handlers only between bytecodes: wake the interpreter now and then.
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(200)
