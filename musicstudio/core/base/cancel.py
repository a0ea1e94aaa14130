"""Cancelling a long job from another thread (or process), and throttling its reports."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


class Cancelled(Exception):
    """Raised inside a job when its cancel token was set."""


@dataclass
class CancelToken:
    """Set from any thread; a job checks it often and stops with `Cancelled`."""

    _event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


class Throttle:
    """Lets an event through at most once per interval (so per-step callbacks cannot flood a queue)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last = float("-inf")

    def ready(self, force: bool = False) -> bool:
        import time

        now = time.monotonic()
        if force or now - self._last >= self.interval:
            self._last = now
            return True
        return False
