"""Equality is the contract: on generated jobs, the table path gives the model path's results.

Jobs look like what AWS sends and stress each rule: irregular sample grids (200, 480/520,
500/501 ms and arbitrary steps), skipped samples, labels that persist, flicker and come back,
confidences that tie (or are missing), the same name twice at one timestamp, taxonomies that
differ between detections of a name, instances with and without boxes and colors, and input in
TIMESTAMP order or shuffled. Every job goes through the response bytes (``decode``) and through
models (``from_labels``), and every result is compared with sort_labels, aggregate_segments and
summarize_labels, errors included.
"""

from __future__ import annotations

import json
import random
from functools import partial
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow")

import rekolabels as rl
from rekolabels._tabledecode import decode
from tests.test_table import dumps, labels_outcome, outcome, summaries

# Ordinal order differs from case-folded and locale order among these; one is outside the BMP.
NAMES = ["Car", "Vehicle", "VR Headset", "car", "Ärmel", "Zebra", "a", "Car Wheel", "\U0001f697"]
WORDS = ["Vehicle", "Transportation", "Person", ""]
STEPS = st.one_of(st.sampled_from([200, 480, 520, 500, 501, 1000, 1001]), st.integers(1, 1500))
CONFIDENCE = st.one_of(
    st.sampled_from([50.0, 75.5, 99.0, 99.0]),  # ties
    st.floats(0, 100, allow_nan=False),
    st.none(),
)
GAPS = st.one_of(st.none(), st.sampled_from([0, 1, 499, 500, 501, 1000]), st.integers(0, 3000))
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def names_list(draw: st.DrawFn) -> list[dict[str, str]] | None:
    names = draw(st.one_of(st.none(), st.lists(st.sampled_from(WORDS), max_size=3)))
    return None if names is None else [{"Name": n} for n in names]


def instances(draw: st.DrawFn) -> list[dict[str, Any]] | None:
    def one() -> dict[str, Any]:
        instance: dict[str, Any] = {}
        if draw(st.booleans()):
            box = ("Width", "Height", "Left", "Top")
            instance["BoundingBox"] = {k: draw(st.floats(0, 1)) for k in box}
        if draw(st.booleans()):
            instance["Confidence"] = draw(st.floats(50, 100))
        if draw(st.booleans()):
            instance["DominantColors"] = [
                {"Red": draw(st.integers(0, 255)), "HexCode": "#0a0b0c", "PixelPercent": 1.5}
            ]
        return instance

    count = draw(st.one_of(st.none(), st.integers(0, 2)))
    return None if count is None else [one() for _ in range(count)]


@st.composite
def jobs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A TIMESTAMPS job's Labels, as AWS sends them (see the module docstring)."""
    taxonomy = {name: (names_list(draw), names_list(draw), names_list(draw)) for name in NAMES}
    t = draw(st.integers(0, 3000))
    present: set[str] = set()
    labels: list[dict[str, Any]] = []
    for step in draw(st.lists(STEPS, max_size=14)):
        # Labels persist: each sample toggles a few names (appear, vanish, flicker back).
        present ^= set(draw(st.lists(st.sampled_from(NAMES), max_size=3)))
        for name in sorted(present):
            for _ in range(draw(st.sampled_from([1, 1, 1, 1, 2]))):  # now and then a duplicate
                parents, aliases, categories = taxonomy[name]
                if draw(st.integers(0, 9)) == 0:  # a detection whose taxonomy differs
                    parents, aliases, categories = names_list(draw), None, names_list(draw)
                label: dict[str, Any] = {"Name": name}
                for key, value in (
                    ("Confidence", draw(CONFIDENCE)),
                    ("Instances", instances(draw)),
                    ("Parents", parents),
                    ("Aliases", aliases),
                    ("Categories", categories),
                ):
                    if value is not None:
                        label[key] = value
                labels.append({"Timestamp": t, "Label": label})
        t += step
    if draw(st.booleans()):
        random.Random(draw(st.integers(0, 2**32))).shuffle(labels)
    return labels


