"""get_table / iter_tables: the model path's pages, retries, errors and checks, without models.

Each comparison runs the model path (get_all / iter_pages) and the table path (get_table /
iter_tables) through real boto3 clients against two FakeRekognition twins: same seed, same
jobs, same fault schedule, so both see the same bytes, request ids included. Both must give the
same rows (``tbl.labels()`` against the models), the same job-level fields, the same requests,
or the same error.
"""

from __future__ import annotations

import json
import logging
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")

import rekolabels as rl  # noqa: E402
from rekolabels._columns import SCHEMA  # noqa: E402
from rekolabels._table import job_only  # noqa: E402
from rekolabels.testing import FakeRekognition, http_response, new_client  # noqa: E402
from tests.helpers import (  # noqa: E402
    RECORDINGS,
    RETRYABLE_FAULTS,
    labels_of,
    load,
    run_in_threads,
    wire_body,
)
from tests.test_client import BAD_ARGUMENTS  # noqa: E402
from tests.test_tabledecode import for_schema  # noqa: E402

NO_WAIT = rl.RetryPolicy(initial_backoff_s=0, max_backoff_s=0)
GRANDTOUR = "boto3-2023-grandtour720-timestamps-v3.json"
SIZES = [None, 1000, 100, 7]
ORDERS = [
    {},
    {"sort_by": "NAME"},
    {"aggregate_by": "SEGMENTS"},
    {
        "sort_by": rl.LabelDetectionSortBy.NAME,
        "aggregate_by": rl.LabelDetectionAggregateBy.SEGMENTS,
    },
    {"sort_by": "TIMESTAMP", "aggregate_by": "TIMESTAMPS"},
]


class Twins:
    """Two fakes with the same seed and jobs: one for the model path, one for the table path."""

    def __init__(self, setup: Callable[[FakeRekognition], None], policy: rl.RetryPolicy = NO_WAIT):
        self.models_fake, self.tables_fake = FakeRekognition(seed=5), FakeRekognition(seed=5)
        setup(self.models_fake)
        setup(self.tables_fake)
        self.models = rl.LabelDetectionClient(self.models_fake.client, retry=policy)
        self.tables = rl.LabelDetectionClient(self.tables_fake.client, retry=policy)

    def inject(self, schedule: list[str | None]) -> None:
        self.models_fake.inject(schedule)
        self.tables_fake.inject(schedule)

    def whole(self, job_id: str, **kwargs: Any) -> tuple[Any, Any]:
        """(get_all's outcome, get_table's outcome), each described by ``described``."""
        return (
            described(lambda: self.models.get_all(job_id, **kwargs)),
            described(lambda: self.tables.get_table(job_id, **kwargs)),
        )

    def assert_whole_agrees(self, job_id: str, **kwargs: Any) -> Any:
        models, tables = self.whole(job_id, **kwargs)
        assert tables == models
        assert self.tables_fake.requests == self.models_fake.requests
        assert self.tables_fake.request_count == self.models_fake.request_count
        return models


def described(read: Callable[[], Any]) -> Any:
    """What a read gave, comparable across paths: (job-level fields as AWS JSON, every row as a
    LabelDetection dump), or (error type, message)."""
    try:
        result = read()
    except rl.RekolabelsError as exc:
        # The message without its "gave up after N attempts in T s" note: T is wall time.
        return type(exc), Exception.__str__(exc), exc.attempts
    except Exception as exc:
        return type(exc), str(exc)
    if isinstance(result, rl.LabelTable):
        assert result.arrow.schema.equals(SCHEMA)
        return result.job.to_boto3(), [d.to_boto3() for d in result.labels()]
    labels = for_schema(list(result.labels or []))
    return job_only(result).to_boto3(), [d.to_boto3() for d in labels]


def served(name: str) -> dict[str, Any]:
    """A recording served as a whole job: without the NextToken of the page it was (the fake
    refuses one page of a longer job as a job)."""
    return {k: v for k, v in load(name).items() if k != "NextToken"}


def recording_twins(name: str) -> Twins:
    return Twins(lambda fake: fake.add_job("job-1", served(name)))


