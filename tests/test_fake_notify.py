"""The fake's completion notifications: the message AWS sends, when AWS would send it."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

import rekolabels as rl
from rekolabels.testing import FakeRekognition
from tests.sqs_helpers import moto_aws, wire  # noqa: F401  (moto_aws: the fixture)

if TYPE_CHECKING:
    from types_boto3_rekognition.type_defs import VideoTypeDef

TOPIC = "arn:aws:sns:us-east-1:123456789012:AmazonRekognition-jobs"
ROLE = "arn:aws:iam::123456789012:role/RekognitionPublishes"
CHANNEL = {"SNSTopicArn": TOPIC, "RoleArn": ROLE}
VIDEO: VideoTypeDef = {"S3Object": {"Bucket": "acme-videos", "Name": "clips/street.mp4"}}


@pytest.fixture
def fake() -> Iterator[FakeRekognition]:
    with FakeRekognition() as fake:
        yield fake


def start(fake: FakeRekognition, **kwargs: Any) -> str:
    params = {"Video": VIDEO, "NotificationChannel": CHANNEL, **kwargs}
    job_id: str = fake.client.start_label_detection(**params)["JobId"]
    return job_id


def poll(fake: FakeRekognition, job_id: str) -> str:
    return str(fake.client.get_label_detection(JobId=job_id, MaxResults=1)["JobStatus"])


def eventually(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.parametrize("tag", [None, "nightly:2024-05-14"], ids=["no-jobtag", "jobtag"])
def test_the_message_is_exactly_what_aws_sends(fake: FakeRekognition, tag: str | None) -> None:
    fake.configure_start(detections=5, in_progress_polls=0, in_progress_s=0.0)
    before = int(time.time() * 1000)
    job_id = start(fake, **({"JobTag": tag} if tag else {}))
    eventually(lambda: len(fake.notifications) == 1)
    after = int(time.time() * 1000)
    (text,) = fake.notifications
    stamp = json.loads(text)["Timestamp"]
    assert before <= stamp <= after
    tag_part = f'"JobTag":"{tag}",' if tag else ""
    assert text == (
        f'{{"JobId":"{job_id}","Status":"SUCCEEDED","API":"StartLabelDetection",{tag_part}'
        f'"Timestamp":{stamp},"Video":{{"S3ObjectName":"clips/street.mp4",'
        '"S3Bucket":"acme-videos"}}'
    )
    note = rl.VideoJobNotification.from_sns_message(text)
    assert (note.job_id, note.status, note.job_tag) == (job_id, "SUCCEEDED", tag)


def test_a_failed_job_publishes_failed(fake: FakeRekognition) -> None:
    fake.configure_start(in_progress_polls=0, failed="Unsupported codec.")
    start(fake)
    eventually(lambda: len(fake.notifications) == 1)
    assert json.loads(fake.notifications[0])["Status"] == "FAILED"


def test_with_zero_polls_the_clock_alone_finishes_the_job_unpolled(fake: FakeRekognition) -> None:
    fake.configure_start(detections=5, in_progress_polls=0, in_progress_s=0.4)
    started = time.time() * 1000
    job_id = start(fake)
    time.sleep(0.1)
    assert fake.notifications == [], "not before its seconds"
    eventually(lambda: len(fake.notifications) == 1)
    assert json.loads(fake.notifications[0])["Timestamp"] >= started + 400
    assert [b for b in fake.requests if "JobId" in b] == [], "never polled"
    assert poll(fake, job_id) == "SUCCEEDED"


def test_with_polls_and_no_seconds_the_last_in_progress_poll_finishes_it(
    fake: FakeRekognition,
) -> None:
    fake.configure_start(detections=5, in_progress_polls=2, in_progress_s=0.0)
    job_id = start(fake)
    time.sleep(0.2)
    assert poll(fake, job_id) == "IN_PROGRESS"
    time.sleep(0.2)
    assert fake.notifications == [], "one poll is not two"
    assert poll(fake, job_id) == "IN_PROGRESS"
    eventually(lambda: len(fake.notifications) == 1)
    assert poll(fake, job_id) == "SUCCEEDED"


def test_with_both_the_later_of_the_two_finishes_it(fake: FakeRekognition) -> None:
    fake.configure_start(detections=5, in_progress_polls=1, in_progress_s=0.5)
    started = time.time() * 1000
    job_id = start(fake)
    assert poll(fake, job_id) == "IN_PROGRESS"  # polls used up; seconds not yet
    time.sleep(0.1)
    assert fake.notifications == []
    eventually(lambda: len(fake.notifications) == 1)
    assert json.loads(fake.notifications[0])["Timestamp"] >= started + 500
    assert len(fake.notifications) == 1, "published once"


def test_one_message_per_job_even_when_started_twice_with_one_token(
    fake: FakeRekognition,
) -> None:
    fake.configure_start(detections=5, in_progress_polls=0)
    first = start(fake, ClientRequestToken="token-1")
    assert start(fake, ClientRequestToken="token-1") == first
    eventually(lambda: len(fake.notifications) == 1)
    time.sleep(0.2)
    assert len(fake.notifications) == 1


def test_jobs_without_a_channel_publish_nothing(fake: FakeRekognition) -> None:
    fake.configure_start(detections=5, in_progress_polls=0)
    job_id = fake.client.start_label_detection(Video=VIDEO)["JobId"]
    assert poll(fake, job_id) == "SUCCEEDED"
    time.sleep(0.2)
    assert fake.notifications == []


def test_close_cancels_what_is_still_waiting_for_its_time() -> None:
    fake = FakeRekognition()
    fake.configure_start(detections=5, in_progress_polls=0, in_progress_s=0.3)
    start(fake)
    fake.close()
    time.sleep(0.6)
    assert fake.notifications == []


BAD_CHANNELS: dict[str, Any] = {
    "not-a-structure": "arn:aws:sns:us-east-1:123456789012:t",
    "no-topic": {"RoleArn": ROLE},
    "no-role": {"SNSTopicArn": TOPIC},
    "topic-not-sns": {"SNSTopicArn": "arn:aws:sqs:us-east-1:123456789012:q", "RoleArn": ROLE},
    "topic-short-account": {"SNSTopicArn": "arn:aws:sns:us-east-1:12345:t", "RoleArn": ROLE},
    "topic-no-name": {"SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:", "RoleArn": ROLE},
    "topic-newline": {"SNSTopicArn": TOPIC + "\n", "RoleArn": ROLE},
    "topic-not-str": {"SNSTopicArn": 5, "RoleArn": ROLE},
    "role-not-iam": {"SNSTopicArn": TOPIC, "RoleArn": "arn:aws:sts::123456789012:role/r"},
    "role-bad-char": {"SNSTopicArn": TOPIC, "RoleArn": "arn:aws:iam::123456789012:role/r r"},
    "role-suffix": {"SNSTopicArn": TOPIC, "RoleArn": ROLE + "\n"},
}


@pytest.mark.parametrize("name", BAD_CHANNELS)
def test_the_channel_is_checked_as_the_service_model_says(fake: FakeRekognition, name: str) -> None:
    # handle() directly: botocore would refuse some of these before sending.
    params = {"Video": VIDEO, "NotificationChannel": BAD_CHANNELS[name]}
    reply = fake.handle("StartLabelDetection", params)
    assert reply.status == 400
    assert json.loads(reply.body)["__type"] == "InvalidParameterException"
    assert fake.notifications == []


def test_a_good_channel_through_handle(fake: FakeRekognition) -> None:
    params = {"Video": VIDEO, "NotificationChannel": {"SNSTopicArn": TOPIC, "RoleArn": ROLE}}
    assert fake.handle("StartLabelDetection", params).status == 200


# -- through moto's SNS to an SQS queue ---------------------------------------------------------


@pytest.mark.usefixtures("moto_aws")
@pytest.mark.parametrize("raw", [False, True], ids=["sns-envelope", "raw-delivery"])
def test_published_through_sns_to_a_subscribed_queue(fake: FakeRekognition, raw: bool) -> None:
    w = wire(raw=raw)
    fake.publish_to(w.sns)
    fake.configure_start(detections=5, in_progress_polls=0)
    job_id = fake.client.start_label_detection(
        Video=VIDEO, JobTag="t1", NotificationChannel={"SNSTopicArn": w.topic_arn, "RoleArn": ROLE}
    )["JobId"]
    eventually(lambda: sum(w.counts()) == 1)
    (body,) = [m["Body"] for m in w.sqs.receive_message(QueueUrl=w.queue_url)["Messages"]]
    (text,) = fake.notifications
    if raw:
        assert body == text
    else:
        envelope = json.loads(body)
        assert (envelope["Type"], envelope["TopicArn"], envelope["Message"]) == (
            "Notification",
            w.topic_arn,
            text,
        )
    assert rl.VideoJobNotification.from_sqs_body(body).job_id == job_id


@pytest.mark.usefixtures("moto_aws")
def test_a_topic_that_cannot_take_it_is_logged_and_nobody_else_is_told(
    fake: FakeRekognition, caplog: pytest.LogCaptureFixture
) -> None:
    w = wire()
    fake.publish_to(w.sns)
    fake.configure_start(detections=5, in_progress_polls=0)
    with caplog.at_level(logging.WARNING, logger="rekolabels"):
        start(fake)  # TOPIC does not exist on moto
        eventually(lambda: any("could not publish" in r.getMessage() for r in caplog.records))
    assert len(fake.notifications) == 1
    assert w.counts() == (0, 0)


@pytest.mark.usefixtures("moto_aws")
def test_fake_client_works_inside_mock_aws_next_to_moto(fake: FakeRekognition) -> None:
    w = wire()
    fake.add_synthetic_job("job-1", detections=20)
    lc = rl.LabelDetectionClient(fake.client)
    assert len(lc.get_all("job-1").labels or []) == 20
    assert w.sqs.list_queues()["QueueUrls"]
