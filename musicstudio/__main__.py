"""`python -m musicstudio` runs the same entry point as the `musicstudio` command."""

import sys

from musicstudio.cli import main

sys.exit(main())
