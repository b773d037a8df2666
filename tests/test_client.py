"""LabelDetectionClient through a real boto3 client whose socket is FakeRekognition: paging,
job status and waiting, arguments, construction. Retries: test_retry.py; errors: test_errors.py.
"""

from __future__ import annotations

import gzip
import json
import math
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config

import rekolabels as rl
from rekolabels.testing import FakeClock, FakeRekognition, http_response, new_client

from .helpers import NO_WAIT, SECRETS, job, labels_of, load, make, option, run_in_threads

# -- paging ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1000, 500, 7])
def test_every_label_once_in_order_with_the_right_requests(size: int) -> None:
    fake, lc = make()
    pages = list(lc.iter_pages("job-1", max_results=size))
    got = [d.to_boto3() for p in pages for d in p.labels or []]
    assert got == labels_of(2345)
    assert len(pages) == math.ceil(2345 / size)
    assert fake.request_count == len(pages)
    first = {"JobId": "job-1", "MaxResults": size}
    expected = [first] + [{**first, "NextToken": p.next_token} for p in pages[:-1]]
    assert fake.requests == expected[-100:]  # the fake keeps the last 100 bodies
    assert pages[-1].next_token is None
    assert all(p.video_metadata is not None for p in pages)


@pytest.mark.parametrize(("size", "step"), [(1000, 1), (500, 1), (7, 67)])
def test_resuming_from_any_page_loses_and_repeats_nothing(size: int, step: int) -> None:
    _, lc = make()
    expected = labels_of(2345)
    pages = list(lc.iter_pages("job-1", max_results=size))
    done = 0
    for index, page in enumerate(pages):
        done += len(page.labels or [])
        if index % step or page.next_token is None:
            continue
        rest = lc.iter_labels("job-1", max_results=size, next_token=page.next_token)
        assert [d.to_boto3() for d in rest] == expected[done:]


def test_iter_labels_is_lazy_one_page_at_a_time() -> None:
    fake, lc = make()
    labels = lc.iter_labels("job-1", max_results=500)
    assert fake.requests == []
    first = next(labels)
    assert first.name == "L00000"
    assert len(fake.requests) == 1


def test_get_all_merges_pages_without_next_token() -> None:
    fake, lc = make()
    whole = lc.get_all("job-1", max_results=1000)
    boto = whole.to_boto3()
    assert "NextToken" not in boto
    assert boto["Labels"] == labels_of(2345)
    assert whole.video_metadata is not None
    # Everything but Labels and NextToken, ResponseMetadata included, is the first page's.
    _, again = make()
    first = again.get_page("job-1", max_results=1000).to_boto3()
    assert first.pop("NextToken")
    assert {**first, "Labels": boto["Labels"]} == boto
    assert len(fake.requests) == 3


def test_get_all_keeps_the_request_echo() -> None:
    fake, lc = make(30)
    whole = lc.get_all("job-1", max_results=7, sort_by=rl.LabelDetectionSortBy.NAME)
    assert whole.get_request_metadata is not None
    assert whole.get_request_metadata.sort_by is rl.LabelDetectionSortBy.NAME
    assert fake.requests[0]["SortBy"] == "NAME"


def test_sort_and_aggregate_accept_enum_members_and_aws_strings() -> None:
    fake, lc = make(3)
    lc.get_page("job-1", sort_by="NAME", aggregate_by=rl.LabelDetectionAggregateBy.SEGMENTS)
    lc.get_page("job-1", sort_by=rl.LabelDetectionSortBy.TIMESTAMP, aggregate_by="TIMESTAMPS")
    assert fake.requests == [
        {"JobId": "job-1", "SortBy": "NAME", "AggregateBy": "SEGMENTS"},
        {"JobId": "job-1", "SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"},
    ]


