"""The window opens at 85 % of the screen, centred, and where it was left if that fits the screen.

Each start is a fresh app on a screen of a given size (Qt's offscreen platform, configured), as
the window would start on a laptop or a desktop monitor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QRect

from musicstudio.gui.window_geometry import default_rect

ROOT = Path(__file__).resolve().parents[2]

START = r"""
import json, sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

def main():
    app = QApplication([])
    from musicstudio.gui.main_window import MainWindow

    window = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat))
    window.show()
    rect = window.geometry()
    screen = window.screen().availableGeometry()
    if len(sys.argv) > 2:  # the user moves and sizes the window before closing it
        window.setGeometry(*json.loads(sys.argv[2]))
    window.close()  # before the event loop runs: no engine starts
    print(json.dumps({"window": rect.getRect(), "screen": screen.getRect()}))

if __name__ == "__main__":
    main()
"""


def start(tmp_path: Path, width: int, height: int, move_to: list[int] | None = None) -> dict:  # type: ignore[type-arg]
    """Start the app on a `width` x `height` screen; the window's and the screen's rectangles."""
    config = tmp_path / f"screen-{width}x{height}.json"
    screen = {"name": "screen", "x": 0, "y": 0, "width": width, "height": height}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    env.update(PYTHONPATH=str(ROOT), MUSICSTUDIO_DATA_DIR=str(tmp_path / "data"))
    args = [sys.executable, "-c", START, str(tmp_path / "settings.ini")]
    if move_to is not None:
        args.append(json.dumps(move_to))
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_first_start_at_85_percent_centred_then_as_left(tmp_path: Path) -> None:
    first = start(tmp_path, 1920, 1080, move_to=[200, 150, 1300, 800])
    x, y, w, h = first["window"]
    assert first["screen"] == [0, 0, 1920, 1080]
    assert (w, h) == (round(1920 * 0.85), round(1080 * 0.85))  # 1632 x 918
    assert abs((x + w / 2) - 960) <= 2 and abs((y + h / 2) - 540) <= 2  # centred
    again = start(tmp_path, 1920, 1080)
    assert again["window"] == [200, 150, 1300, 800]  # where the user left it


def test_a_geometry_that_does_not_fit_this_screen_gives_the_default(tmp_path: Path) -> None:
    start(tmp_path, 2560, 1440, move_to=[100, 100, 2200, 1250])  # left big on a large monitor
    laptop = start(tmp_path, 1366, 768)
    assert laptop["window"] == list(default_rect(QRect(0, 0, 1366, 768)).getRect())
    assert laptop["window"][2:] == [round(1366 * 0.85), round(768 * 0.85)]


def test_the_default_is_85_percent_of_the_available_area_centred() -> None:
    available = QRect(0, 32, 1440, 868)  # a top bar takes 32 pixels
    rect = default_rect(available)
    assert (rect.width(), rect.height()) == (1224, 738)
    assert rect.center() == available.center()
