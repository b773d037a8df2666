"""The models: lossless round trips on real and made responses, forward compatibility, errors."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pydantic import BaseModel

import rekolabels as rl
from tests.helpers import AWS_RECORDINGS, RECORDINGS, load, via_boto3, wire_body

MADE = [name for name in RECORDINGS if name.startswith("made-")]


def round_trip(d: Any) -> Any:
    return rl.GetLabelDetectionResponse.model_validate(d).model_dump(
        by_alias=True, exclude_unset=True, mode="json"
    )


def extras(model: BaseModel, path: str = "$") -> list[str]:
    """Paths of every field a model kept as an unknown extra."""
    found = [f"{path}.{key}" for key in (model.model_extra or {})]
    for name, value in model:
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, BaseModel):
                found += extras(item, f"{path}.{name}[{i}]")
    return found


def test_every_aws_recording_and_made_response_is_present() -> None:
    assert set(AWS_RECORDINGS) <= set(RECORDINGS)
    assert len(MADE) >= 5
    assert "awscli-docs-sample-v2.json" in RECORDINGS


@pytest.mark.parametrize("name", RECORDINGS)
def test_round_trip_is_lossless(name: str) -> None:
    d = load(name)
    assert round_trip(d) == d
    assert rl.GetLabelDetectionResponse.from_boto3(d).to_boto3() == d


@pytest.mark.parametrize("name", RECORDINGS)
def test_recordings_parse_with_no_unexpected_extras(name: str) -> None:
    assert extras(rl.GetLabelDetectionResponse.from_boto3(load(name))) == []


@pytest.mark.parametrize("name", RECORDINGS)
def test_round_trip_through_a_real_boto3_client(name: str) -> None:
    d = load(name)
    parsed = via_boto3(wire_body(d))
    assert "ResponseMetadata" in parsed
    assert {k: v for k, v in parsed.items() if k != "ResponseMetadata"} == {
        k: v for k, v in d.items() if k != "ResponseMetadata"
    }, "botocore dropped or changed a field: the data is not service-model shaped"
    assert round_trip(parsed) == parsed


@pytest.mark.parametrize("name", MADE)
def test_made_responses_are_exactly_what_boto3_returned(name: str) -> None:
    d = load(name)
    got = via_boto3(wire_body(d))
    if "MaxAttemptsReached" not in got["ResponseMetadata"]:
        # Older botocore (the floor, 1.35.16) does not report a spent one-attempt budget.
        d["ResponseMetadata"].pop("MaxAttemptsReached")
    assert got == d


def test_made_responses_cover_every_enum_value_and_shape() -> None:
    seen: dict[str, set[str]] = {"JobStatus": set(), "SortBy": set(), "AggregateBy": set()}
    colors: set[str] = set()
    dominant = segments = v2 = v3 = False
    for name in RECORDINGS:
        r = rl.GetLabelDetectionResponse.from_boto3(load(name))
        seen["JobStatus"].add(str(r.job_status))
        if r.get_request_metadata:
            seen["SortBy"].add(str(r.get_request_metadata.sort_by))
            seen["AggregateBy"].add(str(r.get_request_metadata.aggregate_by))
        if r.video_metadata and r.video_metadata.color_range:
            colors.add(str(r.video_metadata.color_range))
        for det in r.labels or []:
            segments |= det.duration_millis is not None
            assert det.label is not None
            v3 |= det.label.categories is not None
            v2 |= det.label.categories is None
            dominant |= any(i.dominant_colors for i in det.label.instances or [])
    assert seen["JobStatus"] == {str(s) for s in rl.VideoJobStatus}
    assert seen["SortBy"] == {str(s) for s in rl.LabelDetectionSortBy}
    assert seen["AggregateBy"] == {str(s) for s in rl.LabelDetectionAggregateBy}
    assert colors == {str(s) for s in rl.VideoColorRange}
    assert dominant
    assert segments
    assert v2
    assert v3


def test_enums_compare_and_print_as_their_aws_value() -> None:
    status = rl.VideoJobStatus("SUCCEEDED")
    assert status == "SUCCEEDED"
    assert str(status) == "SUCCEEDED"
    assert f"{status}" == "SUCCEEDED"
    assert f"{rl.LabelDetectionSortBy.NAME:>6}" == "  NAME"
    assert json.dumps({"s": status}) == '{"s": "SUCCEEDED"}'


def test_aws_cli_documentation_sample() -> None:
    r = rl.GetLabelDetectionResponse.from_boto3(load("awscli-docs-sample-v2.json"))
    assert r.job_status is rl.VideoJobStatus.SUCCEEDED
    assert r.job_status == "SUCCEEDED"
    assert r.label_model_version == "2.0"
    assert (
        r.next_token == "BMugzAi4L72IERzQdbpyMQuEFBsjlo5W0Yx3mfG+sR9mm98E1/CpObenspRfs/5FBQFs4X7G"
    )
    assert r.labels is not None
    audience, classroom = r.labels
    assert (audience.timestamp, audience.name, audience.confidence) == (
        0,
        "Audience",
        50.19071578979492,
    )
    assert audience.label is not None
    assert [p.name for p in audience.label.parents or []] == ["Person", "Crowd"]
    assert audience.label.instances == []
    assert (classroom.name, classroom.confidence) == ("Classroom", 55.74115753173828)
    assert classroom.label is not None
    assert [p.name for p in classroom.label.parents or []] == ["Room", "Indoors", "School"]
    assert r.video_metadata == rl.VideoMetadata(
        format="QuickTime / MOV", frame_rate=29.970617294311523, codec="h264",
        duration_millis=6806, frame_height=1080, frame_width=1920,
    )  # fmt: skip
    assert r.video_metadata.color_range is None


def test_response_metadata_and_acronym_aliases() -> None:
    r = rl.GetLabelDetectionResponse.from_boto3(
        load("boto3-2024-kfir-tennis-page1-maxresults1-v3.json")
    )
    meta = r.response_metadata
    assert meta is not None
    assert meta.request_id == "0cbfec5b-8cc7-4c45-8779-162c8e508971"
    assert meta.http_status_code == 200
    assert meta.http_headers is not None
    assert meta.http_headers["content-length"] == "873"
    assert meta.retry_attempts == 0
    colors = rl.GetLabelDetectionResponse.from_boto3(load("made-v3-dominant-colors.json"))
    assert colors.labels is not None
    assert colors.labels[0].label is not None
    instance = (colors.labels[0].label.instances or [])[0]
    assert instance.dominant_colors is not None
    red = instance.dominant_colors[0]
    assert (red.css_color, red.hex_code, red.pixel_percent) == ("red", "#ff0000", 61.5)
    assert red.to_boto3()["CSSColor"] == "red"


def test_fields_can_be_set_by_name_and_dump_by_alias() -> None:
    det = rl.LabelDetection(timestamp=500, label=rl.Label(name="Car", confidence=99.0))
    assert det.to_boto3() == {"Timestamp": 500, "Label": {"Name": "Car", "Confidence": 99.0}}
    assert (det.name, det.confidence) == ("Car", 99.0)
    assert rl.LabelDetection(timestamp=1).name is None
    assert rl.LabelDetection(timestamp=1).confidence is None


def test_models_are_immutable() -> None:
    det = rl.LabelDetection(timestamp=500)
    with pytest.raises(ValueError, match="frozen"):
        det.timestamp = 1  # type: ignore[misc]


def test_known_enum_values_become_members() -> None:
    r = rl.GetLabelDetectionResponse.from_boto3(load("made-v3-segments-name-order.json"))
    assert r.get_request_metadata is not None
    assert r.get_request_metadata.sort_by is rl.LabelDetectionSortBy.NAME
    assert r.get_request_metadata.aggregate_by is rl.LabelDetectionAggregateBy.SEGMENTS
    assert r.video_metadata is not None
    assert r.video_metadata.color_range is rl.VideoColorRange.FULL


def test_unknown_enum_value_is_kept_as_a_plain_string() -> None:
    d = load("boto3-2023-grandtour720-timestamps-v3.json")
    d["VideoMetadata"]["ColorRange"] = "HDR10"
    d["JobStatus"] = "PAUSED"
    r = rl.GetLabelDetectionResponse.from_boto3(d)
    assert r.video_metadata is not None
    assert type(r.video_metadata.color_range) is str
    assert r.video_metadata.color_range == "HDR10"
    assert type(r.job_status) is str
    assert r.to_boto3() == d


def test_unknown_fields_at_any_depth_are_kept() -> None:
    d = load("made-v3-dominant-colors.json")
    d["Summary"] = {"Frames": 301, "Nested": [{"Deep": True}]}
    d["VideoMetadata"]["Bitrate"] = 4_000_000
    d["Labels"][0]["Label"]["Instances"][0]["BoundingBox"]["Rotation"] = 0.5
    d["Labels"][0]["Label"]["Instances"][0]["DominantColors"][0]["Lab"] = [53.2, 80.1, 67.2]
    d["Labels"][0]["Label"]["Parents"][0]["Score"] = 1
    d["ResponseMetadata"]["NewMeta"] = "x"
    r = rl.GetLabelDetectionResponse.from_boto3(copy.deepcopy(d))
    assert r.to_boto3() == d
    assert sorted(extras(r)) == sorted([
        "$.Summary", "$.video_metadata[0].Bitrate", "$.response_metadata[0].NewMeta",
        "$.labels[0].label[0].instances[0].bounding_box[0].Rotation",
        "$.labels[0].label[0].instances[0].dominant_colors[0].Lab",
        "$.labels[0].label[0].parents[0].Score",
    ])  # fmt: skip


def test_explicit_nulls_survive_the_round_trip() -> None:
    d = {"JobStatus": "SUCCEEDED", "NextToken": None, "Labels": [{"Timestamp": 0, "Label": None}]}
    assert round_trip(d) == d


WRONG_TYPES: list[dict[str, Any]] = [
    {"Labels": "not a list"},
    {"Labels": [{"Timestamp": "0"}]},
    {"Labels": [{"Timestamp": 1.5}]},
    {"Labels": [{"Timestamp": True}]},
    {"Labels": [{"Label": {"Confidence": "99.1"}}]},
    {"Labels": [{"Label": {"Name": 7}}]},
    {"Labels": [{"Label": {"Parents": {"Name": "Vehicle"}}}]},
    {"VideoMetadata": {"FrameWidth": "1920"}},
    {"VideoMetadata": []},
    {"JobStatus": 3},
    {"ResponseMetadata": {"HTTPStatusCode": "200"}},
    {"ResponseMetadata": {"HTTPHeaders": {"content-length": 873}}},
]


@pytest.mark.parametrize("d", WRONG_TYPES, ids=lambda d: json.dumps(d)[:40])
def test_wrong_types_raise_response_validation_error(d: dict[str, Any]) -> None:
    with pytest.raises(rl.ResponseValidationError) as info:
        rl.GetLabelDetectionResponse.from_boto3(d)
    assert isinstance(info.value, rl.RekolabelsError)
    assert info.value.__cause__ is not None


@pytest.mark.parametrize("d", [None, [], "JobStatus", 42])
def test_a_non_dict_raises_response_validation_error(d: Any) -> None:
    with pytest.raises(rl.ResponseValidationError):
        rl.GetLabelDetectionResponse.from_boto3(d)


def test_request_model_requires_job_id() -> None:
    assert rl.GetLabelDetectionRequest(job_id="j").to_boto3() == {"JobId": "j"}
    with pytest.raises(ValueError, match="JobId"):
        rl.GetLabelDetectionRequest.model_validate({"MaxResults": 5})
    request = rl.GetLabelDetectionRequest.model_validate({"JobId": "j", "SortBy": "NAME"})
    assert request.sort_by is rl.LabelDetectionSortBy.NAME


def test_error_attributes_and_str() -> None:
    err = rl.ThrottledError(
        "Rate exceeded", code="ThrottlingException", request_id="r-1", http_status=400
    )
    assert str(err) == "ThrottlingException: Rate exceeded (HTTP 400, request id r-1)"
    assert (err.code, err.message, err.request_id, err.http_status) == (
        "ThrottlingException", "Rate exceeded", "r-1", 400,
    )  # fmt: skip
    assert str(rl.ServiceError("plain")) == "plain"
    assert isinstance(rl.InvalidArgumentError("x"), ValueError)
    assert issubclass(rl.PartialJobWarning, UserWarning)
    failed = rl.JobFailedError("job failed", status_message="bad video")
    assert failed.status_message == "bad video"


def test_errors_pickle_with_their_attributes() -> None:
    import pickle

    err = rl.JobNotFoundError(
        "no job", code="ResourceNotFoundException", request_id="r", http_status=400
    )
    copy_ = pickle.loads(pickle.dumps(err))
    assert type(copy_) is rl.JobNotFoundError
    assert (copy_.code, copy_.request_id, copy_.http_status, str(copy_)) == (
        err.code, err.request_id, err.http_status, str(err),
    )  # fmt: skip
    failed = pickle.loads(pickle.dumps(rl.JobFailedError("failed", status_message="why")))
    assert failed.status_message == "why"


# -- memory and GC: shared leaves, the fields set on first use --------------------------------


def models_of(model: BaseModel) -> list[BaseModel]:
    """Every model in a tree, depth first."""
    found = [model]
    for _, value in model:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                found += models_of(item)
    return found


def ordinary(d: Any) -> rl.GetLabelDetectionResponse:
    """What pydantic's own validation builds, for comparison."""
    return rl.GetLabelDetectionResponse.model_validate(d)