def test_a_repeated_next_token_raises_pagination_loop_error() -> None:
    fake, lc = make(30)
    fake.inject([None, None, "repeat_token"])
    pages = lc.iter_pages("job-1", max_results=7)
    got = [next(pages), next(pages), next(pages)]
    with pytest.raises(rl.PaginationLoopError):
        next(pages)
    assert got[2].next_token == got[1].next_token
    assert len(fake.requests) == 3


def test_the_starting_token_counts_as_seen() -> None:
    fake, lc = make(30)
    token = lc.get_page("job-1", max_results=7).next_token
    assert token is not None
    fake.inject(["repeat_token"])
    with pytest.raises(rl.PaginationLoopError):
        list(lc.iter_labels("job-1", max_results=7, next_token=token))


def test_threads_share_one_client() -> None:
    fake = FakeRekognition()
    for i in range(8):
        fake.add_job(f"job-{i}", job(100 + i))
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT)
    fake.inject(["ThrottlingException", "truncated", "connection"] * 2)
    counts: dict[str, int] = {}

    def work(job_id: str) -> None:
        counts[job_id] = sum(1 for _ in lc.iter_labels(job_id, max_results=9))

    run_in_threads(work, [f"job-{i}" for i in range(8)])
    assert counts == {f"job-{i}": 100 + i for i in range(8)}


# -- job status ------------------------------------------------------------------------------------


def status_jobs() -> tuple[FakeRekognition, rl.LabelDetectionClient]:
    fake = FakeRekognition()
    fake.add_job("running", load("made-in-progress-v3.json"))
    fake.add_job("failed", load("made-failed.json"))
    return fake, rl.LabelDetectionClient(fake.client, retry=NO_WAIT)


@pytest.mark.parametrize(
    "read",
    [
        lambda lc, j: list(lc.iter_pages(j)),
        lambda lc, j: list(lc.iter_labels(j)),
        lambda lc, j: lc.get_all(j),
    ],
    ids=["iter_pages", "iter_labels", "get_all"],
)
def test_reading_a_job_that_has_not_succeeded(read: Callable[..., Any]) -> None:
    fake, lc = status_jobs()
    with pytest.raises(rl.JobInProgressError):
        read(lc, "running")
    with pytest.raises(rl.JobFailedError) as info:
        read(lc, "failed")
    assert info.value.status_message == load("made-failed.json")["StatusMessage"]
    assert info.value.status_message is not None
    assert info.value.status_message in str(info.value)
    assert len(fake.requests) == 2


def test_get_page_returns_whatever_the_service_said() -> None:
    _, lc = status_jobs()
    assert lc.get_page("running").job_status is rl.VideoJobStatus.IN_PROGRESS
    failed = lc.get_page("failed")
    assert failed.job_status is rl.VideoJobStatus.FAILED
    assert failed.status_message == load("made-failed.json")["StatusMessage"]


def test_wait_for_a_job_that_finishes_after_3_polls() -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", job(50), in_progress_polls=3)
    clock = FakeClock()
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT, clock=clock)
    done = lc.wait_for_job("job-1", timeout_s=60, poll_interval_s=5)
    assert done.job_status is rl.VideoJobStatus.SUCCEEDED
    assert done.labels is not None
    assert len(done.labels) == 1
    assert fake.requests == [{"JobId": "job-1", "MaxResults": 1}] * 4
    assert clock.sleeps == [5, 5, 5]


def test_wait_for_a_job_that_fails() -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", load("made-failed.json"), in_progress_polls=2)
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT, clock=FakeClock())
    with pytest.raises(rl.JobFailedError) as info:
        lc.wait_for_job("job-1", timeout_s=60, poll_interval_s=1)
    assert info.value.status_message == load("made-failed.json")["StatusMessage"]
    assert len(fake.requests) == 3


