"""Completion notifications: every carrier of every message variant reads to the same facts."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rekolabels as rl

NOTES = Path(__file__).parent / "data" / "notifications"


def text(name: str) -> str:
    return (NOTES / name).read_text(encoding="utf-8")


def data(name: str) -> Any:
    return json.loads(text(name))


# Every message variant, with the facts it must read to (job id, status, API, JobTag,
# Timestamp, bucket, object name).
VARIANTS: dict[str, tuple[str, str, str, str | None, int, str, str]] = {
    "message-startlabeldetection-succeeded.json": (
        "5d8e6a4cbb7e5e1dcbe1bce0b4b5d8b0e6f2b1d5fa1e2d8c7a3b9f0e1d2c3b4a",
        "SUCCEEDED",
        "StartLabelDetection",
        "nightly-batch:2024-05-14",
        1715673931512,
        "acme-video-ingest",
        "uploads/2024/05/street-cam-0412.mp4",
    ),
    "message-startlabeldetection-no-jobtag.json": (
        "a41c0a5e9f1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1",
        "SUCCEEDED",
        "StartLabelDetection",
        None,
        1715674012077,
        "acme-video-ingest",
        "clips/tennis.mov",
    ),
    "message-startlabeldetection-failed.json": (
        "0f9e8d7c6b5a49382716f5e4d3c2b1a0ffeeddccbbaa99887766554433221100",
        "FAILED",
        "StartLabelDetection",
        "nightly-batch:2024-05-14",
        1715674188930,
        "acme-video-ingest",
        "uploads/2024/05/corrupt.mp4",
    ),
    "message-startlabeldetection-error.json": (
        "77aa66bb55cc44dd33ee22ff11009988776655443322110099aabbccddeeff00",
        "ERROR",
        "StartLabelDetection",
        None,
        1715674230004,
        "acme-video-ingest",
        "uploads/2024/05/long-take.mkv",
    ),
    "message-awsdocs-label-detection.json": (
        "6de014b0-2121-4bf0-9e31-856a18719e22",
        "SUCCEEDED",
        "LABEL_DETECTION",
        None,
        1502230160926,
        "videobucket",
        "video.mpg",
    ),
}


def facts(note: rl.VideoJobNotification) -> tuple[Any, ...]:
    return (
        note.job_id,
        note.status,
        note.api,
        note.job_tag,
        note.timestamp,
        note.video.s3_bucket,
        note.video.s3_object_name,
    )


# -- carriers: each takes the SNS Message text and returns what rekolabels is given ------------


def envelope(message: str) -> str:
    body = data("sqs-body-sns-envelope.json")
    body["Message"] = message
    return json.dumps(body, indent=2, separators=(",", " : "))


def lambda_sqs(message: str, *, raw: bool) -> dict[str, Any]:
    event = data("lambda-sqs-event-raw.json" if raw else "lambda-sqs-event-sns-envelope.json")
    event["Records"][0]["body"] = message if raw else envelope(message)
    return dict(event)


def lambda_sns(message: str) -> dict[str, Any]:
    event = data("lambda-sns-event.json")
    event["Records"][0]["Sns"]["Message"] = message
    return dict(event)


Parse = Callable[[str], rl.VideoJobNotification]
CARRIERS: dict[str, Parse] = {
    "sns-message": rl.VideoJobNotification.from_sns_message,
    "sns-message-bytes": lambda m: rl.VideoJobNotification.from_sns_message(m.encode()),
    "sqs-body-raw": rl.VideoJobNotification.from_sqs_body,
    "sqs-body-envelope": lambda m: rl.VideoJobNotification.from_sqs_body(envelope(m)),
    "lambda-sqs-envelope": lambda m: rl.VideoJobNotification.from_lambda_event(
        lambda_sqs(m, raw=False)
    )[0],
    "lambda-sqs-raw": lambda m: rl.VideoJobNotification.from_lambda_event(lambda_sqs(m, raw=True))[
        0
    ],
    "lambda-sns": lambda m: rl.VideoJobNotification.from_lambda_event(lambda_sns(m))[0],
}


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_carrier_of_every_variant_reads_to_the_same_facts(variant: str, carrier: str) -> None:
    message = text(variant)
    note = CARRIERS[carrier](message)
    assert facts(note) == VARIANTS[variant]
    assert note == rl.VideoJobNotification.from_sns_message(message)
    # Lossless, as the response models are: the message comes back as AWS sent it.
    assert note.to_boto3() == json.loads(message)


@pytest.mark.parametrize("variant", VARIANTS)
def test_statuses_are_enum_members_and_compare_as_strings(variant: str) -> None:
    note = rl.VideoJobNotification.from_sns_message(text(variant))
    assert isinstance(note.status, rl.NotificationStatus)
    assert note.status == VARIANTS[variant][1]
    assert isinstance(note.video, rl.NotificationVideo)


def test_the_docs_example_keeps_its_empty_message_and_real_ones_have_none() -> None:
    docs = rl.VideoJobNotification.from_sns_message(text("message-awsdocs-label-detection.json"))
    real = rl.VideoJobNotification.from_sns_message(
        text("message-startlabeldetection-no-jobtag.json")
    )
    assert docs.message == ""
    assert real.message is None
    assert real.job_tag is None
    assert "JobTag" not in real.to_boto3()


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("lambda-sqs-event-sns-envelope.json", 2),
        ("lambda-sqs-event-raw.json", 1),
        ("lambda-sns-event.json", 2),
    ],
)
def test_every_record_of_a_lambda_event_is_read_in_order(name: str, count: int) -> None:
    notes = rl.VideoJobNotification.from_lambda_event(data(name))
    assert [n.job_id for n in notes] == [
        VARIANTS["message-startlabeldetection-succeeded.json"][0],
        VARIANTS["message-startlabeldetection-no-jobtag.json"][0],
    ][:count]
    assert rl.VideoJobNotification.from_lambda_event({"Records": []}) == []


def test_fields_and_values_a_later_release_adds_are_kept() -> None:
    message = data("message-startlabeldetection-succeeded.json")
    message.update(Status="PARTIALLY_SUCCEEDED", ModelVersion="3.1")
    message["Video"]["S3ObjectVersion"] = "3HL4kqtJlcpXroDTDmJ"
    note = rl.VideoJobNotification.from_sqs_body(json.dumps(message))
    assert note.status == "PARTIALLY_SUCCEEDED"
    assert not isinstance(note.status, rl.NotificationStatus)
    assert note.model_extra == {"ModelVersion": "3.1"}
    assert note.video.model_extra == {"S3ObjectVersion": "3HL4kqtJlcpXroDTDmJ"}
    assert note.to_boto3() == message


def _mutated(change: Callable[[dict[str, Any]], None]) -> str:
    message = data("message-startlabeldetection-succeeded.json")
    change(message)
    return json.dumps(message)


NOT_NOTIFICATIONS: dict[str, object] = {
    "empty": "",
    "not-json": "Your job finished!",
    "truncated": text("message-startlabeldetection-succeeded.json")[:80],
    "null": "null",
    "array": "[1, 2]",
    "number": "42",
    "string": '"SUCCEEDED"',
    "not-utf8": b"\xff\xfe{\x00",
    "deeply-nested": "[" * 100_000 + "]" * 100_000,
    "deeply-nested-inside": '{"JobId": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "no-job-id": _mutated(lambda m: m.pop("JobId")),
    "job-id-not-str": _mutated(lambda m: m.update(JobId=12345)),
    "no-status": _mutated(lambda m: m.pop("Status")),
    "no-api": _mutated(lambda m: m.pop("API")),
    "no-video": _mutated(lambda m: m.pop("Video")),
    "video-not-object": _mutated(lambda m: m.update(Video="s3://bucket/key")),
    "timestamp-as-string": _mutated(lambda m: m.update(Timestamp="1715673931512")),
    "textract": text("other-textract-completion.json"),
    "s3-test-event": text("other-s3-test-event.json"),
    "s3-lambda-event-as-body": text("other-lambda-s3-event.json"),
    "subscription-confirmation": text("other-sns-subscription-confirmation.json"),
    "envelope-message-not-str": json.dumps({"Type": "Notification", "Message": {"JobId": "j"}}),
    "envelope-of-garbage": envelope("not a notification"),
    "envelope-of-textract": envelope(text("other-textract-completion.json")),
    "not-text": 12345,
    "dict": {"JobId": "j"},
}


@pytest.mark.parametrize("parse", ["from_sns_message", "from_sqs_body"])
@pytest.mark.parametrize("name", NOT_NOTIFICATIONS)
def test_anything_else_raises_response_validation_error(name: str, parse: str) -> None:
    with pytest.raises(rl.ResponseValidationError) as caught:
        getattr(rl.VideoJobNotification, parse)(NOT_NOTIFICATIONS[name])
    # Short enough to log, whatever the input's size or depth.
    assert len(str(caught.value)) < 2000


def _sqs_event_with(body: object) -> dict[str, Any]:
    event = data("lambda-sqs-event-raw.json")
    event["Records"][0]["body"] = body
    return dict(event)


def _sns_event_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    event = data("lambda-sns-event.json")
    change(event["Records"][1])
    return dict(event)


NOT_EVENTS: dict[str, object] = {
    "s3-event": data("other-lambda-s3-event.json"),
    "no-records": {"version": "0", "detail-type": "Scheduled Event"},
    "records-not-list": {"Records": {"0": {}}},
    "record-not-object": {"Records": ["body"]},
    "record-without-source": {"Records": [{"body": text("message-awsdocs-label-detection.json")}]},
    "sqs-body-missing": _sqs_event_with(None),
    "sqs-body-garbage": _sqs_event_with("garbage"),
    "sqs-body-textract": _sqs_event_with(text("other-textract-completion.json")),
    "sns-without-sns": _sns_event_with(lambda r: r.pop("Sns")),
    "sns-message-not-str": _sns_event_with(lambda r: r["Sns"].update(Message=None)),
    "sns-message-garbage": _sns_event_with(lambda r: r["Sns"].update(Message="{")),
    "not-a-mapping": [text("message-awsdocs-label-detection.json")],
    "json-text": json.dumps(data("lambda-sns-event.json")),
}


@pytest.mark.parametrize("name", NOT_EVENTS)
def test_lambda_events_that_hold_anything_else_raise(name: str) -> None:
    with pytest.raises(rl.ResponseValidationError):
        rl.VideoJobNotification.from_lambda_event(NOT_EVENTS[name])  # type: ignore[arg-type]


def test_the_error_names_the_record_that_is_not_a_notification() -> None:
    event = data("lambda-sqs-event-sns-envelope.json")
    event["Records"][1]["body"] = text("other-textract-completion.json")
    with pytest.raises(rl.ResponseValidationError, match="record 1"):
        rl.VideoJobNotification.from_lambda_event(event)


def test_the_cause_is_kept() -> None:
    with pytest.raises(rl.ResponseValidationError) as caught:
        rl.VideoJobNotification.from_sqs_body("{not json")
    assert isinstance(caught.value.__cause__, json.JSONDecodeError)


# -- property: whatever the values, every carrier agrees ---------------------------------------

_names = st.text(min_size=1, max_size=40)
_messages = st.fixed_dictionaries(
    {
        "JobId": st.text(alphabet="0123456789abcdef", min_size=1, max_size=64),
        "Status": st.sampled_from(["SUCCEEDED", "FAILED", "ERROR", "SOMETHING_NEW"]),
        "API": st.sampled_from(["StartLabelDetection", "LABEL_DETECTION", "StartFaceDetection"]),
        "Timestamp": st.integers(min_value=0, max_value=2**53),
        "Video": st.fixed_dictionaries({"S3ObjectName": _names, "S3Bucket": _names}),
    },
    optional={"JobTag": _names, "Message": st.just("")},
)


@given(message=_messages, pretty=st.booleans())
def test_property_every_carrier_reads_any_message_alike(
    message: dict[str, Any], pretty: bool
) -> None:
    encoded = json.dumps(message, indent=2 if pretty else None, ensure_ascii=pretty)
    expected = rl.VideoJobNotification.from_sns_message(encoded)
    assert expected.to_boto3() == message
    assert expected.job_id == message["JobId"]
    assert expected.job_tag == message.get("JobTag")
    assert expected.video.s3_object_name == message["Video"]["S3ObjectName"]
    for name, parse in CARRIERS.items():
        assert parse(copy.copy(encoded)) == expected, name
