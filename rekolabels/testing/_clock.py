"""FakeClock: time for tests, passed as ``LabelDetectionClient(..., clock=FakeClock())``."""

from __future__ import annotations

import threading

__all__ = ["FakeClock"]


class FakeClock:
    """A clock on which sleeping advances the time at once: nothing really sleeps.

    ``monotonic()`` starts at ``start`` and moves only when ``sleep(seconds)`` (or
    ``advance``) is called, so a test of ``wait_for_job`` or of the backoff runs in no time and
    sees exact numbers; ``sleeps`` lists every sleep, in order. Thread-safe.
    """

    __module__ = "rekolabels.testing"  # where users import it from

    def __init__(self, start: float = 1000.0) -> None:
        self._lock = threading.Lock()
        self._now = float(start)
        self.sleeps: list[float] = []
        """Every ``sleep`` asked for, in seconds, in order."""

    def monotonic(self) -> float:
        """The fake time, in seconds."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Record the sleep and move the time forward by ``seconds`` (ValueError if < 0, like
        ``time.sleep``)."""
        if seconds < 0:
            raise ValueError(f"sleep length must be non-negative, got {seconds}")
        with self._lock:
            self.sleeps.append(seconds)
            self._now += seconds

    def advance(self, seconds: float) -> None:
        """Move the time forward without a recorded sleep (time passing elsewhere)."""
        if seconds < 0:
            raise ValueError(f"a monotonic clock does not go back, got {seconds}")
        with self._lock:
            self._now += seconds