def test_wait_for_a_job_that_never_finishes_stops_at_the_deadline() -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", load("made-in-progress-v3.json"))
    clock = FakeClock()
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT, clock=clock)
    start = clock.monotonic()
    with pytest.raises(rl.WaitTimeoutError):
        lc.wait_for_job("job-1", timeout_s=12, poll_interval_s=5)
    assert clock.sleeps == [5, 5, 2]
    assert clock.monotonic() - start == 12
    assert len(fake.requests) == 4


def test_wait_with_zero_timeout_polls_once() -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", load("made-in-progress-v3.json"))
    clock = FakeClock()
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT, clock=clock)
    with pytest.raises(rl.WaitTimeoutError):
        lc.wait_for_job("job-1", timeout_s=0)
    assert clock.sleeps == []
    assert len(fake.requests) == 1


# -- arguments -------------------------------------------------------------------------------------

BAD_ARGUMENTS: list[tuple[str, dict[str, Any]]] = [
    ("job_id", {"job_id": ""}),
    ("job_id", {"job_id": "x" * 65}),
    ("job_id", {"job_id": "job\n"}),
    ("job_id", {"job_id": "job 1"}),
    ("job_id", {"job_id": "jöb"}),
    ("job_id", {"job_id": "job/1"}),
    ("job_id", {"job_id": 123}),
    ("job_id", {"job_id": None}),
    ("job_id", {"job_id": b"job-1"}),
    ("max_results", {"max_results": 0}),
    ("max_results", {"max_results": -5}),
    ("max_results", {"max_results": True}),
    ("max_results", {"max_results": 1.5}),
    ("max_results", {"max_results": "10"}),
    ("max_results", {"max_results": 2**31}),
    ("next_token", {"next_token": ""}),
    ("next_token", {"next_token": "t" * 256}),
    ("next_token", {"next_token": 5}),
    ("next_token", {"next_token": b"token"}),
    ("sort_by", {"sort_by": "name"}),
    ("sort_by", {"sort_by": "SEGMENTS"}),
    ("sort_by", {"sort_by": rl.LabelDetectionAggregateBy.SEGMENTS}),
    ("sort_by", {"sort_by": 1}),
    ("aggregate_by", {"aggregate_by": "segments"}),
    ("aggregate_by", {"aggregate_by": rl.LabelDetectionSortBy.NAME}),
    ("aggregate_by", {"aggregate_by": ["SEGMENTS"]}),
]


METHODS = ["get_page", "iter_pages", "iter_labels", "get_all"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("name", "bad"), BAD_ARGUMENTS, ids=[repr(b) for _, b in BAD_ARGUMENTS])
def test_bad_arguments_raise_at_call_time_before_any_request(
    method: str, name: str, bad: dict[str, Any]
) -> None:
    fake, lc = make(10)
    kwargs: dict[str, Any] = {"job_id": "job-1", **bad}
    job_id = kwargs.pop("job_id")
    with pytest.raises((ValueError, TypeError), match=name) as info:
        getattr(lc, method)(job_id, **kwargs)  # no next(): iter_* must raise when called
    if isinstance(info.value, ValueError):
        assert isinstance(info.value, rl.InvalidArgumentError)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("job_id", {"job_id": "job\n"}),
        ("timeout_s", {"timeout_s": -1}),
        ("timeout_s", {"timeout_s": float("nan")}),
        ("timeout_s", {"timeout_s": "10"}),
        ("poll_interval_s", {"poll_interval_s": 0}),
        ("poll_interval_s", {"poll_interval_s": float("inf")}),
        ("poll_interval_s", {"poll_interval_s": True}),
    ],
)
def test_wait_for_job_checks_its_arguments(name: str, kwargs: dict[str, Any]) -> None:
    fake, lc = make(10)
    job_id = kwargs.pop("job_id", "job-1")
    with pytest.raises((ValueError, TypeError), match=name):
        lc.wait_for_job(job_id, **kwargs)
    assert fake.requests == []


def test_max_results_above_1000_is_left_to_the_service_cap() -> None:
    fake, lc = make(2345)
    assert len(lc.get_page("job-1", max_results=5000).labels or []) == 1000
    assert fake.requests == [{"JobId": "job-1", "MaxResults": 5000}]


