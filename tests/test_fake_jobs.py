"""The fake's job store and paging (testing/_jobs): orders checked against hand-computed
expectations, not against the transforms the fake itself uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from rekolabels.testing import FakeRekognition

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
