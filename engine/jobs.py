"""Background jobs for a long-lived process (the app's server): run, watch progress, cancel.

The job function gets a :class:`Reporter` as its ``reporter`` keyword. The watcher
(e.g. a page polling every half second) reads ``fraction``/``message`` and calls
:meth:`Job.cancel`; nothing here touches the caller's UI from the worker thread.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable

from engine.progress import Cancelled, Reporter


class Job:
    def __init__(self, label: str, fn: Callable[..., Any], *args: Any, **kwargs: Any):
        self.label = label
        self.fraction, self.message = 0.0, "starting"
        self.result: Any = None
        self.error: str | None = None
        self.error_detail: str | None = None
        self.cancelled = False
        self.started = time.monotonic()
        self.finished: float | None = None
        self._reporter = Reporter(self._on_progress)
        self._thread = threading.Thread(target=self._main, args=(fn, args, kwargs), daemon=True, name=label)
        self._thread.start()

    def _on_progress(self, fraction: float, message: str) -> None:
        self.fraction, self.message = fraction, message

    def _main(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        try:
            self.result = fn(*args, reporter=self._reporter, **kwargs)
            self.fraction, self.message = 1.0, "done"
        except Cancelled:
            self.cancelled = True
            self.message = "cancelled"
        except Exception as error:  # shown to the user as a message; a bug's detail goes in an expander
            from engine.data import DataError

            self.error = f"{type(error).__name__}: {error}" if not isinstance(error, ValueError) else str(error)
            # bad input (a DataError) is the user's to fix, said in its sentence: no traceback to report
            self.error_detail = None if isinstance(error, DataError) else traceback.format_exc()
        finally:
            self.finished = time.monotonic()

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def cancel(self) -> None:
        self._reporter.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return self.done
