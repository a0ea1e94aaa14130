"""Fault injection for the hostile tests: parsers that hang or crash on one file, in the workers.

The scan takes its per-file parser as an argument; these module-level functions replace it,
so the product code carries no fault hooks. Workers import this module by name (`tests.faults`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from musicstudio.core.music.parsing import Parsed, parse_file

HANGS = "hangs.mid"
CRASHES = "crashes.mid"


def hanging_parser(path: str, parts: tuple[int, ...] | None) -> Parsed:
    """parse_file, except that it never returns on a file named hangs.mid."""
    if Path(path).name == HANGS:
        time.sleep(3600)
    return parse_file(path, parts)


def crashing_parser(path: str, parts: tuple[int, ...] | None) -> Parsed:
    """parse_file, except that the worker process dies on a file named crashes.mid."""
    if Path(path).name == CRASHES:
        os._exit(70)
    return parse_file(path, parts)
