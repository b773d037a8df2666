"""``rekolabels wait --queue-url``: the CLI waits on SQS (endpoint from AWS_ENDPOINT_URL_SQS) for
a job of the fake served on loopback; the installed script once, then ``main`` in this process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rekolabels.testing import FakeRekognition
from tests.cli_helpers import assert_short_error, clean_env, run, run_main
from tests.sqs_helpers import LoopbackSqs, message

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/rekognition-jobs"


@pytest.fixture
def fake() -> Iterator[FakeRekognition]:
    with FakeRekognition() as fake:
        fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1)
        yield fake


@pytest.fixture
def sqs() -> Iterator[LoopbackSqs]:
    queue = [message(JobId="job-1")]
    server = LoopbackSqs({QUEUE: queue})
    yield server
    server.close()


def test_wait_on_a_queue(fake: FakeRekognition, sqs: LoopbackSqs, tmp_path: Path) -> None:
    env = {**clean_env(tmp_path), "AWS_ENDPOINT_URL_SQS": sqs.url}
    args = ["wait", "--job-id", "job-1", "--queue-url", QUEUE, "--timeout", "30"]
    result = run([*args, "--endpoint-url", fake.serve()], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["JobStatus"] == "SUCCEEDED"
    assert [op for op, _ in sqs.requests] == ["ReceiveMessage", "DeleteMessage"]
    assert all(body["QueueUrl"] == QUEUE for _, body in sqs.requests)
    assert sqs.queues[QUEUE] == []
    assert len(fake.requests) == 2, "one poll, one confirmation"


def test_a_queue_that_does_not_exist_is_exit_1(
    fake: FakeRekognition, sqs: LoopbackSqs, tmp_path: Path
) -> None:
    env = {**clean_env(tmp_path), "AWS_ENDPOINT_URL_SQS": sqs.url}
    args = ["wait", "--job-id", "job-1", "--queue-url", QUEUE + "-gone"]
    result = run_main([*args, "--endpoint-url", fake.serve()], env)
    assert_short_error(result, 1)
    assert "NonExistentQueue" in result.stderr


def test_an_empty_queue_url_is_a_usage_error(fake: FakeRekognition, tmp_path: Path) -> None:
    args = ["wait", "--job-id", "job-1", "--queue-url", ""]
    result = run_main([*args, "--endpoint-url", fake.serve()], clean_env(tmp_path))
    assert_short_error(result, 2)
    assert "--queue-url" in result.stderr
