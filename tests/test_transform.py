"""sort_labels, aggregate_segments, resort and reaggregate, on real recordings and made-up jobs.

Expected orders and segments come from the recordings themselves (AWS's own TIMESTAMP order)
or from the rule in DESIGN.md checked by hand on small inputs, never from running our code.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import rekolabels as rl
from tests.helpers import AWS_RECORDINGS, load

WITH_LABELS = [name for name in AWS_RECORDINGS if load(name).get("Labels")]
GRANDTOUR = "boto3-2023-grandtour720-timestamps-v3.json"
SAMPLE_2019 = "awscli-2019-samplevideo-succeeded-v2.json"
SAVED_2022 = "saved-2022-page1-nexttoken-v2.json"


def detections(name: str) -> list[rl.LabelDetection]:
    return list(rl.GetLabelDetectionResponse.from_boto3(load(name)).labels or [])


def det(t: int, name: str, conf: float = 90.0, **label: Any) -> rl.LabelDetection:
    return rl.LabelDetection.model_validate(
        {"Timestamp": t, "Label": {"Name": name, "Confidence": conf, **label}}
    )


def stamp(d: rl.LabelDetection) -> int:
    """Its Timestamp, which every detection of these tests has."""
    assert d.timestamp is not None
    return d.timestamp


def name_of(d: rl.LabelDetection) -> str:
    assert d.name is not None
    return d.name


def conf(d: rl.LabelDetection) -> float:
    assert d.confidence is not None
    return d.confidence


def start(s: rl.LabelDetection) -> int:
    """A segment's StartTimestampMillis, which every segment has."""
    assert s.start_timestamp_millis is not None
    return s.start_timestamp_millis


def end(s: rl.LabelDetection) -> int:
    assert s.end_timestamp_millis is not None
    return s.end_timestamp_millis


def spans(segments: list[rl.LabelDetection], name: str) -> list[tuple[int, int]]:
    return [(start(s), end(s)) for s in segments if name_of(s) == name]


# --- sort_labels ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", WITH_LABELS)
def test_shuffled_labels_resorted_by_timestamp_equal_the_recorded_order(name: str) -> None:
    recorded = detections(name)
    shuffled = recorded[:]
    random.Random(4).shuffle(shuffled)
    assert rl.sort_labels(shuffled, "TIMESTAMP") == recorded
    assert rl.sort_labels(shuffled, rl.LabelDetectionSortBy.TIMESTAMP) == recorded


def test_timestamp_order_is_ordinal_within_a_timestamp() -> None:
    # AWS puts "VR Headset" before "Vehicle" (ordinal 'R' < 'e'); a case-folding sort would not.
    shuffled = [det(0, "Vehicle"), det(0, "VR Headset"), det(0, "apple"), det(0, "Zebra")]
    assert [d.name for d in rl.sort_labels(shuffled, "TIMESTAMP")] == [
        "VR Headset",
        "Vehicle",
        "Zebra",
        "apple",
    ]


@pytest.mark.parametrize("name", WITH_LABELS)
def test_name_order_invariants_on_recordings(name: str) -> None:
    recorded = detections(name)
    by_name = rl.sort_labels(recorded, "NAME")
    assert sorted(map(id, by_name)) == sorted(map(id, recorded))  # a permutation
    for a, b in itertools.pairwise(by_name):
        assert name_of(a) <= name_of(b)
        if a.name == b.name:
            assert conf(a) >= conf(b)
            if a.confidence == b.confidence:
                assert stamp(a) <= stamp(b)


def test_name_order_ties_by_confidence_then_timestamp() -> None:
    items = [det(500, "Car", 80.0), det(0, "Car", 80.0), det(0, "Boat", 10.0), det(9, "Car", 99.0)]
    got = [(d.name, d.confidence, d.timestamp) for d in rl.sort_labels(items, "NAME")]
    assert got == [("Boat", 10.0, 0), ("Car", 99.0, 9), ("Car", 80.0, 0), ("Car", 80.0, 500)]


def test_sort_is_stable_and_returns_a_new_list() -> None:
    first, second = det(0, "Car", 80.0), det(0, "Car", 80.0, Instances=[])
    items = [first, second]
    out = rl.sort_labels(items, "TIMESTAMP")
    assert out is not items
    assert out[0] is first
    assert out[1] is second


