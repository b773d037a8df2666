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
- Transports: ``attach`` (in-process, botocore's ``before-send``) and ``serve`` (loopback HTTP,
  ``rekolabels.testing._server``). Added latency happens inside ``handle`` (it sleeps, outside
  the lock), so both transports see it alike.

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
``"latency"`` / ``"latency:SECONDS"``       served, after ``fault_rate``'s ``latency_s`` (or
                                            SECONDS, at most 5) of delay
==========================================  ===================================================

``fault_rate`` draws the same faults at random, seeded by the fake's ``seed``, for calls the
schedule does not cover.

StartLabelDetection (see ``configure_start``): validates ``Video.S3Object`` (Bucket and Name),
``ClientRequestToken``, ``MinConfidence`` and ``JobTag`` like AWS (InvalidParameterException),
returns a 64-hex-digit JobId, and the same ClientRequestToken returns the same JobId (other
parameters with a used token: IdempotentParameterMismatchException). The job answers IN_PROGRESS
for the configured polls and seconds, then SUCCEEDED with synthetic labels for that video (or
the configured response), or FAILED with the configured StatusMessage.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import json
import random
import re
import threading
import time
import uuid
import zlib
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from pydantic import ValidationError

from .._errors import InvalidArgumentError
from .._models import (
    GetLabelDetectionResponse,
    LabelDetection,
    LabelDetectionAggregateBy,
    LabelDetectionSortBy,
)
from .._transform import aggregate_segments, sort_labels
from ._server import LoopbackServer
from ._synthetic import synthetic_response
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
    "IdempotentParameterMismatchException": 400,
}
# The random faults ``fault_rate`` can draw, by keyword: (schedule entry, what it counts as).
_RATE_FAULTS = {
    "throttling": "ThrottlingException",
    "provisioned": "ProvisionedThroughputExceededException",
    "internal": "InternalServerError",
    "drop": "connection",
    "truncated": "truncated",
    "timeout": "timeout",
}
# Added latency is for exercising timeouts and concurrency, never for stalling a test run.
_MAX_LATENCY_S = 5.0
_TOKEN_PATTERN = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_JOB_TAG = re.compile(r"[a-zA-Z0-9_.\-:]{1,1024}")
_TRANSPORT_FAULTS = ("connection", "timeout")
# Faults that still serve the page, then spoil the reply.
_PAGE_FAULTS = ("truncated", "repeat_token")
_MAX_PAGE = 1000
_JOB_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_SORT_BY = tuple(m.value for m in LabelDetectionSortBy)
_AGGREGATE_BY = tuple(m.value for m in LabelDetectionAggregateBy)
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
    ready_at: float = 0.0
    """``time.monotonic()`` before which the job answers IN_PROGRESS."""


