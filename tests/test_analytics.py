"""sampling_period_ms, summarize_labels and filter_labels: small hand-checked jobs, recordings."""

from __future__ import annotations

from typing import Any

import pytest

import rekolabels as rl
from tests.helpers import load

GRANDTOUR = "boto3-2023-grandtour720-timestamps-v3.json"
SAMPLE_2019 = "awscli-2019-samplevideo-succeeded-v2.json"
SAVED_2022 = "saved-2022-page1-nexttoken-v2.json"


def page(name: str) -> rl.GetLabelDetectionResponse:
    return rl.GetLabelDetectionResponse.from_boto3(load(name))


def det(t: int, name: str, conf: float | None = 90.0, **label: Any) -> rl.LabelDetection:
    body: dict[str, Any] = {"Name": name, **label}
    if conf is not None:
        body["Confidence"] = conf
    return rl.LabelDetection.model_validate({"Timestamp": t, "Label": body})


# --- sampling_period_ms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "period"),
    [
        (SAMPLE_2019, 200),  # 25 fps, a sample every 5 frames: every step is 200 ms
        (GRANDTOUR, 500),  # 23.976 fps: 15 steps of 500 ms, 14 of 501 ms
        (SAVED_2022, 480),  # 25 fps: 29 steps of 480, 29 of 520 (and one 1000): tie -> shorter
    ],
)
def test_sampling_period_of_recordings(name: str, period: int) -> None:
    assert rl.sampling_period_ms(page(name)) == period
    assert rl.sampling_period_ms(page(name).labels or []) == period


def test_sampling_period_is_the_most_common_step() -> None:
    # Steps 500, 501, 500, 1001 (a skipped sample): 500 is the mode.
    items = [det(t, "Car") for t in (0, 500, 1001, 1501, 2502)]
    assert rl.sampling_period_ms(items) == 500


def test_sampling_period_counts_each_timestamp_once() -> None:
    # Three labels at 0, one at 300, three at 600: the steps are 300 and 300.
    items = [det(0, n) for n in "abc"] + [det(300, "a")] + [det(600, n) for n in "abc"]
    assert rl.sampling_period_ms(items) == 300


def test_sampling_period_needs_two_samples() -> None:
    assert rl.sampling_period_ms([]) is None
    assert rl.sampling_period_ms([det(0, "Car"), det(0, "Sky")]) is None


def test_sampling_period_of_segments_is_invalid() -> None:
    with pytest.raises(rl.InvalidArgumentError, match="segment"):
        rl.sampling_period_ms(page("made-v3-segments-name-order.json"))


# --- summarize_labels ----------------------------------------------------------------------


def test_summary_of_a_small_job_by_hand() -> None:
    # Grid 0, 500, 1000, 1500, 2000 (period 500).
    # Car: 0, 500, 1000 -> one segment 0..1000 -> 1000 + 500 = 1500 ms on screen.
    # Dog: 0, 1000, 1500 -> segments 0..0 and 1000..1500 -> (0 + 500) + (500 + 500) = 1500.
    # Sky: 2000 -> 0 + 500 = 500.
    items = [
        det(0, "Car", 80.0),
        det(0, "Dog", 50.0),
        det(500, "Car", 90.0),
        det(1000, "Car", 70.0),
        det(1000, "Dog", 60.0),
        det(1500, "Dog", 70.0),
        det(2000, "Sky", None),
    ]
    assert rl.summarize_labels(items) == [
        rl.LabelSummary("Car", 0, 1000, 3, 1, 1500, 90.0, 80.0, ((0, 1000),)),
        rl.LabelSummary("Dog", 0, 1500, 3, 2, 1500, 70.0, 60.0, ((0, 0), (1000, 1500))),
        rl.LabelSummary("Sky", 2000, 2000, 1, 1, 500, None, None, ((2000, 2000),)),
    ]


def test_summary_max_gap_merges_segments() -> None:
    # Dog at 0 and 1000 with 500 absent: one segment 0..1000 with a 1000 ms max gap.
    items = [det(0, "Dog"), det(500, "Sky"), det(1000, "Dog")]
    dog = next(s for s in rl.summarize_labels(items, max_gap_ms=1000) if s.name == "Dog")
    assert (dog.segments, dog.screen_time_ms) == (1, 1000 + 500)
    dog = next(s for s in rl.summarize_labels(items) if s.name == "Dog")
    assert (dog.segments, dog.screen_time_ms) == (2, 500 + 500)


