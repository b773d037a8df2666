"""wait_for_job on a queue: the fake publishes to moto's SNS, a real subscription delivers to
moto's SQS, and the client waits there; plus the schedule of waits on a fake clock."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

import rekolabels as rl
from rekolabels.testing import FakeClock, FakeRekognition
from tests.helpers import run_in_threads
from tests.sqs_helpers import (  # moto_aws: the fixture
    QUEUE_URL,
    ScriptedSqs,
    message,
    moto_aws,  # noqa: F401
    received,
    wire,
)

if TYPE_CHECKING:
    from types_boto3_rekognition.type_defs import NotificationChannelTypeDef, VideoTypeDef

ROLE = "arn:aws:iam::123456789012:role/RekognitionPublishes"
VIDEO: VideoTypeDef = {"S3Object": {"Bucket": "acme-videos", "Name": "street.mp4"}}
NO_RETRY_WAIT = rl.RetryPolicy(max_attempts=3, initial_backoff_s=0.0, max_backoff_s=0.0)

on_moto = pytest.mark.usefixtures("moto_aws")


@pytest.fixture
def fake() -> Iterator[FakeRekognition]:
    # Closed before moto's mock ends (fixtures tear down in reverse): no late publication.
    with FakeRekognition() as fake:
        yield fake


def start(fake: FakeRekognition, topic_arn: str, **kwargs: Any) -> str:
    channel: NotificationChannelTypeDef = {"SNSTopicArn": topic_arn, "RoleArn": ROLE}
    job_id: str = fake.client.start_label_detection(
        Video=VIDEO, NotificationChannel=channel, **kwargs
    )["JobId"]
    return job_id


def gets(fake: FakeRekognition, job_id: str) -> int:
    """GetLabelDetection calls the fake has seen for ``job_id`` (StartLabelDetection has none)."""
    return sum(body.get("JobId") == job_id for body in fake.requests)


def published_ms(fake: FakeRekognition, job_id: str) -> int:
    notes = [rl.VideoJobNotification.from_sns_message(t) for t in fake.notifications]
    (note,) = [n for n in notes if n.job_id == job_id]
    assert note.timestamp is not None
    return note.timestamp


@on_moto
@pytest.mark.parametrize("raw", [False, True], ids=["sns-envelope", "raw-delivery"])
@pytest.mark.parametrize(
    ("polls", "seconds"), [(0, 1.5), (1, 1.5), (1, 0.0)], ids=["by-clock", "both", "by-poll"]
)
def test_the_wait_ends_soon_after_the_publication_with_at_most_two_calls(
    fake: FakeRekognition, raw: bool, polls: int, seconds: float
) -> None:
    w = wire(raw=raw)
    fake.publish_to(w.sns)
    fake.configure_start(detections=50, in_progress_polls=polls, in_progress_s=seconds)
    job_id = start(fake, w.topic_arn)
    lc = rl.LabelDetectionClient(fake.client)
    done = lc.wait_for_job(job_id, timeout_s=60, queue_url=w.queue_url, sqs_client=w.sqs)
    returned_ms = time.time() * 1000
    assert done.job_status == rl.VideoJobStatus.SUCCEEDED
    assert done.job_id == job_id
    assert returned_ms - published_ms(fake, job_id) < 2000
    assert gets(fake, job_id) <= 2
    assert w.counts() == (0, 0), "this job's message is deleted"


@on_moto
def test_other_jobs_messages_stay_on_the_queue_and_come_back_after_a_few_seconds(
    fake: FakeRekognition,
) -> None:
    # The queue's own visibility timeout is long: only ChangeMessageVisibility shows them again.
    w = wire(visibility_timeout_s=60)
    fake.publish_to(w.sns)
    fake.configure_start(detections=10, in_progress_polls=0, in_progress_s=0.0)
    lc = rl.LabelDetectionClient(fake.client)
    first = start(fake, w.topic_arn, JobTag="first")
    _wait_until(lambda: len(fake.notifications) == 1)
    fake.configure_start(detections=10, in_progress_polls=0, in_progress_s=1.0)
    second = start(fake, w.topic_arn, JobTag="second")
    # The first job's message is on the queue, ahead of the second's.
    done = lc.wait_for_job(second, timeout_s=60, queue_url=w.queue_url, sqs_client=w.sqs)
    assert done.job_id == second
    assert gets(fake, second) <= 2
    assert sum(w.counts()) == 1, "the first job's message was not deleted"
    started = time.monotonic()
    _wait_until(lambda: w.counts() == (1, 0))
    assert time.monotonic() - started < 8, "visible again after a few seconds, not after 60"
    notes = rl.iter_notifications(w.queue_url, sqs_client=w.sqs, wait_s=1, idle_timeout_s=0)
    assert [n.job_id for n in notes] == [first]


@on_moto
def test_two_waiters_share_one_queue(fake: FakeRekognition) -> None:
    # Each waiter's receive of the other's message counts toward the redrive policy (the
    # documented caveat); a generous maxReceiveCount keeps this test about sharing, not redrive.
    w = wire(visibility_timeout_s=60, max_receive_count=50)
    fake.publish_to(w.sns)
    # Long enough that both threads' first polls find the jobs running even on a loaded
    # machine: a first poll that finds SUCCEEDED returns at once, leaving the message queued.
    fake.configure_start(detections=10, in_progress_polls=0, in_progress_s=3.0)
    lc = rl.LabelDetectionClient(fake.client)
    jobs = [start(fake, w.topic_arn, JobTag=f"job{i}") for i in range(2)]
    results: dict[str, rl.GetLabelDetectionResponse] = {}

    def wait(job_id: str) -> None:
        results[job_id] = lc.wait_for_job(
            job_id, timeout_s=30, queue_url=w.queue_url, sqs_client=w.sqs
        )

    run_in_threads(wait, jobs, timeout_s=30)
    assert {job_id: r.job_status for job_id, r in results.items()} == dict.fromkeys(
        jobs, rl.VideoJobStatus.SUCCEEDED
    )
    assert all(gets(fake, job_id) <= 2 for job_id in jobs)
    assert w.counts() == (0, 0)


@on_moto
def test_a_poison_message_is_logged_left_and_the_wait_goes_on(
    fake: FakeRekognition, caplog: pytest.LogCaptureFixture
) -> None:
    w = wire(visibility_timeout_s=60)
    w.sqs.send_message(QueueUrl=w.queue_url, MessageBody='{"Records": []}')
    fake.publish_to(w.sns)
    fake.configure_start(detections=10, in_progress_polls=0, in_progress_s=1.0)
    job_id = start(fake, w.topic_arn)
    lc = rl.LabelDetectionClient(fake.client)
    with caplog.at_level(logging.WARNING, logger="rekolabels"):
        done = lc.wait_for_job(job_id, timeout_s=30, queue_url=w.queue_url, sqs_client=w.sqs)
    assert done.job_status == rl.VideoJobStatus.SUCCEEDED
    assert gets(fake, job_id) <= 2
    assert any("not a Rekognition notification" in r.getMessage() for r in caplog.records)
    assert w.counts() == (0, 1), "the poison message is not deleted (in flight until it expires)"


@on_moto
def test_the_safety_net_finishes_a_wait_whose_topic_never_publishes(
    fake: FakeRekognition, caplog: pytest.LogCaptureFixture
) -> None:
    w = wire()
    fake.publish_to(w.sns)
    fake.configure_start(detections=10, in_progress_polls=0, in_progress_s=1.0)
    silent = w.topic_arn.rsplit(":", 1)[0] + ":AmazonRekognition-no-such-topic"
    job_id = start(fake, silent)
    lc = rl.LabelDetectionClient(fake.client)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="rekolabels"):
        done = lc.wait_for_job(
            job_id, timeout_s=30, poll_interval_s=1.5, queue_url=w.queue_url, sqs_client=w.sqs
        )
    assert done.job_status == rl.VideoJobStatus.SUCCEEDED
    assert time.monotonic() - started < 10
    assert gets(fake, job_id) >= 2, "found by a poll, not a notification"
    assert any("could not publish" in r.getMessage() for r in caplog.records)
    assert w.counts() == (0, 0), "nothing ever arrived"


@on_moto
def test_a_failed_job_raises_with_the_services_status_message(fake: FakeRekognition) -> None:
    w = wire()
    fake.publish_to(w.sns)
    fake.configure_start(in_progress_polls=0, in_progress_s=1.0, failed="Unsupported codec.")
    job_id = start(fake, w.topic_arn)
    lc = rl.LabelDetectionClient(fake.client)
    with pytest.raises(rl.JobFailedError) as caught:
        lc.wait_for_job(job_id, timeout_s=30, queue_url=w.queue_url, sqs_client=w.sqs)
    assert caught.value.status_message == "Unsupported codec."
    assert json.loads(fake.notifications[0])["Status"] == "FAILED"
    assert gets(fake, job_id) <= 2
    assert w.counts() == (0, 0)


@on_moto
def test_an_error_notification_raises_with_its_status_when_the_call_says_nothing(
    fake: FakeRekognition,
) -> None:
    # ERROR is a notification's own value; the job itself reads IN_PROGRESS.
    w = wire()
    fake.add_job("job-err", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=10)
    w.publish(message("message-startlabeldetection-error.json", JobId="job-err"))
    lc = rl.LabelDetectionClient(fake.client)
    with pytest.raises(rl.JobFailedError) as caught:
        lc.wait_for_job("job-err", timeout_s=30, queue_url=w.queue_url, sqs_client=w.sqs)
    assert caught.value.status_message == "ERROR"
    assert gets(fake, "job-err") == 2
    assert w.counts() == (0, 0)


@on_moto
def test_a_failed_notification_whose_call_fails_carries_the_notifications_status(
    fake: FakeRekognition,
) -> None:
    w = wire()
    fake.add_job("job-f", {"JobStatus": "IN_PROGRESS"})
    w.publish(message(JobId="job-f", Status="FAILED"))
    fake.inject([None, "AccessDeniedException"])  # the first poll passes; the second fails
    lc = rl.LabelDetectionClient(fake.client)
    with pytest.raises(rl.JobFailedError) as caught:
        lc.wait_for_job("job-f", timeout_s=30, queue_url=w.queue_url, sqs_client=w.sqs)
    assert caught.value.status_message == "FAILED"


@on_moto
def test_the_deadline_ends_a_silent_wait_and_no_long_poll_runs_past_it(
    fake: FakeRekognition,
) -> None:
    w = wire()
    fake.add_job("slow", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1000)
    lc = rl.LabelDetectionClient(fake.client)
    started = time.monotonic()
    with pytest.raises(rl.WaitTimeoutError, match="still IN_PROGRESS"):
        lc.wait_for_job("slow", timeout_s=2.5, queue_url=w.queue_url, sqs_client=w.sqs)
    assert 2.5 <= time.monotonic() - started < 5
    assert gets(fake, "slow") == 1, "one poll at the start; the next is 60 s away"


def _wait_until(condition: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- the schedule, on a fake clock: SQS waits as long as asked and no longer --------------------


def scripted_wait(
    script: list[tuple[Any, ...]], fake: FakeRekognition, **kwargs: Any
) -> tuple[ScriptedSqs, FakeClock, Any]:
    clock = FakeClock()
    sqs = ScriptedSqs(script, clock=clock)
    lc = rl.LabelDetectionClient(fake.client, clock=clock, retry=NO_RETRY_WAIT)
    try:
        outcome: Any = lc.wait_for_job(
            "job-1", queue_url=QUEUE_URL, sqs_client=sqs.client, **kwargs
        )
    except rl.RekolabelsError as exc:
        outcome = exc
    return sqs, clock, outcome


def test_long_polls_are_cut_to_the_next_poll_and_the_deadline(fake: FakeRekognition) -> None:
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1000)
    sqs, clock, outcome = scripted_wait([], fake, timeout_s=50, poll_interval_s=30)
    assert isinstance(outcome, rl.WaitTimeoutError)
    waits = [b["WaitTimeSeconds"] for b in sqs.bodies]
    assert waits == [20, 10, 20]  # to the poll at 30 s, then to the deadline at 50 s
    assert gets(fake, "job-1") == 2  # at 0 s and at 30 s
    assert clock.monotonic() - 1000 == 50
    assert all(b["MaxNumberOfMessages"] == 10 for b in sqs.bodies)


def test_the_default_safety_net_is_every_60_seconds_with_a_queue(fake: FakeRekognition) -> None:
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1000)
    sqs, _, outcome = scripted_wait([], fake, timeout_s=130)
    assert isinstance(outcome, rl.WaitTimeoutError)
    assert gets(fake, "job-1") == 3  # at 0, 60 and 120 s
    assert [b["WaitTimeSeconds"] for b in sqs.bodies] == [20, 20, 20, 20, 20, 20, 10]


def test_a_fraction_of_a_second_left_is_slept_not_short_polled(fake: FakeRekognition) -> None:
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1000)
    sqs, clock, outcome = scripted_wait([], fake, timeout_s=2.5, poll_interval_s=60)
    assert isinstance(outcome, rl.WaitTimeoutError)
    assert [b["WaitTimeSeconds"] for b in sqs.bodies] == [2]
    assert clock.sleeps == [0.5]


def test_other_jobs_messages_are_hidden_for_a_few_seconds_and_this_one_deleted(
    fake: FakeRekognition,
) -> None:
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1)
    script = [
        received(
            message(JobId="job-2"),
            "rh-other",
            ("not a notification", "rh-poison"),
            (message(JobId="job-1"), "rh-mine"),
            (message(JobId="job-1"), "rh-mine-again"),  # SNS delivers at least once
        ),
    ]
    sqs, _, outcome = scripted_wait(script, fake, timeout_s=60)
    assert isinstance(outcome, rl.GetLabelDetectionResponse)
    assert outcome.job_status == rl.VideoJobStatus.SUCCEEDED
    calls = list(zip(sqs.calls, sqs.bodies, strict=True))[1:]
    assert [(op, b.get("ReceiptHandle")) for op, b in calls] == [
        ("ChangeMessageVisibility", "rh-other"),
        ("DeleteMessage", "rh-mine"),
        ("DeleteMessage", "rh-mine-again"),
    ]
    # Another job's message is shown again after 3 s plus a random 0-2 s (waiters out of step).
    assert 3 <= calls[0][1]["VisibilityTimeout"] <= 5
    assert all("VisibilityTimeout" not in b for _, b in calls[1:])
    assert gets(fake, "job-1") == 2


def test_a_waiter_stands_back_while_a_message_it_handed_back_shows_again(
    fake: FakeRekognition,
) -> None:
    # Without this, the waiter that hid another job's message polls in step with its return
    # and takes it again, every time: two waiters on one queue starve each other.
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1000)
    sqs, _, outcome = scripted_wait([received(message(JobId="job-2"))], fake, timeout_s=30)
    assert isinstance(outcome, rl.WaitTimeoutError)
    calls = list(zip(sqs.calls, sqs.times, sqs.bodies, strict=True))
    ((hid, shows_at),) = [
        (i, t + b["VisibilityTimeout"])
        for i, (op, t, b) in enumerate(calls)
        if op == "ChangeMessageVisibility"
    ]
    after = [(t, b["WaitTimeSeconds"]) for op, t, b in calls[hid:] if op == "ReceiveMessage"]
    # Each long poll ends a second before the message shows (a poll may answer a second
    # late), or starts once the stand-back after it is over; receiving goes on after that.
    assert all(t + w + 1 <= shows_at or t >= shows_at + 1.5 for t, w in after), after
    assert any(t >= shows_at + 1.5 for t, _ in after)
    assert any(t + w < shows_at for t, w in after), "it does listen until then"


def test_sqs_errors_are_mapped_and_retried_within_the_wait(fake: FakeRekognition) -> None:
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1)
    script = [
        ("error", 400, "RequestThrottled", "slow down"),
        ("drop",),
        received(message(JobId="job-1")),
        ("error", 500, "InternalError", "oops"),  # DeleteMessage, retried
    ]
    sqs, _, outcome = scripted_wait(script, fake, timeout_s=60)
    assert isinstance(outcome, rl.GetLabelDetectionResponse)
    assert sqs.calls == ["ReceiveMessage"] * 3 + ["DeleteMessage"] * 2
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1)
    sqs, _, outcome = scripted_wait([("error", 403, "AccessDenied", "no")], fake, timeout_s=60)
    assert isinstance(outcome, rl.AccessDeniedError)
    assert sqs.calls == ["ReceiveMessage"]


def test_sqs_retries_that_reach_the_deadline_are_a_wait_timeout(fake: FakeRekognition) -> None:
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1000)
    slow = rl.RetryPolicy(max_attempts=8, initial_backoff_s=20.0, max_backoff_s=20.0)
    clock = FakeClock()
    sqs = ScriptedSqs([("error", 500, "InternalError", "oops")] * 8, clock=clock)
    lc = rl.LabelDetectionClient(fake.client, clock=clock, retry=slow)
    with pytest.raises(rl.WaitTimeoutError) as caught:
        lc.wait_for_job("job-1", timeout_s=5, queue_url=QUEUE_URL, sqs_client=sqs.client)
    assert isinstance(caught.value.__cause__, rl.InternalServiceError)
    assert clock.monotonic() - 1000 <= 5


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"sqs_client": "SQS"}, rl.InvalidArgumentError),
        ({"queue_url": "", "sqs_client": "SQS"}, rl.InvalidArgumentError),
        ({"queue_url": 5, "sqs_client": "SQS"}, TypeError),
        (
            {"queue_url": QUEUE_URL, "sqs_client": "SQS", "poll_interval_s": 0},
            rl.InvalidArgumentError,
        ),
        ({"queue_url": QUEUE_URL, "sqs_client": "SQS", "timeout_s": -1}, rl.InvalidArgumentError),
    ],
)
def test_arguments_are_checked_before_any_request(
    fake: FakeRekognition, kwargs: dict[str, Any], error: type
) -> None:
    sqs = ScriptedSqs([])
    lc = rl.LabelDetectionClient(fake.client)
    arguments: dict[str, Any] = {k: sqs.client if v == "SQS" else v for k, v in kwargs.items()}
    with pytest.raises(error):
        lc.wait_for_job("job-1", **arguments)
    assert fake.requests == []
    assert sqs.calls == []
