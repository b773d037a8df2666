"""What a spent retry budget tells the user: attempts and elapsed time; the job id in each log."""

from __future__ import annotations

import logging
import re
import socket
import time

import pytest

import rekolabels as rl
from rekolabels.testing import FakeRekognition, new_client

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
        assert record.__dict__["job_id"] == "job-7"
        assert record.__dict__["attempt"] == number
        assert "EndpointConnectionError" in record.__dict__["reason"]
        assert record.__dict__["wait_s"] >= 0


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
