"""Reliability: LabelDetectionClient against the fake under seeded faults, in-process and HTTP.

Within the retry budget every label arrives exactly once, in order (both SortBy orders); beyond
it, a typed error and never a silent partial result: the labels yielded before the error are
exactly the pages served before the failing one. Every loop is bounded; the figures go to the
test report (``record_property``) and, with ``-s``, to stdout.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pytest
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError

import rekolabels as rl
from rekolabels.testing import FakeRekognition, new_client
from rekolabels.testing._synthetic import synthetic_response

from .helpers import RETRYABLE_FAULTS, run_in_threads

DETECTIONS = 130
PAGE = 40
PAGES = -(-DETECTIONS // PAGE)
ATTEMPTS = 4
SCHEDULES = 300
BEYOND = 60
ZERO_BACKOFF = rl.RetryPolicy(max_attempts=ATTEMPTS, initial_backoff_s=0, max_backoff_s=0)
ORDERS: tuple[Literal["TIMESTAMP", "NAME"], ...] = ("TIMESTAMP", "NAME")
# Over HTTP a "timeout" fault costs the client's read timeout, and a read timeout short enough
# to be cheap also fires on an ordinary reply when the machine is loaded. So the HTTP client of
# the seeded suites is patient and their timeouts become dropped connections; timeouts over
# HTTP have their own few calls with an impatient client (test_timeouts_over_http_...).
READ_TIMEOUT_S = 30.0
IMPATIENT_S = 0.3

RETRYABLE = [*RETRYABLE_FAULTS, "timeout"]
# The call that succeeds: served at once, or late (latency is no failure at all).
SERVED: list[str | None] = [None, None, None, "latency:0.002"]
EXHAUSTED = {
    "ThrottlingException": rl.ThrottledError,
    "ThrottlingException:400": rl.ThrottledError,
    "ProvisionedThroughputExceededException": rl.ThrottledError,
    "InternalServerError": rl.InternalServiceError,
    "InternalServerError:503": rl.InternalServiceError,
    "connection": rl.ServiceUnavailableError,
    "timeout": rl.ServiceTimeoutError,
    "truncated": rl.ResponseValidationError,
}
FATAL = {
    "AccessDeniedException": rl.AccessDeniedError,
    "InvalidParameterException": rl.InvalidParameterError,
    "ResourceNotFoundException": rl.JobNotFoundError,
    "InvalidPaginationTokenException": rl.InvalidPaginationTokenError,
}


@dataclass
class Transport:
    name: str
    fake: FakeRekognition
    client: Any
    expected: list[dict[str, Any]]
    by_name: list[dict[str, Any]]


@pytest.fixture(scope="module", params=["in-process", "http"])
def transport(request: pytest.FixtureRequest) -> Iterator[Transport]:
    response = synthetic_response(DETECTIONS, seed=11, job_id="job-1")
    expected = list(response["Labels"])
    models = [rl.LabelDetection.model_validate(d) for d in expected]
    by_name = [d.to_boto3() for d in rl.sort_labels(models, "NAME")]
    assert by_name != expected
    with FakeRekognition(seed=1) as fake:
        fake.add_job("job-1", response)
        if request.param == "http":
            config = Config(read_timeout=READ_TIMEOUT_S, connect_timeout=2)
            client = new_client(endpoint_url=fake.serve(), config=config)
        else:
            client = fake.client
        try:
            yield Transport(request.param, fake, client, expected, by_name)
        finally:
            client.close()


def report(record: Any, name: str, **figures: Any) -> None:
    for key, value in figures.items():
        record(f"{name}.{key}", value)
    print(f"\n{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def within_budget(rng: random.Random, http: bool) -> list[list[str | None]]:
    """Per page: up to ATTEMPTS - 1 retryable faults, then the call that succeeds."""
    pages: list[list[str | None]] = []
    for _ in range(PAGES):
        faults: list[str | None] = [
            rng.choice(RETRYABLE) for _ in range(rng.randint(0, ATTEMPTS - 1))
        ]
        if http:  # see READ_TIMEOUT_S
            faults = [f if f != "timeout" else "connection" for f in faults]
        pages.append([*faults, rng.choice(SERVED)])
    return pages


def test_within_budget_every_label_once_in_order(
    transport: Transport, record_property: Any
) -> None:
    lc = rl.LabelDetectionClient(transport.client, retry=ZERO_BACKOFF)
    clean: dict[str, list[dict[str, Any]]] = {}
    for sort_by in ORDERS:  # the requests of a fault-free read
        before = transport.fake.request_count
        list(lc.iter_labels("job-1", max_results=PAGE, sort_by=sort_by))
        clean[sort_by] = transport.fake.requests[before - transport.fake.request_count :]
        assert len(clean[sort_by]) == PAGES
    rng = random.Random(f"within:{transport.name}")
    faults: Counter[str] = Counter()
    calls = 0
    started = time.monotonic()
    for number in range(SCHEDULES):
        pages = within_budget(rng, transport.name == "http")
        schedule = [entry for page in pages for entry in page]
        before = transport.fake.request_count
        transport.fake.inject(schedule)
        sort_by = ORDERS[number % 2]
        labels = lc.iter_labels("job-1", max_results=PAGE, sort_by=sort_by)
        got = [d.to_boto3() for d in labels]
        assert got == (transport.expected if sort_by == "TIMESTAMP" else transport.by_name)
        made = transport.fake.request_count - before
        requests = transport.fake.requests[-made:]  # at most 4 pages x 4 calls: all kept
        # Exactly one call per schedule entry: nothing skipped, nothing repeated.
        assert made == len(schedule)
        # A retry re-sends the same request: collapsing repeats gives the fault-free sequence.
        collapsed = [r for i, r in enumerate(requests) if i == 0 or r != requests[i - 1]]
        assert collapsed == clean[sort_by]
        calls += made
        faults.update(f.partition(":")[0] for f in schedule if f is not None)
        faults.pop("latency", None)
        assert time.monotonic() - started < 60
    report(
        record_property,
        f"within-budget[{transport.name}]",
        schedules=SCHEDULES,
        calls=calls,
        faults=sum(faults.values()),
        by_kind=dict(sorted(faults.items())),
        seconds=round(time.monotonic() - started, 2),
    )


def drain(labels: Iterator[rl.LabelDetection], into: list[dict[str, Any]]) -> None:
    """Keep what arrives before an error, to prove it is whole pages only."""
    for det in labels:
        into.append(det.to_boto3())


def beyond_budget(rng: random.Random, http: bool) -> tuple[list[str | None], int, str]:
    """Pages before ``failing`` succeed (with retries); ``failing`` never does."""
    failing = rng.randrange(PAGES)
    schedule: list[str | None] = []
    for page in within_budget(rng, http)[:failing]:
        schedule.extend(page)
    if rng.random() < 0.25:
        last = rng.choice(sorted(FATAL))
        schedule.append(last)
    else:
        last = rng.choice(sorted(EXHAUSTED))
        if http and last == "timeout":  # see READ_TIMEOUT_S
            last = "connection"
        # Mixed retryable faults, the last one decides the error type.
        schedule.extend(rng.choice(sorted(EXHAUSTED)) for _ in range(ATTEMPTS - 1))
        if http:
            schedule = [f if f != "timeout" else "InternalServerError" for f in schedule]
        schedule.append(last)
    return schedule, failing, last


def test_beyond_budget_a_typed_error_never_a_partial_result(
    transport: Transport, record_property: Any
) -> None:
    lc = rl.LabelDetectionClient(transport.client, retry=ZERO_BACKOFF)
    rng = random.Random(f"beyond:{transport.name}")
    errors: Counter[str] = Counter()
    calls = 0
    started = time.monotonic()
    for _ in range(BEYOND):
        schedule, failing, last = beyond_budget(rng, transport.name == "http")
        before = transport.fake.request_count
        transport.fake.inject(schedule)
        got: list[dict[str, Any]] = []
        with pytest.raises(rl.RekolabelsError) as info:
            drain(lc.iter_labels("job-1", max_results=PAGE), got)
        expected_error = FATAL.get(last) or EXHAUSTED[last]
        assert isinstance(info.value, expected_error), (last, info.value)
        # Whole pages only, exactly those served before the failing one.
        assert got == transport.expected[: failing * PAGE]
        made = transport.fake.request_count - before
        assert made == len(schedule)
        calls += made
        errors[type(info.value).__name__] += 1
        assert time.monotonic() - started < 60
    report(
        record_property,
        f"beyond-budget[{transport.name}]",
        schedules=BEYOND,
        calls=calls,
        errors=dict(sorted(errors.items())),
        seconds=round(time.monotonic() - started, 2),
    )


def test_a_repeated_token_is_a_loop_error_after_whole_pages(transport: Transport) -> None:
    lc = rl.LabelDetectionClient(transport.client, retry=ZERO_BACKOFF)
    transport.fake.inject([None, "repeat_token"])
    got: list[dict[str, Any]] = []
    with pytest.raises(rl.PaginationLoopError):
        drain(lc.iter_labels("job-1", max_results=PAGE), got)
    assert got == transport.expected[: 2 * PAGE]


def test_timeouts_over_http_are_retried_then_a_service_timeout_error() -> None:
    with FakeRekognition(seed=2) as fake:
        fake.add_synthetic_job("job-1", detections=5, seed=1)
        config = Config(read_timeout=IMPATIENT_S, connect_timeout=2)
        client = new_client(endpoint_url=fake.serve(), config=config)
        try:
            lc = rl.LabelDetectionClient(client, retry=ZERO_BACKOFF)
            fake.inject(["timeout", None])
            assert len(lc.get_page("job-1").labels or []) == 5
            fake.inject(["timeout"] * ATTEMPTS)
            started = time.monotonic()
            with pytest.raises(rl.ServiceTimeoutError) as info:
                lc.get_page("job-1")
            assert isinstance(info.value.__cause__, ReadTimeoutError)
            assert len(fake.requests) == 2 + ATTEMPTS
            assert IMPATIENT_S * ATTEMPTS <= time.monotonic() - started < 30
            assert fake.fault_counts == {"timeout": 1 + ATTEMPTS}
        finally:
            client.close()


def test_eight_threads_one_client_over_http(record_property: Any) -> None:
    jobs = {f"job-{i}": synthetic_response(700 + 37 * i, seed=i) for i in range(8)}
    expected = {job_id: list(r["Labels"]) for job_id, r in jobs.items()}
    with FakeRekognition(seed=8) as fake:
        for job_id, response in jobs.items():
            fake.add_job(job_id, response)
        fake.fault_rate(throttling=0.15, internal=0.05, drop=0.05, truncated=0.05, latency=0.1,
                        latency_s=0.005)  # fmt: skip
        client = new_client(
            endpoint_url=fake.serve(),
            config=Config(read_timeout=5, connect_timeout=2, max_pool_connections=16),
        )
        try:
            retry = rl.RetryPolicy(max_attempts=20, initial_backoff_s=0, max_backoff_s=0)
            lc = rl.LabelDetectionClient(client, retry=retry)
            results: dict[str, list[dict[str, Any]]] = {}
            failures: list[BaseException] = []

            def read(job_id: str) -> None:
                try:
                    results[job_id] = [d.to_boto3() for d in lc.iter_labels(job_id, max_results=50)]
                except BaseException as exc:
                    failures.append(exc)

            started = time.monotonic()
            run_in_threads(read, jobs)
            assert failures == []
            assert results == expected
            faults = fake.fault_counts
            report(
                record_property,
                "eight-threads[http]",
                jobs=len(jobs),
                labels=sum(len(v) for v in expected.values()),
                calls=fake.request_count,
                faults=sum(v for k, v in faults.items() if k != "latency"),
                by_kind=dict(sorted(faults.items())),
                seconds=round(time.monotonic() - started, 2),
            )
        finally:
            client.close()


@pytest.mark.parametrize("sort_by", ["TIMESTAMP", "NAME"])
def test_boto3_pages_a_served_job_exactly_as_iter_labels(
    sort_by: Literal["TIMESTAMP", "NAME"],
) -> None:
    with FakeRekognition(seed=3) as fake:
        fake.add_synthetic_job("job-1", detections=2345, seed=5)
        client = new_client(endpoint_url=fake.serve())
        try:
            by_boto3: list[Mapping[str, object]] = []
            params: dict[str, Any] = {"JobId": "job-1", "SortBy": sort_by, "MaxResults": 300}
            for _ in range(100):
                page = client.get_label_detection(**params)
                assert page["GetRequestMetadata"]["SortBy"] == sort_by
                by_boto3.extend(page["Labels"])
                if "NextToken" not in page:
                    break
                params["NextToken"] = page["NextToken"]
            lc = rl.LabelDetectionClient(client, retry=ZERO_BACKOFF)
            ours = [d.to_boto3() for d in lc.iter_labels("job-1", sort_by=sort_by, max_results=300)]
            assert ours == by_boto3
            assert len(ours) == 2345
        finally:
            client.close()
