"""FakeRekognition: one implementation of GetLabelDetection over jobs held in memory.

moto and LocalStack do not implement GetLabelDetection, and ``Stubber`` skips retries and the
wire format. This fake answers a real boto3 client at the socket boundary, so serialization,
parsing, error handling and our retries all run for real.

Contract for transports (stable; an HTTP server adapts the same method):

- ``FakeRekognition.handle(operation, params) -> Reply`` holds ALL protocol logic: request
  recording, the fault schedule, job lookup, paging, tokens and AWS-shaped errors.
  ``operation`` is the name after ``RekognitionService.`` in the ``X-Amz-Target`` header
  (``"GetLabelDetection"``); ``params`` is the parsed JSON request body (``{}`` if empty).
- ``Reply(status, headers, body)`` is the HTTP response to send as is. If ``Reply.fault`` is
  set the transport sends nothing: ``"connection"`` means drop the connection (in-process:
  raise botocore's ``ConnectionClosedError``); ``"timeout"`` means never answer (in-process:
  raise ``ReadTimeoutError``).
- ``handle`` is thread-safe: one lock guards the schedule, counters, recorded requests and the
  per-job poll counts, so several threads may page through different jobs at once.
- Label order for SortBy/AggregateBy is decided in one place, ``_ordered_labels``.

Fault vocabulary for ``inject`` (one entry per call, consumed in order; ``None`` = serve):

==========================================  ===================================================
``"ThrottlingException"``                   HTTP 500 (the service model marks it a fault)
``"ProvisionedThroughputExceededException"``  HTTP 400
``"InternalServerError"``                   HTTP 500
``"AccessDeniedException"``                 HTTP 400
``"InvalidParameterException"``             HTTP 400
``"InvalidPaginationTokenException"``       HTTP 400
``"ResourceNotFoundException"``             HTTP 400
``"CODE:STATUS"``                           any code above with another HTTP status, e.g.
                                            ``"ThrottlingException:400"`` (how throttling
                                            often arrives) or ``"InternalServerError:503"``
``"truncated"``                             HTTP 200, the real page's JSON cut in half
``"repeat_token"``                          HTTP 200, the real page, but its NextToken is the
                                            request's own (a service stuck on one page;
                                            without a request NextToken, served as is)
``"connection"``                            the connection drops before any response
``"timeout"``                               no response before the client's read timeout
==========================================  ===================================================
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import random
import re
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from .._models import GetLabelDetectionResponse
from ._wire import http_response, new_client

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse
    from types_boto3_rekognition import RekognitionClient

__all__ = ["FAULT_CODES", "FakeRekognition", "Reply"]

# HTTP status of each AWS error the fake can send (GetLabelDetection's service model).
FAULT_CODES: dict[str, int] = {
    "ThrottlingException": 500,
    "ProvisionedThroughputExceededException": 400,
    "InternalServerError": 500,
    "AccessDeniedException": 400,
    "InvalidParameterException": 400,
    "InvalidPaginationTokenException": 400,
    "ResourceNotFoundException": 400,
}
_TRANSPORT_FAULTS = ("connection", "timeout")
# Faults that still serve the page, then spoil the reply.
_PAGE_FAULTS = ("truncated", "repeat_token")
_MAX_PAGE = 1000
_JOB_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_SORT_BY = ("NAME", "TIMESTAMP")
_AGGREGATE_BY = ("TIMESTAMPS", "SEGMENTS")
_CONTENT_TYPE = "application/x-amz-json-1.1"
# Fields that describe the whole request or one page, never copied from a stored job.
_PER_PAGE = ("Labels", "NextToken", "ResponseMetadata", "GetRequestMetadata")


@dataclass(frozen=True)
class Reply:
    """What a transport sends back for one request; see the module docstring."""

    status: int
    headers: dict[str, str]
    body: bytes
    fault: str | None = None
    """``"connection"`` or ``"timeout"``: send nothing, drop the connection / never answer."""


@dataclass
class _Job:
    response: dict[str, Any]
    labels: list[dict[str, Any]]
    in_progress_polls: int
    ordered: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)


class _BadRequest(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class FakeRekognition:
    """An in-memory Rekognition Video that serves GetLabelDetection with real paging.

    Deterministic for a given ``seed``: request ids and NextTokens repeat run to run. Tokens are
    opaque and signed with a key derived from the seed, so a forged token, or one from another
    job or another ``SortBy``/``AggregateBy``, is rejected with InvalidPaginationTokenException.
    """

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._key = hashlib.sha256(f"rekolabels-fake:{seed}".encode()).digest()
        self._ids = random.Random(seed)
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._schedule: deque[str | None] = deque()
        self._requests: list[dict[str, Any]] = []
        self._client: RekognitionClient | None = None

    # -- jobs ---------------------------------------------------------------------------------

    def add_job(
        self,
        job_id: str,
        response: Mapping[str, Any] | GetLabelDetectionResponse,
        in_progress_polls: int = 0,
    ) -> None:
        """Serve ``response`` (holding every label of the job) as ``job_id``, paged.

        The first ``in_progress_polls`` GetLabelDetection calls for the job answer IN_PROGRESS.
        A ``{"JobStatus": "FAILED", "StatusMessage": ...}`` response makes a failed job.
        """
        if isinstance(response, GetLabelDetectionResponse):
            stored = response.to_boto3()
        else:
            stored = copy.deepcopy(dict(response))
        labels = stored.pop("Labels", None) or []
        base = {k: v for k, v in stored.items() if k not in _PER_PAGE}
        base.setdefault("JobId", job_id)
        job = _Job(base, labels, in_progress_polls)
        with self._lock:
            self._jobs[job_id] = job

    def add_synthetic_job(self, job_id: str, detections: int = 2345, seed: int = 1) -> None:
        """A SUCCEEDED job with exactly ``detections`` labels, deterministic for ``seed``.

        Labels are sampled every 500 ms in AWS's TIMESTAMP order (timestamp, then name).
        """
        rng = random.Random(seed)
        names = ["Car", "Person", "Tree", "Vehicle", "Road", "Sky", "Building", "Dog", "Wheel"]
        labels: list[dict[str, Any]] = []
        timestamp = 0
        while len(labels) < detections:
            count = min(rng.randint(1, 5), detections - len(labels))
            for name in sorted(rng.sample(names, count)):
                confidence = round(rng.uniform(50.0, 99.9), 4)
                labels.append(
                    {
                        "Timestamp": timestamp,
                        "Label": {"Name": name, "Confidence": confidence, "Instances": [],
                                  "Parents": [], "Aliases": [], "Categories": []},
                    }
                )  # fmt: skip
            timestamp += 500
        self.add_job(
            job_id,
            {
                "JobStatus": "SUCCEEDED",
                "VideoMetadata": {
                    "Codec": "h264",
                    "DurationMillis": timestamp,
                    "Format": "QuickTime / MOV",
                    "FrameRate": 25.0,
                    "FrameHeight": 720,
                    "FrameWidth": 1280,
                    "ColorRange": "LIMITED",
                },
                "Labels": labels,
                "LabelModelVersion": "3.0",
                "JobId": job_id,
                "Video": {"S3Object": {"Bucket": "rekolabels-fake", "Name": f"{job_id}.mp4"}},
            },
        )

    # -- faults and observation ---------------------------------------------------------------

    def inject(self, schedule: Iterable[str | None]) -> None:
        """Append one fault (or ``None``) per coming call; calls past the schedule are served.

        Raises ValueError on an entry outside the vocabulary (see the module docstring).
        """
        entries = list(schedule)
        for entry in entries:
            if entry is not None:
                _fault_reply_status(entry)
        with self._lock:
            self._schedule.extend(entries)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request body seen, parsed, in order (faulted calls included); a copy."""
        with self._lock:
            return list(self._requests)

    # -- transports ---------------------------------------------------------------------------

    @property
    def client(self) -> RekognitionClient:
        """A real boto3 ``rekognition`` client (dummy credentials, botocore retries off) on it."""
        with self._lock:
            if self._client is None:
                self._client = new_client()
                self.attach(self._client)
            return self._client

    def attach(self, client: Any) -> None:
        """Answer every Rekognition request ``client`` sends from this fake, in-process."""
        client.meta.events.register("before-send.rekognition", self._before_send)

    def _before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        if isinstance(target, bytes):
            target = target.decode()
        body = request.body
        if body is not None and not isinstance(body, (bytes, bytearray, str)):
            body = body.read()
        reply = self.handle(str(target).rpartition(".")[2], json.loads(body or b"{}"))
        if reply.fault == "connection":
            raise ConnectionClosedError(endpoint_url=request.url)
        if reply.fault == "timeout":
            raise ReadTimeoutError(endpoint_url=request.url)
        return http_response(reply.status, reply.body, reply.headers, url=request.url)

    # -- the protocol -------------------------------------------------------------------------

    def handle(self, operation: str, params: dict[str, Any]) -> Reply:
        """Answer one request: record it, apply the next scheduled fault, else serve it."""
        with self._lock:
            self._requests.append(params)
            fault = self._schedule.popleft() if self._schedule else None
            request_id = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
            job = None
            in_progress = False
            if (fault is None or fault in _PAGE_FAULTS) and operation == "GetLabelDetection":
                job = self._jobs.get(params["JobId"]) if _valid_job_id(params) else None
                if job is not None and job.in_progress_polls > 0:
                    job.in_progress_polls -= 1
                    in_progress = True
        if fault in _TRANSPORT_FAULTS:
            return Reply(0, {}, b"", fault=fault)
        if fault is not None and fault not in _PAGE_FAULTS:
            code = fault.partition(":")[0]
            return _error(request_id, code, f"Injected {code}.", _fault_reply_status(fault))
        try:
            if operation != "GetLabelDetection":
                raise _BadRequest(
                    "UnknownOperationException", f"The fake does not implement {operation}."
                )
            page = self._get_label_detection(params, job, in_progress)
            if fault == "repeat_token" and "NextToken" in params:
                page["NextToken"] = params["NextToken"]
        except _BadRequest as exc:
            return _error(request_id, exc.code, exc.message, FAULT_CODES.get(exc.code, 400))
        body = json.dumps(page, separators=(",", ":")).encode()
        if fault == "truncated":
            body = body[: len(body) // 2]
        return Reply(200, {"x-amzn-RequestId": request_id, "content-type": _CONTENT_TYPE}, body)

    def _get_label_detection(
        self, params: dict[str, Any], job: _Job | None, in_progress: bool
    ) -> dict[str, Any]:
        if not _valid_job_id(params):
            raise _BadRequest("InvalidParameterException", "JobId must match [a-zA-Z0-9_-]{1,64}.")
        max_results = params.get("MaxResults", _MAX_PAGE)
        if isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1:
            raise _BadRequest("InvalidParameterException", "MaxResults must be at least 1.")
        sort_by = params.get("SortBy", "TIMESTAMP")
        aggregate_by = params.get("AggregateBy", "TIMESTAMPS")
        if sort_by not in _SORT_BY or aggregate_by not in _AGGREGATE_BY:
            raise _BadRequest("InvalidParameterException", "Invalid SortBy or AggregateBy.")
        token = params.get("NextToken")
        if token is not None and (not isinstance(token, str) or len(token) > 255):
            raise _BadRequest("InvalidParameterException", "NextToken is at most 255 characters.")
        if job is None:
            raise _BadRequest("ResourceNotFoundException", "The job does not exist.")
        job_id: str = params["JobId"]
        metadata = {"SortBy": sort_by, "AggregateBy": aggregate_by}
        status = "IN_PROGRESS" if in_progress else job.response.get("JobStatus", "SUCCEEDED")
        if status != "SUCCEEDED":
            page = {
                k: v for k, v in job.response.items() if k not in ("VideoMetadata", "JobStatus")
            }
            if status != "FAILED":
                page.pop("StatusMessage", None)
            return {"JobStatus": status, **page, "Labels": [], "GetRequestMetadata": metadata}
        offset = 0 if token is None else self._read_token(token, job_id, sort_by, aggregate_by)
        labels = self._ordered_labels(job, sort_by, aggregate_by)
        end = offset + min(max_results, _MAX_PAGE)
        page = dict(job.response)
        page["Labels"] = labels[offset:end]
        if end < len(labels):
            page["NextToken"] = self._make_token(job_id, end, sort_by, aggregate_by)
        page["GetRequestMetadata"] = metadata
        return page

    def _ordered_labels(self, job: _Job, sort_by: str, aggregate_by: str) -> list[dict[str, Any]]:
        """The job's labels as the request's SortBy/AggregateBy would order them.

        The one place where the transforms plug in; until then, stored order, whatever was asked
        (the request's values are still echoed in GetRequestMetadata).
        """
        return job.labels

    # -- tokens -------------------------------------------------------------------------------

    def _make_token(self, job_id: str, offset: int, sort_by: str, aggregate_by: str) -> str:
        payload = f"{offset}:{sort_by}:{aggregate_by}:{job_id}".encode()
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")

    def _read_token(self, token: str, job_id: str, sort_by: str, aggregate_by: str) -> int:
        invalid = _BadRequest("InvalidPaginationTokenException", "Invalid pagination token.")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            raise invalid from None
        mac, payload = raw[:16], raw[16:]
        if not hmac.compare_digest(mac, hmac.new(self._key, payload, hashlib.sha256).digest()[:16]):
            raise invalid
        offset, token_sort, token_aggregate, token_job = payload.decode().split(":", 3)
        if (token_job, token_sort, token_aggregate) != (job_id, sort_by, aggregate_by):
            raise invalid
        return int(offset)


def _valid_job_id(params: Mapping[str, Any]) -> bool:
    job_id = params.get("JobId")
    return isinstance(job_id, str) and _JOB_ID.fullmatch(job_id) is not None


def _fault_reply_status(fault: str) -> int:
    """HTTP status for a scheduled fault; ValueError for an entry outside the vocabulary."""
    if fault in _PAGE_FAULTS or fault in _TRANSPORT_FAULTS:
        return 200
    code, _, status = fault.partition(":")
    if code not in FAULT_CODES or (status and not (status.isdigit() and len(status) == 3)):
        raise ValueError(f"unknown fault {fault!r}: see rekolabels.testing._fake for the list")
    return int(status) if status else FAULT_CODES[code]


def _error(request_id: str, code: str, message: str, status: int) -> Reply:
    body = json.dumps({"__type": code, "message": message}).encode()
    return Reply(status, {"x-amzn-RequestId": request_id, "content-type": _CONTENT_TYPE}, body)