def test_sorting_segments_uses_their_start() -> None:
    page = rl.GetLabelDetectionResponse.from_boto3(load("made-v3-segments-name-order.json"))
    segments = page.labels or []
    ordered = rl.sort_labels(segments, "TIMESTAMP")
    assert [(s.start_timestamp_millis, s.name) for s in ordered] == [
        (0, "Car"),
        (500, "Road"),
        (7007, "Car"),
    ]


@pytest.mark.parametrize("by", ["timestamp", "Name", "", "SEGMENTS"])
def test_bad_sort_by_is_an_invalid_argument_naming_by(by: str) -> None:
    with pytest.raises(rl.InvalidArgumentError, match="by"):
        rl.sort_labels([det(0, "Car")], by)  # type: ignore[arg-type]  # a str outside the Literal


@pytest.mark.parametrize("by", [1, None, b"NAME"])
def test_sort_by_of_the_wrong_type_is_an_invalid_argument_naming_by(by: Any) -> None:
    with pytest.raises(rl.InvalidArgumentError, match="by"):
        rl.sort_labels([det(0, "Car")], by)
    with pytest.raises(rl.InvalidArgumentError, match="by"):
        rl.resort(rl.GetLabelDetectionResponse(), by)


@pytest.mark.parametrize(
    "bad",
    [
        {"Label": {"Name": "Car"}},  # no Timestamp
        {"Timestamp": 0},  # no Label
        {"Timestamp": 0, "Label": {"Confidence": 1.0}},  # no Name
    ],
)
def test_detections_without_timestamp_or_name_are_invalid(bad: dict[str, Any]) -> None:
    items = [det(0, "Car"), rl.LabelDetection.model_validate(bad)]
    with pytest.raises(rl.InvalidArgumentError, match=r"labels\[1\]"):
        rl.sort_labels(items, "TIMESTAMP")
    with pytest.raises(rl.InvalidArgumentError, match=r"labels\[1\]"):
        rl.aggregate_segments(items)


@pytest.mark.parametrize(
    ("bad", "what"),
    [
        ({"Timestamp": 0}, "has no Label"),
        ({"Timestamp": 0, "Label": {"Confidence": 1.0}}, "has no Label.Name"),
        ({"Timestamp": 0, "Label": {"Name": "Car"}, "DurationMillis": 0}, "is already a segment"),
    ],
)
def test_errors_name_the_index_in_the_input_even_when_it_is_unordered(
    bad: dict[str, Any], what: str
) -> None:
    # Out of timestamp order, aggregate_segments sorts a copy first: the error must still name
    # the bad item's place in the caller's list (it named its place in the sorted copy).
    items = [det(500, "Car"), rl.LabelDetection.model_validate(bad), det(700, "Car")]
    with pytest.raises(rl.InvalidArgumentError, match=rf"^labels\[1\] {what}"):
        rl.aggregate_segments(items)


def test_a_response_or_dicts_as_labels_is_a_type_error() -> None:
    page = rl.GetLabelDetectionResponse.from_boto3(load(GRANDTOUR))
    with pytest.raises(TypeError, match="resort"):
        rl.sort_labels(page, "NAME")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="LabelDetection"):
        rl.aggregate_segments(load(GRANDTOUR)["Labels"])


# --- aggregate_segments --------------------------------------------------------------------


