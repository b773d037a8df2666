"""The retry policy (_retry): what is retried and how often, the backoff, the log, the deadline,
and RetryPolicy's own checks; through a real boto3 client whose socket is FakeRekognition."""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config

import rekolabels as rl
from rekolabels.testing import FakeClock, FakeRekognition, new_client

from .helpers import NO_WAIT, SECRETS, job, make


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("ThrottlingException", rl.ThrottledError),
        ("ThrottlingException:400", rl.ThrottledError),
        ("ProvisionedThroughputExceededException", rl.ThrottledError),
        ("InternalServerError", rl.InternalServiceError),
        ("InternalServerError:502", rl.InternalServiceError),
        ("connection", rl.ServiceUnavailableError),
        ("timeout", rl.ServiceTimeoutError),
        ("truncated", rl.ResponseValidationError),
    ],
)
@pytest.mark.parametrize("max_attempts", [1, 3, 8])
def test_persistent_faults_make_exactly_max_attempts_calls(
    fault: str, error: type[Exception], max_attempts: int
) -> None:
    policy = rl.RetryPolicy(max_attempts=max_attempts, initial_backoff_s=0, max_backoff_s=0)
    fake, lc = make(10, policy=policy)
    fake.inject([fault] * 20)
    with pytest.raises(error):
        lc.get_page("job-1")
    assert len(fake.requests) == max_attempts
    assert all(r == {"JobId": "job-1"} for r in fake.requests)


@pytest.mark.parametrize(
    ("call", "error", "code", "status"),
    [
        (lambda lc: lc.get_page("job-1"), rl.AccessDeniedError, "AccessDeniedException", 400),
        (lambda lc: lc.get_all("nope"), rl.JobNotFoundError, "ResourceNotFoundException", 400),
        (
            lambda lc: list(lc.iter_pages("job-1", next_token="forged")),
            rl.InvalidPaginationTokenError,
            "InvalidPaginationTokenException",
            400,
        ),
    ],
    ids=["access-denied", "unknown-job", "bad-token"],
)
def test_client_errors_are_not_retried(
    call: Callable[[rl.LabelDetectionClient], Any], error: type[rl.ServiceError], code: str,
    status: int,
) -> None:  # fmt: skip
    fake, lc = make(10)
    if error is rl.AccessDeniedError:
        fake.inject(["AccessDeniedException"])
    with pytest.raises(error) as info:
        call(lc)
    assert len(fake.requests) == 1
    assert (info.value.code, info.value.http_status) == (code, status)
    assert info.value.message
    assert info.value.request_id


def test_a_readable_response_of_the_wrong_shape_is_not_retried() -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": [{"Timestamp": "0"}]})
    lc = rl.LabelDetectionClient(fake.client, retry=NO_WAIT)
    with pytest.raises(rl.ResponseValidationError, match="Timestamp"):
        lc.get_page("job-1")
    assert len(fake.requests) == 1


def test_backoff_is_capped_full_jitter() -> None:
    policy = rl.RetryPolicy(max_attempts=8, initial_backoff_s=0.5, max_backoff_s=4.0)
    clock = FakeClock()
    fake, lc = make(10, policy=policy, clock=clock)
    fake.inject(["ThrottlingException"] * 7)
    assert lc.get_page("job-1").job_status == "SUCCEEDED"
    assert len(clock.sleeps) == 7
    for attempt, slept in enumerate(clock.sleeps):
        assert 0 <= slept <= min(4.0, 0.5 * 2**attempt)


def test_retries_are_logged_without_credentials(caplog: pytest.LogCaptureFixture) -> None:
    fake, lc = make(10)
    fake.inject(["ThrottlingException", "ProvisionedThroughputExceededException", "connection"])
    with caplog.at_level(logging.INFO, logger="rekolabels"):
        lc.get_page("job-1")
    messages = [r.getMessage() for r in caplog.records if r.name == "rekolabels"]
    assert len(messages) == 3
    assert "attempt 1" in messages[0]
    assert "ThrottlingException" in messages[0]
    assert "attempt 2" in messages[1]
    assert "ProvisionedThroughputExceededException" in messages[1]
    assert "attempt 3" in messages[2]
    assert "ConnectionClosedError" in messages[2]
    fake.inject(["AccessDeniedException"])
    with pytest.raises(rl.AccessDeniedError) as info:
        lc.get_page("job-1")
    for text in (caplog.text, str(info.value), repr(info.value), repr(lc)):
        for secret in SECRETS:
            assert secret not in text


def test_users_botocore_retries_multiply_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", job(3))
    client = new_client(config=Config(retries={"mode": "standard", "total_max_attempts": 3}))
    fake.attach(client)
    # botocore sleeps between its own retries; skip its waits (time is the stdlib's, not ours).
    monkeypatch.setattr(time, "sleep", lambda _: None)
    lc = rl.LabelDetectionClient(client, retry=rl.RetryPolicy(max_attempts=2, initial_backoff_s=0))
    fake.inject(["ThrottlingException"] * 10)
    with pytest.raises(rl.ThrottledError):
        lc.get_page("job-1")
    assert len(fake.requests) == 3 * 2


