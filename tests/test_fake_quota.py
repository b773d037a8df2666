"""The fake's account quota: one token bucket over every job's GetLabelDetection calls."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from rekolabels.testing import FakeClock, FakeRekognition, new_client
from tests.cli_helpers import clean_env, script

if TYPE_CHECKING:
    from types_boto3_rekognition.type_defs import VideoTypeDef


@contextmanager
def _served(argv: list[str], env: dict[str, str]) -> Iterator[str]:
    """``rekolabels fake-server ...`` in a child process; yields its URL, stops it after."""
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().decode().strip()
            assert url.startswith("http://127.0.0.1:"), url
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _code(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return "served"


def test_the_quota_spans_every_job_and_refills_at_its_rate() -> None:
    clock = FakeClock(start=0.0)
    fake = FakeRekognition()
    fake.add_synthetic_job("job-a", detections=10)
    fake.add_synthetic_job("job-b", detections=10)
    fake.quota(2, clock=clock)
    client = fake.client

    def a() -> object:
        return client.get_label_detection(JobId="job-a")

    def b() -> object:
        return client.get_label_detection(JobId="job-b")

    # A burst of 2, whichever jobs spend it; then throttled until time refills it.
    assert [_code(a), _code(b), _code(a), _code(b)] == [
        "served", "served", "ThrottlingException", "ThrottlingException",
    ]  # fmt: skip
    clock.advance(0.5)
    assert [_code(b), _code(a)] == ["served", "ThrottlingException"]
    # Never more than the burst, however long it rested.
    clock.advance(3600)
    assert [_code(a) for _ in range(3)] == ["served", "served", "ThrottlingException"]
    assert fake.fault_counts["quota"] == 4
    assert fake.request_count == 9


def test_a_throttle_is_answered_like_the_service_and_comes_before_the_schedule() -> None:
    clock = FakeClock(start=0.0)
    fake = FakeRekognition()
    fake.add_synthetic_job("job-a", detections=10)
    fake.quota(1, clock=clock)
    fake.inject(["InternalServerError"])
    client = fake.client
    assert _code(lambda: client.get_label_detection(JobId="job-a")) == "InternalServerError"
    with pytest.raises(ClientError) as caught:
        client.get_label_detection(JobId="job-a")
    error = caught.value.response
    assert error["Error"]["Code"] == "ThrottlingException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert error["ResponseMetadata"]["RequestId"]
    clock.advance(1.0)
    # The throttled call did not use up a scheduled fault: the schedule was already spent.
    assert _code(lambda: client.get_label_detection(JobId="job-a")) == "served"


def test_only_get_label_detection_is_metered_and_none_lifts_the_quota() -> None:
    clock = FakeClock(start=0.0)
    fake = FakeRekognition()
    fake.configure_start(in_progress_polls=0, detections=5)
    fake.quota(1, clock=clock)
    client = fake.client
    video: VideoTypeDef = {"S3Object": {"Bucket": "videos", "Name": "v.mp4"}}
    job_ids = [client.start_label_detection(Video=video)["JobId"] for _ in range(3)]
    assert _code(lambda: client.get_label_detection(JobId=job_ids[0])) == "served"
    assert _code(lambda: client.get_label_detection(JobId=job_ids[1])) == "ThrottlingException"
    fake.quota(None)
    assert {_code(lambda j=j: client.get_label_detection(JobId=j)) for j in job_ids} == {"served"}


@pytest.mark.parametrize("tps", [0, -1, float("inf"), float("nan")])
def test_a_quota_must_be_a_positive_rate(tps: float) -> None:
    with pytest.raises(ValueError, match="tps"):
        FakeRekognition().quota(tps)
    with pytest.raises(TypeError, match="tps"):
        FakeRekognition().quota("5")  # type: ignore[arg-type]


def test_fake_server_meters_every_synthetic_job_with_tps_quota(tmp_path: Path) -> None:
    """``--tps-quota`` over loopback HTTP, across jobs."""
    env = clean_env(tmp_path)
    argv = [script(), "fake-server", "--port", "0", "--tps-quota", "0.05",
            "--synthetic", "a=3", "--synthetic", "b=4"]  # fmt: skip
    with _served(argv, env) as url:
        client = new_client(endpoint_url=url)
        # A burst of one token, refilled every 20 s: the second call is throttled.
        first = client.get_label_detection(JobId="a")
        assert len(first["Labels"]) == 3
        assert _code(lambda: client.get_label_detection(JobId="b")) == "ThrottlingException"
        client.close()
    no_quota = subprocess.run(
        [script(), "fake-server", "--tps-quota", "0"], capture_output=True, text=True,
        env=env, timeout=60, check=False,
    )  # fmt: skip
    assert no_quota.returncode == 2
    assert "--tps-quota" in no_quota.stderr


def test_fake_server_serves_each_repeated_synthetic_job(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    argv = [script(), "fake-server", "--port", "0",
            *(x for i in range(3) for x in ("--synthetic", f"job-{i}={i + 1}"))]  # fmt: skip
    with _served(argv, env) as url:
        client = new_client(endpoint_url=url)
        counts = [len(client.get_label_detection(JobId=f"job-{i}")["Labels"]) for i in range(3)]
        client.close()
    assert counts == [1, 2, 3]
