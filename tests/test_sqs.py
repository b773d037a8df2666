"""iter_notifications on real parts: moto's SNS and SQS, with a real SNS -> SQS subscription."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Generator

import pytest

import rekolabels as rl
from tests.sqs_helpers import (
    QUEUE_URL,
    ScriptedSqs,
    message,
    moto_aws,  # noqa: F401  (the fixture)
    received,
    wire,
)

on_moto = pytest.mark.usefixtures("moto_aws")

SUCCEEDED = "message-startlabeldetection-succeeded.json"
FAILED = "message-startlabeldetection-failed.json"
NO_RETRY_WAIT = rl.RetryPolicy(max_attempts=3, initial_backoff_s=0.0, max_backoff_s=0.0)


def job_id(name: str) -> str:
    return str(json.loads(message(name))["JobId"])


@on_moto
@pytest.mark.parametrize("raw", [False, True], ids=["sns-envelope", "raw-delivery"])
def test_notifications_arrive_through_a_real_subscription(raw: bool) -> None:
    w = wire(raw=raw)
    w.publish(message(SUCCEEDED))
    w.publish(message(FAILED))
    notes = list(rl.iter_notifications(w.queue_url, sqs_client=w.sqs, wait_s=1, idle_timeout_s=1))
    assert [(n.job_id, n.status) for n in notes] == [
        (job_id(SUCCEEDED), rl.NotificationStatus.SUCCEEDED),
        (job_id(FAILED), rl.NotificationStatus.FAILED),
    ]
    assert w.counts() == (0, 0), "each handled message is deleted"


@on_moto
def test_a_message_is_deleted_when_the_loop_asks_for_the_next_one() -> None:
    w = wire()
    w.publish(message(SUCCEEDED))
    loop = rl.iter_notifications(w.queue_url, sqs_client=w.sqs, wait_s=1, idle_timeout_s=0)
    note = next(loop)
    assert note.job_id == job_id(SUCCEEDED)
    assert w.counts() == (0, 1), "in flight while the body handles it, not deleted yet"
    assert list(loop) == []
    assert w.counts() == (0, 0)


@on_moto
@pytest.mark.parametrize("leave", ["raise", "break"])
def test_a_message_whose_loop_body_did_not_finish_is_redelivered(leave: str) -> None:
    w = wire(visibility_timeout_s=1)
    w.publish(message(SUCCEEDED))

    def crash_on_first() -> None:
        for _note in rl.iter_notifications(w.queue_url, sqs_client=w.sqs, wait_s=1):
            if leave == "raise":
                raise RuntimeError("the handler crashed")
            break

    if leave == "raise":
        with pytest.raises(RuntimeError):
            crash_on_first()
    else:
        crash_on_first()
    assert sum(w.counts()) == 1, "still on the queue"
    # Received again once the visibility timeout (1 s) has passed, then handled and deleted.
    again = list(rl.iter_notifications(w.queue_url, sqs_client=w.sqs, wait_s=2, idle_timeout_s=3))
    assert [n.job_id for n in again] == [job_id(SUCCEEDED)]
    assert w.counts() == (0, 0)


@on_moto
def test_a_poison_message_is_logged_and_left_for_the_dead_letter_queue(
    caplog: pytest.LogCaptureFixture,
) -> None:
    w = wire(visibility_timeout_s=1, max_receive_count=1)
    w.sqs.send_message(QueueUrl=w.queue_url, MessageBody="this is not a notification")
    w.publish(message(SUCCEEDED))
    with caplog.at_level(logging.WARNING, logger="rekolabels"):
        notes = list(
            rl.iter_notifications(w.queue_url, sqs_client=w.sqs, wait_s=1, idle_timeout_s=3)
        )
    assert [n.job_id for n in notes] == [job_id(SUCCEEDED)]
    warnings = [r for r in caplog.records if "not a Rekognition notification" in r.getMessage()]
    assert warnings, "the poison message is logged"
    assert all(r.name == "rekolabels" for r in warnings)
    # Never deleted: the queue's redrive policy moved it to the dead-letter queue.
    assert w.counts() == (0, 0)
    dead = w.sqs.receive_message(QueueUrl=w.dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in dead] == ["this is not a notification"]


@on_moto
def test_the_idle_timeout_ends_the_loop_in_bounded_time() -> None:
    w = wire()
    started = time.monotonic()
    # wait_s=20: each long poll must still be cut to the time left before the idle deadline.
    assert list(rl.iter_notifications(w.queue_url, sqs_client=w.sqs, idle_timeout_s=1.5)) == []
    elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 6.0


@on_moto
def test_the_idle_timeout_restarts_with_each_notification() -> None:
    w = wire()
    w.publish(message(SUCCEEDED))
    seen = []
    for note in rl.iter_notifications(w.queue_url, sqs_client=w.sqs, wait_s=1, idle_timeout_s=1):
        seen.append(note.job_id)
        if len(seen) == 1:
            w.publish(message(FAILED))  # arrives while the loop is busy: not idle
    assert seen == [job_id(SUCCEEDED), job_id(FAILED)]


@on_moto
def test_a_queue_that_does_not_exist_is_a_service_error_not_retried() -> None:
    w = wire()
    missing = w.queue_url.rsplit("/", 1)[0] + "/no-such-queue"
    loop = rl.iter_notifications(missing, sqs_client=w.sqs, wait_s=1, retry=NO_RETRY_WAIT)
    with pytest.raises(rl.ServiceError) as caught:
        next(loop)
    assert type(caught.value) is rl.ServiceError
    assert caught.value.code == "AWS.SimpleQueueService.NonExistentQueue"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"wait_s": 0}, rl.InvalidArgumentError),
        ({"wait_s": 21}, rl.InvalidArgumentError),
        ({"wait_s": 1.5}, TypeError),
        ({"wait_s": True}, TypeError),
        ({"idle_timeout_s": -1}, rl.InvalidArgumentError),
        ({"idle_timeout_s": float("nan")}, rl.InvalidArgumentError),
        ({"idle_timeout_s": "5"}, TypeError),
        ({"retry": 3}, TypeError),
    ],
)
def test_arguments_are_checked_before_any_request(kwargs: dict[str, object], error: type) -> None:
    sqs = ScriptedSqs([])
    with pytest.raises(error):
        rl.iter_notifications(QUEUE_URL, sqs_client=sqs.client, **kwargs)  # type: ignore[arg-type]
    with pytest.raises((TypeError, rl.InvalidArgumentError)):
        rl.iter_notifications("", sqs_client=sqs.client)
    assert sqs.calls == []


# -- SQS errors: mapped into the tree, retried where retrying helps ----------------------------


def test_throttling_and_5xx_are_retried_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    sqs = ScriptedSqs(
        [
            ("error", 400, "RequestThrottled", "slow down"),
            ("error", 500, "InternalError", "oops"),
            received(message(SUCCEEDED)),
            ("ok", {}),  # DeleteMessage
        ]
    )
    loop = rl.iter_notifications(QUEUE_URL, sqs_client=sqs.client, wait_s=1, retry=NO_RETRY_WAIT)
    with caplog.at_level(logging.INFO, logger="rekolabels"):
        note = next(loop)
    assert note.job_id == job_id(SUCCEEDED)
    assert sqs.calls == ["ReceiveMessage"] * 3
    assert ["SQS ReceiveMessage: attempt" in r.getMessage() for r in caplog.records] == [True] * 2
    assert isinstance(loop, Generator)  # iter_notifications is typed Iterator; close() ends it
    loop.close()


def test_a_dropped_connection_is_retried_then_service_unavailable() -> None:
    sqs = ScriptedSqs([("drop",)] * 3)
    loop = rl.iter_notifications(QUEUE_URL, sqs_client=sqs.client, wait_s=1, retry=NO_RETRY_WAIT)
    with pytest.raises(rl.ServiceUnavailableError, match="SQS could not be reached"):
        next(loop)
    assert sqs.calls == ["ReceiveMessage"] * 3


def test_timeouts_are_retried_then_service_timeout() -> None:
    sqs = ScriptedSqs([("timeout",), ("timeout",), ("timeout",)])
    loop = rl.iter_notifications(QUEUE_URL, sqs_client=sqs.client, wait_s=1, retry=NO_RETRY_WAIT)
    with pytest.raises(rl.ServiceTimeoutError, match="SQS did not answer in time"):
        next(loop)
    assert sqs.calls == ["ReceiveMessage"] * 3


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("AccessDenied", rl.AccessDeniedError),
        ("KmsAccessDenied", rl.AccessDeniedError),
        ("InvalidAddress", rl.InvalidParameterError),
        ("UnsupportedOperation", rl.ServiceError),
    ],
)
def test_errors_retrying_cannot_help_are_raised_at_once(
    code: str, error: type[rl.ServiceError]
) -> None:
    sqs = ScriptedSqs([("error", 400, code, "no")])
    loop = rl.iter_notifications(QUEUE_URL, sqs_client=sqs.client, wait_s=1, retry=NO_RETRY_WAIT)
    with pytest.raises(error) as caught:
        next(loop)
    assert caught.value.code == code
    assert caught.value.request_id == "req-1"
    assert sqs.calls == ["ReceiveMessage"]


def test_a_failed_delete_is_retried_and_the_loop_goes_on() -> None:
    sqs = ScriptedSqs(
        [
            received(message(SUCCEEDED), "rh-1"),
            ("error", 500, "InternalError", "oops"),
            ("ok", {}),
            received(message(FAILED), "rh-2"),
            ("ok", {}),
        ]
    )
    loop = rl.iter_notifications(
        QUEUE_URL, sqs_client=sqs.client, wait_s=1, idle_timeout_s=0, retry=NO_RETRY_WAIT
    )
    assert [n.job_id for n in loop] == [job_id(SUCCEEDED), job_id(FAILED)]
    assert sqs.calls == [
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "ReceiveMessage",
    ]
