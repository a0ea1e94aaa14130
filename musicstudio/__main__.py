"""`python -m musicstudio` runs the same entry point as the `musicstudio` command."""

import sys

from musicstudio.cli import main

if __name__ == "__main__":  # worker processes import this module too: run nothing then
    sys.exit(main())
