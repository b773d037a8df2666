"""The CLI's output formats (_output): json, jsonl and csv in-process; the rich table."""

from __future__ import annotations

import csv
import io
import json

import pytest

import rekolabels as rl
from rekolabels._client import merge_pages
from rekolabels._output import (
    CSV_HEADER,
    csv_row,
    response_json,
    write_csv,
    write_json,
    write_jsonl,
    write_table,
)
from tests.helpers import load


def test_csv_cells_leave_absent_values_empty() -> None:
    det = rl.LabelDetection.model_validate({"Timestamp": 5, "Label": {"Name": "Car"}})
    assert csv_row(det) == ["5", "Car", "", "", "", "", "", "", "", ""]
    seg = rl.LabelDetection.model_validate(
        {"Timestamp": 0, "StartTimestampMillis": 0, "EndTimestampMillis": 500,
         "DurationMillis": 500, "Label": {"Name": "Car", "Confidence": 90.5, "Instances": [],
         "Parents": [{"Name": "Vehicle"}, {"Name": "Transportation"}]}}
    )  # fmt: skip
    assert csv_row(seg) == ["0", "Car", "90.5", "Vehicle|Transportation", "", "", "0", "0",
                            "500", "500"]  # fmt: skip


def test_merged_pages_have_every_label_and_no_next_token() -> None:
    first = rl.GetLabelDetectionResponse.from_boto3(load("saved-2022-page1-nexttoken-v2.json"))
    merged = merge_pages([first, first])
    assert len(merged.labels or []) == 2 * len(first.labels or [])
    out = io.StringIO()
    write_json(merged, out)
    data = json.loads(out.getvalue())
    assert "NextToken" not in data
    assert "ResponseMetadata" not in data
    lines = io.StringIO()
    write_jsonl(merged.labels or [], lines)
    assert len(lines.getvalue().splitlines()) == len(data["Labels"])
    with pytest.raises(rl.InvalidArgumentError, match="pages"):
        merge_pages([])


def test_json_is_the_aws_cli_s_view_and_reads_back() -> None:
    page = rl.GetLabelDetectionResponse.from_boto3(load("saved-2022-page1-nexttoken-v2.json"))
    out = io.StringIO()
    write_json(page, out)
    data = json.loads(out.getvalue())
    assert data == response_json(page)
    assert "ResponseMetadata" not in data
    assert data["NextToken"] == page.next_token
    assert out.getvalue().startswith('{\n    "')  # indented like `aws --output json`
    assert rl.GetLabelDetectionResponse.from_boto3(data).labels == page.labels


def test_csv_continues_a_file_without_a_second_header() -> None:
    labels = (
        rl.GetLabelDetectionResponse.from_boto3(
            load("boto3-2023-grandtour720-timestamps-v3.json")
        ).labels
        or []
    )
    out = io.StringIO()
    write_csv(labels[:3], out)
    write_csv(labels[3:5], out, header=False)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1:] == [csv_row(det) for det in labels[:5]]


@pytest.mark.parametrize(
    ("name", "segments"),
    [
        ("boto3-2023-grandtour720-timestamps-v3.json", False),
        ("made-v3-segments-name-order.json", True),
    ],
)
def test_table_has_segment_columns_only_for_segments(name: str, segments: bool) -> None:
    rich_console = pytest.importorskip("rich.console")
    response = rl.GetLabelDetectionResponse.from_boto3(load(name))
    out = io.StringIO()
    write_table(response, rich_console.Console(file=out, width=200, color_system=None))
    header = next(line for line in out.getvalue().splitlines() if "Label" in line)
    assert ("Duration (s)" in header) is segments
    assert ("Instances" in header) is not segments
    assert f"{len(response.labels or [])} labels" in out.getvalue()