# -- construction ----------------------------------------------------------------------------------


@pytest.fixture
def offline_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No real profile, credentials or region can leak in from the machine running the tests."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_RETRY_MODE",
                 "AWS_MAX_ATTEMPTS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", SECRETS[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRETS[1])
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")


@pytest.mark.usefixtures("offline_env")
def test_default_client_has_botocore_retries_off() -> None:
    lc = rl.LabelDetectionClient()
    assert option(lc.client, "retries")["total_max_attempts"] == 1
    assert lc.client.meta.region_name == "eu-west-1"
    assert lc.retry == rl.RetryPolicy()


@pytest.mark.usefixtures("offline_env")
def test_from_session_keeps_one_retry_owner() -> None:
    session = boto3.Session(region_name="us-west-2")
    lc = rl.LabelDetectionClient.from_session(session, config=Config(read_timeout=7), retry=NO_WAIT)
    assert option(lc.client, "retries")["total_max_attempts"] == 1
    assert option(lc.client, "read_timeout") == 7
    assert lc.client.meta.region_name == "us-west-2"
    fake = FakeRekognition()
    fake.add_job("job-1", job(3))
    fake.attach(lc.client)
    fake.inject(["ThrottlingException"] * 2)
    assert lc.get_page("job-1").job_status == "SUCCEEDED"
    assert len(fake.requests) == 3


@pytest.mark.usefixtures("offline_env")
def test_from_session_respects_retries_the_user_configured() -> None:
    lc = rl.LabelDetectionClient.from_session(
        region_name="ap-south-1",
        endpoint_url="https://rekognition.example.invalid",
        config=Config(retries={"max_attempts": 4, "mode": "standard"}),
    )
    assert option(lc.client, "retries") == {"total_max_attempts": 5, "mode": "standard"}
    assert lc.client.meta.endpoint_url == "https://rekognition.example.invalid"
    assert lc.client.meta.region_name == "ap-south-1"


def test_from_session_rejects_a_session_and_a_profile() -> None:
    with pytest.raises(rl.InvalidArgumentError, match="profile_name"):
        rl.LabelDetectionClient.from_session(boto3.Session(), profile_name="other")