# -- both paths agree ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", RECORDINGS)
def test_every_recording_at_every_page_size(name: str, size: int | None) -> None:
    twins = recording_twins(name)
    models = twins.assert_whole_agrees("job-1", max_results=size)
    if not isinstance(models[0], type):  # a SUCCEEDED job: its rows, not only an error
        assert len(models[1]) == len(load(name).get("Labels", []))


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: "-".join(map(str, o.values())) or "none")
@pytest.mark.parametrize("name", RECORDINGS)
def test_every_recording_in_every_order(name: str, order: dict[str, Any]) -> None:
    recording_twins(name).assert_whole_agrees("job-1", max_results=100, **order)


def test_a_page_size_of_one() -> None:
    twins = Twins(lambda fake: fake.add_job("job-1", load("made-v3-dominant-colors.json")))
    models = twins.assert_whole_agrees("job-1", max_results=1)
    assert len(models[1]) == twins.models_fake.request_count > 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    detections=st.integers(0, 1500),
    seed=st.integers(0, 2**16),
    size=st.sampled_from([None, 7, 100, 333, 1000]),
    order=st.sampled_from(ORDERS),
)
def test_synthetic_jobs(
    detections: int, seed: int, size: int | None, order: dict[str, Any]
) -> None:
    def setup(fake: FakeRekognition) -> None:
        fake.add_synthetic_job("syn", detections=detections, seed=seed)

    twins = Twins(setup)
    models = twins.assert_whole_agrees("syn", max_results=size, **order)
    assert not isinstance(models[0], type), models


@pytest.mark.parametrize("size", [None, 100, 7])
def test_iter_tables_gives_iter_pages_page_by_page(size: int | None) -> None:
    twins = recording_twins(GRANDTOUR)
    pages = list(twins.models.iter_pages("job-1", max_results=size))
    tables = list(twins.tables.iter_tables("job-1", max_results=size))
    assert len(tables) == len(pages)
    for page, table in zip(pages, tables, strict=True):
        assert table.job == job_only(page)
        assert table.job.next_token == page.next_token
        assert table.arrow.equals(rl.LabelTable.from_labels(page).arrow)
    assert twins.tables_fake.requests == twins.models_fake.requests


def test_get_table_merges_like_get_all() -> None:
    twins = recording_twins(GRANDTOUR)
    whole = twins.tables.get_table("job-1", max_results=300)
    assert whole.job.next_token is None
    assert "next_token" not in whole.job.model_fields_set
    first = twins.tables.get_page("job-1", max_results=300)  # the first page's fields
    assert first.next_token is not None
    expected = job_only(first).to_boto3()
    expected.pop("NextToken")
    got = whole.job.to_boto3()
    assert got.pop("ResponseMetadata")["HTTPStatusCode"] == 200
    expected.pop("ResponseMetadata")
    assert got == expected
    assert len(whole) == 855


def test_the_loopback_fake_once() -> None:
    with FakeRekognition(seed=5) as models_fake, FakeRekognition(seed=5) as tables_fake:
        for fake in (models_fake, tables_fake):
            fake.add_job("job-1", load(GRANDTOUR))
            fake.inject([None, "truncated", None, "ThrottlingException", None])
        models = rl.LabelDetectionClient(
            new_client(endpoint_url=models_fake.serve()), retry=NO_WAIT
        ).get_all("job-1", max_results=300)
        tables = rl.LabelDetectionClient(
            new_client(endpoint_url=tables_fake.serve()), retry=NO_WAIT
        ).get_table("job-1", max_results=300)
        assert tables_fake.requests == models_fake.requests
        assert tables_fake.request_count == 5
    assert tables.labels() == models.labels
    without_meta = {k: v for k, v in job_only(models).to_boto3().items() if k != "ResponseMetadata"}
    assert {
        k: v for k, v in tables.job.to_boto3().items() if k != "ResponseMetadata"
    } == without_meta


def test_raw_pages_off_reads_the_same_table_through_botocore() -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", load(GRANDTOUR))
    fast = rl.LabelDetectionClient(fake.client, retry=NO_WAIT)
    slow = rl.LabelDetectionClient(fake.client, retry=NO_WAIT, raw_pages=False)
    a, b = fast.get_table("job-1", max_results=400), slow.get_table("job-1", max_results=400)
    assert a.arrow.equals(b.arrow)
    assert a.job.model_copy(update={"response_metadata": None}) == b.job.model_copy(
        update={"response_metadata": None}
    )