def check_segment_invariants(
    items: list[rl.LabelDetection],
    segments: list[rl.LabelDetection],
    max_gap_ms: int | None = None,
) -> None:
    """The DESIGN.md rule, checked from the outside."""
    grid = sorted({stamp(d) for d in items})
    present: dict[str, set[int]] = defaultdict(set)
    for d in items:
        present[name_of(d)].add(stamp(d))

    for s in segments:
        assert s.timestamp == s.start_timestamp_millis
        assert s.duration_millis == end(s) - start(s)
        assert s.label is not None
        assert s.label.instances is None
        assert "Instances" not in s.to_boto3()["Label"]
        # Starts and ends on a detection of its own name.
        assert start(s) in present[name_of(s)]
        assert end(s) in present[name_of(s)]

    # Every detection is covered by exactly one segment of its name.
    for d in items:
        covering = [s for s in segments if s.name == d.name and start(s) <= stamp(d) <= end(s)]
        assert len(covering) == 1, (d.name, d.timestamp)

    # Within a segment, consecutive detections join by the rule; between two segments of one
    # name, the split is where the label is absent at a grid point and the gap exceeds max_gap.
    by_name: dict[str, list[rl.LabelDetection]] = defaultdict(list)
    for s in segments:
        by_name[name_of(s)].append(s)
    for name, segs in by_name.items():
        segs.sort(key=start)
        for a, b in itertools.pairwise(segs):
            t1, t2 = end(a), start(b)
            assert t1 < t2
            between = [t for t in grid if t1 < t < t2]
            assert between, f"{name} split with no grid point between {t1} and {t2}"
            assert all(t not in present[name] for t in between)
            if max_gap_ms is not None:
                assert t2 - t1 > max_gap_ms
        for s in segs:
            inside = sorted(t for t in present[name] if start(s) <= t)
            inside = [t for t in inside if t <= end(s)]
            for t1, t2 in itertools.pairwise(inside):
                missing = [t for t in grid if t1 < t < t2]
                assert not missing or (max_gap_ms is not None and t2 - t1 <= max_gap_ms)

    # TIMESTAMP order: start, then name.
    keys = [(s.start_timestamp_millis, s.name) for s in segments]
    assert keys == sorted(keys)


@pytest.mark.parametrize("name", WITH_LABELS)
@pytest.mark.parametrize("max_gap_ms", [None, 0, 1000])
def test_segment_invariants_on_recordings(name: str, max_gap_ms: int | None) -> None:
    items = detections(name)
    check_segment_invariants(items, rl.aggregate_segments(items, max_gap_ms=max_gap_ms), max_gap_ms)


def test_car_present_at_every_sample_is_one_segment_spanning_grandtour() -> None:
    items = detections(GRANDTOUR)
    grid = sorted({stamp(d) for d in items})
    cars = [d for d in items if d.name == "Car"]
    assert sorted(stamp(d) for d in cars) == grid  # the premise
    segments = [s for s in rl.aggregate_segments(items) if s.name == "Car"]
    assert len(segments) == 1
    car = segments[0]
    assert (car.start_timestamp_millis, car.end_timestamp_millis) == (grid[0], grid[-1])
    assert car.duration_millis == grid[-1] - grid[0]
    assert conf(car) == max(conf(d) for d in cars)
    assert car.label is not None
    assert cars[0].label is not None
    assert car.label.parents == cars[0].label.parents
    assert car.label.aliases == cars[0].label.aliases
    assert car.label.categories == cars[0].label.categories


def test_segment_dump_has_exactly_the_aws_segment_keys() -> None:
    # v3.0 label: Parents, Aliases and Categories kept; v2.0 label: none of Aliases/Categories.
    v3 = det(0, "Car", 50.0, Parents=[{"Name": "Vehicle"}], Aliases=[], Categories=[], Instances=[])
    v2 = det(0, "Sky", 70.0, Parents=[])
    out = [s.to_boto3() for s in rl.aggregate_segments([v3, det(200, "Car", 60.0), v2])]
    assert out == [
        {
            "Timestamp": 0,
            "Label": {
                "Name": "Car",
                "Confidence": 60.0,
                "Parents": [{"Name": "Vehicle"}],
                "Aliases": [],
                "Categories": [],
            },
            "StartTimestampMillis": 0,
            "EndTimestampMillis": 200,
            "DurationMillis": 200,
        },
        {
            "Timestamp": 0,
            "Label": {"Name": "Sky", "Confidence": 70.0, "Parents": []},
            "StartTimestampMillis": 0,
            "EndTimestampMillis": 0,
            "DurationMillis": 0,
        },
    ]
    # And it reads back as the same model.
    again = rl.LabelDetection.model_validate(out[0])
    assert again.to_boto3() == out[0]


def test_segments_are_models_like_validated_ones() -> None:
    """Segments are built without validation; they must behave exactly as validated models."""
    for seg in rl.aggregate_segments(detections("boto3-2023-grandtour720-timestamps-v3.json")):
        again = rl.LabelDetection.model_validate(seg.to_boto3())
        assert seg == again
        assert seg.model_extra == {}
        assert seg.label is not None
        assert again.label is not None
        assert seg.label.model_extra == {}
        assert seg.model_fields_set == again.model_fields_set
        assert seg.label.model_fields_set == again.label.model_fields_set


