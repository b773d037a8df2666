"""Completion notifications from an SQS queue: the worker loop, and the queue calls behind it.

Every SQS call goes through ``_Queue``: botocore's errors are mapped by ``map_sqs_error`` (the
SQS side of the one translation point) and retried by the same ``RetryPolicy`` as
GetLabelDetection, logged on the "rekolabels" logger. The SQS client rekolabels builds has
botocore's retries off, for one retry owner.

Delivery is at least once: a message is deleted only after the code that received it asked for
the next one, so a crash in between leaves it on the queue, to be received again once its
visibility timeout has passed. Messages that are not notifications are never deleted: they come
back until the queue's redrive policy moves them to its dead-letter queue.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ._errors import (
    InvalidArgumentError,
    RekolabelsError,
    ResponseValidationError,
    map_sqs_error,
)
from ._notifications import VideoJobNotification
from ._retry import Deadline, RetryPolicy

__all__ = ["MAX_WAIT_S", "iter_notifications", "read_message"]

logger = logging.getLogger("rekolabels")

MAX_WAIT_S = 20
"""SQS's limit on a long poll (WaitTimeSeconds)."""
_NO_BOTOCORE_RETRIES = Config(retries={"total_max_attempts": 1})


class _Queue:
    """One SQS queue's receive, delete and change-visibility calls: mapped and retried."""

    def __init__(
        self,
        queue_url: object,
        sqs_client: Any,
        retry: RetryPolicy | None,
        sleep: Callable[[float], None] = time.sleep,
        deadline: Deadline | None = None,
    ) -> None:
        if not isinstance(queue_url, str):
            raise TypeError(f"queue_url must be a str, not {type(queue_url).__name__}")
        if not queue_url:
            raise InvalidArgumentError("queue_url must not be empty")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy, not {type(retry).__name__}")
        if sqs_client is None:
            try:
                sqs_client = boto3.client("sqs", config=_NO_BOTOCORE_RETRIES)
            except BotoCoreError as exc:  # no region configured
                map_sqs_error(exc)
        self.url = queue_url
        self._sqs = sqs_client
        policy = retry if retry is not None else RetryPolicy()
        self._receiving = policy.retrying(sleep, deadline=deadline, operation="SQS ReceiveMessage")
        self._deleting = policy.retrying(sleep, deadline=deadline, operation="SQS DeleteMessage")
        self._showing = policy.retrying(
            sleep, deadline=deadline, operation="SQS ChangeMessageVisibility"
        )

    def receive(self, wait_s: int, max_messages: int = 1) -> list[dict[str, Any]]:
        """Up to ``max_messages`` messages, waiting up to ``wait_s`` seconds for one (a long
        poll)."""
        response = self._receiving(
            self._call,
            "receive_message",
            QueueUrl=self.url,
            MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=wait_s,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        messages: list[dict[str, Any]] = response.get("Messages") or []
        return messages

    def delete(self, message: dict[str, Any]) -> None:
        self._deleting(
            self._call, "delete_message", QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"]
        )

    def show_again(self, message: dict[str, Any], after_s: int) -> None:
        """Make a received message visible to every consumer again ``after_s`` seconds from now.

        Best effort: if that fails (no sqs:ChangeMessageVisibility permission, or the message
        is visible again already), the message comes back after the queue's own visibility
        timeout instead; that is logged, not raised.
        """
        try:
            self._showing(
                self._call,
                "change_message_visibility",
                QueueUrl=self.url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=after_s,
            )
        except RekolabelsError as exc:
            logger.warning(
                "SQS message %s stays hidden for the queue's visibility timeout: %s",
                message.get("MessageId"),
                exc,
            )

    def _call(self, method: str, **params: Any) -> Any:
        try:
            return getattr(self._sqs, method)(**params)
        except (ClientError, BotoCoreError) as exc:
            map_sqs_error(exc)


def read_message(message: dict[str, Any]) -> VideoJobNotification | None:
    """The notification an SQS message holds, or None (logged) if it holds none."""
    try:
        return VideoJobNotification.from_sqs_body(message.get("Body") or "")
    except ResponseValidationError as exc:
        received = (message.get("Attributes") or {}).get("ApproximateReceiveCount", "?")
        logger.warning(
            "SQS message %s is not a Rekognition notification (receive count %s); left on the "
            "queue for its dead-letter queue: %s",
            message.get("MessageId"),
            received,
            exc,
        )
        return None


def iter_notifications(
    queue_url: str,
    *,
    sqs_client: Any = None,
    wait_s: int = 20,
    idle_timeout_s: float | None = None,
    retry: RetryPolicy | None = None,
) -> Iterator[VideoJobNotification]:
    """Every completion notification arriving on an SQS queue, as a worker loop.

    Long-polls ``queue_url`` (``wait_s`` seconds per poll, 1 to 20) and yields each
    notification; the message is deleted when the loop asks for the next one, so an exception
    in the loop body leaves it on the queue (at least once: it is received again after the
    queue's visibility timeout). Breaking out of the loop leaves the last message too. Messages
    that are not notifications are logged on the "rekolabels" logger and left for the queue's
    dead-letter queue. Without ``idle_timeout_s`` the loop runs forever; with it, the loop ends
    once no notification has arrived for that many seconds.

    ``sqs_client``: a boto3 SQS client (default: one from the environment, botocore retries
    off); its read timeout must exceed ``wait_s``. ``retry``: how SQS errors are retried.
    Arguments are checked now, before any request.
    """
    if isinstance(wait_s, bool) or not isinstance(wait_s, int):
        raise TypeError(f"wait_s must be an int, not {type(wait_s).__name__}")
    if not 1 <= wait_s <= MAX_WAIT_S:
        raise InvalidArgumentError(f"wait_s must be 1 to {MAX_WAIT_S} seconds, got {wait_s}")
    if idle_timeout_s is not None:
        if isinstance(idle_timeout_s, bool) or not isinstance(idle_timeout_s, (int, float)):
            raise TypeError(
                f"idle_timeout_s must be a number of seconds, not {type(idle_timeout_s).__name__}"
            )
        if not math.isfinite(idle_timeout_s) or idle_timeout_s < 0:
            raise InvalidArgumentError(
                f"idle_timeout_s must be finite and >= 0, got {idle_timeout_s}"
            )
    queue = _Queue(queue_url, sqs_client, retry)
    return _worker(queue, wait_s, idle_timeout_s)


def _worker(
    queue: _Queue, wait_s: int, idle_timeout_s: float | None
) -> Iterator[VideoJobNotification]:
    def idle_deadline() -> float | None:
        return None if idle_timeout_s is None else time.monotonic() + idle_timeout_s

    idle_until = idle_deadline()
    while True:
        wait = wait_s
        if idle_until is not None:
            # Never poll past the idle deadline; at the deadline, one last look (no wait).
            wait = min(wait_s, max(0, math.ceil(idle_until - time.monotonic())))
        handled = False
        # One message at a time: a message stays invisible to other consumers only while it is
        # handled, not while the ones received with it wait their turn.
        for message in queue.receive(wait):
            note = read_message(message)
            if note is None:
                continue
            yield note
            queue.delete(message)
            handled = True
        if idle_until is not None:
            if handled:
                idle_until = idle_deadline()
            elif time.monotonic() >= idle_until:
                return
