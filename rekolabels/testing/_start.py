"""The fake's StartLabelDetection (see ``FakeRekognition.configure_start``).

Validates ``Video.S3Object`` (Bucket and Name), ``ClientRequestToken``, ``MinConfidence`` and
``JobTag`` like AWS (InvalidParameterException), returns a 64-hex-digit JobId, and the same
ClientRequestToken returns the same JobId (other parameters with a used token:
IdempotentParameterMismatchException). The job answers IN_PROGRESS for the configured polls and
seconds, then SUCCEEDED with synthetic labels for that video (or the configured response), or
FAILED with the configured StatusMessage.
"""

from __future__ import annotations

import copy
import json
import random
import re
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._models import GetLabelDetectionResponse
from ._jobs import ID_PATTERN, refuse_a_page
from ._reply import BadRequest
from ._synthetic import synthetic_response

__all__ = ["StartSettings", "Starts"]

_JOB_TAG = re.compile(r"[a-zA-Z0-9_.\-:]{1,1024}")

Store = Callable[[str, dict[str, Any], int, float], None]
"""``JobStore.store`` under the fake's lock: (job_id, response, in_progress_polls, ready_at)."""


@dataclass(frozen=True)
class StartSettings:
    """How jobs started by StartLabelDetection behave (see ``FakeRekognition.configure_start``)."""

    detections: int = 2345
    in_progress_polls: int = 1
    in_progress_s: float = 0.0
    response: dict[str, Any] | None = None
    failed: str | None = None

    @classmethod
    def checked(
        cls,
        detections: int,
        in_progress_polls: int,
        in_progress_s: float,
        response: Mapping[str, Any] | GetLabelDetectionResponse | None,
        failed: str | None,
    ) -> StartSettings:
        """Settings from ``configure_start``'s arguments (ValueError if negative)."""
        if detections < 0 or in_progress_polls < 0 or in_progress_s < 0:
            raise ValueError("detections, in_progress_polls and in_progress_s must be >= 0")
        if isinstance(response, GetLabelDetectionResponse):
            stored: dict[str, Any] | None = response.to_boto3()
        else:
            stored = copy.deepcopy(dict(response)) if response is not None else None
        if stored is not None:
            refuse_a_page(stored)
        return cls(detections, in_progress_polls, in_progress_s, stored, failed)


class Starts:
    """StartLabelDetection for one fake: its settings and the ClientRequestTokens used.

    JobIds come from the fake's own id stream (``ids``, shared with request ids) under the
    fake's ``lock``, so a seed gives the same ids whatever the mix of calls.
    """

    def __init__(self, seed: int, ids: random.Random, lock: threading.Lock, store: Store) -> None:
        self._seed = seed
        self._ids = ids
        self._lock = lock
        self._store = store
        self._settings = StartSettings()
        self._client_tokens: dict[str, tuple[str, str]] = {}

    def configure(self, settings: StartSettings) -> None:
        """Use ``settings`` for the jobs started from now on."""
        with self._lock:
            self._settings = settings

    def start(self, params: dict[str, Any]) -> dict[str, Any]:
        """The StartLabelDetection response (BadRequest for what AWS rejects); stores the job."""
        video = params.get("Video")
        s3 = video.get("S3Object") if isinstance(video, dict) else None
        if not isinstance(s3, dict) or not all(
            isinstance(s3.get(key), str) and s3[key] for key in ("Bucket", "Name")
        ):
            raise BadRequest(
                "InvalidParameterException", "Video.S3Object with a Bucket and a Name is required."
            )
        token = params.get("ClientRequestToken")
        if token is not None and not (isinstance(token, str) and ID_PATTERN.fullmatch(token)):
            raise BadRequest(
                "InvalidParameterException", "ClientRequestToken must match [a-zA-Z0-9_-]{1,64}."
            )
        min_confidence = params.get("MinConfidence", 50.0)
        if (
            isinstance(min_confidence, bool)
            or not isinstance(min_confidence, (int, float))
            or not (0 <= min_confidence <= 100)
        ):
            raise BadRequest("InvalidParameterException", "MinConfidence must be 0 to 100.")
        job_tag = params.get("JobTag")
        if job_tag is not None and not (isinstance(job_tag, str) and _JOB_TAG.fullmatch(job_tag)):
            raise BadRequest(
                "InvalidParameterException", "JobTag must match [a-zA-Z0-9_.\\-:]{1,1024}."
            )
        fingerprint = json.dumps(
            {k: v for k, v in params.items() if k != "ClientRequestToken"}, sort_keys=True
        )
        with self._lock:
            if token is not None and token in self._client_tokens:
                used_with, job_id = self._client_tokens[token]
                if used_with != fingerprint:
                    raise BadRequest(
                        "IdempotentParameterMismatchException",
                        "ClientRequestToken was already used with other parameters.",
                    )
                return {"JobId": job_id}
            job_id = f"{self._ids.getrandbits(256):064x}"
            if token is not None:
                self._client_tokens[token] = (fingerprint, job_id)
            settings = self._settings
        response = self._response(settings, s3, float(min_confidence))
        response.update(JobId=job_id, Video={"S3Object": dict(s3)})
        if job_tag is not None:
            response["JobTag"] = job_tag
        ready_at = time.monotonic() + settings.in_progress_s
        self._store(job_id, response, settings.in_progress_polls, ready_at)
        return {"JobId": job_id}

    def _response(
        self, settings: StartSettings, s3: dict[str, Any], min_confidence: float
    ) -> dict[str, Any]:
        if settings.failed is not None:
            return {"JobStatus": "FAILED", "StatusMessage": settings.failed}
        if settings.response is not None:
            response = copy.deepcopy(settings.response)
        else:
            video = f"{s3['Bucket']}/{s3['Name']}/{s3.get('Version', '')}"
            seed = zlib.crc32(f"{self._seed}:{video}".encode())
            response = synthetic_response(settings.detections, seed=seed)
        response["Labels"] = [
            d
            for d in response.get("Labels") or []
            if d.get("Label", {}).get("Confidence", 100.0) >= min_confidence
        ]
        return response