def test_with_botocores_body_log_on_the_table_is_read_through_botocore(
    caplog: pytest.LogCaptureFixture,
) -> None:
    twins = recording_twins(GRANDTOUR)
    with caplog.at_level(logging.DEBUG, logger="botocore.parsers"):
        models, tables = twins.whole("job-1", max_results=500)
    assert tables == models
    assert any(b"Labels" in str(r.msg).encode() or "Labels" in r.getMessage()
               for r in caplog.records)  # fmt: skip


# -- the model path's checks -------------------------------------------------------------------


TABLE_READS: dict[str, Callable[[rl.LabelDetectionClient, str], Any]] = {
    "get_table": lambda lc, job_id: lc.get_table(job_id),
    "iter_tables": lambda lc, job_id: list(lc.iter_tables(job_id)),
}


@pytest.mark.parametrize("read", TABLE_READS)
def test_a_job_that_has_not_succeeded(read: str) -> None:
    fake = FakeRekognition()
    fake.add_job("running", load("made-in-progress-v3.json"))
    fake.add_job("failed", load("made-failed.json"))
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT)
    with pytest.raises(rl.JobInProgressError):
        TABLE_READS[read](lc, "running")
    with pytest.raises(rl.JobFailedError) as info:
        TABLE_READS[read](lc, "failed")
    assert info.value.status_message == load("made-failed.json")["StatusMessage"]
    assert len(fake.requests) == 2


class Replies:
    """A real boto3 client answered by a list of (status, body), one per call; the last repeats."""

    def __init__(self, *replies: tuple[int, bytes], attempts: int = 3) -> None:
        self.replies = replies
        self.calls = 0
        self.client = new_client()
        self.client.meta.events.register("before-send.rekognition", self.answer)
        policy = rl.RetryPolicy(max_attempts=attempts, initial_backoff_s=0, max_backoff_s=0)
        self.lc = rl.LabelDetectionClient(self.client, retry=policy)

    def answer(self, **_: Any) -> Any:
        status, body = self.replies[min(self.calls, len(self.replies) - 1)]
        self.calls += 1
        return http_response(status, body, {"x-amzn-RequestId": "rid-7"})

    def both(self, read_models: Callable[[Any], Any], read_tables: Callable[[Any], Any]) -> Any:
        """(model outcome, calls), (table outcome, calls), from the same replies."""
        self.calls = 0
        models = described(lambda: read_models(self.lc))
        model_calls, self.calls = self.calls, 0
        tables = described(lambda: read_tables(self.lc))
        return (models, model_calls), (tables, self.calls)


def page(status: str, **rest: Any) -> bytes:
    return wire_body({"JobId": "job-1", "JobStatus": status, "Labels": labels_of(3), **rest})


GOOD = page("SUCCEEDED")
THROTTLED = b'{"__type": "ThrottlingException", "message": "x"}'
WRONG_TYPES = b'{"JobStatus": "SUCCEEDED", "Labels": [{"Timestamp": "0"}]}'
SAME_OUTCOME = {
    "unknown status": [(200, page("PAUSED"))],
    "empty status": [(200, page(""))],
    "another job": [(200, wire_body({"JobId": "job-2", "JobStatus": "SUCCEEDED"}))],
    "another job on page 2": [
        (200, page("SUCCEEDED", NextToken="t-2")),
        (200, wire_body({"JobId": "job-2", "JobStatus": "SUCCEEDED", "Labels": []})),
    ],
    "no JobId": [(200, wire_body({"JobStatus": "SUCCEEDED", "Labels": labels_of(2)}))],
    "empty NextToken ends the job": [(200, page("SUCCEEDED", NextToken=""))],
    "a token loop": [(200, page("SUCCEEDED", NextToken="t-2"))],
    "truncated, retried then ResponseValidationError": [(200, GOOD[:40])],
    "truncated then whole": [(200, GOOD[:40]), (200, GOOD)],
    "not JSON then whole": [(200, b"<html>502</html>"), (200, GOOD)],
    "a list then whole": [(200, b"[]"), (200, GOOD)],
    "not UTF-8, retried": [(200, b'{"JobStatus": "SUCCEEDED", "JobTag": "\xff"}')],
    "no JobStatus, retried": [(200, b'{"JobId": "job-1"}')],
    "wrong types, not retried": [(200, WRONG_TYPES)],
    "null in Labels": [(200, b'{"JobStatus": "SUCCEEDED", "Labels": [null]}')],
    "throttled, then whole": [(400, THROTTLED), (200, GOOD)],
    "throttled to the end": [(500, THROTTLED)],
    "access denied": [(400, b'{"__type": "AccessDeniedException", "message": "no"}')],
    "an error body that is not JSON": [(502, b"<html>Bad gateway</html>")],
    "unknown members and nulls (botocore's path)": [
        (200, b'{"JobId": "job-1", "JobStatus": "SUCCEEDED", "X": 1, "JobTag": null, '
              b'"Labels": [{"Timestamp": 5, "Label": {"Name": "Car", "Y": [null]}}]}')
    ],
}  # fmt: skip


