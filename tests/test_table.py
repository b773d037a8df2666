"""LabelTable: the model path's results, columnar, on every recording and on small jobs by hand.

Expected values come from the model path (sort_labels, aggregate_segments, summarize_labels,
iter_labels' models), which tests/test_transform.py and tests/test_analytics.py check against
real recordings and hand-computed jobs; here both paths must agree exactly.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

pa = pytest.importorskip("pyarrow")

import rekolabels as rl  # noqa: E402
from rekolabels._columns import SCHEMA, SUMMARY_SCHEMA  # noqa: E402
from rekolabels._table import merge_tables  # noqa: E402
from tests.helpers import RECORDINGS, load  # noqa: E402

GRANDTOUR = "boto3-2023-grandtour720-timestamps-v3.json"
SEGMENTS = "made-v3-segments-name-order.json"
COLORS = "made-v3-dominant-colors.json"


def response(name: str) -> rl.GetLabelDetectionResponse:
    return rl.GetLabelDetectionResponse.from_boto3(load(name))


def det(t: int | None, name: str | None, conf: float | None = 90.0, **rest: Any) -> Any:
    label: dict[str, Any] = {k: v for k, v in (("Name", name), ("Confidence", conf)) if v}
    body: dict[str, Any] = {"Label": label, **rest}
    if t is not None:
        body["Timestamp"] = t
    return rl.LabelDetection.model_validate(body)


def summaries(table: Any) -> list[rl.LabelSummary]:
    """A summary table's rows as LabelSummary, to compare with summarize_labels."""
    assert table.schema.equals(SUMMARY_SCHEMA)
    out = []
    for row in table.to_pylist():
        row["spans"] = tuple((s["start_ms"], s["end_ms"]) for s in row["spans"])
        row["categories"] = tuple(row["categories"])
        out.append(rl.LabelSummary(**row))
    return out


def summary_outcome(table: rl.LabelTable, max_gap_ms: int | None) -> list[rl.LabelSummary]:
    """summaries() of ``table.summarize(max_gap_ms=...)``."""
    return summaries(table.summarize(max_gap_ms=max_gap_ms))


def dumps(labels: list[rl.LabelDetection]) -> list[dict[str, Any]]:
    """What to_boto3 shows: set fields only, so an unset field and a None one differ."""
    return [d.to_boto3() for d in labels]


def outcome(fn: Callable[[], Any]) -> Any:
    """The result, or the error's type and message: both paths must give the same."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rl.PartialJobWarning)
            return fn()
    except Exception as exc:
        return (type(exc), str(exc))


def labels_outcome(fn: Callable[[], Any]) -> Any:
    """outcome() of a call returning models or a LabelTable, as (models, their dumps)."""
    result = outcome(fn)
    if isinstance(result, rl.LabelTable):
        result = result.labels()
    if isinstance(result, list):
        return result, dumps(result)
    return result


def assert_same_as_models(table: rl.LabelTable, models: list[rl.LabelDetection]) -> None:
    """Every operation gives the model path's result (or its error) on these detections."""
    got = table.labels()
    assert got == models
    assert dumps(got) == dumps(models)
    for by in ("TIMESTAMP", "NAME"):
        assert labels_outcome(partial(table.sort, by)) == labels_outcome(
            partial(rl.sort_labels, models, by)
        ), by
    for gap in (None, 0, 1, 500, 1001):
        assert labels_outcome(partial(table.aggregate, max_gap_ms=gap)) == labels_outcome(
            partial(rl.aggregate_segments, models, max_gap_ms=gap)
        ), gap
        mine = outcome(partial(summary_outcome, table, gap))
        assert mine == outcome(partial(rl.summarize_labels, models, max_gap_ms=gap)), gap


# --- every recording ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", RECORDINGS)
def test_both_paths_agree_on_every_recording(name: str) -> None:
    page = response(name)
    table = rl.LabelTable.from_labels(page)
    assert len(table) == len(page.labels or [])
    assert table.arrow.schema.equals(SCHEMA)
    assert_same_as_models(table, list(page.labels or []))


