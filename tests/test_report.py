"""The CLI's writers and report, in-process: csv cells, merged pages, summary numbers, picture."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import rekolabels as rl
from rekolabels._client import merge_pages
from rekolabels._output import csv_row, write_json, write_jsonl
from rekolabels._report import shown_period_ms, write_timeline
from tests.helpers import load

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


def test_a_segments_response_has_no_known_sampling_period() -> None:
    response = rl.GetLabelDetectionResponse.from_boto3(load("made-v3-segments-name-order.json"))
    assert shown_period_ms(response) == 0
    grandtour = load("boto3-2023-grandtour720-timestamps-v3.json")
    job = rl.GetLabelDetectionResponse.from_boto3(grandtour)
    assert shown_period_ms(job) == 500
    assert shown_period_ms(rl.reaggregate(job)) == 0


def test_timeline_of_an_empty_job_is_still_a_picture(tmp_path: Path) -> None:
    response = rl.GetLabelDetectionResponse.from_boto3({"JobStatus": "SUCCEEDED", "Labels": []})
    out = tmp_path / "empty.png"
    assert write_timeline(response, out) == 0
    assert out.read_bytes().startswith(PNG_SIGNATURE)
