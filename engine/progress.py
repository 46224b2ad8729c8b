"""Progress reporting and cancellation for long jobs.

Every long engine function takes an optional :class:`Reporter`. It forwards
``(fraction, message)`` to a callback and raises :class:`Cancelled` at the next
checkpoint once :meth:`Reporter.cancel` has been called (from any thread).
"""

from __future__ import annotations

import threading
from typing import Callable

ProgressCallback = Callable[[float, str], None]


class Cancelled(Exception):
    """Raised inside a job when its reporter was cancelled."""


class Reporter:
    """Maps a job's stages onto ``[0, 1]`` and checks for cancellation at each update."""

    def __init__(self, callback: ProgressCallback | None = None, cancel_event: threading.Event | None = None):
        self._callback = callback
        self._cancel = cancel_event or threading.Event()
        self._start, self._span = 0.0, 1.0

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled("cancelled by the user")

    def update(self, fraction: float, message: str) -> None:
        """Report ``fraction`` (0..1) of the current stage done."""
        self.check()
        if self._callback is not None:
            overall = self._start + self._span * min(max(fraction, 0.0), 1.0)
            self._callback(overall, message)

    def stage(self, start: float, end: float) -> "Reporter":
        """A child reporter whose 0..1 covers ``start..end`` of this one; shares the cancel flag."""
        child = Reporter(self._callback, self._cancel)
        child._start = self._start + self._span * start
        child._span = self._span * (end - start)
        return child


def ensure(reporter: Reporter | None) -> Reporter:
    return reporter if reporter is not None else Reporter()