@pytest.mark.parametrize("name", RECORDINGS)
def test_job_is_the_response_without_its_labels(name: str) -> None:
    d = load(name)
    table = rl.LabelTable.from_labels(response(name))
    expected = {k: v for k, v in d.items() if k != "Labels"}
    assert table.job.to_boto3() == expected
    assert "labels" not in table.job.model_fields_set


def test_the_segments_recording_sorts_and_summarises_but_does_not_aggregate() -> None:
    table = rl.LabelTable.from_labels(response(SEGMENTS))
    with pytest.raises(rl.InvalidArgumentError, match=r"labels\[0\] is already a segment"):
        table.aggregate()
    with pytest.warns(rl.PartialJobWarning):  # the recording is a first page
        ordered = table.sort("TIMESTAMP")
    with pytest.warns(rl.PartialJobWarning):
        car, road = summaries(table.summarize())
    assert [r["name"] for r in ordered.arrow.to_pylist()] == ["Car", "Road", "Car"]
    assert (car.name, car.segments, car.samples, car.spans) == (
        "Car",
        2,
        None,
        ((0, 4504), (7007, 9009)),
    )
    assert (road.name, road.segments, road.mean_confidence) == ("Road", 1, None)


# --- the schema --------------------------------------------------------------------------------


def test_schema_is_the_documented_one() -> None:
    assert SCHEMA.names == [
        "timestamp_ms", "name", "confidence", "parents", "categories", "aliases", "instances",
        "start_ms", "end_ms", "duration_ms",
    ]  # fmt: skip
    assert all(field.nullable for field in SCHEMA)
    docs = (Path(__file__).parent.parent / "docs" / "tables.md").read_text(encoding="utf-8")
    for path, kind in leaves(SCHEMA):
        assert f"| `{path}` | `{kind}` |" in docs, path


