"""The fake's completion notifications: what Rekognition publishes to SNS when a job finishes.

StartLabelDetection's ``NotificationChannel`` is checked as the service model says (both ARNs
required, each matching its pattern; else InvalidParameterException). A job started with one
finishes once both its IN_PROGRESS polls and its seconds (``configure_start``) have passed: at
the poll that uses up its last IN_PROGRESS answer if its seconds are over by then, else when
they are over (a timer: a job configured with 0 polls finishes by the clock alone, unpolled).
Then the message AWS sends, as compact JSON in AWS's key order, is added to
``fake.notifications`` and, once ``fake.publish_to(sns_client)`` has been called, published to
the channel's SNSTopicArn through that client. A publication that fails (a topic that does not
exist, say) is logged and dropped, as with AWS, where nobody is told either.

Timers run on daemon threads; ``close()`` cancels those still waiting, so close the fake before
leaving moto's ``mock_aws``, or a late publication could go to the real SNS endpoint.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from ._jobs import Job
from ._reply import BadRequest

__all__ = ["Notifier", "check_channel"]

logger = logging.getLogger("rekolabels")

# The service model's patterns (botocore does not check them; the service does).
_TOPIC_ARN = re.compile(r"arn:aws:sns:.*:\w{12}:.+")
_ROLE_ARN = re.compile(r"arn:aws:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")


def check_channel(params: dict[str, Any]) -> dict[str, str] | None:
    """A StartLabelDetection request's NotificationChannel (None if absent), checked like AWS."""
    channel = params.get("NotificationChannel")
    if channel is None:
        return None
    if not isinstance(channel, dict):
        raise BadRequest("InvalidParameterException", "NotificationChannel must be a structure.")
    topic, role = channel.get("SNSTopicArn"), channel.get("RoleArn")
    if not isinstance(topic, str) or not _TOPIC_ARN.fullmatch(topic):
        raise BadRequest(
            "InvalidParameterException",
            "NotificationChannel.SNSTopicArn must match (^arn:aws:sns:.*:\\w{12}:.+$).",
        )
    if not isinstance(role, str) or not _ROLE_ARN.fullmatch(role):
        raise BadRequest(
            "InvalidParameterException",
            "NotificationChannel.RoleArn must match "
            "arn:aws:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+.",
        )
    return {"SNSTopicArn": topic, "RoleArn": role}


@dataclass
class _Watched:
    topic_arn: str
    job: Job
    timer: threading.Timer | None = None


class Notifier:
    """The notifications of one fake's jobs: who finishes when, and where the message goes.

    ``started`` and ``polled`` are called under the fake's lock (the job's poll count is read
    there); this class's own lock guards the rest, and the publication happens outside both.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sns: Any = None
        self._texts: list[str] = []
        self._watched: dict[str, _Watched] = {}
        self._known: set[str] = set()

    def publish_to(self, sns_client: Any) -> None:
        """Publish every later notification through ``sns_client`` (None: stop publishing)."""
        with self._lock:
            self._sns = sns_client

    @property
    def notifications(self) -> list[str]:
        """Every message text, in the order the jobs finished; a copy."""
        with self._lock:
            return list(self._texts)

    def started(self, job_id: str, job: Job, channel: dict[str, str]) -> None:
        """Watch a job StartLabelDetection started with ``channel`` (once per JobId)."""
        with self._lock:
            if job_id in self._known:
                return  # the same ClientRequestToken again: the same job
            self._known.add(job_id)
            self._watched[job_id] = _Watched(channel["SNSTopicArn"], job)
        self.polled(job_id, job)

    def polled(self, job_id: str, job: Job) -> None:
        """After a GetLabelDetection call on ``job``: once its polls are used up, it finishes
        when its seconds are (now, if they are already)."""
        with self._lock:
            watched = self._watched.get(job_id)
            if watched is None or watched.timer is not None or job.in_progress_polls > 0:
                return
            delay = max(0.0, job.ready_at - time.monotonic())
            watched.timer = threading.Timer(delay, self._finish, (job_id,))
            watched.timer.daemon = True
            watched.timer.start()

    def close(self) -> None:
        """Cancel the notifications still waiting for their time; those jobs never publish."""
        with self._lock:
            watched, self._watched = list(self._watched.values()), {}
        for w in watched:
            if w.timer is not None:
                w.timer.cancel()

    def _finish(self, job_id: str) -> None:
        with self._lock:
            watched = self._watched.pop(job_id, None)
            sns = self._sns
        if watched is None:
            return
        text = _message(job_id, watched.job)
        with self._lock:
            self._texts.append(text)
        if sns is None:
            return
        try:
            sns.publish(TopicArn=watched.topic_arn, Message=text)
        except Exception as exc:  # a timer thread: nobody to raise to, as with AWS
            logger.warning(
                "fake Rekognition could not publish job %s's notification to %s: %s",
                job_id,
                watched.topic_arn,
                exc,
            )


def _message(job_id: str, job: Job) -> str:
    """The message AWS publishes for a finished job: its keys in AWS's order, compact."""
    s3 = (job.response.get("Video") or {}).get("S3Object") or {}
    message: dict[str, Any] = {
        "JobId": job_id,
        "Status": job.response.get("JobStatus", "SUCCEEDED"),
        "API": "StartLabelDetection",
    }
    if "JobTag" in job.response:
        message["JobTag"] = job.response["JobTag"]
    message["Timestamp"] = int(time.time() * 1000)
    message["Video"] = {"S3ObjectName": s3.get("Name"), "S3Bucket": s3.get("Bucket")}
    return json.dumps(message, separators=(",", ":"))
