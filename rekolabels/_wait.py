"""``wait_for_job``: poll GetLabelDetection, or wait for the job's completion notification.

Without a queue, GetLabelDetection (MaxResults=1) is polled every ``poll_interval_s``.

With a queue (SNS -> SQS), one poll first (a job that finished already returns at once), then
the queue is long-polled, each wait cut to the time left before the deadline and the next
poll. A notification for this job is deleted and decides: SUCCEEDED -> one GetLabelDetection
confirms and is returned; FAILED or ERROR -> JobFailedError, its ``status_message`` from one
GetLabelDetection call (else the notification's status). Notifications for other jobs are not
deleted: they are made visible again after ``OTHERS_HIDDEN_S`` seconds plus a random 0 to
``OTHERS_JITTER_S``, not at once, so that waiters sharing a queue do not hand messages back
and forth in a busy loop. When such a message shows again, the waiter that handed it back
stays off the queue for ``STAND_BACK_S``, so that the waiter it belongs to (long-polling all
along) gets it, rather than the one that happened to hide it and so polls in step with its
return. (Each receive still
counts toward the queue's redrive policy: many waiters on one queue can push another job's
message to the dead-letter queue; one ``iter_notifications`` loop serves many jobs better.)
GetLabelDetection is still polled every ``poll_interval_s`` as a safety net: a topic Rekognition
cannot publish to stays silent, and must not hang the wait until its timeout.

No sleep, long poll or retry backoff runs past the deadline; at the deadline, WaitTimeoutError.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._errors import JobFailedError, RekolabelsError, WaitTimeoutError
from ._models import GetLabelDetectionResponse, VideoJobStatus
from ._notifications import NotificationStatus, VideoJobNotification
from ._retry import Clock, Deadline, RetryPolicy, _should_retry
from ._sqs import MAX_WAIT_S, _Queue, read_message

if TYPE_CHECKING:
    from tenacity import Retrying


__all__ = [
    "OTHERS_HIDDEN_S",
    "OTHERS_JITTER_S",
    "POLL_INTERVAL_S",
    "QUEUE_POLL_INTERVAL_S",
    "STAND_BACK_S",
    "Wait",
    "raise_if_failed",
]

POLL_INTERVAL_S = 5.0
"""Seconds between polls without a queue."""
QUEUE_POLL_INTERVAL_S = 60.0
"""Seconds between safety-net polls with a queue."""
OTHERS_HIDDEN_S = 3
OTHERS_JITTER_S = 2
"""How long another job's notification stays hidden once a waiter has seen it."""
STAND_BACK_S = 1.5
"""How long a waiter stays off the queue once a message it handed back shows again."""
_EARLY_S = 1.0
"""A long poll that must be over before a handed-back message shows ends this early (a poll
can answer up to a second late: moto's long poll, for one, looks once a second)."""
_MAX_MESSAGES = 10
_FAILED = (NotificationStatus.FAILED, NotificationStatus.ERROR)

logger = logging.getLogger("rekolabels")

T = TypeVar("T")
Get = Callable[[dict[str, Any], "Retrying"], GetLabelDetectionResponse]


def raise_if_failed(job_id: str, page: GetLabelDetectionResponse) -> None:
    """JobFailedError, carrying the service's StatusMessage, if ``page`` says FAILED."""
    if page.job_status == VideoJobStatus.FAILED:
        raise JobFailedError(
            f"job {job_id} FAILED: {page.status_message}", status_message=page.status_message
        )