@pytest.mark.parametrize("replies", SAME_OUTCOME.values(), ids=SAME_OUTCOME.keys())
def test_odd_pages_give_the_model_paths_outcome_and_calls(replies: list[tuple[int, bytes]]) -> None:
    served = Replies(*replies)
    models, tables = served.both(lambda lc: lc.get_all("job-1"), lambda lc: lc.get_table("job-1"))
    assert tables == models
    models, tables = served.both(
        lambda lc: lc.get_all("job-1", next_token="t-0"),
        lambda lc: list(lc.iter_tables("job-1", next_token="t-0"))[-1],
    )
    assert tables[1] == models[1]
    assert isinstance(tables[0][0], type) == isinstance(models[0][0], type)


def test_the_error_classes_the_table_path_raises() -> None:
    cases = {
        "unknown status": rl.ResponseValidationError,
        "another job": rl.ResponseValidationError,
        "a token loop": rl.PaginationLoopError,
        "truncated, retried then ResponseValidationError": rl.ResponseValidationError,
        "wrong types, not retried": rl.ResponseValidationError,
        "throttled to the end": rl.ThrottledError,
        "access denied": rl.AccessDeniedError,
    }
    for name, error in cases.items():
        served = Replies(*SAME_OUTCOME[name])
        with pytest.raises(error):
            served.lc.get_table("job-1")
    served = Replies(*SAME_OUTCOME["truncated, retried then ResponseValidationError"])
    with pytest.raises(rl.ResponseValidationError):
        served.lc.get_table("job-1")
    assert served.calls == 3
    served = Replies(*SAME_OUTCOME["wrong types, not retried"])
    with pytest.raises(rl.ResponseValidationError):
        served.lc.get_table("job-1")
    assert served.calls == 1


def test_an_int_beyond_int64_is_the_one_page_only_the_models_read() -> None:
    # Documented: the schema's int64 is the service model's Long; Python ints are unbounded.
    served = Replies(
        (200, b'{"JobStatus": "SUCCEEDED", "Labels": [{"Timestamp": ' + b"9" * 20 + b"}]}")
    )
    assert served.lc.get_all("job-1").labels[0].timestamp == int("9" * 20)  # type: ignore[index]
    with pytest.raises(rl.ResponseValidationError, match="cannot store"):
        served.lc.get_table("job-1")


# -- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [*RETRYABLE_FAULTS, "timeout", "repeat_token", "latency:0"])
def test_each_fault_once_on_every_page(fault: str) -> None:
    twins = Twins(lambda fake: fake.add_job("job-1", {**load(GRANDTOUR)}))
    twins.inject([fault, None, fault, None, fault, None])
    twins.assert_whole_agrees("job-1", max_results=300)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("ThrottlingException", rl.ThrottledError),
        ("InternalServerError:502", rl.InternalServiceError),
        ("connection", rl.ServiceUnavailableError),
        ("timeout", rl.ServiceTimeoutError),
        ("truncated", rl.ResponseValidationError),
        ("AccessDeniedException", rl.AccessDeniedError),
        ("InvalidPaginationTokenException", rl.InvalidPaginationTokenError),
    ],
)
@pytest.mark.parametrize("max_attempts", [1, 3])
def test_persistent_faults_end_alike(fault: str, error: type[Exception], max_attempts: int) -> None:
    policy = rl.RetryPolicy(max_attempts=max_attempts, initial_backoff_s=0, max_backoff_s=0)
    twins = Twins(lambda fake: fake.add_synthetic_job("syn", detections=30, seed=1), policy)
    twins.inject([None] + [fault] * 20)
    models = twins.assert_whole_agrees("syn", max_results=7)
    assert issubclass(models[0], error)
    retried = error not in (rl.AccessDeniedError, rl.InvalidPaginationTokenError)
    assert len(twins.tables_fake.requests) == 1 + (max_attempts if retried else 1)


