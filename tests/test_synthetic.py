"""The synthetic generator: real-looking, exact in size, deterministic, fast."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import rekolabels as rl
from rekolabels.testing._synthetic import TAXONOMY, synthetic_response


@pytest.mark.parametrize("count", [0, 1, 17, 2345])
def test_exactly_n_detections_that_parse_losslessly(count: int) -> None:
    raw = synthetic_response(count, seed=3, job_id="job-1")
    assert len(raw["Labels"]) == count
    page = rl.GetLabelDetectionResponse.from_boto3(raw)
    assert page.job_status is rl.VideoJobStatus.SUCCEEDED
    assert page.label_model_version == "3.0"
    assert page.job_id == "job-1"
    assert page.to_boto3() == raw


def test_deterministic_per_seed() -> None:
    assert synthetic_response(500, seed=7) == synthetic_response(500, seed=7)
    assert synthetic_response(500, seed=7) != synthetic_response(500, seed=8)


def test_aws_timestamp_order() -> None:
    labels = synthetic_response(2345, seed=1)["Labels"]
    keys = [(d["Timestamp"], d["Label"]["Name"].encode()) for d in labels]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)  # one detection per label name and timestamp


def _steps(raw: dict[str, Any]) -> set[int]:
    stamps = sorted({d["Timestamp"] for d in raw["Labels"]})
    return {b - a for a, b in itertools.pairwise(stamps)}


def test_frame_aligned_irregular_sampling_with_skips() -> None:
    steps = _steps(synthetic_response(2345, seed=1))
    assert {500, 501} <= steps  # every 12th frame at 23.976 fps
    # Anything longer is whole samples skipped: a multiple of the 500.5 ms period.
    assert all(abs(s - round(s / 500.5) * 500.5) <= 1 for s in steps)
    assert max(steps) > 501
    assert _steps(synthetic_response(500, seed=1, frame_rate=25, frame_step=5)) <= {200, 400, 600}


def test_taxonomy_is_closed_under_ancestors() -> None:
    for name, (parents, _, categories, _) in TAXONOMY.items():
        assert list(parents) == sorted(parents), name
        assert categories, name
        for parent in parents:
            assert set(TAXONOMY[parent][0]) <= set(parents), (name, parent)


def test_labels_carry_taxonomy_instances_and_shared_confidences() -> None:
    labels = synthetic_response(2345, seed=1)["Labels"]
    by_stamp: dict[int, dict[str, float]] = {}
    for det in labels:
        label = det["Label"]
        parents, aliases, categories, has_instances = TAXONOMY[label["Name"]]
        assert [p["Name"] for p in label["Parents"]] == list(parents)
        assert [a["Name"] for a in label["Aliases"]] == list(aliases)
        assert [c["Name"] for c in label["Categories"]] == list(categories)
        assert 50.0 <= label["Confidence"] <= 100.0
        instances = label["Instances"]
        assert has_instances or not instances
        scores = [i["Confidence"] for i in instances]
        assert scores == sorted(scores, reverse=True)
        for instance in instances:
            assert all(0.0 <= v <= 1.0 for v in instance["BoundingBox"].values())
        by_stamp.setdefault(det["Timestamp"], {})[label["Name"]] = label["Confidence"]
    shared = sum(
        1
        for det in labels
        for p in det["Label"]["Parents"]
        if by_stamp[det["Timestamp"]].get(p["Name"]) == det["Label"]["Confidence"]
    )
    assert shared > len(labels) // 4
    assert any(det["Label"]["Instances"] for det in labels)
    # Labels persist over runs of samples rather than appearing at random.
    assert sum(1 for names in by_stamp.values() if "Person" in names) > len(by_stamp) // 10


def test_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="detections"):
        synthetic_response(-1)
    with pytest.raises(ValueError, match="frame_rate"):
        synthetic_response(1, frame_step=0)