def leaves(fields: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Every column and nested field as (path, type) rows, as docs/tables.md lists them."""
    rows = []
    for field in fields:
        path, kind = prefix + field.name, field.type
        if pa.types.is_list(kind):
            item = kind.value_type
            rows.append((path, f"list<{'struct' if pa.types.is_struct(item) else item}>"))
            if pa.types.is_struct(item):
                rows += leaves(item, path + "[].")
        elif pa.types.is_struct(kind):
            rows.append((path, "struct"))
            rows += leaves(kind, path + ".")
        else:
            rows.append((path, str(kind)))
    return rows


def test_every_label_field_has_a_column_or_is_documented_as_left_out() -> None:
    # A member AWS adds to a detection must be a deliberate decision, not silently dropped.
    columns: dict[type[BaseModel], set[str]] = {
        rl.LabelDetection: {"timestamp", "label", "start_timestamp_millis",
                            "end_timestamp_millis", "duration_millis"},
        rl.Label: {"name", "confidence", "instances", "parents", "aliases", "categories"},
        rl.Instance: {"bounding_box", "confidence", "dominant_colors"},
        rl.BoundingBox: {"width", "height", "left", "top"},
        rl.DominantColor: {"red", "blue", "green", "hex_code", "css_color", "simplified_color",
                           "pixel_percent"},
        rl.Parent: {"name"}, rl.LabelAlias: {"name"}, rl.LabelCategory: {"name"},
    }  # fmt: skip
    for model, fields in columns.items():
        assert set(model.model_fields) == fields, model.__name__
    instance = SCHEMA.field("instances").type.value_type
    assert [f.name for f in instance] == list(rl.Instance.model_fields)
    assert [f.name for f in instance.field("bounding_box").type] == list(
        rl.BoundingBox.model_fields
    )
    colors = instance.field("dominant_colors").type.value_type
    assert [f.name for f in colors] == list(rl.DominantColor.model_fields)


def test_absent_and_empty_lists_stay_apart() -> None:
    # v2.0 labels have no Aliases (null); v3.0 labels have Aliases [] when there are none.
    v2 = rl.LabelTable.from_labels(response("made-v2-timestamps.json")).arrow
    v3 = rl.LabelTable.from_labels(response(GRANDTOUR)).arrow
    assert v2.column("aliases").null_count == len(v2)
    assert v3.column("aliases").null_count == 0
    assert [] in v3.column("aliases").to_pylist()
    # Segments carry no instances at all (null), TIMESTAMPS rows without boxes an empty list.
    segments = rl.LabelTable.from_labels(response(SEGMENTS)).arrow
    assert segments.column("instances").null_count == len(segments)
    assert [] in v3.column("instances").to_pylist()


def test_instances_keep_boxes_and_dominant_colors() -> None:
    page = response(COLORS)
    rows = rl.LabelTable.from_labels(page).arrow.to_pylist()
    first = (page.labels or [])[0].label
    assert first is not None
    assert first.instances
    got = rows[0]["instances"][0]
    box = first.instances[0].bounding_box
    assert box is not None
    assert got["bounding_box"] == {"width": box.width, "height": box.height,
                                   "left": box.left, "top": box.top}  # fmt: skip
    colors = first.instances[0].dominant_colors or []
    assert [c["hex_code"] for c in got["dominant_colors"]] == [c.hex_code for c in colors]
    assert got["dominant_colors"][0]["css_color"] == colors[0].css_color


def test_unknown_fields_are_not_kept() -> None:
    page = rl.GetLabelDetectionResponse.from_boto3(
        {"Labels": [{"Timestamp": 0, "Label": {"Name": "Car", "Xa": 1}, "Yb": 2}]}
    )
    (back,) = rl.LabelTable.from_labels(page).labels()
    assert back.to_boto3() == {"Timestamp": 0, "Label": {"Name": "Car"}}


# --- construction ------------------------------------------------------------------------------


def test_from_labels_takes_a_list_or_a_response_and_nothing_else() -> None:
    page = response(GRANDTOUR)
    labels = list(page.labels or [])
    assert rl.LabelTable.from_labels(labels).arrow.equals(rl.LabelTable.from_labels(page).arrow)
    assert rl.LabelTable.from_labels(iter(labels)).job == rl.GetLabelDetectionResponse()
    raw: dict[str, Any] = load(GRANDTOUR)
    with pytest.raises(TypeError, match="from_boto3"):
        rl.LabelTable.from_labels(raw)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"labels\[1\]"):
        rl.LabelTable.from_labels([labels[0], {"Timestamp": 0}])  # type: ignore[list-item]


def test_a_value_beyond_int64_is_an_invalid_argument() -> None:
    with pytest.raises(rl.InvalidArgumentError, match="cannot store"):
        rl.LabelTable.from_labels([det(2**63, "Car")])


def test_the_constructor_checks_the_schema() -> None:
    table = rl.LabelTable.from_labels(response(GRANDTOUR))
    filtered = table.arrow.filter(pa.compute.equal(table.arrow.column("name"), "Car"))
    cars = rl.LabelTable(filtered, table.job)
    assert len(cars) == 30
    assert cars.job == table.job
    with pytest.raises(rl.InvalidArgumentError, match="schema"):
        rl.LabelTable(table.arrow.drop_columns(["aliases"]))
    with pytest.raises(rl.InvalidArgumentError, match="schema"):
        rl.LabelTable(table.arrow.rename_columns(["t", *SCHEMA.names[1:]]))
    retyped = table.arrow.set_column(0, "timestamp_ms", table.arrow.column(0).cast(pa.float64()))
    with pytest.raises(rl.InvalidArgumentError, match="schema"):
        rl.LabelTable(retyped)
    with pytest.raises(TypeError, match=r"pyarrow\.Table"):
        rl.LabelTable(table.arrow.to_pylist())
    raw: dict[str, Any] = load(GRANDTOUR)
    with pytest.raises(TypeError, match="job"):
        rl.LabelTable(table.arrow, raw)  # type: ignore[arg-type]


def test_the_constructor_takes_large_types_and_drops_the_job_labels() -> None:
    page = response(COLORS)
    table = rl.LabelTable.from_labels(page)
    large = pa.table(
        {
            name: column.cast(
                pa.large_string()
                if name == "name"
                else pa.large_list(column.type.value_type)
                if name == "parents"
                else column.type
            )
            for name, column in zip(table.arrow.column_names, table.arrow.columns, strict=True)
        }
    )
    again = rl.LabelTable(large, page)
    assert again.arrow.equals(table.arrow)
    assert again.job == table.job


def test_len_and_repr() -> None:
    table = rl.LabelTable.from_labels(response(GRANDTOUR))
    assert len(table) == 855
    assert repr(table) == (
        f"LabelTable(rows=855, job_id={table.job.job_id!r}, job_status=SUCCEEDED)"
    )


# --- sort, aggregate, summarize by hand ----------------------------------------------------------


def test_sort_orders_by_bytes_and_keeps_ties_stable() -> None:
    items = [det(0, "Vehicle", 80.0), det(0, "VR Headset"), det(0, "apple"), det(0, "Zebra"),
             det(0, "Ärmel"), det(0, "Car", 80.0, DurationMillis=None)]  # fmt: skip
    table = rl.LabelTable.from_labels(items)
    names = table.sort("TIMESTAMP").arrow.column("name").to_pylist()
    assert names == ["Car", "VR Headset", "Vehicle", "Zebra", "apple", "Ärmel"]
    assert table.sort(rl.LabelDetectionSortBy.NAME).labels() == rl.sort_labels(items, "NAME")


def test_name_order_puts_missing_confidence_last_within_a_name() -> None:
    items = [det(5, "Car", None), det(0, "Car", 50.0), det(9, "Car", 99.0), det(1, "Boat", None)]
    table = rl.LabelTable.from_labels(items).sort("NAME")
    rows = [(r["name"], r["confidence"], r["timestamp_ms"]) for r in table.arrow.to_pylist()]
    assert rows == [("Boat", None, 1), ("Car", 99.0, 9), ("Car", 50.0, 0), ("Car", None, 5)]


def test_sort_updates_the_job_metadata_like_resort() -> None:
    page = response(GRANDTOUR)
    table = rl.LabelTable.from_labels(page).sort("NAME")
    assert table.job == rl.resort(page, "NAME").model_copy(update={"labels": None})
    assert table.job.get_request_metadata == rl.resort(page, "NAME").get_request_metadata


def test_aggregate_by_hand_on_an_irregular_grid() -> None:
    # Grid 0, 480, 1000, 1480, 2000 (Sky puts 1000 in it): Car misses 1000, a segment break
    # that max_gap_ms=1000 bridges; Dog misses 480 and 1000, too long a gap for it.
    items = [det(0, "Car", 70.0), det(0, "Dog"), det(480, "Car", 80.0), det(1000, "Sky"),
             det(1480, "Car"), det(1480, "Dog"), det(2000, "Car", 60.0)]  # fmt: skip
    items = [items[i] for i in (3, 0, 6, 1, 5, 2, 4)]  # any input order
    segments = rl.LabelTable.from_labels(items).aggregate()
    rows = [(r["name"], r["start_ms"], r["end_ms"], r["duration_ms"], r["confidence"])
            for r in segments.arrow.to_pylist()]  # fmt: skip
    assert rows == [("Car", 0, 480, 480, 80.0), ("Dog", 0, 0, 0, 90.0),
                    ("Sky", 1000, 1000, 0, 90.0), ("Car", 1480, 2000, 520, 90.0),
                    ("Dog", 1480, 1480, 0, 90.0)]  # fmt: skip
    bridged = rl.LabelTable.from_labels(items).aggregate(max_gap_ms=1000).arrow.to_pylist()
    assert [(r["name"], r["start_ms"], r["end_ms"]) for r in bridged] == [
        ("Car", 0, 2000), ("Dog", 0, 0), ("Sky", 1000, 1000), ("Dog", 1480, 1480)]  # fmt: skip
    assert segments.job.get_request_metadata == rl.GetLabelDetectionRequestMetadata(
        sort_by="TIMESTAMP", aggregate_by="SEGMENTS"
    )


def test_aggregate_without_any_confidence_leaves_it_out() -> None:
    table = rl.LabelTable.from_labels([det(0, "Car", None), det(1, "Car", None)])
    (segment,) = table.aggregate().labels()
    assert segment.to_boto3() == rl.aggregate_segments([det(0, "Car", None)])[0].to_boto3() | {
        "EndTimestampMillis": 1, "DurationMillis": 1}  # fmt: skip


def test_summary_by_hand() -> None:
    # Same job as tests/test_analytics.py's hand-checked summary (period 500).
    items = [det(0, "Car", 80.0), det(0, "Dog", 50.0), det(500, "Car", 90.0),
             det(1000, "Car", 70.0), det(1000, "Dog", 60.0), det(1500, "Dog", 70.0),
             det(2000, "Sky", 99.0)]  # fmt: skip
    rows = rl.LabelTable.from_labels(items).summarize().to_pylist()
    assert [(r["name"], r["screen_time_ms"], r["segments"], r["samples"]) for r in rows] == [
        ("Car", 1500, 1, 3), ("Dog", 1500, 2, 3), ("Sky", 500, 1, 1)]  # fmt: skip
    assert rows[1]["spans"] == [{"start_ms": 0, "end_ms": 0}, {"start_ms": 1000, "end_ms": 1500}]
    assert rows[0]["mean_confidence"] == pytest.approx(80.0)


def test_empty_tables() -> None:
    empty = rl.LabelTable.from_labels([])
    assert len(empty) == 0
    assert len(empty.sort("NAME")) == 0
    assert len(empty.aggregate()) == 0
    assert empty.summarize().num_rows == 0
    assert empty.labels() == []


@pytest.mark.parametrize(
    "bad",
    [
        {"Label": {"Name": "Car"}},  # no Timestamp
        {"Timestamp": 0},  # no Label
        {"Timestamp": 0, "Label": {"Confidence": 1.0}},  # no Name
        {"Timestamp": 0, "Label": {"Name": "Car"}, "DurationMillis": 0},  # a segment
    ],
)
def test_rows_the_model_path_refuses_are_refused_alike(bad: dict[str, Any]) -> None:
    items = [det(0, "Car"), rl.LabelDetection.model_validate(bad)]
    table = rl.LabelTable.from_labels(items)
    for by in ("TIMESTAMP", "NAME"):
        assert labels_outcome(partial(table.sort, by)) == labels_outcome(
            partial(rl.sort_labels, items, by)
        )
    assert labels_outcome(table.aggregate) == labels_outcome(lambda: rl.aggregate_segments(items))
    assert outcome(table.summarize) == outcome(lambda: rl.summarize_labels(items))


@pytest.mark.parametrize(("bad", "error"), [(-1, rl.InvalidArgumentError), (1.5, TypeError),
                                            (True, TypeError)])  # fmt: skip
def test_bad_arguments_name_the_parameter(bad: Any, error: type[Exception]) -> None:
    table = rl.LabelTable.from_labels([det(0, "Car")])
    with pytest.raises(error, match="max_gap_ms"):
        table.aggregate(max_gap_ms=bad)
    with pytest.raises(error, match="max_gap_ms"):
        table.summarize(max_gap_ms=bad)
    with pytest.raises(rl.InvalidArgumentError, match="by"):
        table.sort("timestamp")


def test_summarizing_segments_with_a_max_gap_is_refused() -> None:
    table = rl.LabelTable.from_labels(response(SEGMENTS))
    with pytest.raises(rl.InvalidArgumentError, match="max_gap_ms"):
        table.summarize(max_gap_ms=0)


def test_a_page_of_a_longer_job_warns_like_resort_and_reaggregate() -> None:
    page = rl.LabelTable.from_labels(response("saved-2022-page1-nexttoken-v2.json"))
    assert page.job.next_token
    with pytest.warns(rl.PartialJobWarning, match="one page"):
        page.sort("NAME")
    with pytest.warns(rl.PartialJobWarning, match="one page"):
        page.aggregate()
    with pytest.warns(rl.PartialJobWarning, match="one page"):
        page.summarize()


def test_merged_pages_give_the_whole_job() -> None:
    page = response(GRANDTOUR)
    labels = list(page.labels or [])
    parts = [
        rl.LabelTable.from_labels(page.model_copy(update={"labels": labels[i : i + 100],
                                                          "next_token": f"t{i}"}))
        for i in range(0, len(labels), 100)
    ]  # fmt: skip
    whole = merge_tables(parts)
    assert whole.job.next_token is None
    assert "next_token" not in whole.job.model_fields_set
    assert whole.job.job_id == page.job_id
    assert_same_as_models(whole, labels)
    with pytest.raises(rl.InvalidArgumentError, match="parts"):
        merge_tables([])


def test_operations_never_change_the_table() -> None:
    table = rl.LabelTable.from_labels(response(GRANDTOUR))
    before = table.arrow
    table.sort("NAME"), table.aggregate(), table.summarize()
    assert table.arrow is before
    assert table.arrow.equals(rl.LabelTable.from_labels(response(GRANDTOUR)).arrow)


# --- Parquet and interop ------------------------------------------------------------------------


@pytest.mark.parametrize("name", [GRANDTOUR, COLORS, SEGMENTS, "made-in-progress-v3.json"])
def test_parquet_round_trip_keeps_rows_and_job(name: str, tmp_path: Path) -> None:
    table = rl.LabelTable.from_labels(response(name))
    path = tmp_path / "labels.parquet"
    table.write_parquet(path)
    back = rl.LabelTable.read_parquet(path)
    assert back.arrow.equals(table.arrow)
    assert back.arrow.schema.equals(SCHEMA)
    assert back.job == table.job
    assert back.job.to_boto3() == table.job.to_boto3()
    assert back.labels() == table.labels()


def test_a_parquet_file_without_our_metadata_reads_with_an_empty_job(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    table = rl.LabelTable.from_labels(response(COLORS))
    pq.write_table(table.arrow, tmp_path / "plain.parquet")
    back = rl.LabelTable.read_parquet(tmp_path / "plain.parquet")
    assert back.arrow.equals(table.arrow)
    assert back.job == rl.GetLabelDetectionResponse()
    broken = table.arrow.replace_schema_metadata({b"rekolabels.job": b'{"JobStatus": 3}'})
    pq.write_table(broken, tmp_path / "broken.parquet")
    with pytest.raises(rl.InvalidArgumentError, match=r"rekolabels\.job metadata"):
        rl.LabelTable.read_parquet(tmp_path / "broken.parquet")
    pq.write_table(pa.table({"x": [1]}), tmp_path / "other.parquet")
    with pytest.raises(rl.InvalidArgumentError, match="schema"):
        rl.LabelTable.read_parquet(tmp_path / "other.parquet")


def test_polars_duckdb_and_pandas_read_the_table() -> None:
    polars = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("pandas")
    table = rl.LabelTable.from_labels(response(GRANDTOUR))
    frame = polars.from_arrow(table.arrow)
    assert frame.filter(polars.col("name") == "Car").height == 30
    arrow = table.arrow  # noqa: F841  (DuckDB finds it by name)
    assert duckdb.sql("select count(*) from arrow where name = 'Car'").fetchall() == [(30,)]
    assert (table.arrow.to_pandas()["name"] == "Car").sum() == 30
