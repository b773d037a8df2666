"""Completion notifications: the message Rekognition Video publishes when a job finishes.

Rekognition publishes one message per finished job to the SNS topic given at Start*:
``{"JobId", "Status", "API", "JobTag" (only when set), "Timestamp" (ms since the epoch),
"Video": {"S3ObjectName", "S3Bucket"}}``. It reaches code as the SNS ``Message`` string, inside
an SQS body (an SNS envelope, or the message itself with raw message delivery), or inside a
Lambda event. The parsers here read every such carrier to the same ``VideoJobNotification``.

Real messages say ``"API": "StartLabelDetection"``; AWS's documentation example says
``"LABEL_DETECTION"`` and adds ``"Message": ""``: both are read, and any field or value a later
release adds is kept (same model rules as the response models). What makes a message a
notification: an object with a string JobId, Status and API and an object Video. Anything else
(another service's message, an SNS subscription confirmation, garbage) raises
ResponseValidationError, never a KeyError, JSONDecodeError or pydantic error.
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, Strict, ValidationError

from ._errors import ResponseValidationError
from ._models import _OPEN, _AwsEnum, _Model

__all__ = ["NotificationStatus", "NotificationVideo", "VideoJobNotification"]

# What a message that is not a notification shows of itself in an error: enough to recognise it,
# bounded in size and depth (a deeply nested body must not make the error itself fail).
_SHOWN = reprlib.Repr()
_SHOWN.maxlevel = 3
_SHOWN.maxstring = _SHOWN.maxother = 100


class NotificationStatus(_AwsEnum):
    """How a job finished, as its notification says (ERROR is not a VideoJobStatus)."""

    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ERROR = "ERROR"


_Status = Annotated[Annotated[NotificationStatus, Strict(False)] | str, _OPEN]


class NotificationVideo(_Model):
    """The analysed video, as a notification names it (not the request's ``Video`` shape)."""

    s3_object_name: str | None = Field(None, alias="S3ObjectName")
    """Object key of the video."""
    s3_bucket: str | None = Field(None, alias="S3Bucket")
    """Bucket of the video."""


class VideoJobNotification(_Model):
    """The completion message of a Rekognition Video job (SNS ``Message``)."""

    job_id: str = Field(alias="JobId")
    """Id of the finished job, as Start* returned it."""
    status: _Status = Field(alias="Status")
    """SUCCEEDED, FAILED or ERROR; an unknown value is kept as a plain string."""
    api: str = Field(alias="API")
    """The operation that started the job: ``StartLabelDetection`` (``LABEL_DETECTION`` in AWS's
    documentation example)."""
    video: NotificationVideo = Field(alias="Video")
    """The analysed video."""
    job_tag: str | None = Field(None, alias="JobTag")
    """The JobTag given to Start*; absent when none was."""
    timestamp: int | None = Field(None, alias="Timestamp")
    """When the job finished, in milliseconds since the Unix epoch."""
    message: str | None = Field(None, alias="Message")
    """Only in AWS's documentation example, where it is empty."""

    @classmethod
    def from_sns_message(cls, text: str | bytes) -> VideoJobNotification:
        """Parse the SNS ``Message`` string Rekognition published."""
        return _notification(_json(text, "SNS message"), "SNS message")

    @classmethod
    def from_sqs_body(cls, body: str | bytes) -> VideoJobNotification:
        """Parse an SQS message body: an SNS envelope, or the message itself (raw delivery)."""
        parsed = _json(body, "SQS body")
        if isinstance(parsed, dict) and "Type" in parsed and "Message" in parsed:
            if parsed["Type"] != "Notification":
                raise ResponseValidationError(
                    f"SQS body is an SNS {_shown(parsed['Type'])} envelope, not a notification"
                )
            return cls.from_sns_message(_text(parsed["Message"], "SNS envelope's Message"))
        return _notification(parsed, "SQS body")

    @classmethod
    def from_lambda_event(cls, event: Mapping[str, Any]) -> list[VideoJobNotification]:
        """Parse every record of an SQS or SNS Lambda event, in order.

        One record that is not a notification fails the whole event; to handle records one by
        one (SQS partial batch responses), call ``from_sqs_body`` on each record's ``body``.
        """
        records = event.get("Records") if isinstance(event, Mapping) else None
        if not isinstance(records, list):
            raise ResponseValidationError("Lambda event has no Records list")
        return [_from_record(record, i) for i, record in enumerate(records)]


# Exported: each says ``rekolabels.X``, the name users import; set once built (see _models).
for _name in __all__:
    globals()[_name].__module__ = "rekolabels"


def _from_record(record: object, index: int) -> VideoJobNotification:
    where = f"Lambda event record {index}"
    if not isinstance(record, Mapping):
        raise ResponseValidationError(f"{where} is not an object")
    try:
        if record.get("eventSource") == "aws:sqs":
            return VideoJobNotification.from_sqs_body(_text(record.get("body"), f"{where} body"))
        sns = record.get("Sns")
        if record.get("EventSource") == "aws:sns" and isinstance(sns, Mapping):
            message = _text(sns.get("Message"), f"{where} Sns.Message")
            return VideoJobNotification.from_sns_message(message)
    except ResponseValidationError as exc:
        raise ResponseValidationError(f"{where}: {exc}") from exc
    source = record.get("eventSource", record.get("EventSource"))
    raise ResponseValidationError(f"{where} comes from {_shown(source)}, not SQS or SNS")


def _json(text: object, what: str) -> Any:
    if not isinstance(text, (str, bytes, bytearray)):
        raise ResponseValidationError(f"{what} must be a str or bytes, not {type(text).__name__}")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ResponseValidationError(f"{what} is not JSON: {_shown(text)}") from exc


def _notification(parsed: object, what: str) -> VideoJobNotification:
    if not isinstance(parsed, dict):
        raise ResponseValidationError(f"{what} is not a JSON object: {_shown(parsed)}")
    try:
        return VideoJobNotification.model_validate(parsed)
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, e["loc"])) or "$" for e in exc.errors())
        raise ResponseValidationError(
            f"{what} is not a Rekognition Video job notification (bad or missing: {fields}): "
            f"{_shown(parsed)}"
        ) from exc


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ResponseValidationError(f"{what} is not a string")
    return value


def _shown(value: object) -> str:
    return _SHOWN.repr(value)
