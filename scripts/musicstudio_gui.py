"""Entry script of the packaged windowed app (PyInstaller): opens the window, no console."""

import multiprocessing
import sys

from musicstudio.gui.app import run_app

if __name__ == "__main__":
    multiprocessing.freeze_support()  # worker and engine processes of the frozen app
    sys.exit(run_app(sys.argv[1:]))