def test_wait_never_sleeps_past_the_deadline_while_retrying() -> None:
    policy = rl.RetryPolicy(max_attempts=50, initial_backoff_s=4, max_backoff_s=20)
    fake = FakeRekognition()
    fake.add_job("job-1", job(3))
    clock = FakeClock()
    lc = rl.LabelDetectionClient(fake.client, retry=policy, clock=clock)
    start = clock.monotonic()
    fake.inject(["ThrottlingException"] * 100)
    with pytest.raises(rl.WaitTimeoutError) as info:
        lc.wait_for_job("job-1", timeout_s=30, poll_interval_s=5)
    assert isinstance(info.value.__cause__, rl.ThrottledError)
    assert clock.monotonic() - start <= 30
    assert len(fake.requests) < 50


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_attempts": 0}, rl.InvalidArgumentError),
        ({"max_attempts": 2.0}, TypeError),
        ({"max_attempts": True}, TypeError),
        ({"initial_backoff_s": -1}, rl.InvalidArgumentError),
        ({"max_backoff_s": float("inf")}, rl.InvalidArgumentError),
        ({"initial_backoff_s": 5, "max_backoff_s": 1}, rl.InvalidArgumentError),
        ({"initial_backoff_s": "1"}, TypeError),
    ],
)
def test_retry_policy_is_validated(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error, match=next(iter(kwargs))):
        rl.RetryPolicy(**kwargs)


def test_retry_policy_defaults() -> None:
    policy = rl.RetryPolicy()
    assert (policy.max_attempts, policy.initial_backoff_s, policy.max_backoff_s) == (8, 0.5, 20.0)


QUICK = rl.RetryPolicy(max_attempts=3, initial_backoff_s=0.01, max_backoff_s=0.02)


def closed_port() -> int:
    """A loopback port nothing listens on: bound, then closed, so connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_closed_port_says_attempts_and_elapsed_time(caplog: pytest.LogCaptureFixture) -> None:
    client = new_client(endpoint_url=f"http://127.0.0.1:{closed_port()}")
    lc = rl.LabelDetectionClient(client, retry=QUICK)
    started = time.monotonic()
    with (
        caplog.at_level(logging.INFO, logger="rekolabels"),
        pytest.raises(rl.ServiceUnavailableError) as info,
    ):
        lc.get_page("job-7")
    took = time.monotonic() - started
    err = info.value
    assert err.attempts == 3
    assert err.elapsed_s is not None
    assert 0 <= err.elapsed_s <= took
    assert re.search(
        r"could not be reached: .*\(gave up after 3 attempts in \d+\.\d s\)$", str(err)
    )
    retries = [r for r in caplog.records if r.name == "rekolabels"]
    assert len(retries) == 2  # between three attempts
    for number, record in enumerate(retries, 1):
        assert record.getMessage().startswith(f"GetLabelDetection for job job-7: attempt {number}")
        assert record.__dict__["retry_job_id"] == "job-7"
        assert record.__dict__["retry_attempt"] == number
        assert "EndpointConnectionError" in record.__dict__["retry_reason"]
        assert record.__dict__["retry_wait_s"] >= 0


@pytest.mark.parametrize(
    ("fault", "error"),
    [("ThrottlingException", rl.ThrottledError), ("InternalServerError", rl.InternalServiceError),
     ("truncated", rl.ResponseValidationError), ("connection", rl.ServiceUnavailableError)],
)  # fmt: skip
def test_every_spent_budget_says_how_hard_it_tried(fault: str, error: type[Exception]) -> None:
    with FakeRekognition() as fake:
        fake.add_synthetic_job("job-1", detections=5)
        fake.inject([fault] * 3)
        lc = rl.LabelDetectionClient(fake.client, retry=QUICK)
        with pytest.raises(error) as info:
            lc.get_page("job-1")
    assert re.search(r"gave up after 3 attempts in \d+\.\d s\)$", str(info.value))
    assert str(info.value).count("gave up") == 1


def test_a_service_error_keeps_its_aws_message() -> None:
    with FakeRekognition() as fake:
        fake.add_synthetic_job("job-1", detections=5)
        fake.inject(["ThrottlingException"] * 2)
        lc = rl.LabelDetectionClient(
            fake.client, retry=rl.RetryPolicy(max_attempts=2, initial_backoff_s=0)
        )
        with pytest.raises(rl.ThrottledError) as info:
            lc.get_page("job-1")
    err = info.value
    assert err.message == "Injected ThrottlingException."  # AWS's words, unchanged
    assert re.fullmatch(
        r"ThrottlingException: Injected ThrottlingException\. \(HTTP 500, request id [\w-]+, "
        r"gave up after 2 attempts in \d+\.\d s\)",
        str(err),
    )


def test_an_error_that_is_not_retried_says_nothing_of_attempts() -> None:
    with FakeRekognition() as fake:
        fake.add_synthetic_job("job-1", detections=5)
        lc = rl.LabelDetectionClient(fake.client, retry=QUICK)
        with pytest.raises(rl.JobNotFoundError) as info:
            lc.get_page("nope")
    assert info.value.attempts is None
    assert "gave up" not in str(info.value)
