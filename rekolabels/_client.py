"""LabelDetectionClient: typed, paginated, retried GetLabelDetection over a boto3 client.

One retry owner: the boto3 client rekolabels builds has botocore's retries off and tenacity
(``RetryPolicy``) retries. A client you pass in is used as configured; if its botocore retries
are on (boto3's default), the budgets multiply: up to botocore attempts x ``max_attempts``
calls per page.

Thread-safe: boto3 clients are thread-safe, and a LabelDetectionClient keeps no per-call state
(each iteration owns its own tokens), so one instance may serve many threads.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError
from tenacity import Retrying

from ._errors import (
    InvalidArgumentError,
    JobInProgressError,
    PaginationLoopError,
    RekolabelsError,
    ResponseValidationError,
    ThrottledError,
    map_client_error,
)
from ._models import (
    GetLabelDetectionResponse,
    LabelDetection,
    LabelDetectionAggregateBy,
    LabelDetectionSortBy,
    VideoJobStatus,
)
from ._rawpage import MODELS, Reader, Seen, install, read
from ._retry import _SYSTEM_CLOCK, NO_BOTOCORE_RETRIES, Clock, RetryPolicy, _should_retry
from ._sqs import _Queue
from ._table import _HINT as _ARROW_HINT
from ._table import LabelTable, columns, merge_tables
from ._wait import POLL_INTERVAL_S, QUEUE_POLL_INTERVAL_S, Wait, raise_if_failed

if TYPE_CHECKING:
    from types_boto3_rekognition import RekognitionClient

__all__ = ["Clock", "LabelDetectionClient", "check_job_id", "merge_pages"]

_JOB_ID = re.compile(r"[a-zA-Z0-9_-]+")
_JOB_ID_MAX = 64
_NEXT_TOKEN_MAX = 255
# MaxResults is an Integer in the service model: larger values cannot be sent. Values above
# 1000 are accepted and capped by AWS (its documented behaviour), not by us.
_MAX_RESULTS_MAX = 2**31 - 1
_SORT_BY = frozenset(m.value for m in LabelDetectionSortBy)
_AGGREGATE_BY = frozenset(m.value for m in LabelDetectionAggregateBy)
P = TypeVar("P")


class _Pacer(Protocol):
    """Paces every call of a ``_paced`` client: ``export_jobs``' shared token bucket."""

    def acquire(self) -> None:
        """Wait for a token before a call (each attempt, retries included); may raise to stop."""

    def throttled(self) -> None:
        """The call just made was throttled (ThrottlingException or ProvisionedThroughput...)."""

    def sleep(self, seconds: float) -> None:
        """The backoff between attempts (may end early when the pacer is stopping)."""