def test_summary_of_grandtour_car() -> None:
    # Car is in all 30 samples, 0..14514; period 500: screen time 14514 + 500.
    raw = load(GRANDTOUR)
    cars = [d["Label"]["Confidence"] for d in raw["Labels"] if d["Label"]["Name"] == "Car"]
    summaries = rl.summarize_labels(page(GRANDTOUR))
    car = next(s for s in summaries if s.name == "Car")
    assert car.first_seen_ms == 0
    assert car.last_seen_ms == 14514
    assert car.samples == 30
    assert car.segments == 1
    assert car.screen_time_ms == 15014
    assert car.max_confidence == max(cars)
    assert car.mean_confidence == pytest.approx(sum(cars) / len(cars))
    # Nothing can be on screen longer than a label present at every sample.
    assert summaries[0].screen_time_ms == 15014
    assert len(summaries) == len({d["Label"]["Name"] for d in raw["Labels"]})


def test_summary_is_ranked_by_screen_time_then_name() -> None:
    summaries = rl.summarize_labels(page(SAMPLE_2019))
    keys = [(-s.screen_time_ms, s.name) for s in summaries]
    assert keys == sorted(keys)
    # 2019: Rabbit at 0, 200, 1200, 1400 -> two segments of 200 ms -> 2 * (200 + 200).
    rabbit = next(s for s in summaries if s.name == "Rabbit")
    assert (rabbit.samples, rabbit.segments, rabbit.screen_time_ms) == (4, 2, 800)


def test_summary_is_frozen() -> None:
    summary = rl.summarize_labels([det(0, "Car")])[0]
    with pytest.raises(AttributeError):
        summary.name = "Boat"  # type: ignore[misc]


def test_summary_of_segments_takes_them_as_they_are() -> None:
    # Car: 0..4504 and 7007..9009 (99.91, 97.5); Road: 500..500 (88.0). Period unknown: 0.
    # The recording is the first page of its job (it has a NextToken): hence the warning.
    with pytest.warns(rl.PartialJobWarning):
        summary = rl.summarize_labels(page("made-v3-segments-name-order.json"))
    assert summary == [
        rl.LabelSummary(
            "Car", 0, 9009, None, 2, 4504 + 2002, 99.91, None,
            ((0, 4504), (7007, 9009)), ("Vehicles and Automotive",),
        ),
        rl.LabelSummary(
            "Road", 500, 500, None, 1, 0, 88.0, None,
            ((500, 500),), ("Buildings and Architecture",),
        ),
    ]  # fmt: skip


def test_segments_of_a_job_summarise_like_the_job_less_the_sampling_period() -> None:
    job = page("boto3-2023-grandtour720-timestamps-v3.json")
    by_detections = {s.name: s for s in rl.summarize_labels(job)}
    by_segments = rl.summarize_labels(rl.reaggregate(job))
    assert len(by_segments) == len(by_detections)
    for s in by_segments:
        d = by_detections[s.name]
        assert (s.first_seen_ms, s.last_seen_ms, s.spans) == (
            d.first_seen_ms,
            d.last_seen_ms,
            d.spans,
        )
        assert (s.max_confidence, s.categories) == (d.max_confidence, d.categories)
        assert s.screen_time_ms == d.screen_time_ms - 500 * d.segments


def test_summary_of_segments_refuses_a_max_gap_and_a_mix() -> None:
    segments = page("made-v3-segments-name-order.json").labels or []
    with pytest.raises(rl.InvalidArgumentError, match="max_gap_ms"):
        rl.summarize_labels(segments, max_gap_ms=1000)
    with pytest.raises(rl.InvalidArgumentError):
        rl.summarize_labels([*segments, det(0, "Sky")])


# --- filter_labels -------------------------------------------------------------------------

CAR = det(0, "Car", 99.0, Parents=[{"Name": "Transportation"}, {"Name": "Vehicle"}],
          Categories=[{"Name": "Vehicles and Automotive"}])  # fmt: skip