def both(labels: list[dict[str, Any]]) -> tuple[rl.LabelTable, list[rl.LabelDetection]]:
    """The job read from its response bytes into a table, and into models."""
    body = json.dumps({"JobStatus": "SUCCEEDED", "Labels": labels}).encode()
    table = decode(body)
    assert table is not None
    models = list(rl.GetLabelDetectionResponse.from_boto3({"Labels": labels}).labels or [])
    assert table.arrow.equals(rl.LabelTable.from_labels(models).arrow)
    return table, models


@SETTINGS
@given(jobs())
def test_rows_are_the_models(labels: list[dict[str, Any]]) -> None:
    table, models = both(labels)
    got = table.labels()
    assert got == models
    assert dumps(got) == dumps(models)


@SETTINGS
@given(jobs(), st.sampled_from(["TIMESTAMP", "NAME"]))
def test_sort_is_sort_labels(
    labels: list[dict[str, Any]], by: Literal["TIMESTAMP", "NAME"]
) -> None:
    table, models = both(labels)
    assert labels_outcome(lambda: table.sort(by)) == labels_outcome(
        lambda: rl.sort_labels(models, by)
    )


@SETTINGS
@given(jobs(), GAPS)
def test_aggregate_is_aggregate_segments(labels: list[dict[str, Any]], gap: int | None) -> None:
    table, models = both(labels)
    assert labels_outcome(lambda: table.aggregate(max_gap_ms=gap)) == labels_outcome(
        lambda: rl.aggregate_segments(models, max_gap_ms=gap)
    )


@SETTINGS
@given(jobs(), GAPS)
def test_summarize_is_summarize_labels(labels: list[dict[str, Any]], gap: int | None) -> None:
    table, models = both(labels)
    assert outcome(lambda: summaries(table.summarize(max_gap_ms=gap))) == outcome(
        lambda: rl.summarize_labels(models, max_gap_ms=gap)
    )


@SETTINGS
@given(jobs(), st.sampled_from(["TIMESTAMP", "NAME"]))
def test_segments_sort_and_summarise_alike(
    labels: list[dict[str, Any]], by: Literal["TIMESTAMP", "NAME"]
) -> None:
    # The aggregated tables are inputs too: a SEGMENTS job sorted or summarised.
    table, models = both(labels)
    segments = rl.aggregate_segments(models)
    segment_table = table.aggregate()
    assert labels_outcome(lambda: segment_table.sort(by)) == labels_outcome(
        lambda: rl.sort_labels(segments, by)
    )
    assert outcome(lambda: summaries(segment_table.summarize())) == outcome(
        lambda: rl.summarize_labels(segments)
    )


BAD_ROWS = [
    {"Label": {"Name": "Car"}},  # no Timestamp
    {"Timestamp": 500},  # no Label
    {"Timestamp": 500, "Label": {"Confidence": 1.0}},  # no Name
    {"Timestamp": 500, "Label": {"Name": "Car"}, "StartTimestampMillis": 500},  # a segment
]


@SETTINGS
@given(jobs(), st.sampled_from(BAD_ROWS), st.data(), GAPS)
def test_rows_the_model_path_refuses_are_refused_alike(
    labels: list[dict[str, Any]], bad: dict[str, Any], data: Any, gap: int | None
) -> None:
    at = data.draw(st.integers(0, len(labels)))
    labels = [*labels[:at], bad, *labels[at:]]
    table, models = both(labels)
    for by in ("TIMESTAMP", "NAME"):
        assert labels_outcome(partial(table.sort, by)) == labels_outcome(
            partial(rl.sort_labels, models, by)
        )
    assert labels_outcome(lambda: table.aggregate(max_gap_ms=gap)) == labels_outcome(
        lambda: rl.aggregate_segments(models, max_gap_ms=gap)
    )
    assert outcome(lambda: summaries(table.summarize(max_gap_ms=gap))) == outcome(
        lambda: rl.summarize_labels(models, max_gap_ms=gap)
    )