def test_parents_aliases_and_categories_of_one_name_are_one_shared_instance() -> None:
    page = rl.GetLabelDetectionResponse.from_boto3(
        load("boto3-2023-grandtour720-timestamps-v3.json")
    )
    leaves = [
        leaf
        for det in page.labels or []
        for leaf in [*(det.label.parents or []), *(det.label.categories or [])]  # type: ignore[union-attr]
    ]
    assert len(leaves) > 2000
    assert len({id(leaf) for leaf in leaves}) == len({(type(x), x.name) for x in leaves}) < 100
    vehicle = next(x for x in leaves if isinstance(x, rl.Parent) and x.name == "Vehicle")
    # The shared instance is exactly what validating {"Name": ...} on its own gives.
    alone = rl.Parent.model_validate({"Name": "Vehicle"})
    assert vehicle == alone
    assert vehicle.model_fields_set == alone.model_fields_set == {"name"}
    assert vehicle.model_extra == alone.model_extra == {}
    assert page == ordinary(load("boto3-2023-grandtour720-timestamps-v3.json"))


def test_a_leaf_that_is_not_just_a_name_is_its_own_model() -> None:
    label = rl.Label.model_validate(
        {"Parents": [{"Name": "A", "New": 1}, {"name": "A"}, {}, {"Name": "A"}, {"Name": "A"}]}
    )
    extra, by_name, empty, shared, again = label.parents or []
    assert extra.model_extra == {"New": 1}
    assert extra is not shared
    assert by_name == shared
    assert by_name is not shared
    assert empty.model_fields_set == set()
    assert empty.name is None
    assert shared is again
    with pytest.raises(rl.ResponseValidationError):
        rl.GetLabelDetectionResponse.from_boto3({"Labels": [{"Label": {"Parents": [{"Name": 5}]}}]})