class LabelDetectionClient:
    """Read Rekognition Video label detection results: typed pages, lazy, retried.

    Args:
        client: a boto3 ``rekognition`` client; by default one is built from the environment
            with botocore's retries off. Yours is used as is (its retry config included).
        retry: how to retry throttling, 5xx, connection errors and unreadable responses;
            fixed for the client's life (``retry`` is read-only: make another client to change
            it).
        clock: the time ``wait_for_job`` and the backoff use: an object with ``monotonic()``
            and ``sleep(seconds)``; by default the real one. Tests pass
            ``rekolabels.testing.FakeClock()`` so that nothing really sleeps.
        raw_pages: validate each 200 body's bytes straight into a typed page (the fast path, a
            ``before-parse`` handler acting only inside this object's calls). ``False`` leaves
            every body to botocore's parser (slower, same pages); the handler then only notes
            each response's HTTP status and request id, to report a body botocore cannot parse.
    """

    __module__ = "rekolabels"  # where users import it from (reprs, tracebacks)

    _pacer: _Pacer | None = None

    def __init__(
        self,
        client: RekognitionClient | None = None,
        *,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        raw_pages: bool = True,
    ) -> None:
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy, not {type(retry).__name__}")
        if clock is not None and not (
            callable(getattr(clock, "monotonic", None)) and callable(getattr(clock, "sleep", None))
        ):
            raise TypeError(
                f"clock must have monotonic() and sleep(seconds), not {type(clock).__name__}"
            )
        if not isinstance(raw_pages, bool):
            raise TypeError(f"raw_pages must be a bool, not {type(raw_pages).__name__}")
        if client is None:
            try:
                client = boto3.client("rekognition", config=NO_BOTOCORE_RETRIES)
            except BotoCoreError as exc:  # no region configured
                map_client_error(exc)
        else:
            _check_client(client)
        self._client: RekognitionClient = client
        # Typed pages straight from the response bytes, for this object's calls only: see _rawpage.
        install(client)
        self._raw_pages = raw_pages
        self._retry = retry if retry is not None else RetryPolicy()
        self._clock: Clock = clock if clock is not None else _SYSTEM_CLOCK
        self._retrying = self._retry.retrying(self._clock.sleep)

    @classmethod
    def from_session(
        cls,
        session: boto3.Session | None = None,
        *,
        region_name: str | None = None,
        profile_name: str | None = None,
        endpoint_url: str | None = None,
        config: Config | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        raw_pages: bool = True,
    ) -> LabelDetectionClient:
        """Build the boto3 client from a session (default: a new one for ``profile_name``).

        botocore's retries are off unless ``config`` sets ``retries`` itself; then both layers
        retry and the budgets multiply.
        """
        if session is not None and profile_name is not None:
            raise InvalidArgumentError("profile_name: pass it or a session, not both")
        merged = NO_BOTOCORE_RETRIES.merge(config) if config is not None else NO_BOTOCORE_RETRIES
        try:
            if session is None:
                session = boto3.Session(profile_name=profile_name)
            client = session.client(
                "rekognition", region_name=region_name, endpoint_url=endpoint_url, config=merged
            )
        except BotoCoreError as exc:  # unknown profile, no region
            map_client_error(exc)
        except ValueError as exc:  # botocore's word for a malformed endpoint URL
            raise InvalidArgumentError(f"endpoint_url: {exc}") from exc
        return cls(client, retry=retry, clock=clock, raw_pages=raw_pages)

    @property
    def client(self) -> RekognitionClient:
        """The underlying boto3 client."""
        return self._client

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy every call of this client uses (read-only)."""
        return self._retry

    @property
    def raw_pages(self) -> bool:
        """Whether 200 bodies are validated straight from their bytes (read-only)."""
        return self._raw_pages

    def __repr__(self) -> str:
        region = self._client.meta.region_name
        raw = "" if self.raw_pages else ", raw_pages=False"
        return f"LabelDetectionClient(region_name={region!r}, retry={self.retry!r}{raw})"

    # -- reading -----------------------------------------------------------------------------

    def get_page(
        self,
        job_id: str,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
        sort_by: Literal["NAME", "TIMESTAMP"] | LabelDetectionSortBy | None = None,
        aggregate_by: Literal["TIMESTAMPS", "SEGMENTS"] | LabelDetectionAggregateBy | None = None,
    ) -> GetLabelDetectionResponse:
        """One GetLabelDetection call (retried), whatever the job's status.

        Raises ResponseValidationError if the page is for another job than ``job_id`` (a page
        without JobId is accepted).
        """
        params = _request(job_id, max_results, next_token, sort_by, aggregate_by)
        return self._get(params, self._retrying)

    def iter_pages(
        self,
        job_id: str,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
        sort_by: Literal["NAME", "TIMESTAMP"] | LabelDetectionSortBy | None = None,
        aggregate_by: Literal["TIMESTAMPS", "SEGMENTS"] | LabelDetectionAggregateBy | None = None,
    ) -> Iterator[GetLabelDetectionResponse]:
        """Every page from ``next_token`` on, fetched lazily (one page in memory).

        Arguments are checked now, before any request. To checkpoint, store each page's
        ``next_token`` once you have handled the page; pass it back to resume after that page.
        A page without NextToken, or with an empty one, is the last. Only a SUCCEEDED job can
        be read: JobInProgressError / JobFailedError for IN_PROGRESS / FAILED, and
        ResponseValidationError for a status this release does not know (or a page of another
        job). PaginationLoopError if the service repeats a NextToken.
        """
        params = _request(job_id, max_results, next_token, sort_by, aggregate_by)
        return self._pages(params, MODELS)

    def iter_labels(
        self,
        job_id: str,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
        sort_by: Literal["NAME", "TIMESTAMP"] | LabelDetectionSortBy | None = None,
        aggregate_by: Literal["TIMESTAMPS", "SEGMENTS"] | LabelDetectionAggregateBy | None = None,
    ) -> Iterator[LabelDetection]:
        """Every LabelDetection of every page, in the service's order; lazy like iter_pages."""
        params = _request(job_id, max_results, next_token, sort_by, aggregate_by)
        return self._labels(params)

    def get_all(
        self,
        job_id: str,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
        sort_by: Literal["NAME", "TIMESTAMP"] | LabelDetectionSortBy | None = None,
        aggregate_by: Literal["TIMESTAMPS", "SEGMENTS"] | LabelDetectionAggregateBy | None = None,
    ) -> GetLabelDetectionResponse:
        """Every page merged into one response.

        Labels are concatenated in order; every other field, ResponseMetadata included, is the
        first page's; there is no NextToken.
        """
        params = _request(job_id, max_results, next_token, sort_by, aggregate_by)
        return merge_pages(self._pages(params, MODELS))

    def iter_tables(
        self,
        job_id: str,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
        sort_by: Literal["NAME", "TIMESTAMP"] | LabelDetectionSortBy | None = None,
        aggregate_by: Literal["TIMESTAMPS", "SEGMENTS"] | LabelDetectionAggregateBy | None = None,
    ) -> Iterator[LabelTable]:
        """Every page as a LabelTable, read from the response bytes (no model built); lazy.

        The columnar twin of ``iter_pages``: same requests, retries, errors and checks, one page
        in memory. Each table's ``job`` holds its page's job-level fields, ``job.next_token``
        included: store it once you have handled the table to resume after it. Needs the
        ``[arrow]`` extra (ImportError with the install hint, raised now, like a bad argument).
        """
        params = _request(job_id, max_results, next_token, sort_by, aggregate_by)
        return self._pages(params, _table_reader())

    def get_table(
        self,
        job_id: str,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
        sort_by: Literal["NAME", "TIMESTAMP"] | LabelDetectionSortBy | None = None,
        aggregate_by: Literal["TIMESTAMPS", "SEGMENTS"] | LabelDetectionAggregateBy | None = None,
    ) -> LabelTable:
        """Every page merged into one LabelTable, read from the response bytes (no model built).

        The columnar twin of ``get_all``: rows in the service's order; ``job`` is the first
        page's job-level fields, without NextToken. Needs the ``[arrow]`` extra.
        """
        params = _request(job_id, max_results, next_token, sort_by, aggregate_by)
        return merge_tables(self._pages(params, _table_reader()))

    def wait_for_job(
        self,
        job_id: str,
        *,
        timeout_s: float = 900.0,
        poll_interval_s: float | None = None,
        queue_url: str | None = None,
        sqs_client: Any = None,
    ) -> GetLabelDetectionResponse:
        """Wait until the job succeeds; return a SUCCEEDED response (MaxResults=1).

        Without ``queue_url``, polls GetLabelDetection every ``poll_interval_s`` (default 5 s).
        With the URL of an SQS queue subscribed to the job's SNS topic, waits for the job's
        completion notification there (long polls, ``sqs_client`` or one from the
        environment), confirmed by one GetLabelDetection call; other jobs' notifications are
        left on the queue, visible again after a few seconds. GetLabelDetection is still polled
        every ``poll_interval_s`` (default 60 s) as a safety net, for a topic that cannot
        publish. Raises JobFailedError if the job fails and WaitTimeoutError at the deadline:
        no sleep, long poll or retry backoff runs past it.
        """
        params = _request(job_id, 1, None, None, None)
        _check_seconds("timeout_s", timeout_s, allow_zero=True)
        if poll_interval_s is None:
            poll_interval_s = POLL_INTERVAL_S if queue_url is None else QUEUE_POLL_INTERVAL_S
        _check_seconds("poll_interval_s", poll_interval_s, allow_zero=False)
        if queue_url is None and sqs_client is not None:
            raise InvalidArgumentError("sqs_client: pass queue_url too, the queue to read")
        wait = Wait(self._get, params, timeout_s, self._retry, self._clock)
        if queue_url is None:
            return wait.polling(poll_interval_s)
        queue = _Queue(queue_url, sqs_client, self._retry, self._clock.sleep, wait.deadline)
        return wait.on_queue(queue, poll_interval_s)

    # -- internals ---------------------------------------------------------------------------

    def _paced(self, pacer: _Pacer) -> LabelDetectionClient:
        """A copy of this client (same boto3 client, retry policy and clock) whose every call,
        retries included, first takes a token from ``pacer`` and tells it when the call was
        throttled; its backoff sleeps through ``pacer.sleep``. tenacity still owns retrying:
        the pacer only decides when each attempt may go.
        """
        paced = copy.copy(self)
        paced._pacer = pacer
        paced._retrying = self._retry.retrying(pacer.sleep)
        return paced

    def _pages(self, params: dict[str, Any], reader: Reader[P]) -> Iterator[P]:
        """Every page from ``params`` on, read by ``reader``: the one paging loop of both paths."""
        seen = {params["NextToken"]} if "NextToken" in params else set()
        while True:
            page = self._read(params, self._retrying, reader)
            job = reader.job(page)
            if job.job_status != VideoJobStatus.SUCCEEDED:
                _raise_not_succeeded(params["JobId"], job)
            token = job.next_token
            del job
            yield page
            # Drop this page before fetching the next, so that only one is ever held here.
            del page
            if not token:  # absent or "": the last page
                return
            if token in seen:
                raise PaginationLoopError(
                    f"job {params['JobId']}: the service returned a NextToken it had already "
                    "returned; following it would loop"
                )
            seen.add(token)
            params = {**params, "NextToken": token}

    def _labels(self, params: dict[str, Any]) -> Iterator[LabelDetection]:
        for page in self._pages(params, MODELS):
            labels = page.labels or []
            # Hold neither the page nor its labels while the next page is fetched: streaming
            # memory is one page, not two.
            del page
            yield from labels
            del labels

    def _get(self, params: dict[str, Any], retrying: Retrying) -> GetLabelDetectionResponse:
        """One typed page (retried): what ``get_page`` and the waiter call."""
        return self._read(params, retrying, MODELS)

    def _read(self, params: dict[str, Any], retrying: Retrying, reader: Reader[P]) -> P:
        started = self._clock.monotonic()
        try:
            page: P = retrying(self._call, params, reader)
        except RekolabelsError as exc:
            if _should_retry(exc):  # retryable, so the retries ran out: say how hard we tried
                exc.attempts = retrying.statistics.get("attempt_number", 1)
                exc.elapsed_s = self._clock.monotonic() - started
            raise
        return page

    def _call(self, params: dict[str, Any], reader: Reader[P]) -> P:
        """One attempt: whatever it raises leaves here as a RekolabelsError (map_client_error).

        A paced client (``export_jobs``) takes a token first and reports a throttle after.
        """
        pacer = self._pacer
        if pacer is not None:
            pacer.acquire()
        seen = Seen()
        try:
            page = read(self._client, params, seen, reader, raw_pages=self._raw_pages)
        except Exception as exc:
            try:
                map_client_error(
                    exc, http_status=seen.http_status, request_id=seen.request_id, body=seen.body
                )
            except ThrottledError:
                if pacer is not None:
                    pacer.throttled()
                raise
        job_id = reader.job(page).job_id
        if job_id is not None and job_id != params["JobId"]:
            raise ResponseValidationError(
                f"asked for job {params['JobId']} but the response is for job {job_id!r}"
            )
        return page