def test_200ms_grid_splits_where_the_label_is_absent() -> None:
    # 2019 sample video, samples every 200 ms: Rabbit at 0 and 200, absent 400..1000, back at
    # 1200 and 1400 (read off the recording). Beak: 2000..3000, then 4400..5200.
    segments = rl.aggregate_segments(detections(SAMPLE_2019))
    assert spans(segments, "Rabbit") == [(0, 200), (1200, 1400)]
    assert spans(segments, "Beak") == [(2000, 3000), (4400, 5200)]


def test_480_520_grid_with_a_skipped_sample_at_20000() -> None:
    # saved-2022 samples at ...19000, 19480, then 20480: the sample at 20000 is missing from the
    # grid, so Motor Scooter (at 19480 and 20480) stays one segment across the 1000 ms step.
    items = detections(SAVED_2022)
    grid = sorted({stamp(d) for d in items})
    assert 20000 not in grid
    assert {19480, 20480} <= set(grid)
    assert grid[grid.index(19480) + 1] == 20480
    scooter = sorted(stamp(d) for d in items if name_of(d) == "Motor Scooter")
    assert {19480, 20480} <= set(scooter)
    segments = rl.aggregate_segments(items)
    assert spans(segments, "Motor Scooter") == [(3480, 4000), (16480, 24480), (26480, 30000)]
    # Motorcycle is absent only at 4960..16000 (480/520 steps) on this page.
    assert spans(segments, "Motorcycle") == [(3480, 4480), (16480, 30000)]


def test_skipped_sample_is_not_a_gap_on_a_small_grid() -> None:
    # Grid 0, 500, 1000, 2000 (1500 skipped). "Car" at 1000 and 2000 is one segment;
    # "Dog" at 0 and 1000 is split: the grid point 500 lacks it.
    items = [det(0, "Dog"), det(500, "Sky"), det(1000, "Car"), det(1000, "Dog"), det(2000, "Car")]
    segments = rl.aggregate_segments(items)
    assert spans(segments, "Car") == [(1000, 2000)]
    assert spans(segments, "Dog") == [(0, 0), (1000, 1000)]


def test_500_501_grid_of_grandtour() -> None:
    # Grandtour samples 0, 500, 1001, 1501, 2002, ... (500/501 ms). Hand-read from the recording:
    # Sedan at 1501, absent at 2002, at 2502..4004, absent at 4504, at 5005..7007.
    segments = rl.aggregate_segments(detections(GRANDTOUR))
    assert spans(segments, "Sedan") == [(1501, 1501), (2502, 4004), (5005, 7007)]
    assert spans(segments, "VR Headset") == [(11511, 11511), (12512, 12512)]


def test_max_gap_bridges_a_flicker() -> None:
    # Car at 0, 500, absent at 1000, back at 1500: two segments; a max gap of 1000 ms bridges
    # 500 -> 1500 (exactly 1000), 999 does not.
    items = [det(0, "Car", 70.0), det(500, "Car"), det(1000, "Sky"), det(1500, "Car", 95.0)]
    assert spans(rl.aggregate_segments(items), "Car") == [(0, 500), (1500, 1500)]
    assert spans(rl.aggregate_segments(items, max_gap_ms=999), "Car") == [(0, 500), (1500, 1500)]
    bridged = [s for s in rl.aggregate_segments(items, max_gap_ms=1000) if s.name == "Car"]
    assert [(s.start_timestamp_millis, s.end_timestamp_millis) for s in bridged] == [(0, 1500)]
    assert bridged[0].duration_millis == 1500
    assert bridged[0].confidence == 95.0


def test_max_gap_bridges_a_real_flicker() -> None:
    # 2019: Green at 0 and 1400 only (200 ms grid): 1400 ms apart.
    items = detections(SAMPLE_2019)
    assert spans(rl.aggregate_segments(items, max_gap_ms=1399), "Green") == [(0, 0), (1400, 1400)]
    assert spans(rl.aggregate_segments(items, max_gap_ms=1400), "Green") == [(0, 1400)]