class Wait:
    """One ``wait_for_job`` call: its deadline, its polls and, with a queue, its receives."""

    def __init__(
        self,
        get: Get,
        params: dict[str, Any],
        timeout_s: float,
        retry: RetryPolicy,
        clock: Clock,
    ) -> None:
        self._get = get
        self._params = params
        self._job_id: str = params["JobId"]
        self._timeout_s = timeout_s
        self._clock = clock
        self.deadline = Deadline(clock.monotonic() + timeout_s, clock.monotonic)
        """Shared with the queue's retries, so that no backoff sleeps past it."""
        self._retrying = retry.retrying(clock.sleep, deadline=self.deadline)
        self._returns: list[float] = []
        """When the messages this waiter handed back show again (monotonic seconds)."""

    def polling(self, poll_interval_s: float) -> GetLabelDetectionResponse:
        """Poll until SUCCEEDED (returned), FAILED (raised) or the deadline."""
        while True:
            page = self._poll()
            if page.job_status == VideoJobStatus.SUCCEEDED:
                return page
            raise_if_failed(self._job_id, page)
            remaining = self.deadline.at - self._clock.monotonic()
            if remaining <= 0:
                raise self._timed_out(page)
            self._clock.sleep(min(poll_interval_s, remaining))

    def on_queue(self, queue: _Queue, poll_interval_s: float) -> GetLabelDetectionResponse:
        """Wait for this job's notification on ``queue``, polling as a safety net."""
        page = self._poll()
        next_poll = self._clock.monotonic() + poll_interval_s
        while page.job_status != VideoJobStatus.SUCCEEDED:
            raise_if_failed(self._job_id, page)
            now = self._clock.monotonic()
            if now >= self.deadline.at:
                raise self._timed_out(page)
            if now >= next_poll:
                page = self._poll()
                next_poll = self._clock.monotonic() + poll_interval_s
                continue
            until = min(self.deadline.at, next_poll)
            returns = self._next_return(now)
            if returns is not None:
                if now >= returns - _EARLY_S:  # stand back while it shows again
                    self._clock.sleep(min(returns + STAND_BACK_S, until) - now)
                    continue
                until = min(until, returns - _EARLY_S)
            left = until - now
            if left < 1:  # SQS waits whole seconds: sleep the rest off instead
                self._clock.sleep(left)
                continue
            mine = self._receive(queue, min(MAX_WAIT_S, int(left)))
            if mine:
                page = self._decide(queue, mine)
        return page

    def _receive(
        self, queue: _Queue, wait_s: int
    ) -> list[tuple[dict[str, Any], VideoJobNotification]]:
        """This job's notifications among the messages one long poll brings (usually none or
        one; more when SNS delivered one twice). Others' are shown again after a few seconds."""
        mine = []
        for message in self._bounded(lambda: queue.receive(wait_s, _MAX_MESSAGES)):
            note = read_message(message)
            if note is None:
                continue  # logged; left for the dead-letter queue
            if note.job_id == self._job_id:
                mine.append((message, note))
            else:
                hidden_s = OTHERS_HIDDEN_S + random.randint(0, OTHERS_JITTER_S)
                queue.show_again(message, hidden_s)
                self._returns.append(self._clock.monotonic() + hidden_s)
        return mine

    def _next_return(self, now: float) -> float | None:
        """The earliest time a handed-back message shows again whose stand-back is not over."""
        self._returns = [at for at in self._returns if at + STAND_BACK_S > now]
        return min(self._returns, default=None)

    def _decide(
        self, queue: _Queue, mine: list[tuple[dict[str, Any], VideoJobNotification]]
    ) -> GetLabelDetectionResponse:
        """Act on this job's notification: one GetLabelDetection call, then delete it."""
        note = mine[0][1]
        if note.status not in _FAILED:
            page = self._poll()  # if this raises, the message stays: a later wait finds it
            self._delete(queue, mine)
            return page  # SUCCEEDED; FAILED is raised by the caller; IN_PROGRESS keeps waiting
        try:
            reason = self._poll().status_message
        except RekolabelsError:
            reason = None
        self._delete(queue, mine)
        status_message = reason or str(note.status)
        raise JobFailedError(
            f"job {self._job_id} {note.status}: {status_message}", status_message=status_message
        )

    def _delete(
        self, queue: _Queue, mine: list[tuple[dict[str, Any], VideoJobNotification]]
    ) -> None:
        for message, note in mine:
            try:
                queue.delete(message)
            except RekolabelsError as exc:  # decided all the same; a later reader re-checks
                logger.warning("could not delete the notification of job %s: %s", note.job_id, exc)

    def _poll(self) -> GetLabelDetectionResponse:
        return self._bounded(lambda: self._get(self._params, self._retrying))

    def _bounded(self, call: Callable[[], T]) -> T:
        """``call()``, with a retryable error that the deadline cut short as WaitTimeoutError."""
        try:
            return call()
        except RekolabelsError as exc:
            if _should_retry(exc) and (
                self.deadline.reached or self._clock.monotonic() >= self.deadline.at
            ):
                raise WaitTimeoutError(
                    f"job {self._job_id}: no usable answer before the {self._timeout_s} s deadline"
                ) from exc
            raise

    def _timed_out(self, page: GetLabelDetectionResponse) -> WaitTimeoutError:
        return WaitTimeoutError(
            f"job {self._job_id} still {page.job_status} after {self._timeout_s} s"
        )
