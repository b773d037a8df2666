"""Retry policy: what is retried, how long to wait, and the one place that decides.

tenacity does the mechanics. ``max_attempts`` counts every call made for one page, the first
included. Waits are exponential with full jitter (uniform between 0 and
``min(max_backoff_s, initial_backoff_s * 2 ** (attempt - 1))``), so many clients throttled
together do not retry in lockstep. A retry re-sends the very same request, NextToken included,
so nothing is lost or repeated.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from botocore.config import Config
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from ._errors import (
    InternalServiceError,
    InvalidArgumentError,
    ServiceError,
    ServiceUnavailableError,
    ThrottledError,
    UnreadableResponseError,
)

__all__ = [
    "DEFAULT_INITIAL_BACKOFF_S",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_BACKOFF_S",
    "NO_BOTOCORE_RETRIES",
    "RetryPolicy",
]

DEFAULT_MAX_ATTEMPTS = 8
"""Calls per page, the first included: about a minute of backoff before giving up."""
DEFAULT_INITIAL_BACKOFF_S = 0.5
"""Upper bound of the first wait; it doubles with each retry."""
DEFAULT_MAX_BACKOFF_S = 20.0
"""Cap on any single wait."""
NO_BOTOCORE_RETRIES = Config(retries={"total_max_attempts": 1})
"""botocore's retries off, for every client rekolabels builds: one retry owner, this policy."""

logger = logging.getLogger("rekolabels")


class Clock(Protocol):
    """What ``clock=`` takes: the time the waiter and the backoff read and spend."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, like ``time.monotonic``."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, like ``time.sleep``."""
        ...


class _SystemClock:
    """The real time: ``time.monotonic`` and ``time.sleep``."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


_SYSTEM_CLOCK = _SystemClock()


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry throttling, 5xx, connection errors and unreadable responses.

    ``RetryPolicy(max_attempts=1)`` turns rekolabels' retries off; ``initial_backoff_s=0``
    retries at once (useful in tests).
    """

    __module__ = "rekolabels"  # where users import it from (reprs, pickles)

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    """Calls per page, the first included (so 1 means no retry)."""
    initial_backoff_s: float = DEFAULT_INITIAL_BACKOFF_S
    """Upper bound of the first wait, in seconds; doubles with each retry."""
    max_backoff_s: float = DEFAULT_MAX_BACKOFF_S
    """Cap on any single wait, in seconds."""

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise TypeError(f"max_attempts must be an int, not {type(self.max_attempts).__name__}")
        if self.max_attempts < 1:
            raise InvalidArgumentError(f"max_attempts must be >= 1, got {self.max_attempts}")
        for name in ("initial_backoff_s", "max_backoff_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{name} must be a number, not {type(value).__name__}")
            if not math.isfinite(value) or value < 0:
                raise InvalidArgumentError(f"{name} must be finite and >= 0, got {value}")
        if self.initial_backoff_s > self.max_backoff_s:
            raise InvalidArgumentError(
                f"initial_backoff_s ({self.initial_backoff_s}) must not exceed "
                f"max_backoff_s ({self.max_backoff_s})"
            )

    def retrying(
        self,
        sleep: Callable[[float], None],
        *,
        deadline: Deadline | None = None,
        operation: str = "GetLabelDetection",
    ) -> Retrying:
        """A tenacity ``Retrying`` for this policy; reusable and safe to share across threads.

        With a ``deadline``, retrying also stops rather than sleep past it. ``operation`` names
        the call in the retry log.
        """
        stop: stop_base = stop_after_attempt(self.max_attempts)
        if deadline is not None:
            stop = stop_any(stop, deadline)
        return Retrying(
            stop=stop,
            wait=wait_random_exponential(multiplier=self.initial_backoff_s, max=self.max_backoff_s),
            retry=retry_if_exception(_should_retry),
            before_sleep=partial(_log_retry, operation),
            sleep=sleep,
            reraise=True,
        )


class Deadline(stop_base):
    """A tenacity stop condition: the next wait would end past ``at`` on ``clock``."""

    def __init__(self, at: float, clock: Callable[[], float]) -> None:
        self.at = at
        self.clock = clock
        self.reached = False
        """Whether this condition, rather than the attempt budget, stopped the retries."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        self.reached = self.clock() + retry_state.upcoming_sleep >= self.at
        return self.reached


def _should_retry(exc: BaseException) -> bool:
    """Whether another call for the same page might succeed (errors are already mapped)."""
    # ThrottlingException, ProvisionedThroughputExceeded, 429: slow down, then it works.
    if isinstance(exc, ThrottledError):
        return True
    # InternalServerError or any other 5xx: the service's own, usually passing, failure.
    if isinstance(exc, InternalServiceError):
        return True
    # Connection refused, reset or closed; connect and read timeouts (ServiceTimeoutError).
    if isinstance(exc, ServiceUnavailableError):
        return True
    # A body we cannot read (no JobStatus, not UTF-8, not a JSON object, nested too deep): cut
    # or garbled on the way, usually a dropped link.
    # Anything else (AccessDenied, InvalidParameter, ResourceNotFound, InvalidPaginationToken,
    # a readable response of the wrong shape) would fail the same way again.
    return isinstance(exc, UnreadableResponseError)


def _log_retry(operation: str, state: RetryCallState) -> None:
    """Log why a call is retried: operation, job id, error code, attempt number, wait.

    Nothing else of the request. The record also carries them as attributes
    (``retry_operation``, ``retry_job_id``, ``retry_attempt``, ``retry_reason``,
    ``retry_wait_s``), for handlers that show retries their own way (``_console``, structured
    logging).
    """
    exc: Any = state.outcome.exception() if state.outcome is not None else None
    if isinstance(exc, ServiceError):
        reason = f"{exc.code or 'HTTP ' + str(exc.http_status)} (request id {exc.request_id})"
    elif isinstance(exc, UnreadableResponseError):
        reason = "an unreadable response (cut, not JSON, or not UTF-8)"
    elif exc is not None and exc.__cause__ is not None:
        reason = f"{type(exc).__name__} ({type(exc.__cause__).__name__})"
    else:
        reason = type(exc).__name__
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    params = state.args[0] if state.args else None
    job_id = params.get("JobId") if isinstance(params, dict) else None
    logger.info(
        "%s%s: attempt %d failed with %s; retrying in %.2f s",
        operation,
        f" for job {job_id}" if job_id else "",
        state.attempt_number,
        reason,
        wait,
        extra={
            "retry_operation": operation,
            "retry_job_id": job_id,
            "retry_attempt": state.attempt_number,
            "retry_reason": reason,
            "retry_wait_s": wait,
        },
    )
