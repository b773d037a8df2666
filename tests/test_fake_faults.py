"""The fake's faults (testing/_faults): the per-call schedule and its vocabulary, seeded random
rates, added latency, and the counts of what was served."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from rekolabels.testing import FakeRekognition, Reply


def kinds(reply: Reply) -> str:
    if reply.fault is not None:
        return reply.fault
    if reply.status != 200:
        code: str = json.loads(reply.body)["__type"]
        return code
    try:
        json.loads(reply.body)
    except ValueError:
        return "truncated"
    return "ok"


def run(seed: int, rates: dict[str, float], calls: int = 400) -> list[str]:
    fake = FakeRekognition(seed=seed)
    fake.add_synthetic_job("job-1", detections=5)
    fake.fault_rate(**rates)
    return [kinds(fake.handle("GetLabelDetection", {"JobId": "job-1"})) for _ in range(calls)]


RATES = {
    "throttling": 0.2,
    "provisioned": 0.1,
    "internal": 0.1,
    "drop": 0.05,
    "truncated": 0.05,
    "timeout": 0.05,
}


def test_rates_are_seeded_and_roughly_right() -> None:
    seen = run(3, RATES)
    assert seen == run(3, RATES)
    assert seen != run(4, RATES)
    counts = Counter(seen)
    assert set(counts) == {
        "ok",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "InternalServerError",
        "connection",
        "truncated",
        "timeout",
    }
    assert 40 <= counts["ThrottlingException"] <= 120  # 0.2 of 400
    assert 80 <= counts["ok"] <= 200  # 0.45 of 400


def test_fault_counts_and_the_schedule_comes_first() -> None:
    fake = FakeRekognition(seed=1)
    fake.add_synthetic_job("job-1", detections=5)
    fake.fault_rate(throttling=1.0)
    fake.inject([None, "InternalServerError"])
    got = [kinds(fake.handle("GetLabelDetection", {"JobId": "job-1"})) for _ in range(4)]
    assert got == ["ok", "InternalServerError", "ThrottlingException", "ThrottlingException"]
    assert fake.fault_counts == {"InternalServerError": 1, "ThrottlingException": 2}
    fake.fault_rate()
    assert kinds(fake.handle("GetLabelDetection", {"JobId": "job-1"})) == "ok"


def test_latency_is_added_and_bounded() -> None:
    fake = FakeRekognition(seed=1)
    fake.add_synthetic_job("job-1", detections=5)
    fake.fault_rate(latency=1.0, latency_s=0.05)
    started = time.monotonic()
    for _ in range(3):
        assert fake.handle("GetLabelDetection", {"JobId": "job-1"}).status == 200
    assert time.monotonic() - started >= 0.15
    assert fake.fault_counts == {"latency": 3}
    fake.fault_rate()
    fake.inject(["latency:0.1"])
    started = time.monotonic()
    fake.handle("GetLabelDetection", {"JobId": "job-1"})
    assert time.monotonic() - started >= 0.1


def test_fault_rates_leave_request_ids_alone() -> None:
    def ids(**rates: float) -> list[str]:
        fake = FakeRekognition(seed=9)
        fake.fault_rate(**rates)
        return [fake.handle("Nope", {}).headers.get("x-amzn-RequestId", "") for _ in range(5)]

    assert ids() == ids(latency=0.5, latency_s=0.0)


@pytest.mark.parametrize(
    "rates",
    [{"throttling": 1.5}, {"throttling": 0.6, "internal": 0.6}, {"latency": -0.1}],
)
def test_rates_are_validated(rates: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        FakeRekognition().fault_rate(**rates)


@pytest.mark.parametrize("entry", ["latency:9", "latency:soon", "latency:-1"])
def test_latency_entries_are_validated(entry: str) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        FakeRekognition().inject([entry])


@pytest.mark.parametrize(
    ("fault", "code", "status"),
    [
        ("ThrottlingException", "ThrottlingException", 500),
        ("ThrottlingException:400", "ThrottlingException", 400),
        ("ProvisionedThroughputExceededException", "ProvisionedThroughputExceededException", 400),
        ("InternalServerError", "InternalServerError", 500),
        ("InternalServerError:503", "InternalServerError", 503),
        ("AccessDeniedException", "AccessDeniedException", 400),
    ],
)
def test_injected_errors_are_aws_shaped(fault: str, code: str, status: int) -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=3)
    fake.inject([fault])
    with pytest.raises(ClientError) as info:
        fake.client.get_label_detection(JobId="job-1")
    assert info.value.response["Error"]["Code"] == code
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert fake.client.get_label_detection(JobId="job-1")["JobStatus"] == "SUCCEEDED"


def test_transport_faults_and_truncated_body() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=3)
    fake.inject(["connection", "timeout", "truncated", None])
    with pytest.raises(ConnectionClosedError):
        fake.client.get_label_detection(JobId="job-1")
    with pytest.raises(ReadTimeoutError):
        fake.client.get_label_detection(JobId="job-1")
    # botocore turns a cut 200 body into a dict holding only ResponseMetadata.
    assert set(fake.client.get_label_detection(JobId="job-1")) == {"ResponseMetadata"}
    assert fake.client.get_label_detection(JobId="job-1")["JobStatus"] == "SUCCEEDED"
    assert len(fake.requests) == 4


@pytest.mark.parametrize("entry", ["Nope", "ThrottlingException:4000", "truncated:400"])
def test_inject_rejects_unknown_faults(entry: str) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        FakeRekognition().inject([entry])
