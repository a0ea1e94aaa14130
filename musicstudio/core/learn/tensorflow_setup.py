"""Loading TensorFlow without its C++ start-up notices on the user's terminal.

TensorFlow's native libraries log through absl before absl is initialised, straight to
file descriptor 2, whatever TF_CPP_MIN_LOG_LEVEL says ("oneDNN custom operations are on",
"All log messages before absl::InitializeLog() ..."). They are noise to a musician. The
import runs with descriptor 2 pointed at a temporary file; lines that are not such
notices are written back to stderr, so a real failure is never hidden.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from typing import Any

#: Start-up lines of TensorFlow's native code that say nothing a user can act on.
NOTICES = ("I0000 ", "W0000 ", "WARNING: All log messages before absl::InitializeLog()")


def load_tensorflow() -> Any:
    """`import tensorflow`, once, with its native start-up notices filtered out."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _native_stderr_filtered():
        import tensorflow as tf
    return tf


@contextlib.contextmanager
def _native_stderr_filtered() -> Any:
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real descriptor 2 (a frozen GUI app): nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = [
                line
                for line in capture.read().decode(errors="replace").splitlines()
                if line.strip() and not line.startswith(NOTICES)
            ]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
