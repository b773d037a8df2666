"""One token bucket for many threads: the account's GetLabelDetection quota, shared.

AWS counts GetLabelDetection calls per account and region (the TPS quota), whichever job they
read, so a process that reads many jobs at once must pace all of them together. ``TokenBucket``
is that pace: every call takes a token first. Its arithmetic, and why:

- **Refill at the current rate, up to a burst of half a second's worth** (at least one token).
  The service's own bucket holds a second's worth; taking only half of it at start keeps the
  other half in reserve there, so requests that the network bunches together (a late one, then
  an early one) still find a token on the service's side and are not throttled.
- **Reservations.** ``take()`` hands out the next token at once and says when it may be used:
  the level goes below zero by one token per waiting caller, so callers are served in order,
  each when the refill (at the rate as it climbs) has paid for it, with no polling and no
  thundering herd.
- **AIMD on throttling.** A throttle means the service's bucket is empty: the level drops to
  zero (no token left to spend) and the rate is halved, at most once per ``CUT_EVERY_S`` (the
  calls already in flight when the first throttle comes back are throttled too: they say
  nothing new), never below ``min(tps, MIN_RATE)``. Then the rate climbs back linearly, by
  ``CLIMB_PER_S`` of the rate it was cut from per second (from half to whole in 2 s), up to
  ``tps``: additive increase, multiplicative decrease, as TCP shares a link. The climb is
  relative to the rate that failed, not to ``tps``, so a ``tps`` far above the real quota
  still comes down: under throttling each round ends at 3/4 of the one before. A quota set right
  is never throttled (see the burst), so it runs at ``tps``.

Time is a clock (``monotonic()``), so tests drive it with ``rekolabels.testing.FakeClock``.
Thread-safe: one lock guards the state.
"""

from __future__ import annotations

import math
import threading
from typing import Protocol

__all__ = ["CLIMB_PER_S", "CUT_EVERY_S", "MIN_RATE", "MonotonicClock", "TokenBucket"]

CUT_EVERY_S = 1.0
"""A throttle halves the rate at most this often, in seconds."""
CLIMB_PER_S = 0.25
"""After a cut the rate climbs back by this fraction of the rate it was cut from, per second."""
MIN_RATE = 0.1
"""The rate never falls below this many tokens per second (or ``tps``, if lower)."""


class MonotonicClock(Protocol):
    """What the bucket reads: ``monotonic()`` seconds."""

    def monotonic(self) -> float: ...


class TokenBucket:
    """Tokens at ``tps`` per second, a burst of half a second's worth, rate cut on throttling.

    Args:
        tps: the quota, in calls per second (finite, > 0).
        clock: where the time comes from (``monotonic()``).
        burst: tokens the bucket holds when full (default ``max(1, tps / 2)``; at most ``tps``).
    """

    def __init__(self, tps: float, *, clock: MonotonicClock, burst: float | None = None) -> None:
        if not (math.isfinite(tps) and tps > 0):
            raise ValueError(f"tps must be finite and > 0, got {tps}")
        if burst is None:
            burst = max(1.0, tps / 2)
        if not 1.0 <= burst <= max(1.0, tps):
            raise ValueError(f"burst must be from 1 to max(1, tps) tokens, got {burst}")
        self.tps = float(tps)
        self.burst = float(burst)
        self.min_rate = min(self.tps, MIN_RATE)
        self._clock = clock
        self._lock = threading.Lock()
        self._rate = self.tps
        self._climb = self.tps * CLIMB_PER_S
        self._level = self.burst
        self._last = clock.monotonic()
        self._cut_at = -math.inf

    @property
    def rate(self) -> float:
        """The current rate, in tokens per second (``tps`` unless throttling cut it)."""
        with self._lock:
            self._refill(self._clock.monotonic())
            return self._rate

    def take(self) -> float:
        """Reserve the next token; return the ``monotonic()`` time from which it may be spent."""
        with self._lock:
            now = self._clock.monotonic()
            self._refill(now)
            self._level -= 1.0
            if self._level >= 0.0:
                return now
            return now + self._time_to_refill(-self._level)

    def give_back(self) -> None:
        """Return a reserved token that was not spent (its caller gave up waiting)."""
        with self._lock:
            self._level = min(self.burst, self._level + 1.0)

    def throttled(self) -> None:
        """The service throttled a call: empty the bucket and halve the rate (once a second)."""
        with self._lock:
            now = self._clock.monotonic()
            self._refill(now)
            self._level = min(self._level, 0.0)
            if now - self._cut_at >= CUT_EVERY_S:
                self._climb = self._rate * CLIMB_PER_S
                self._rate = max(self.min_rate, self._rate / 2.0)
                self._cut_at = now

    def _time_to_refill(self, debt: float) -> float:
        """Seconds until ``debt`` tokens have come in at the rate as it will be (climbing, then
        tps), if no throttle comes: the exact inverse of ``_refill``, so that the tokens handed
        out never bunch (a late one, then an early one) beyond the quota's envelope."""
        rate, climb = self._rate, self._climb
        if rate < self.tps:
            climbing = (self.tps - rate) / climb
            climbed = rate * climbing + climb * climbing * climbing / 2.0
            if debt <= climbed:
                # rate * t + climb * t**2 / 2 = debt, in the form that keeps its precision.
                return 2.0 * debt / (rate + math.sqrt(rate * rate + 2.0 * climb * debt))
            return climbing + (debt - climbed) / self.tps
        return debt / rate

    def _refill(self, now: float) -> None:
        elapsed = now - self._last
        if elapsed <= 0.0:
            return
        self._last = now
        rate = self._rate
        if rate < self.tps:
            # Climb linearly, then run at tps: the tokens of the interval are the exact
            # integral of that piecewise-linear rate.
            climbed = min(self.tps, rate + self._climb * elapsed)
            climbing = (climbed - rate) / self._climb
            tokens = (rate + climbed) / 2.0 * climbing + climbed * (elapsed - climbing)
            self._rate = climbed
        else:
            tokens = rate * elapsed
        self._level = min(self.burst, self._level + tokens)
