"""The fake's job store and paging (testing/_jobs): every label once with metadata on every
page, IN_PROGRESS and FAILED jobs, and the orders, checked against hand-computed expectations
(not only against the transforms the fake itself uses)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError

import rekolabels as rl
from rekolabels.testing import FakeRekognition

from .helpers import load, read_all

# A small TIMESTAMPS job on the grid {0, 500, 1000, 1500}, in AWS's TIMESTAMP order.
STORED = [
    (0, "Car", 90.0), (0, "Dog", 80.0),
    (500, "Car", 95.0), (500, "Tree", 70.0),
    (1000, "Dog", 85.0), (1000, "Tree", 75.0),
    (1500, "Car", 60.0), (1500, "Dog", 85.0),
]  # fmt: skip

# By hand, from DESIGN.md's rules.
# NAME: name, then confidence descending, then timestamp ascending.
BY_NAME = [
    (500, "Car", 95.0), (0, "Car", 90.0), (1500, "Car", 60.0),
    (1000, "Dog", 85.0), (1500, "Dog", 85.0), (0, "Dog", 80.0),
    (1000, "Tree", 75.0), (500, "Tree", 70.0),
]  # fmt: skip
# SEGMENTS: Car is absent at 1000 (two segments), Dog at 500 (two), Tree is one run;
# confidence is the run's maximum. TIMESTAMP order: start, then name.
SEGMENTS = [
    (0, 500, "Car", 95.0), (0, 0, "Dog", 80.0), (500, 1000, "Tree", 75.0),
    (1000, 1500, "Dog", 85.0), (1500, 1500, "Car", 60.0),
]  # fmt: skip
# SEGMENTS in NAME order: name, then confidence descending, then start.
SEGMENTS_BY_NAME = [
    (0, 500, "Car", 95.0), (1500, 1500, "Car", 60.0),
    (1000, 1500, "Dog", 85.0), (0, 0, "Dog", 80.0),
    (500, 1000, "Tree", 75.0),
]  # fmt: skip


def detection(t: int, name: str, confidence: float) -> dict[str, Any]:
    return {"Timestamp": t, "Label": {"Name": name, "Confidence": confidence}}


def segment(start: int, end: int, name: str, confidence: float) -> dict[str, Any]:
    return {
        "Timestamp": start,
        "Label": {"Name": name, "Confidence": confidence},
        "StartTimestampMillis": start,
        "EndTimestampMillis": end,
        "DurationMillis": end - start,
    }


def served(fake: FakeRekognition, **params: Any) -> list[Mapping[str, object]]:
    """Every label the fake serves for job-1, two per page."""
    labels: list[Mapping[str, object]] = []
    request: dict[str, Any] = {"JobId": "job-1", "MaxResults": 2, **params}
    for _ in range(20):
        page = fake.client.get_label_detection(**request)
        assert page["GetRequestMetadata"] == {
            "SortBy": params.get("SortBy", "TIMESTAMP"),
            "AggregateBy": params.get("AggregateBy", "TIMESTAMPS"),
        }
        labels.extend(page["Labels"])
        if "NextToken" not in page:
            return labels
        request["NextToken"] = page["NextToken"]
    raise AssertionError("more than 20 pages")


@pytest.fixture
def fake() -> FakeRekognition:
    fake = FakeRekognition()
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": [detection(*d) for d in STORED]})
    return fake


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [detection(*d) for d in STORED]),
        ({"SortBy": "TIMESTAMP"}, [detection(*d) for d in STORED]),
        ({"SortBy": "NAME"}, [detection(*d) for d in BY_NAME]),
        ({"AggregateBy": "SEGMENTS"}, [segment(*s) for s in SEGMENTS]),
        ({"SortBy": "NAME", "AggregateBy": "SEGMENTS"}, [segment(*s) for s in SEGMENTS_BY_NAME]),
    ],
    ids=["default", "TIMESTAMP", "NAME", "SEGMENTS", "NAME-SEGMENTS"],
)
def test_orders_are_the_hand_computed_ones(
    fake: FakeRekognition, params: dict[str, str], expected: list[dict[str, Any]]
) -> None:
    assert served(fake, **params) == expected


def test_a_shuffled_job_is_served_in_timestamp_order() -> None:
    fake = FakeRekognition()
    shuffled = [STORED[i] for i in (7, 2, 0, 5, 3, 1, 6, 4)]
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": [detection(*d) for d in shuffled]})
    assert served(fake) == [detection(*d) for d in STORED]


def test_pages_every_label_once_with_metadata_on_every_page() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=2345)
    pages = read_all(fake.client, "job-1")
    assert [len(p["Labels"]) for p in pages] == [1000, 1000, 345]
    for page in pages:
        assert page["JobStatus"] == "SUCCEEDED"
        assert "VideoMetadata" in page
        assert page["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"}
    stamps = [d["Timestamp"] for p in pages for d in p["Labels"]]
    assert stamps == sorted(stamps)


def test_max_results_is_capped_at_1000() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=1500)
    page = fake.client.get_label_detection(JobId="job-1", MaxResults=5000)
    assert len(page["Labels"]) == 1000


def test_serves_a_recorded_response_and_echoes_sort_and_aggregate() -> None:
    fake = FakeRekognition()
    recorded = load("awscli-2019-samplevideo-succeeded-v2.json")
    fake.add_job("job-1", recorded)
    assert [d for p in read_all(fake.client, "job-1", MaxResults=7) for d in p["Labels"]] == (
        recorded["Labels"]
    )
    pages = read_all(fake.client, "job-1", MaxResults=7, SortBy="NAME", AggregateBy="SEGMENTS")
    # SortBy/AggregateBy are answered with rekolabels' own transforms.
    models = [rl.LabelDetection.model_validate(d) for d in recorded["Labels"]]
    segments = rl.sort_labels(rl.aggregate_segments(models), "NAME")
    assert [d for p in pages for d in p["Labels"]] == [d.to_boto3() for d in segments]
    assert pages[0]["GetRequestMetadata"] == {"SortBy": "NAME", "AggregateBy": "SEGMENTS"}


def test_unknown_job_is_resource_not_found_with_request_id() -> None:
    fake = FakeRekognition()
    with pytest.raises(ClientError) as info:
        fake.client.get_label_detection(JobId="nope")
    response = info.value.response
    assert response["Error"]["Code"] == "ResourceNotFoundException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RequestId"]


def test_in_progress_then_served_and_failed_jobs() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("done", detections=3)
    fake.add_job("slow", load("made-v2-timestamps.json"), in_progress_polls=2)
    fake.add_job("bad", load("made-failed.json"))
    statuses = [fake.client.get_label_detection(JobId="slow")["JobStatus"] for _ in range(3)]
    assert statuses == ["IN_PROGRESS", "IN_PROGRESS", "SUCCEEDED"]
    failed = fake.client.get_label_detection(JobId="bad")
    assert failed["JobStatus"] == "FAILED"
    assert failed["StatusMessage"].startswith("Unable to access")
    assert "VideoMetadata" not in failed