def merge_pages(pages: Iterable[GetLabelDetectionResponse]) -> GetLabelDetectionResponse:
    """Pages of one job as one response, as ``get_all`` returns it.

    Labels are concatenated in order; every other field, ResponseMetadata included, is the
    first page's; there is no NextToken. Pages are consumed as they come (one may be a lazy
    ``iter_pages``), and nothing is re-validated.
    """
    first: GetLabelDetectionResponse | None = None
    labels: list[LabelDetection] = []
    for page in pages:
        if first is None:
            first = page
        labels.extend(page.labels or ())
    if first is None:
        raise InvalidArgumentError("pages: there is no page to merge")
    # model_fields_set also names the extras, which model_extra passes on.
    declared = first.model_fields_set & GetLabelDetectionResponse.model_fields.keys()
    fields = {name: getattr(first, name) for name in declared}
    fields.pop("next_token", None)
    fields["labels"] = labels
    return GetLabelDetectionResponse.model_construct(
        _fields_set=set(fields), **fields, **(first.model_extra or {})
    )


def _table_reader() -> Reader[LabelTable]:
    """The LabelTable reader (``_tabledecode``): imports pyarrow, with the install hint."""
    columns()  # ImportError with the hint when pyarrow is missing
    try:
        from ._tabledecode import TABLES
    except ImportError as exc:  # pragma: no cover - pyarrow without its JSON reader
        raise ImportError(f"{_ARROW_HINT} ({exc})") from exc
    return TABLES


