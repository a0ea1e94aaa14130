"""The one base class of every error a user can act on (a bad file, a bad setting, no device).

Its message is written for the user: the CLI prints it as one line and exits 2, the engine
and the window show it as it is. Anything else that escapes a job is a bug, shown with its
traceback.
"""

from __future__ import annotations


class MusicStudioError(Exception):
    """A problem the user can act on, with a message that says what and why."""