def test_the_shared_leaves_are_bounded() -> None:
    from rekolabels._models import _LEAF_CACHES, _SHARED_LEAVES_MAX

    names = [f"unique-{i}" for i in range(_SHARED_LEAVES_MAX + 50)]
    label = rl.Label.model_validate({"Categories": [{"Name": n} for n in names]})
    assert [c.name for c in label.categories or []] == names
    assert len(_LEAF_CACHES[rl.LabelCategory]) <= _SHARED_LEAVES_MAX


@pytest.mark.parametrize("name", RECORDINGS)
@pytest.mark.parametrize("path", ["from_boto3", "wire"])
def test_fields_sets_left_for_first_use_are_pydantics_own(name: str, path: str) -> None:
    from rekolabels._models import _FIELDS_SET, _LEAF_CACHES
    from rekolabels._rawpage import _page_from_wire

    d = load(name)
    page = (
        rl.GetLabelDetectionResponse.from_boto3(d) if path == "from_boto3"
        else _page_from_wire(wire_body(d))
    )  # fmt: skip
    assert page is not None
    models = models_of(page)
    shared = {id(leaf) for cache in _LEAF_CACHES.values() for leaf in cache.values()}
    # Not built yet: that is the point (no set per model while nobody asks). Shared leaves
    # are built once by the ordinary validation, with theirs.
    assert all(_FIELDS_SET.__get__(m, type(m)) is None for m in models if id(m) not in shared)
    expected = ordinary(d if path == "from_boto3" else {**d, "ResponseMetadata": None})
    for model, other in zip(models, models_of(expected), strict=True):
        want = other.model_fields_set - ({"response_metadata"} if path == "wire" else set())
        assert model.model_fields_set == want
        assert model.model_fields_set is model.model_fields_set  # built once, then kept
    assert page.to_boto3() == {k: v for k, v in expected.to_boto3().items() if v is not None}


def test_a_model_with_its_fields_set_left_for_first_use_copies_and_pickles_as_usual() -> None:
    import pickle

    d = load("made-v3-dominant-colors.json")
    page = rl.GetLabelDetectionResponse.from_boto3(d)
    det = (page.labels or [])[0]
    changed = det.model_copy(update={"duration_millis": 5})
    assert changed.model_fields_set == {"timestamp", "label", "duration_millis"}
    assert det.model_fields_set == {"timestamp", "label"}
    for twin in (pickle.loads(pickle.dumps(page)), copy.deepcopy(page), copy.copy(page)):
        assert twin == page
        assert twin.to_boto3() == page.to_boto3() == d


def test_explicit_nulls_take_the_ordinary_validation() -> None:
    page = rl.GetLabelDetectionResponse.from_boto3({"JobStatus": "SUCCEEDED", "NextToken": None})
    assert page.model_fields_set == {"job_status", "next_token"}
    assert page.to_boto3() == {"JobStatus": "SUCCEEDED", "NextToken": None}