def test_the_fake_itself_is_refused_at_construction_naming_client() -> None:
    fake = FakeRekognition()
    with pytest.raises(TypeError, match=r"^client must be a boto3 rekognition client, not "
                       r"FakeRekognition; pass its \.client$"):  # fmt: skip
        rl.LabelDetectionClient(fake)  # type: ignore[arg-type]
    lc = rl.LabelDetectionClient(fake.client)
    with pytest.raises(TypeError, match=r"client .* not LabelDetectionClient; pass its \.client$"):
        rl.LabelDetectionClient(lc)  # type: ignore[arg-type]
    s3: BaseClient = boto3.client("s3", region_name="us-east-1")  # no S3 stubs: typed Any
    with pytest.raises(TypeError, match=r"^client must be a boto3 rekognition client, not S3$"):
        rl.LabelDetectionClient(s3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^client must be a boto3 rekognition client, not dict$"):
        rl.LabelDetectionClient({})  # type: ignore[arg-type]


def test_retry_must_be_a_policy() -> None:
    with pytest.raises(TypeError, match="retry"):
        rl.LabelDetectionClient(new_client(), retry=3)  # type: ignore[arg-type]


def test_the_retry_policy_is_read_only() -> None:
    # Before, `lc.retry = ...` changed wait_for_job's policy but not get_page's.
    policy = rl.RetryPolicy(max_attempts=2, initial_backoff_s=0, max_backoff_s=0)
    fake, lc = make(10, policy=policy)
    with pytest.raises(AttributeError):
        lc.retry = rl.RetryPolicy(max_attempts=1)  # type: ignore[misc]  # mypy refuses it too
    assert lc.retry is policy
    fake.inject(["ThrottlingException"] * 5)
    with pytest.raises(rl.ThrottledError):
        lc.get_page("job-1")
    assert len(fake.requests) == 2


def test_clock_must_have_monotonic_and_sleep() -> None:
    with pytest.raises(TypeError, match="clock"):
        rl.LabelDetectionClient(new_client(), clock=time.monotonic)  # type: ignore[arg-type]


def test_from_session_passes_the_clock_on() -> None:
    clock = FakeClock()
    fake = FakeRekognition()
    fake.add_job("job-1", job(3), in_progress_polls=2)
    lc = rl.LabelDetectionClient.from_session(
        boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"),
        retry=NO_WAIT,
        clock=clock,
    )
    fake.attach(lc.client)
    lc.wait_for_job("job-1", poll_interval_s=30)
    assert clock.sleeps == [30, 30]


# -- building the boto3 client ---------------------------------------------------------------------


@pytest.fixture
def no_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No region, no profiles: what a fresh machine without AWS configuration has."""
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))


@pytest.mark.usefixtures("no_aws_config")
def test_no_region_is_an_invalid_argument_naming_region_name() -> None:
    with pytest.raises(rl.InvalidArgumentError, match="region_name") as info:
        rl.LabelDetectionClient()
    assert type(info.value.__cause__).__name__ == "NoRegionError"
    with pytest.raises(rl.InvalidArgumentError, match="region_name"):
        rl.LabelDetectionClient.from_session()
    built = rl.LabelDetectionClient.from_session(region_name="eu-west-1")
    assert built.client.meta.region_name == "eu-west-1"


@pytest.mark.usefixtures("no_aws_config")
def test_unknown_profile_and_bad_endpoint_are_invalid_arguments() -> None:
    with pytest.raises(rl.InvalidArgumentError, match="profile_name") as info:
        rl.LabelDetectionClient.from_session(profile_name="no-such-profile")
    assert type(info.value.__cause__).__name__ == "ProfileNotFound"
    with pytest.raises(rl.InvalidArgumentError, match="endpoint_url"):
        rl.LabelDetectionClient.from_session(region_name="eu-west-1", endpoint_url="not a url")


# -- responses botocore cannot parse, and pages that do not add up --------------------------------

ATTEMPTS = 3
THREE_TRIES = rl.RetryPolicy(max_attempts=ATTEMPTS, initial_backoff_s=0, max_backoff_s=0)
GOOD_PAGE = json.dumps({"JobId": "job-1", "JobStatus": "SUCCEEDED", "Labels": labels_of(3)})


class Replies:
    """A real boto3 client answered by a list of (status, body), one per call; the last repeats."""

    def __init__(self, *replies: tuple[int, bytes | str]) -> None:
        self.replies = replies
        self.calls = 0
        self.client = new_client()
        self.client.meta.events.register("before-send.rekognition", self.answer)
        self.lc = rl.LabelDetectionClient(self.client, retry=THREE_TRIES)

    def answer(self, **_: Any) -> Any:
        status, body = self.replies[min(self.calls, len(self.replies) - 1)]
        self.calls += 1
        data = body.encode() if isinstance(body, str) else body
        return http_response(status, data, {"x-amzn-RequestId": "rid-7"})


def test_a_list_body_is_an_unreadable_response_not_an_attribute_error() -> None:
    # The reproducer: b"[]" with status 200 made get_page raise a bare AttributeError.
    replies = Replies((200, b"[]"))
    with pytest.raises(rl.ResponseValidationError) as info:
        replies.lc.get_page("job-1")
    assert isinstance(info.value.__cause__, AttributeError)
    assert replies.calls == ATTEMPTS  # retried like a cut body, exactly max_attempts calls


DEEP = b'{"JobStatus": "SUCCEEDED", "Unknown": ' + b"[" * 5000 + b"]" * 5000 + b"}"
UNREADABLE_200 = {
    "null": (b"null", AttributeError),
    "one": (b"1", AttributeError),
    "a string": (b'"s"', AttributeError),
    "not UTF-8": (b'{"JobStatus": "SUCCEEDED", "JobTag": "\xff"}', UnicodeDecodeError),
    "gzip": (gzip.compress(GOOD_PAGE.encode()), UnicodeDecodeError),
    "nested past the recursion limit": (DEEP, RecursionError),
}


READS: dict[str, Callable[[rl.LabelDetectionClient], object]] = {
    "get_page": lambda lc: lc.get_page("job-1"),
    "get_all": lambda lc: lc.get_all("job-1"),
    "iter_labels": lambda lc: list(lc.iter_labels("job-1")),
}


@pytest.mark.parametrize(("body", "cause"), UNREADABLE_200.values(), ids=UNREADABLE_200.keys())
@pytest.mark.parametrize("read", READS)
def test_unreadable_bodies_are_retried_then_response_validation_error(
    body: bytes, cause: type[Exception], read: str
) -> None:
    replies = Replies((200, body))
    with pytest.raises(rl.ResponseValidationError) as info:
        READS[read](replies.lc)
    assert isinstance(info.value.__cause__, cause)
    assert replies.calls == ATTEMPTS


@pytest.mark.parametrize("body", [b"[]", DEEP, b'{"JobStatus": "SUCCEEDED", "JobTag": "\xff"}'])
def test_an_unreadable_body_then_a_good_one_reads_every_label(body: bytes) -> None:
    replies = Replies((200, body), (200, GOOD_PAGE))
    assert len(replies.lc.get_all("job-1").labels or []) == 3
    assert replies.calls == 2


WRONG_TYPES_BOTOCORE_CHOKES_ON = {
    "Labels a number": (b'{"JobStatus": "SUCCEEDED", "Labels": 5}', TypeError),
    "VideoMetadata a string": (b'{"JobStatus": "SUCCEEDED", "VideoMetadata": "x"}', AttributeError),
    "a label a list": (b'{"JobStatus": "SUCCEEDED", "Labels": [{"Label": []}]}', AttributeError),
}


@pytest.mark.parametrize(
    ("body", "cause"),
    WRONG_TYPES_BOTOCORE_CHOKES_ON.values(),
    ids=WRONG_TYPES_BOTOCORE_CHOKES_ON.keys(),
)
def test_a_json_object_of_the_wrong_types_is_not_retried(
    body: bytes, cause: type[Exception]
) -> None:
    replies = Replies((200, body))
    with pytest.raises(rl.ResponseValidationError) as info:
        replies.lc.get_page("job-1")
    assert type(info.value) is rl.ResponseValidationError
    assert isinstance(info.value.__cause__, cause)
    assert replies.calls == 1


UNREADABLE_ERRORS = {
    "not UTF-8": (400, b'{"__type": "\xff"}', rl.ServiceError, UnicodeDecodeError, 1),
    "__type a list": (400, b'{"__type": ["x"]}', rl.ServiceError, TypeError, 1),
    "__type a number": (503, b'{"__type": 5}', rl.InternalServiceError, TypeError, ATTEMPTS),
    "a list": (429, b"[]", rl.ThrottledError, AttributeError, ATTEMPTS),
    "gzip": (500, gzip.compress(b'{"__type": "X"}'), rl.InternalServiceError, UnicodeDecodeError,
             ATTEMPTS),
}  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "error", "cause", "calls"),
    UNREADABLE_ERRORS.values(),
    ids=UNREADABLE_ERRORS.keys(),
)
def test_an_unreadable_error_body_is_a_service_error_with_what_we_know(
    status: int, body: bytes, error: type[rl.ServiceError], cause: type[Exception], calls: int
) -> None:
    replies = Replies((status, body))
    with pytest.raises(rl.ServiceError) as info:
        replies.lc.get_page("job-1")
    assert type(info.value) is error
    assert isinstance(info.value.__cause__, cause)
    assert (info.value.http_status, info.value.request_id, info.value.code) == (
        status, "rid-7", None,
    )  # fmt: skip
    assert replies.calls == calls  # 5xx and 429 are retried, other 4xx are not


@pytest.mark.parametrize("raised", [ValueError("boom"), TypeError("boom"), KeyError("x")])
def test_anything_raised_during_the_call_is_a_rekolabels_error(raised: Exception) -> None:
    client = new_client()

    def fail(**_: Any) -> None:
        raise raised

    client.meta.events.register("before-send.rekognition", fail)
    lc = rl.LabelDetectionClient(client, retry=THREE_TRIES)
    with pytest.raises(rl.RekolabelsError) as info:
        lc.get_page("job-1")
    assert info.value.__cause__ is raised
    assert not isinstance(info.value, (TypeError, KeyError))


def test_keyboard_interrupt_is_not_swallowed() -> None:
    client = new_client()

    def interrupt(**_: Any) -> None:
        raise KeyboardInterrupt

    client.meta.events.register("before-send.rekognition", interrupt)
    with pytest.raises(KeyboardInterrupt):
        rl.LabelDetectionClient(client, retry=THREE_TRIES).get_page("job-1")


def test_a_page_of_another_job_is_a_response_validation_error() -> None:
    other = json.dumps({"JobId": "job-2", "JobStatus": "SUCCEEDED", "Labels": labels_of(2)})
    for read in ("get_page", "get_all"):
        replies = Replies((200, other))
        with pytest.raises(rl.ResponseValidationError, match="job-2"):
            getattr(replies.lc, read)("job-1")
        assert replies.calls == 1


def test_a_second_page_of_another_job_is_not_merged() -> None:
    first = {"JobId": "job-1", "JobStatus": "SUCCEEDED", "Labels": labels_of(2), "NextToken": "t"}
    second = {"JobId": "job-2", "JobStatus": "SUCCEEDED", "Labels": labels_of(2)}
    replies = Replies((200, json.dumps(first)), (200, json.dumps(second)))
    with pytest.raises(rl.ResponseValidationError, match="job-2"):
        replies.lc.get_all("job-1")


def test_a_page_without_job_id_is_accepted() -> None:
    replies = Replies((200, json.dumps({"JobStatus": "SUCCEEDED", "Labels": labels_of(2)})))
    assert len(replies.lc.get_all("job-1").labels or []) == 2


@pytest.mark.parametrize("status", ["PAUSED", "PARTIAL_SUCCESS", ""])
def test_iterating_needs_succeeded_and_raises_on_an_unknown_status(status: str) -> None:
    first = {"JobStatus": "SUCCEEDED", "Labels": labels_of(2), "NextToken": "t"}
    second = {"JobStatus": status, "Labels": labels_of(2)}
    replies = Replies((200, json.dumps(first)), (200, json.dumps(second)))
    labels = replies.lc.iter_labels("job-1")
    seen = [next(labels), next(labels)]
    with pytest.raises(rl.ResponseValidationError, match="JobStatus"):
        next(labels)
    assert len(seen) == 2  # the first page's labels, never the second's
    replies = Replies((200, json.dumps(second)))
    with pytest.raises(rl.ResponseValidationError, match="JobStatus"):
        replies.lc.get_all("job-1")
    assert replies.lc.get_page("job-1").job_status == status  # get_page shows it as is


def test_an_empty_next_token_ends_the_job() -> None:
    page = {"JobStatus": "SUCCEEDED", "Labels": labels_of(4), "NextToken": ""}
    replies = Replies((200, json.dumps(page)))
    assert len(replies.lc.get_all("job-1").labels or []) == 4
    assert len(list(replies.lc.iter_pages("job-1"))) == 1
    assert replies.calls == 2
