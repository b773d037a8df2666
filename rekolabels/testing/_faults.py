"""The fake's faults: the per-call schedule (``inject``), seeded random rates (``fault_rate``),
added latency, and the counts of what was served.

Fault vocabulary for ``inject`` (one entry per call, consumed in order; ``None`` = serve):

==========================================  ===================================================
``"ThrottlingException"``                   HTTP 500 (the service model marks it a fault)
``"ProvisionedThroughputExceededException"``  HTTP 400
``"InternalServerError"``                   HTTP 500
``"AccessDeniedException"``                 HTTP 400
``"InvalidParameterException"``             HTTP 400
``"InvalidPaginationTokenException"``       HTTP 400
``"ResourceNotFoundException"``             HTTP 400
``"CODE:STATUS"``                           any code above with another HTTP status, e.g.
                                            ``"ThrottlingException:400"`` (how throttling
                                            often arrives) or ``"InternalServerError:503"``
``"truncated"``                             HTTP 200, the real page's JSON cut in half
``"repeat_token"``                          HTTP 200, the real page, but its NextToken is the
                                            request's own (a service stuck on one page;
                                            without a request NextToken, served as is)
``"connection"``                            the connection drops before any response
``"timeout"``                               no response before the client's read timeout
``"latency"`` / ``"latency:SECONDS"``       served, after ``fault_rate``'s ``latency_s`` (or
                                            SECONDS, at most 5) of delay
==========================================  ===================================================

``fault_rate`` draws the same faults at random, seeded by the fake's ``seed``, for calls the
schedule does not cover.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Iterable

__all__ = [
    "FAULT_CODES",
    "MAX_LATENCY_S",
    "PAGE_FAULTS",
    "TRANSPORT_FAULTS",
    "Faults",
    "reply_status",
]

# HTTP status of each AWS error the fake can send (GetLabelDetection's service model).
FAULT_CODES: dict[str, int] = {
    "ThrottlingException": 500,
    "ProvisionedThroughputExceededException": 400,
    "InternalServerError": 500,
    "AccessDeniedException": 400,
    "InvalidParameterException": 400,
    "InvalidPaginationTokenException": 400,
    "ResourceNotFoundException": 400,
    "IdempotentParameterMismatchException": 400,
}
# The random faults ``fault_rate`` can draw, by keyword: the schedule entry each one is.
_RATE_FAULTS = {
    "throttling": "ThrottlingException",
    "provisioned": "ProvisionedThroughputExceededException",
    "internal": "InternalServerError",
    "drop": "connection",
    "truncated": "truncated",
    "timeout": "timeout",
}
# Added latency is for exercising timeouts and concurrency, never for stalling a test run.
MAX_LATENCY_S = 5.0
# Faults the transport acts out: it sends nothing.
TRANSPORT_FAULTS = ("connection", "timeout")
# Faults that still serve the page, then spoil the reply.
PAGE_FAULTS = ("truncated", "repeat_token")


def reply_status(fault: str) -> int:
    """HTTP status for a scheduled fault; ValueError for an entry outside the vocabulary."""
    if fault in PAGE_FAULTS or fault in TRANSPORT_FAULTS:
        return 200
    if fault == "latency" or fault.startswith("latency:"):
        seconds = fault.partition(":")[2]
        if seconds and not _is_delay(seconds):
            raise ValueError(f"unknown fault {fault!r}: latency:SECONDS takes 0 to 5 seconds")
        return 200
    code, _, status = fault.partition(":")
    if code not in FAULT_CODES or (status and not (status.isdigit() and len(status) == 3)):
        raise ValueError(f"unknown fault {fault!r}: see rekolabels.testing._faults for the list")
    return int(status) if status else FAULT_CODES[code]


def _is_delay(text: str) -> bool:
    try:
        return 0.0 <= float(text) <= MAX_LATENCY_S
    except ValueError:
        return False


class Faults:
    """The schedule, the rates and the counts of one fake.

    Not locked: ``FakeRekognition`` calls every method under its own lock, so that a call's
    fault, its request id and its place in ``requests`` are decided together.
    """

    def __init__(self, seed: int) -> None:
        # Drawn from their own stream, so adding rates leaves request ids unchanged.
        self._rng = random.Random(f"rekolabels-fake-faults:{seed}")
        self._schedule: deque[str | None] = deque()
        self._rates: list[tuple[str, float]] = []
        self._latency_rate = 0.0
        self._latency_s = 0.05
        self.counts: Counter[str] = Counter()
        """How many of each fault (scheduled or drawn) were served, and ``"latency"``."""

    @staticmethod
    def checked(schedule: Iterable[str | None]) -> list[str | None]:
        """The schedule as a list; ValueError on an entry outside the vocabulary."""
        entries = list(schedule)
        for entry in entries:
            if entry is not None:
                reply_status(entry)
        return entries

    def extend(self, entries: list[str | None]) -> None:
        """Append checked entries to the schedule."""
        self._schedule.extend(entries)

    def set_rates(self, exclusive: dict[str, float], latency: float, latency_s: float) -> None:
        """Replace the random rates (keywords of ``fault_rate``); ValueError if out of range."""
        for name, rate in [*exclusive.items(), ("latency", latency)]:
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {rate!r}")
        if sum(exclusive.values()) > 1.0 + 1e-9:
            raise ValueError("the fault rates other than latency must sum to at most 1")
        if not 0.0 <= latency_s <= MAX_LATENCY_S:
            raise ValueError(f"latency_s must be between 0 and {MAX_LATENCY_S}")
        self._rates = [(_RATE_FAULTS[k], rate) for k, rate in exclusive.items() if rate]
        self._latency_rate = latency
        self._latency_s = latency_s

    def next(self) -> tuple[str | None, float]:
        """The fault for this call (scheduled, else drawn) and the delay before answering."""
        if self._schedule:
            fault = self._schedule.popleft()
            delay = 0.0
            if fault is not None and fault.startswith("latency"):
                seconds = fault.partition(":")[2]
                fault, delay = None, float(seconds) if seconds else self._latency_s
        else:
            fault, delay = None, 0.0
            if self._rates:
                draw = self._rng.random()
                for entry, rate in self._rates:
                    if draw < rate:
                        fault = entry
                        break
                    draw -= rate
            if self._latency_rate and self._rng.random() < self._latency_rate:
                delay = self._latency_s
        if fault is not None:
            self.counts[fault.partition(":")[0]] += 1
        if delay:
            self.counts["latency"] += 1
        return fault, min(delay, MAX_LATENCY_S)