def test_80_seeded_fault_schedules_give_identical_outcomes() -> None:
    policy = rl.RetryPolicy(max_attempts=4, initial_backoff_s=0, max_backoff_s=0)
    twins = Twins(lambda fake: fake.add_job("job-1", {**load(GRANDTOUR)}), policy)
    faults = [*RETRYABLE_FAULTS, "repeat_token", "timeout"]
    for seed in range(80):
        rng = random.Random(seed)
        schedule: list[str | None] = []
        for _ in range(9):  # 855 labels in pages of 100; sometimes past the budget
            schedule += [rng.choice(faults) for _ in range(rng.randint(0, 4))] + [None]
        twins.inject(schedule)
        models, tables = twins.whole("job-1", max_results=100)
        assert tables == models, seed
        assert twins.tables_fake.requests == twins.models_fake.requests, seed


# -- arguments, laziness, checkpoints -------------------------------------------------------------


@pytest.mark.parametrize("method", ["get_table", "iter_tables"])
@pytest.mark.parametrize(("name", "bad"), BAD_ARGUMENTS, ids=[repr(b) for _, b in BAD_ARGUMENTS])
def test_bad_arguments_raise_at_call_time_before_any_request(
    method: str, name: str, bad: dict[str, Any]
) -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=10, seed=1)
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT)
    kwargs: dict[str, Any] = {"job_id": "job-1", **bad}
    job_id = kwargs.pop("job_id")
    with pytest.raises((ValueError, TypeError), match=name) as info:
        getattr(lc, method)(job_id, **kwargs)  # no next(): iter_tables must raise when called
    if isinstance(info.value, ValueError):
        assert isinstance(info.value, rl.InvalidArgumentError)
    assert fake.requests == []


def test_iter_tables_is_lazy_one_page_at_a_time() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=2345, seed=1)
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT)
    tables = lc.iter_tables("job-1", max_results=500)
    assert fake.requests == []
    first = next(tables)
    assert len(first) == 500
    assert len(fake.requests) == 1


@pytest.mark.parametrize(("size", "step"), [(1000, 1), (100, 1), (7, 37)])
def test_resuming_from_a_tables_next_token_loses_and_repeats_nothing(size: int, step: int) -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", load(GRANDTOUR))
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT)
    whole = lc.get_table("job-1", max_results=size).arrow
    done = 0
    for index, part in enumerate(lc.iter_tables("job-1", max_results=size)):
        done += len(part)
        token = part.job.next_token  # the checkpoint
        if index % step or token is None:
            continue
        rest = list(lc.iter_tables("job-1", max_results=size, next_token=token))
        assert pa.concat_tables([t.arrow for t in rest]).equals(whole.slice(done))
        # A token from the table path resumes the model path too, and the other way round.
        models = [d.to_boto3() for d in lc.iter_labels("job-1", max_results=size, next_token=token)]
        assert models == [d.to_boto3() for d in rl.LabelTable(whole.slice(done)).labels()]
    assert done == len(whole) == 855


def test_the_starting_token_counts_as_seen() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=30, seed=1)
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT)
    token = lc.get_page("job-1", max_results=7).next_token
    assert token is not None
    fake.inject(["repeat_token"])
    with pytest.raises(rl.PaginationLoopError):
        lc.get_table("job-1", max_results=7, next_token=token)