def test_confidence_is_the_maximum_over_the_run() -> None:
    items = [det(0, "Car", 50.0), det(100, "Car", 99.5), det(200, "Car", 70.0)]
    assert [s.confidence for s in rl.aggregate_segments(items)] == [99.5]


def test_unordered_input_gives_the_same_segments() -> None:
    items = detections(GRANDTOUR)
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    assert rl.aggregate_segments(shuffled) == rl.aggregate_segments(items)
    by_name = rl.sort_labels(items, "NAME")
    assert rl.aggregate_segments(by_name) == rl.aggregate_segments(items)


def test_segments_as_input_are_invalid() -> None:
    page = rl.GetLabelDetectionResponse.from_boto3(load("made-v3-segments-name-order.json"))
    with pytest.raises(rl.InvalidArgumentError, match="segment"):
        rl.aggregate_segments(page.labels or [])
    only_duration = rl.LabelDetection.model_validate(
        {"Timestamp": 0, "Label": {"Name": "Car"}, "DurationMillis": 0}
    )
    with pytest.raises(rl.InvalidArgumentError, match=r"labels\[1\].*segment"):
        rl.aggregate_segments([det(0, "Sky"), only_duration])


@pytest.mark.parametrize(("bad", "error"), [(-1, rl.InvalidArgumentError), (1.5, TypeError)])
def test_bad_max_gap_names_max_gap_ms(bad: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="max_gap_ms"):
        rl.aggregate_segments([det(0, "Car")], max_gap_ms=bad)
    page = rl.GetLabelDetectionResponse.from_boto3(load(GRANDTOUR))
    with pytest.raises(error, match="max_gap_ms"):
        rl.reaggregate(page, max_gap_ms=bad)


def test_bool_is_not_a_max_gap() -> None:
    with pytest.raises(TypeError, match="max_gap_ms"):
        rl.aggregate_segments([det(0, "Car")], max_gap_ms=True)


def test_empty_input() -> None:
    assert rl.aggregate_segments([]) == []
    assert rl.sort_labels([], "NAME") == []


# --- resort and reaggregate ----------------------------------------------------------------


def test_resort_updates_sort_by_and_keeps_everything_else() -> None:
    raw = load(GRANDTOUR)
    page = rl.GetLabelDetectionResponse.from_boto3(raw)
    out = rl.resort(page, "NAME").to_boto3()
    assert out["GetRequestMetadata"] == {"SortBy": "NAME", "AggregateBy": "TIMESTAMPS"}
    for key in raw.keys() - {"Labels", "GetRequestMetadata"}:
        assert out[key] == raw[key], key
    assert out.keys() == raw.keys()
    assert sorted(out["Labels"], key=repr) == sorted(raw["Labels"], key=repr)
    assert page.to_boto3() == raw  # input untouched


def test_resort_keeps_unknown_fields_and_adds_metadata_to_old_responses() -> None:
    raw = load(SAMPLE_2019)  # 2019: no GetRequestMetadata at all
    raw["SomethingNew"] = {"x": 1}
    page = rl.GetLabelDetectionResponse.from_boto3(raw)
    out = rl.resort(page, rl.LabelDetectionSortBy.NAME).to_boto3()
    assert out["SomethingNew"] == {"x": 1}
    assert out["GetRequestMetadata"] == {"SortBy": "NAME", "AggregateBy": "TIMESTAMPS"}
    back = rl.resort(rl.GetLabelDetectionResponse.from_boto3(out), "TIMESTAMP").to_boto3()
    assert back["Labels"] == load(SAMPLE_2019)["Labels"]