VEHICLE = det(0, "Vehicle", 97.0, Parents=[{"Name": "Transportation"}], Categories=[])
ROAD = det(0, "Road", 60.0, Parents=[], Categories=[{"Name": "Buildings and Architecture"}])
SKY = det(500, "Sky", None)  # v2.0-style: no Parents, no Categories, and here no confidence
ALL = [CAR, VEHICLE, ROAD, SKY]


def test_no_filter_keeps_everything_in_order() -> None:
    assert rl.filter_labels(ALL) == ALL


def test_min_confidence_is_inclusive_and_drops_missing_confidence() -> None:
    assert rl.filter_labels(ALL, min_confidence=97.0) == [CAR, VEHICLE]
    assert rl.filter_labels(ALL, min_confidence=0) == [CAR, VEHICLE, ROAD]


def test_names_are_exact() -> None:
    assert rl.filter_labels(ALL, names=["Road", "Sky"]) == [ROAD, SKY]
    assert rl.filter_labels(ALL, names="Car") == [CAR]
    assert rl.filter_labels(ALL, names=["car"]) == []


def test_categories() -> None:
    assert rl.filter_labels(ALL, categories="Vehicles and Automotive") == [CAR]
    assert rl.filter_labels(ALL, categories=[]) == []


def test_ancestor_is_the_label_itself_or_any_parent() -> None:
    assert rl.filter_labels(ALL, ancestor="Vehicle") == [CAR, VEHICLE]
    assert rl.filter_labels(ALL, ancestor="Transportation") == [CAR, VEHICLE]


def test_filters_combine() -> None:
    assert rl.filter_labels(ALL, ancestor="Vehicle", min_confidence=98) == [CAR]


def test_filters_work_on_segments_and_responses() -> None:
    # "When is a Vehicle on screen": aggregate the whole job, then filter the segments.
    segments = rl.aggregate_segments(page(GRANDTOUR).labels or [])
    vehicles = rl.filter_labels(segments, ancestor="Vehicle")
    assert vehicles
    for s in vehicles:
        assert s.label is not None
        assert s.name == "Vehicle" or any(p.name == "Vehicle" for p in s.label.parents or [])
    cars = rl.filter_labels(segments, names="Car")
    assert [(s.start_timestamp_millis, s.end_timestamp_millis) for s in cars] == [(0, 14514)]
    from_response = rl.filter_labels(page(GRANDTOUR), names="Car")
    assert len(from_response) == 30


def test_ancestor_on_a_real_recording() -> None:
    raw = load(GRANDTOUR)
    expected = [
        d
        for d in raw["Labels"]
        if d["Label"]["Name"] == "Vehicle" or {"Name": "Vehicle"} in d["Label"].get("Parents", [])
    ]
    got = rl.filter_labels(page(GRANDTOUR), ancestor="Vehicle")
    assert [d.to_boto3() for d in got] == expected


@pytest.mark.parametrize(
    ("kwargs", "error", "parameter"),
    [
        ({"min_confidence": "90"}, TypeError, "min_confidence"),
        ({"min_confidence": True}, TypeError, "min_confidence"),
        ({"min_confidence": float("nan")}, rl.InvalidArgumentError, "min_confidence"),
        ({"names": [1]}, TypeError, "names"),
        ({"categories": [None]}, TypeError, "categories"),
        ({"ancestor": ["Vehicle"]}, TypeError, "ancestor"),
    ],
)
def test_bad_filter_arguments_name_the_parameter(
    kwargs: dict[str, Any], error: type[Exception], parameter: str
) -> None:
    with pytest.raises(error, match=parameter):
        rl.filter_labels(ALL, **kwargs)


@pytest.mark.parametrize("function", [rl.summarize_labels, rl.sampling_period_ms, rl.filter_labels])
@pytest.mark.parametrize("bad", ["Car", b"Car", {"Labels": []}])
def test_text_or_a_dict_is_a_type_error_naming_what_is_taken(function: Any, bad: object) -> None:
    with pytest.raises(
        TypeError, match="GetLabelDetectionResponse or an iterable of LabelDetection"
    ):
        function(bad)
