"""The fake's NextTokens (testing/_tokens): opaque, signed, bound to one job and one order."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from rekolabels.testing import FakeRekognition
from rekolabels.testing._reply import BadRequest
from rekolabels.testing._tokens import Tokens


@pytest.mark.parametrize(
    "token",
    ["forged", "", "x" * 100, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "é"],
)
def test_forged_tokens_are_rejected(token: str) -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=20)
    with pytest.raises(ClientError) as info:
        fake.client.get_label_detection(JobId="job-1", NextToken=token)
    assert info.value.response["Error"]["Code"] == "InvalidPaginationTokenException"


def test_tokens_are_bound_to_job_and_request_shape() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=20)
    fake.add_synthetic_job("job-2", detections=20)
    token = fake.client.get_label_detection(JobId="job-1", MaxResults=5)["NextToken"]
    others: list[dict[str, Any]] = [{"JobId": "job-2"}, {"JobId": "job-1", "SortBy": "NAME"}]
    for params in others:
        with pytest.raises(ClientError) as info:
            fake.client.get_label_detection(NextToken=token, **params)
        assert info.value.response["Error"]["Code"] == "InvalidPaginationTokenException"
    other = FakeRekognition(seed=1)
    other.add_synthetic_job("job-1", detections=20)
    with pytest.raises(ClientError):
        other.client.get_label_detection(JobId="job-1", NextToken=token)


def test_a_token_reads_back_only_for_its_job_and_order() -> None:
    tokens = Tokens(seed=3)
    token = tokens.make("job-1", 700, "NAME", "SEGMENTS")
    assert tokens.read(token, "job-1", "NAME", "SEGMENTS") == 700
    assert len(token) <= 255
    assert "job-1" not in token  # opaque
    for job_id, sort_by, aggregate_by in [
        ("job-2", "NAME", "SEGMENTS"),
        ("job-1", "TIMESTAMP", "SEGMENTS"),
        ("job-1", "NAME", "TIMESTAMPS"),
    ]:
        with pytest.raises(BadRequest) as info:
            tokens.read(token, job_id, sort_by, aggregate_by)
        assert info.value.code == "InvalidPaginationTokenException"
    with pytest.raises(BadRequest):
        Tokens(seed=4).read(token, "job-1", "NAME", "SEGMENTS")  # another fake's key
    assert Tokens(seed=3).make("job-1", 700, "NAME", "SEGMENTS") == token  # repeatable