@dataclass(frozen=True)
class _StartSettings:
    """How jobs started by StartLabelDetection behave (see ``FakeRekognition.configure_start``)."""

    detections: int = 2345
    in_progress_polls: int = 1
    in_progress_s: float = 0.0
    response: dict[str, Any] | None = None
    failed: str | None = None


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
        self._server: LoopbackServer | None = None
        # Faults drawn from their own stream, so adding rates leaves request ids unchanged.
        self._fault_rng = random.Random(f"rekolabels-fake-faults:{seed}")
        self._rates: list[tuple[str, float]] = []
        self._latency_rate = 0.0
        self._latency_s = 0.05
        self._fault_counts: Counter[str] = Counter()
        self._start = _StartSettings()
        self._client_tokens: dict[str, tuple[str, str]] = {}

    # -- jobs ---------------------------------------------------------------------------------

    def add_job(
        self,
        job_id: str,
        response: Mapping[str, Any] | GetLabelDetectionResponse,
        in_progress_polls: int = 0,
    ) -> None:
        """Serve ``response`` (holding every label of the job) as ``job_id``, paged.

        Pages carry ``job_id`` as their JobId, whatever JobId ``response`` holds.

        The first ``in_progress_polls`` GetLabelDetection calls for the job answer IN_PROGRESS.
        A ``{"JobStatus": "FAILED", "StatusMessage": ...}`` response makes a failed job.
        """
        if isinstance(response, GetLabelDetectionResponse):
            stored = response.to_boto3()
        else:
            stored = copy.deepcopy(dict(response))
        self._store(job_id, stored, in_progress_polls)

    def _store(
        self, job_id: str, stored: dict[str, Any], in_progress_polls: int, ready_at: float = 0.0
    ) -> None:
        """Keep a response the fake owns (no copy: synthetic jobs can be large)."""
        labels = stored.pop("Labels", None) or []
        base = {k: v for k, v in stored.items() if k not in _PER_PAGE}
        base["JobId"] = job_id  # as AWS: the requested job, whatever id a recording holds
        job = _Job(base, labels, in_progress_polls, ready_at=ready_at)
        with self._lock:
            self._jobs[job_id] = job

    def add_synthetic_job(
        self, job_id: str, detections: int = 2345, seed: int = 1, in_progress_polls: int = 0
    ) -> None:
        """A SUCCEEDED job with exactly ``detections`` real-looking labels, deterministic for
        ``seed`` (see ``rekolabels.testing._synthetic``): model 3.0 taxonomy, 500/501 ms
        sampling, AWS's TIMESTAMP order.
        """
        self._store(
            job_id, synthetic_response(detections, seed=seed, job_id=job_id), in_progress_polls
        )

    def configure_start(
        self,
        *,
        detections: int = 2345,
        in_progress_polls: int = 1,
        in_progress_s: float = 0.0,
        response: Mapping[str, Any] | GetLabelDetectionResponse | None = None,
        failed: str | None = None,
    ) -> None:
        """How the jobs StartLabelDetection starts from now on behave.

        Each answers IN_PROGRESS to its first ``in_progress_polls`` GetLabelDetection calls and
        until ``in_progress_s`` seconds have passed, then SUCCEEDED with ``detections``
        synthetic labels (seeded by the fake's seed and the video's bucket and name) or with the
        labels of ``response``; or, when ``failed`` is a message, FAILED with that
        StatusMessage. The default: one IN_PROGRESS poll, then 2345 labels.
        """
        if detections < 0 or in_progress_polls < 0 or in_progress_s < 0:
            raise ValueError("detections, in_progress_polls and in_progress_s must be >= 0")
        if isinstance(response, GetLabelDetectionResponse):
            stored: dict[str, Any] | None = response.to_boto3()
        else:
            stored = copy.deepcopy(dict(response)) if response is not None else None
        with self._lock:
            self._start = _StartSettings(
                detections, in_progress_polls, in_progress_s, stored, failed
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

    def fault_rate(
        self,
        *,
        throttling: float = 0.0,
        provisioned: float = 0.0,
        internal: float = 0.0,
        drop: float = 0.0,
        truncated: float = 0.0,
        timeout: float = 0.0,
        latency: float = 0.0,
        latency_s: float = 0.05,
    ) -> None:
        """Fail that fraction of the calls the schedule does not cover, at random (seeded).

        ``throttling`` (ThrottlingException, 500), ``provisioned``
        (ProvisionedThroughputExceededException, 400), ``internal`` (InternalServerError, 500),
        ``drop`` (dropped connection), ``truncated`` (200 with half the body) and ``timeout``
        exclude each other, so they sum to at most 1. ``latency`` is drawn apart: that fraction
        of calls, faulted or not, waits ``latency_s`` seconds (at most 5) first. Each call
        replaces the previous rates; ``fault_rate()`` turns them off.
        """
        exclusive = {
            "throttling": throttling,
            "provisioned": provisioned,
            "internal": internal,
            "drop": drop,
            "truncated": truncated,
            "timeout": timeout,
        }
        for name, rate in [*exclusive.items(), ("latency", latency)]:
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {rate!r}")
        if sum(exclusive.values()) > 1.0 + 1e-9:
            raise ValueError("the fault rates other than latency must sum to at most 1")
        if not 0.0 <= latency_s <= _MAX_LATENCY_S:
            raise ValueError(f"latency_s must be between 0 and {_MAX_LATENCY_S}")
        with self._lock:
            self._rates = [(_RATE_FAULTS[k], rate) for k, rate in exclusive.items() if rate]
            self._latency_rate = latency
            self._latency_s = latency_s

    @property
    def fault_counts(self) -> dict[str, int]:
        """How many of each fault (scheduled or drawn) the fake has served, and ``"latency"``."""
        with self._lock:
            return dict(self._fault_counts)

    def _next_fault(self) -> tuple[str | None, float]:
        """The fault for this call and the delay before answering; called under the lock."""
        if self._schedule:
            fault = self._schedule.popleft()
            delay = 0.0
            if fault is not None and fault.startswith("latency"):
                seconds = fault.partition(":")[2]
                fault, delay = None, float(seconds) if seconds else self._latency_s
        else:
            fault, delay = None, 0.0
            if self._rates:
                draw = self._fault_rng.random()
                for entry, rate in self._rates:
                    if draw < rate:
                        fault = entry
                        break
                    draw -= rate
            if self._latency_rate and self._fault_rng.random() < self._latency_rate:
                delay = self._latency_s
        if fault is not None:
            self._fault_counts[fault.partition(":")[0]] += 1
        if delay:
            self._fault_counts["latency"] += 1
        return fault, min(delay, _MAX_LATENCY_S)

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

    def serve(self, port: int = 0) -> str:
        """Serve this fake on loopback HTTP (127.0.0.1) and return its endpoint URL.

        ``port=0`` picks a free port. Any SDK given the URL as its endpoint talks to the fake
        (dummy credentials will do). Serving again returns the same URL; ``close()`` stops it.
        """
        with self._lock:
            if self._server is None:
                self._server = LoopbackServer(self.handle, port)
            elif port not in (0, self._server.port):
                raise ValueError(f"already serving on {self._server.url}")
            return self._server.url

    def close(self) -> None:
        """Stop the HTTP server (if serving) and close ``client``; the jobs stay."""
        with self._lock:
            server, self._server = self._server, None
            client, self._client = self._client, None
        if server is not None:
            server.close()
        if client is not None:
            client.close()

    def __enter__(self) -> FakeRekognition:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

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
        """Answer one request: record it, apply the next fault (scheduled, else drawn from the
        rates) and any added latency, else serve GetLabelDetection or StartLabelDetection."""
        with self._lock:
            self._requests.append(params)
            fault, delay = self._next_fault()
            request_id = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
            job = None
            in_progress = False
            if (fault is None or fault in _PAGE_FAULTS) and operation == "GetLabelDetection":
                job = self._jobs.get(params["JobId"]) if _valid_job_id(params) else None
                if job is not None and (
                    job.in_progress_polls > 0 or time.monotonic() < job.ready_at
                ):
                    job.in_progress_polls = max(job.in_progress_polls - 1, 0)
                    in_progress = True
        if delay:
            time.sleep(delay)
        if fault in _TRANSPORT_FAULTS:
            return Reply(0, {}, b"", fault=fault)
        if fault is not None and fault not in _PAGE_FAULTS:
            code = fault.partition(":")[0]
            return _error(request_id, code, f"Injected {code}.", _fault_reply_status(fault))
        try:
            if operation == "GetLabelDetection":
                page = self._get_label_detection(params, job, in_progress)
            elif operation == "StartLabelDetection":
                page = self._start_label_detection(params)
            else:
                raise _BadRequest(
                    "UnknownOperationException", f"The fake does not implement {operation}."
                )
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

    def _start_label_detection(self, params: dict[str, Any]) -> dict[str, Any]:
        video = params.get("Video")
        s3 = video.get("S3Object") if isinstance(video, dict) else None
        if not isinstance(s3, dict) or not all(
            isinstance(s3.get(key), str) and s3[key] for key in ("Bucket", "Name")
        ):
            raise _BadRequest(
                "InvalidParameterException", "Video.S3Object with a Bucket and a Name is required."
            )
        token = params.get("ClientRequestToken")
        if token is not None and not (isinstance(token, str) and _TOKEN_PATTERN.fullmatch(token)):
            raise _BadRequest(
                "InvalidParameterException", "ClientRequestToken must match [a-zA-Z0-9_-]{1,64}."
            )
        min_confidence = params.get("MinConfidence", 50.0)
        if (
            isinstance(min_confidence, bool)
            or not isinstance(min_confidence, (int, float))
            or not (0 <= min_confidence <= 100)
        ):
            raise _BadRequest("InvalidParameterException", "MinConfidence must be 0 to 100.")
        job_tag = params.get("JobTag")
        if job_tag is not None and not (isinstance(job_tag, str) and _JOB_TAG.fullmatch(job_tag)):
            raise _BadRequest(
                "InvalidParameterException", "JobTag must match [a-zA-Z0-9_.\\-:]{1,1024}."
            )
        fingerprint = json.dumps(
            {k: v for k, v in params.items() if k != "ClientRequestToken"}, sort_keys=True
        )
        with self._lock:
            if token is not None and token in self._client_tokens:
                used_with, job_id = self._client_tokens[token]
                if used_with != fingerprint:
                    raise _BadRequest(
                        "IdempotentParameterMismatchException",
                        "ClientRequestToken was already used with other parameters.",
                    )
                return {"JobId": job_id}
            job_id = f"{self._ids.getrandbits(256):064x}"
            if token is not None:
                self._client_tokens[token] = (fingerprint, job_id)
            settings = self._start
        response = self._started_response(settings, s3, float(min_confidence))
        response.update(JobId=job_id, Video={"S3Object": dict(s3)})
        if job_tag is not None:
            response["JobTag"] = job_tag
        ready_at = time.monotonic() + settings.in_progress_s
        self._store(job_id, response, settings.in_progress_polls, ready_at=ready_at)
        return {"JobId": job_id}

    def _started_response(
        self, settings: _StartSettings, s3: dict[str, Any], min_confidence: float
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

    def _ordered_labels(self, job: _Job, sort_by: str, aggregate_by: str) -> list[dict[str, Any]]:
        """The job's labels as the request's SortBy/AggregateBy would order them.

        The one place where the transforms plug in: ``sort_labels`` and ``aggregate_segments``
        from ``rekolabels._transform``, so the fake answers exactly as DESIGN.md's rules say.
        A job stored as TIMESTAMPS can be served either way; one stored as SEGMENTS only as
        segments (re-sorted). Labels the transforms cannot place (no Timestamp or Name, wrong
        types) are served in stored order. Computed once per order and cached.
        """
        key = (sort_by, aggregate_by)
        cached = job.ordered.get(key)
        if cached is None:
            cached = _ordered(job.labels, sort_by, aggregate_by)
            job.ordered[key] = cached  # a race computes the same list twice, harmlessly
        return cached

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


def _ordered(labels: list[dict[str, Any]], sort_by: str, aggregate_by: str) -> list[dict[str, Any]]:
    stored_segments = any("StartTimestampMillis" in d for d in labels)
    if (sort_by, aggregate_by) == ("TIMESTAMP", "TIMESTAMPS") and _in_timestamp_order(labels):
        return labels  # AWS's own order already, as every recording is: nothing to parse
    try:
        models = [LabelDetection.model_validate(d) for d in labels]
        if aggregate_by == "SEGMENTS" and not stored_segments:
            return [d.to_boto3() for d in sort_labels(aggregate_segments(models), sort_by)]
        # Sorting only: serve the very dicts stored, in the new order.
        stored = {id(model): d for model, d in zip(models, labels, strict=True)}
        return [stored[id(model)] for model in sort_labels(models, sort_by)]
    except (ValidationError, InvalidArgumentError, TypeError):
        return labels


def _in_timestamp_order(labels: list[dict[str, Any]]) -> bool:
    try:
        keys = [(d["Timestamp"], d["Label"]["Name"].encode()) for d in labels]
    except (KeyError, TypeError, AttributeError):
        return False
    return all(a <= b for a, b in itertools.pairwise(keys))


def _valid_job_id(params: Mapping[str, Any]) -> bool:
    job_id = params.get("JobId")
    return isinstance(job_id, str) and _JOB_ID.fullmatch(job_id) is not None


def _fault_reply_status(fault: str) -> int:
    """HTTP status for a scheduled fault; ValueError for an entry outside the vocabulary."""
    if fault in _PAGE_FAULTS or fault in _TRANSPORT_FAULTS:
        return 200
    if fault == "latency" or fault.startswith("latency:"):
        seconds = fault.partition(":")[2]
        if seconds and not _is_delay(seconds):
            raise ValueError(f"unknown fault {fault!r}: latency:SECONDS takes 0 to 5 seconds")
        return 200
    code, _, status = fault.partition(":")
    if code not in FAULT_CODES or (status and not (status.isdigit() and len(status) == 3)):
        raise ValueError(f"unknown fault {fault!r}: see rekolabels.testing._fake for the list")
    return int(status) if status else FAULT_CODES[code]


def _error(request_id: str, code: str, message: str, status: int) -> Reply:
    body = json.dumps({"__type": code, "message": message}).encode()
    return Reply(status, {"x-amzn-RequestId": request_id, "content-type": _CONTENT_TYPE}, body)


def _is_delay(text: str) -> bool:
    try:
        return 0.0 <= float(text) <= _MAX_LATENCY_S
    except ValueError:
        return False