def test_resort_of_a_segments_response_sorts_segments() -> None:
    raw = load("made-v3-segments-name-order.json")
    page = rl.GetLabelDetectionResponse.from_boto3(raw)
    with pytest.warns(rl.PartialJobWarning):
        out = rl.resort(page, "TIMESTAMP").to_boto3()
    assert out["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "SEGMENTS"}
    assert out["NextToken"] == raw["NextToken"]
    assert [(s["StartTimestampMillis"], s["Label"]["Name"]) for s in out["Labels"]] == [
        (0, "Car"),
        (500, "Road"),
        (7007, "Car"),
    ]


def test_reaggregate_sets_segments_and_keeps_the_rest() -> None:
    raw = load(GRANDTOUR)
    page = rl.GetLabelDetectionResponse.from_boto3(raw)
    out = rl.reaggregate(page).to_boto3()
    assert out["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "SEGMENTS"}
    for key in raw.keys() - {"Labels", "GetRequestMetadata"}:
        assert out[key] == raw[key], key
    assert out["Labels"] == [s.to_boto3() for s in rl.aggregate_segments(page.labels or [])]
    assert rl.GetLabelDetectionResponse.from_boto3(out).to_boto3() == out


def test_reaggregate_keeps_name_order() -> None:
    page = rl.resort(rl.GetLabelDetectionResponse.from_boto3(load(GRANDTOUR)), "NAME")
    out = rl.reaggregate(page)
    assert out.get_request_metadata is not None
    assert out.get_request_metadata.sort_by is rl.LabelDetectionSortBy.NAME
    assert out.labels == rl.sort_labels(rl.aggregate_segments(page.labels or []), "NAME")
    names = [name_of(s) for s in out.labels or []]
    assert names == sorted(names)


def test_reaggregate_of_segments_is_invalid() -> None:
    page = rl.GetLabelDetectionResponse.from_boto3(load("made-v3-segments-name-order.json"))
    with pytest.raises(rl.InvalidArgumentError, match="SEGMENTS"):
        rl.reaggregate(page)


def test_one_page_of_a_longer_job_warns() -> None:
    page = rl.GetLabelDetectionResponse.from_boto3(load(SAVED_2022))
    assert page.next_token is not None
    with pytest.warns(rl.PartialJobWarning, match="page edge"):
        out = rl.reaggregate(page)
    assert out.next_token == page.next_token
    with pytest.warns(rl.PartialJobWarning):
        rl.resort(page, "NAME")


def test_resort_and_reaggregate_want_a_response() -> None:
    raw: dict[str, Any] = load(GRANDTOUR)
    with pytest.raises(TypeError, match="response"):
        rl.resort(raw, "NAME")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="response"):
        rl.reaggregate(raw)  # type: ignore[arg-type]


# --- properties ----------------------------------------------------------------------------

# Names chosen to make ordinal order differ from case-folded and locale order.
NAMES = ["Car", "Vehicle", "VR Headset", "car", "Ärmel", "Zebra", "a", "Car Wheel"]


@st.composite
def jobs(draw: st.DrawFn) -> list[rl.LabelDetection]:
    """A TIMESTAMPS job: irregular increasing sample times, each with a subset of names.

    One detection per (timestamp, name), as AWS returns them, in TIMESTAMP order; confidences
    often tie.
    """
    steps = draw(st.lists(st.integers(1, 1200), max_size=12))
    times = [0]
    for step in steps:
        times.append(times[-1] + step)
    out = []
    for t in times:
        # Python orders str by code point: the ordinal order AWS uses within a timestamp.
        for name in sorted(draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=5))):
            conf = draw(st.sampled_from([50.0, 75.5, 99.0]))
            out.append(det(t, name, conf))
    return out