def _is_rekognition_client(client: object) -> bool:
    meta = getattr(client, "meta", None)
    return getattr(getattr(meta, "service_model", None), "service_name", None) == "rekognition"


def _check_client(client: object) -> None:
    """TypeError now, naming ``client``, rather than an AttributeError on the first call."""
    if _is_rekognition_client(client):
        return
    # A FakeRekognition or a LabelDetectionClient holds the boto3 client wanted here.
    inner = getattr(client, "client", None)
    hint = "; pass its .client" if _is_rekognition_client(inner) else ""
    raise TypeError(f"client must be a boto3 rekognition client, not {type(client).__name__}{hint}")


def _raise_not_succeeded(job_id: str, page: GetLabelDetectionResponse) -> None:
    """Only a SUCCEEDED job's labels are all there: raise for any other status, known or not."""
    if page.job_status == VideoJobStatus.IN_PROGRESS:
        raise JobInProgressError(f"job {job_id} is still IN_PROGRESS")
    raise_if_failed(job_id, page)
    raise ResponseValidationError(
        f"job {job_id} has JobStatus {str(page.job_status)[:80]!r}, which this release of "
        "rekolabels does not know; only a SUCCEEDED job can be read (get_page shows the response)"
    )


def check_job_id(job_id: object) -> str:
    """``job_id`` if the service model allows it: 1-64 characters of [a-zA-Z0-9_-], in full."""
    if not isinstance(job_id, str):
        raise TypeError(f"job_id must be a str, not {type(job_id).__name__}")
    if not 1 <= len(job_id) <= _JOB_ID_MAX or not _JOB_ID.fullmatch(job_id):
        raise InvalidArgumentError(
            f"job_id must be 1-{_JOB_ID_MAX} characters from [a-zA-Z0-9_-], got {job_id[:80]!r}"
        )
    return job_id


