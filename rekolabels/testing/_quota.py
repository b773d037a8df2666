"""The fake's account quota: one token bucket over every GetLabelDetection call, all jobs alike.

AWS meters GetLabelDetection per account and region: a call that finds the quota spent is
answered ThrottlingException, whichever job it reads. ``Quota`` is that meter, kept simple on
purpose (rate R, burst R, no memory of past throttles) and apart from rekolabels' own pacing
(``rekolabels._bucket``), so that the client's bucket is measured against an independent one.
"""

from __future__ import annotations

import math
import time
from typing import Protocol

__all__ = ["Quota"]


class _Monotonic(Protocol):
    def monotonic(self) -> float: ...


class _RealTime:
    def monotonic(self) -> float:
        return time.monotonic()


class Quota:
    """``tps`` tokens per second, holding at most ``tps`` (at least one); full at the start.

    Not locked: ``FakeRekognition`` calls it under its own lock.
    """

    def __init__(self, tps: float, clock: _Monotonic | None = None) -> None:
        if isinstance(tps, bool) or not isinstance(tps, (int, float)):
            raise TypeError(f"tps must be a number, not {type(tps).__name__}")
        if not (math.isfinite(tps) and tps > 0):
            raise ValueError(f"tps must be finite and > 0, got {tps!r}")
        self.tps = float(tps)
        self.burst = max(1.0, self.tps)
        self._clock: _Monotonic = clock if clock is not None else _RealTime()
        self._level = self.burst
        self._last = self._clock.monotonic()

    def take(self) -> bool:
        """Spend one token if there is one; False (throttle the call) if the bucket is empty."""
        now = self._clock.monotonic()
        self._level = min(self.burst, self._level + (now - self._last) * self.tps)
        self._last = now
        if self._level < 1.0:
            return False
        self._level -= 1.0
        return True