@given(jobs(), st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_segments_cover_exactly_the_input_timestamps(
    job: list[rl.LabelDetection], rnd: random.Random
) -> None:
    shuffled = job[:]
    rnd.shuffle(shuffled)
    segments = rl.aggregate_segments(shuffled)
    grid = sorted({stamp(d) for d in job})
    covered = {(s.name, t) for s in segments for t in grid if start(s) <= t <= end(s)}
    assert covered == {(d.name, d.timestamp) for d in job}
    check_segment_invariants(job, segments)


@given(jobs(), st.integers(0, 2500))
@settings(max_examples=100, deadline=None)
def test_segment_invariants_with_max_gap(job: list[rl.LabelDetection], gap: int) -> None:
    check_segment_invariants(job, rl.aggregate_segments(job, max_gap_ms=gap), gap)


@given(jobs(), st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_resort_name_then_timestamp_is_the_timestamp_order(
    job: list[rl.LabelDetection], rnd: random.Random
) -> None:
    shuffled = job[:]
    rnd.shuffle(shuffled)
    page = rl.GetLabelDetectionResponse.model_validate({"JobStatus": "SUCCEEDED"}).model_copy(
        update={"labels": shuffled}
    )
    there_and_back = rl.resort(rl.resort(page, "NAME"), "TIMESTAMP")
    assert there_and_back.labels == job  # the generator builds jobs in TIMESTAMP order
    assert there_and_back.labels == rl.sort_labels(shuffled, "TIMESTAMP")


@given(jobs(), st.sampled_from(["NAME", "TIMESTAMP"]), st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_sorting_is_idempotent_and_never_mutates(
    job: list[rl.LabelDetection], by: Literal["NAME", "TIMESTAMP"], rnd: random.Random
) -> None:
    shuffled = job[:]
    rnd.shuffle(shuffled)
    before = [d.to_boto3() for d in shuffled]
    order = list(shuffled)
    once = rl.sort_labels(shuffled, by)
    assert rl.sort_labels(once, by) == once
    segments = rl.aggregate_segments(shuffled)
    assert rl.sort_labels(segments, "TIMESTAMP") == segments
    assert shuffled == order
    assert [d.to_boto3() for d in shuffled] == before


# -- one rule for partial jobs -------------------------------------------------------------------

WHOLE_JOB_HELPERS: dict[str, Callable[[rl.GetLabelDetectionResponse], object]] = {
    "resort": lambda r: rl.resort(r, "NAME"),
    "reaggregate": lambda r: rl.reaggregate(r),
    "summarize_labels": lambda r: rl.summarize_labels(r),
}


@pytest.mark.parametrize("name", sorted(WHOLE_JOB_HELPERS))
def test_every_whole_job_helper_warns_on_one_page_of_a_longer_job(name: str) -> None:
    page = rl.GetLabelDetectionResponse.from_boto3(load(SAVED_2022))
    assert page.next_token is not None
    with pytest.warns(rl.PartialJobWarning, match=rf"^{name}\(\) got one page") as caught:
        WHOLE_JOB_HELPERS[name](page)
    assert len(caught) == 1
    assert caught[0].filename == __file__  # it points at the caller's line


@pytest.mark.parametrize("name", sorted(WHOLE_JOB_HELPERS))
def test_a_whole_job_does_not_warn(name: str) -> None:
    page = rl.GetLabelDetectionResponse.from_boto3(load(SAVED_2022))
    whole = page.model_copy(update={"next_token": None})
    WHOLE_JOB_HELPERS[name](whole)  # pytest turns any warning into an error
    WHOLE_JOB_HELPERS[name](rl.GetLabelDetectionResponse.from_boto3(load(GRANDTOUR)))


# --- how segments are built ----------------------------------------------------------------


def test_a_pydantic_model_holds_exactly_the_state_segments_are_built_with() -> None:
    # _transform._new writes these four slots instead of calling model_construct.
    slots = {slot for cls in rl.LabelDetection.__mro__ for slot in getattr(cls, "__slots__", ())}
    assert slots == {
        "__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__",
    }  # fmt: skip
    assert set(BaseModel.__slots__) == slots


def test_segments_are_what_model_construct_would_build() -> None:
    grandtour = detections(GRANDTOUR)
    no_confidence = [rl.LabelDetection.model_validate({"Timestamp": 0, "Label": {"Name": "X"}})]
    for seg in rl.aggregate_segments(grandtour) + rl.aggregate_segments(no_confidence):
        label = seg.label
        assert label is not None
        label_twin = rl.Label.model_construct(
            _fields_set=set(label.model_fields_set), **dict(label)
        )
        twin = rl.LabelDetection.model_construct(
            _fields_set=set(seg.model_fields_set), **{**dict(seg), "label": label_twin}
        )
        for built, constructed in ((label, label_twin), (seg, twin)):
            assert built == constructed
            assert built.model_fields_set == constructed.model_fields_set
            assert built.model_extra == constructed.model_extra
            assert built.__pydantic_private__ == constructed.__pydantic_private__
            assert built.__dict__ == constructed.__dict__
            assert repr(built) == repr(constructed)
        assert seg.to_boto3() == twin.to_boto3()
        assert rl.LabelDetection.model_validate(seg.to_boto3()) == seg
