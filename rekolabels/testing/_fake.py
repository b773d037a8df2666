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
- Transports: ``attach`` (in-process, botocore's ``before-send``: ``_transport``) and ``serve``
  (loopback HTTP: ``_server``). Added latency happens inside ``handle`` (it sleeps, outside
  the lock), so both transports see it alike.

Each concern has its module, and this class composes them: the job store and paging
(``_jobs``), faults (``_faults``, with the vocabulary of ``inject``), StartLabelDetection
(``_start``), completion notifications (``_notify``), NextTokens (``_tokens``), replies
(``_reply``) and the transports.
"""

from __future__ import annotations

import copy
import json
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._models import GetLabelDetectionResponse
from ._faults import FAULT_CODES, PAGE_FAULTS, TRANSPORT_FAULTS, Faults, reply_status
from ._jobs import JobStore, label_page, refuse_a_page
from ._notify import Notifier, check_channel
from ._quota import Quota
from ._reply import CONTENT_TYPE, BadRequest, Reply, error_reply
from ._server import LoopbackServer
from ._start import Starts, StartSettings
from ._synthetic import synthetic_response
from ._tokens import Tokens
from ._transport import attach
from ._wire import new_client

if TYPE_CHECKING:
    from types_boto3_rekognition import RekognitionClient

__all__ = ["CLIENT_ENDPOINT", "FAULT_CODES", "REQUESTS_KEPT", "FakeRekognition", "Reply"]

REQUESTS_KEPT = 100
"""How many request bodies ``fake.requests`` keeps (the last ones): a long-running fake's memory
stays bounded (at most 100 MiB of 1 MiB bodies); ``fake.request_count`` counts them all."""

CLIENT_ENDPOINT = "https://rekognition.fake.invalid"
"""``fake.client``'s endpoint: ``.invalid`` never resolves (RFC 2606), and moto's ``mock_aws``
answers only AWS hosts, so the fake answers ``fake.client`` there too."""


class FakeRekognition:
    """An in-memory Rekognition Video that serves GetLabelDetection with real paging.

    Deterministic for a given ``seed``: request ids and NextTokens repeat run to run. Tokens are
    opaque and signed with a key derived from the seed, so a forged token, or one from another
    job or another ``SortBy``/``AggregateBy``, is rejected with InvalidPaginationTokenException.
    """

    __module__ = "rekolabels.testing"  # where users import it from

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._ids = random.Random(seed)
        self._lock = threading.Lock()
        self._jobs = JobStore()
        self._faults = Faults(seed)
        self._tokens = Tokens(seed)
        self._starts = Starts(seed, self._ids, self._lock, self._store)
        self._notifier = Notifier()
        self._requests: deque[dict[str, Any]] = deque(maxlen=REQUESTS_KEPT)
        self._request_count = 0
        self._quota: Quota | None = None
        self._synthetic: dict[tuple[int, int], dict[str, Any]] = {}
        self._client: RekognitionClient | None = None
        self._server: LoopbackServer | None = None

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
        One page of a longer job (it has a NextToken) is refused with InvalidArgumentError:
        served as a whole job, its labels would pass for all of them.
        """
        if isinstance(response, GetLabelDetectionResponse):
            stored = response.to_boto3()
        else:
            stored = copy.deepcopy(dict(response))
        refuse_a_page(stored)
        self._store(job_id, stored, in_progress_polls)

    def _store(
        self, job_id: str, stored: dict[str, Any], in_progress_polls: int, ready_at: float = 0.0
    ) -> None:
        with self._lock:
            self._jobs.store(job_id, stored, in_progress_polls, ready_at)

    def add_synthetic_job(
        self, job_id: str, detections: int = 2345, seed: int = 1, in_progress_polls: int = 0
    ) -> None:
        """A SUCCEEDED job with exactly ``detections`` real-looking labels, deterministic for
        ``seed`` (see ``rekolabels.testing._synthetic``): model 3.0 taxonomy, 500/501 ms
        sampling, AWS's TIMESTAMP order.

        Jobs of the same ``detections`` and ``seed`` hold the same labels, so they share one
        copy (the fake never changes a stored label): a hundred such jobs cost one in memory.
        """
        key = (detections, seed)
        with self._lock:
            generated = self._synthetic.get(key)
        if generated is None:
            generated = synthetic_response(detections, seed=seed, job_id=job_id)
            with self._lock:
                generated = self._synthetic.setdefault(key, generated)
        self._store(job_id, {**generated, "JobId": job_id}, in_progress_polls)

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
        labels of ``response`` (a whole job: a page with a NextToken is refused); or, when
        ``failed`` is a message, FAILED with that StatusMessage. The default: one IN_PROGRESS
        poll, then 2345 labels.
        """
        self._starts.configure(
            StartSettings.checked(detections, in_progress_polls, in_progress_s, response, failed)
        )

    # -- faults and observation ---------------------------------------------------------------

    def inject(self, schedule: Iterable[str | None]) -> None:
        """Append one fault (or ``None``) per coming call; calls past the schedule are served.

        Raises ValueError on an entry outside the vocabulary (see ``rekolabels.testing._faults``).
        """
        entries = Faults.checked(schedule)
        with self._lock:
            self._faults.extend(entries)

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
        with self._lock:
            self._faults.set_rates(exclusive, latency, latency_s)

    def quota(self, tps: float | None, *, clock: Any = None) -> None:
        """Meter GetLabelDetection like the account's TPS quota: one token bucket for all jobs.

        Refilled at ``tps`` tokens per second, holding at most ``tps`` (at least one), full
        now; a call that finds it empty is answered ThrottlingException (HTTP 500, as the fake's
        other throttles), before any scheduled fault, and counted in
        ``fault_counts["quota"]``. ``clock`` is an object with ``monotonic()`` (e.g.
        ``FakeClock``; default: the real time). ``quota(None)`` lifts the quota.
        """
        metered = None if tps is None else Quota(tps, clock)
        with self._lock:
            self._quota = metered

    @property
    def fault_counts(self) -> dict[str, int]:
        """How many of each fault (scheduled or drawn) the fake has served, ``"latency"``, and
        ``"quota"`` (calls the quota throttled)."""
        with self._lock:
            return dict(self._faults.counts)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The last ``REQUESTS_KEPT`` (100) request bodies, parsed, oldest first (faulted calls
        included); a copy. ``request_count`` says how many there were in all."""
        with self._lock:
            return list(self._requests)

    @property
    def request_count(self) -> int:
        """How many requests the fake has answered (or faulted), since it was made."""
        with self._lock:
            return self._request_count

    # -- completion notifications ---------------------------------------------------------------

    def publish_to(self, sns_client: Any) -> None:
        """Publish the completion message of every job started with a NotificationChannel,
        when it finishes, to that channel's SNSTopicArn through ``sns_client``.

        A boto3 SNS client, e.g. on moto's SNS inside ``mock_aws``, whose SNS -> SQS
        subscriptions then deliver it. A job finishes once both its IN_PROGRESS polls and its
        seconds (``configure_start``) have passed; with 0 polls it finishes by the clock alone,
        unpolled. The message is AWS's: ``{"JobId", "Status", "API": "StartLabelDetection",
        "JobTag" (only when set), "Timestamp" (ms), "Video": {"S3ObjectName", "S3Bucket"}}``.
        See ``rekolabels.testing._notify``.
        """
        self._notifier.publish_to(sns_client)

    @property
    def notifications(self) -> list[str]:
        """The text of every completion message, published or not, in the order the jobs
        finished; a copy."""
        return self._notifier.notifications

    # -- transports ---------------------------------------------------------------------------

    @property
    def client(self) -> RekognitionClient:
        """A real boto3 ``rekognition`` client (dummy credentials, botocore retries off) on it.

        Its endpoint, ``https://rekognition.fake.invalid``, is no AWS host and can never
        resolve: nothing it sends could leave the machine, and moto's ``mock_aws`` leaves it
        to the fake.
        """
        with self._lock:
            if self._client is None:
                self._client = new_client(endpoint_url=CLIENT_ENDPOINT)
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
        """Stop the HTTP server (if serving) and close ``client``; the jobs stay. Completion
        messages still waiting for their job's seconds are cancelled (never published)."""
        self._notifier.close()
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
        """Answer every Rekognition request ``client`` sends from this fake, in-process.

        The fake's handler goes first among the client's ``before-send`` handlers, so its
        answer is the one botocore uses. botocore still calls the others: inside moto's
        ``mock_aws``, moto's raises NotImplementedError for a client on an AWS endpoint, so
        there use ``client`` or give yours a non-AWS ``endpoint_url``.
        """
        attach(client, self.handle)

    # -- the protocol -------------------------------------------------------------------------

    def handle(self, operation: str, params: dict[str, Any]) -> Reply:
        """Answer one request: record it, throttle it if the quota is spent, apply the next fault
        (scheduled, else drawn from the rates) and any added latency, else serve
        GetLabelDetection or StartLabelDetection."""
        with self._lock:
            self._requests.append(params)
            self._request_count += 1
            request_id = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
            quota = self._quota
            if operation == "GetLabelDetection" and quota is not None and not quota.take():
                self._faults.counts["quota"] += 1
                return error_reply(
                    request_id,
                    "ThrottlingException",
                    "Rate exceeded.",
                    FAULT_CODES["ThrottlingException"],
                )
            fault, delay = self._faults.next()
            job = None
            in_progress = False
            if (fault is None or fault in PAGE_FAULTS) and operation == "GetLabelDetection":
                job, in_progress = self._jobs.poll(params)
                if job is not None:
                    self._notifier.polled(params["JobId"], job)
        if delay:
            time.sleep(delay)
        if fault in TRANSPORT_FAULTS:
            return Reply(0, {}, b"", fault=fault)
        if fault is not None and fault not in PAGE_FAULTS:
            code = fault.partition(":")[0]
            return error_reply(request_id, code, f"Injected {code}.", reply_status(fault))
        try:
            if operation == "GetLabelDetection":
                page = label_page(params, job, in_progress, self._tokens)
            elif operation == "StartLabelDetection":
                page = self._start_label_detection(params)
            else:
                raise BadRequest(
                    "UnknownOperationException", f"The fake does not implement {operation}."
                )
            if fault == "repeat_token" and "NextToken" in params:
                page["NextToken"] = params["NextToken"]
        except BadRequest as exc:
            return error_reply(request_id, exc.code, exc.message, FAULT_CODES.get(exc.code, 400))
        body = json.dumps(page, separators=(",", ":")).encode()
        if fault == "truncated":
            body = body[: len(body) // 2]
        return Reply(200, {"x-amzn-RequestId": request_id, "content-type": CONTENT_TYPE}, body)

    def _start_label_detection(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = check_channel(params)
        page = self._starts.start(params)
        if channel is not None:
            with self._lock:
                job = self._jobs.get(page["JobId"])
                if job is not None:
                    self._notifier.started(page["JobId"], job, channel)
        return page