def test_threads_share_one_client_across_both_paths() -> None:
    fake = FakeRekognition()
    for i in range(6):
        fake.add_synthetic_job(f"job-{i}", detections=400 + i, seed=i)
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT)
    counts: dict[str, tuple[int, int]] = {}

    def work(job_id: str) -> None:
        counts[job_id] = (len(lc.get_table(job_id, max_results=50)),
                          len(lc.get_all(job_id, max_results=50).labels or []))  # fmt: skip

    run_in_threads(work, [f"job-{i}" for i in range(6)])
    assert counts == {f"job-{i}": (400 + i, 400 + i) for i in range(6)}


# -- no model is built -------------------------------------------------------------------------


def served_as_recorded(name: str) -> bool:
    """A SUCCEEDED recording the fake serves without re-sorting it: the fake's transforms build
    models (so the segments recording, in NAME order, is served raw instead)."""
    d: dict[str, Any] = load(name)
    metadata = d.get("GetRequestMetadata", {"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"})
    return bool(d.get("JobStatus") == "SUCCEEDED" and metadata.get("SortBy") == "TIMESTAMP")


def count_constructions() -> dict[str, int]:
    """LabelDetection constructions, however made (pydantic-core validation calls the class's
    ``__new__``, as do model_construct and the transforms' fast constructor), while reading.

    Run in a process of its own (see the test): a class's ``__new__``, once set, cannot be
    put back as it was (CPython keeps the slot), which would break later tests' models.
    """
    count = [0]

    def counting_new(cls: type, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return object.__new__(cls)

    rl.LabelDetection.__new__ = staticmethod(counting_new)  # type: ignore[method-assign]
    fake = FakeRekognition()
    jobs = ["syn"]
    for i, name in enumerate(n for n in RECORDINGS if served_as_recorded(n)):
        fake.add_job(f"rec-{i}", served(name))
        jobs.append(f"rec-{i}")
    fake.add_synthetic_job("syn", detections=2500, seed=3)
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT)
    counts = {"recordings": len(jobs) - 1}
    # The counter sees the model path: a zero below means something.
    counts["get_all rows"] = len(lc.get_all("syn").labels or [])
    counts["get_all models"], count[0] = count[0], 0
    rows = 0
    for job_id in jobs:
        for size in (None, 100):
            rows += len(lc.get_table(job_id, max_results=size))
            rows += sum(len(t) for t in lc.iter_tables(job_id, max_results=size))
    counts["table rows"] = rows
    counts["table models"], count[0] = count[0], 0
    # A SEGMENTS page in NAME order, served as recorded (the fake would build models to make it).
    recording = load("made-v3-segments-name-order.json")
    replies = Replies((200, wire_body(recording)))
    table = next(
        replies.lc.iter_tables(recording["JobId"], aggregate_by="SEGMENTS", sort_by="NAME")
    )
    counts["segment rows"] = len(table)
    counts["segment models"] = count[0]
    return counts


def test_get_table_and_iter_tables_build_no_model() -> None:
    code = "import json; from tests.test_client_tables import count_constructions as c; "
    result = subprocess.run([sys.executable, "-c", code + "print(json.dumps(c()))"],
                            capture_output=True, text=True, timeout=300, check=False,
                            cwd=Path(__file__).resolve().parent.parent)  # fmt: skip
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts["recordings"] >= 6
    assert counts["get_all rows"] == counts["get_all models"] == 2500
    assert counts["table rows"] > 4 * (2500 + 855)
    assert counts["table models"] == 0
    assert counts["segment rows"] == 3
    assert counts["segment models"] == 0


# -- the [arrow] extra ---------------------------------------------------------------------------


def test_without_pyarrow_the_table_methods_say_how_to_install_it() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["pyarrow"] = None
        import rekolabels as rl
        from rekolabels.testing import FakeRekognition
        fake = FakeRekognition()
        fake.add_synthetic_job("job-1", detections=3, seed=1)
        lc = rl.LabelDetectionClient(fake.client)
        for read in (lambda: lc.get_table("job-1"), lambda: lc.iter_tables("job-1")):
            try:
                read()
            except ImportError as exc:
                print(exc)
            else:
                raise SystemExit("no ImportError")
        print(len(lc.get_all("job-1").labels), fake.request_count)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    for line in lines[:2]:
        assert "pip install 'rekolabels[arrow]'" in line
    assert lines[2] == "3 1"  # no request before the ImportError; the model path still works
