"""Entry script of the packaged app (PyInstaller): the same main as the `musicstudio` command."""

import multiprocessing
import sys

from musicstudio.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # worker and engine processes of the frozen app
    sys.exit(main())