def _request(
    job_id: object,
    max_results: object,
    next_token: object,
    sort_by: object,
    aggregate_by: object,
) -> dict[str, Any]:
    """The GetLabelDetection parameters, checked against the service model's limits."""
    params: dict[str, Any] = {"JobId": check_job_id(job_id)}
    if max_results is not None:
        if isinstance(max_results, bool) or not isinstance(max_results, int):
            raise TypeError(f"max_results must be an int, not {type(max_results).__name__}")
        if not 1 <= max_results <= _MAX_RESULTS_MAX:
            raise InvalidArgumentError(
                f"max_results must be >= 1 (AWS returns at most 1000 per page), got {max_results}"
            )
        params["MaxResults"] = max_results
    if next_token is not None:
        if not isinstance(next_token, str):
            raise TypeError(f"next_token must be a str, not {type(next_token).__name__}")
        if not 1 <= len(next_token) <= _NEXT_TOKEN_MAX:
            raise InvalidArgumentError(
                f"next_token must be 1-{_NEXT_TOKEN_MAX} characters, got {len(next_token)}"
            )
        params["NextToken"] = next_token
    if sort_by is not None:
        params["SortBy"] = _enum_value("sort_by", sort_by, _SORT_BY)
    if aggregate_by is not None:
        params["AggregateBy"] = _enum_value("aggregate_by", aggregate_by, _AGGREGATE_BY)
    return params


def _enum_value(name: str, value: object, allowed: frozenset[str]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str or enum member, not {type(value).__name__}")
    plain = str.__str__(value)
    if plain not in allowed:
        raise InvalidArgumentError(f"{name} must be one of {sorted(allowed)}, got {plain!r}")
    return plain


def _check_seconds(name: str, value: object, *, allow_zero: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise InvalidArgumentError(f"{name} must be finite and {bound}, got {value}")
