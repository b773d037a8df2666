"""The CLI's output formats (_output): json, jsonl and csv in-process; the rich table.

csv is RFC 4180 and its list cells split back into exactly the names they came from; the reader
is the one docs/examples/csv_lists.py shows users (``split_names``).
"""

from __future__ import annotations

import csv
import io
import json
import re
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rekolabels as rl
from rekolabels._client import merge_pages
from rekolabels._output import (
    CSV_HEADER,
    JsonDocument,
    csv_row,
    jsonl_text,
    list_cell,
    response_json,
    write_csv,
    write_json,
    write_jsonl,
    write_table,
)
from rekolabels.testing import http_response, new_client
from rekolabels.testing._synthetic import synthetic_response
from tests.helpers import RECORDINGS, load
from tests.test_models_property import responses


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


# -- csv: RFC 4180 records, unambiguous list cells -------------------------------------------------

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "csv_lists.py"
split_names: Callable[[str], list[str]] = runpy.run_path(str(EXAMPLE))["split_names"]


def detection(
    name: str, parents: list[str], ms: int = 0, aliases: list[str] | None = None
) -> rl.LabelDetection:
    label = {"Name": name, "Parents": [{"Name": p} for p in parents]}
    if aliases is not None:
        label["Aliases"] = [{"Name": a} for a in aliases]
    return rl.LabelDetection.model_validate({"Timestamp": ms, "Label": label})


def read_back(labels: list[rl.LabelDetection]) -> tuple[str, list[list[str]]]:
    out = io.StringIO(newline="")
    write_csv(labels, out)
    text = out.getvalue()
    return text, list(csv.reader(io.StringIO(text, newline="")))


def test_a_carriage_return_in_a_name_stays_inside_its_record() -> None:
    # On the old writer (lineterminator "\n"), the bare "\r" split the row: 13 labels, 14 rows.
    labels = [detection(f"label {i}" + ("\rsplit" if i == 6 else ""), ["p"], i) for i in range(13)]
    text, rows = read_back(labels)
    assert len(rows) == 14  # the header and 13 records
    assert all(len(row) == len(CSV_HEADER) for row in rows)
    assert rows[7][1] == "label 6\rsplit"
    assert [row[3] for row in rows[1:]] == ["p"] * 13  # no column shifted
    assert text.count("\r\n") == 14  # RFC 4180 record ends
    assert '"label 6\rsplit"' in text


def test_lists_that_differ_give_different_cells() -> None:
    first, second = detection("x", ["a|b", "c,d"]), detection("x", ["a", "b", "c,d"])
    assert list_cell(first.label.parents if first.label else None) == "a\\|b|c,d"
    assert list_cell(second.label.parents if second.label else None) == "a|b|c,d"
    _, rows = read_back([first, second])
    assert split_names(rows[1][3]) == ["a|b", "c,d"]
    assert split_names(rows[2][3]) == ["a", "b", "c,d"]


def test_backslashes_are_escaped_too() -> None:
    _, rows = read_back([detection("x", ["\\", "a\\|b", "\\\\"])])
    assert rows[1][3] == "\\\\|a\\\\\\|b|\\\\\\\\"
    assert split_names(rows[1][3]) == ["\\", "a\\|b", "\\\\"]


# Names made of the characters that matter most, and of anything at all.
tricky = st.text(alphabet=st.sampled_from("a|\\,\"\r\n '"), max_size=6)
names = st.one_of(tricky, st.text(max_size=8))
# One empty name and no names both give an empty cell (AWS never sends an empty name).
name_lists = st.lists(names, max_size=4).filter(lambda ns: ns != [""])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(names, name_lists, name_lists), min_size=1, max_size=5))
def test_every_record_and_list_cell_reads_back_as_written(
    rows_in: list[tuple[str, list[str], list[str]]],
) -> None:
    labels = [detection(name, parents, i, aliases) for i, (name, parents, aliases) in
              enumerate(rows_in)]  # fmt: skip
    _, rows = read_back(labels)
    assert len(rows) == len(labels) + 1
    for row, (name, parents, aliases) in zip(rows[1:], rows_in, strict=True):
        assert len(row) == len(CSV_HEADER)
        assert row[1] == name
        assert split_names(row[3]) == parents
        assert split_names(row[5]) == aliases


# -- json and jsonl, page by page ------------------------------------------------------------
#
# "Before" is what the CLI wrote until labels were serialized by pydantic-core and ``--output
# json`` was streamed: ``json.dumps(det.to_boto3())`` per jsonl line, and ``json.dumps`` of the
# merged response (``merge_pages``), indented by 4. The values must be identical; the text may
# differ only in how a float is spelled, so the lines are compared one by one.


def before_json(pages: list[rl.GetLabelDetectionResponse]) -> str:
    data = response_json(merge_pages(pages))
    return json.dumps(data, indent=4, ensure_ascii=False) + "\n"


def before_jsonl(labels: list[rl.LabelDetection]) -> str:
    return "".join(
        json.dumps(det.to_boto3(), ensure_ascii=False, separators=(",", ":")) + "\n"
        for det in labels
    )


def streamed_json(pages: list[rl.GetLabelDetectionResponse]) -> str:
    out = io.StringIO()
    document = JsonDocument(out)
    for page in pages:
        document.add(page)
    document.close()
    return out.getvalue()


def jsonl_lines(text: str) -> list[str]:
    """The lines of JSON Lines text: split on ``\n`` only, as JSON Lines readers do (a name may
    hold U+0085 or U+2028, written raw, which ``str.splitlines`` would also split on)."""
    assert text == "" or text.endswith("\n")
    return text.split("\n")[:-1]


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _spelled_alike(line: str) -> str:
    """``line`` with every number written as Python writes its float (strings alike on both
    sides are rewritten alike)."""
    return _NUMBER.sub(lambda m: repr(float(m.group())), line)


def assert_same_text_but_float_spelling(new: str, old: str) -> None:
    """Same lines; a line may differ only in how its numbers are spelled."""
    new_lines, old_lines = new.split("\n"), old.split("\n")
    assert len(new_lines) == len(old_lines)
    for a, b in zip(new_lines, old_lines, strict=True):
        assert a == b or _spelled_alike(a) == _spelled_alike(b), (a, b)


def pages_of(d: dict[str, Any], size: int) -> list[rl.GetLabelDetectionResponse]:
    """``d`` cut into pages of ``size`` labels, as a paginated job would come."""
    labels = d.get("Labels")
    if not labels:
        return [rl.GetLabelDetectionResponse.from_boto3(d)]
    chunks = [labels[i : i + size] for i in range(0, len(labels), size)]
    return [
        rl.GetLabelDetectionResponse.from_boto3({**d, "Labels": chunk, "NextToken": f"t{n}"})
        for n, chunk in enumerate(chunks)
    ]


CASES = {
    **{name: load(name) for name in RECORDINGS},
    "synthetic": synthetic_response(2345, seed=4, job_id="job-1"),
    "no labels": {"JobStatus": "SUCCEEDED", "Labels": []},
    "labels unset": {"JobStatus": "SUCCEEDED", "JobId": "x"},
    "extras": {"JobStatus": "SUCCEEDED", "New": {"a": [1, None]},
               "Labels": [{"Timestamp": 1, "Odd": "é\n\"", "Label": {"Name": "Ünï", "X": 1.5e-7}}]},
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("size", [1, 7, 1000])
def test_streamed_json_is_the_merged_document(case: str, size: int) -> None:
    pages = pages_of(CASES[case], size)
    new, old = streamed_json(pages), before_json(pages)
    assert json.loads(new) == json.loads(old)
    assert_same_text_but_float_spelling(new, old)


@pytest.mark.parametrize("case", list(CASES))
def test_jsonl_lines_are_the_labels_to_boto3(case: str) -> None:
    labels = rl.GetLabelDetectionResponse.from_boto3(CASES[case]).labels or []
    new, old = jsonl_text(labels), before_jsonl(labels)
    assert [json.loads(x) for x in jsonl_lines(new)] == [json.loads(x) for x in jsonl_lines(old)]
    assert_same_text_but_float_spelling(new, old)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses, st.integers(min_value=1, max_value=3))
def test_generated_responses_write_the_same_values(d: dict[str, Any], size: int) -> None:
    pages = pages_of(d, size)
    assert json.loads(streamed_json(pages)) == json.loads(before_json(pages))
    labels = [det for page in pages for det in page.labels or []]
    new = [json.loads(x) for x in jsonl_lines(jsonl_text(labels))]
    assert new == [json.loads(x) for x in jsonl_lines(before_jsonl(labels))]


def test_names_with_line_separators_other_than_newline_stay_on_one_line() -> None:
    labels = (
        rl.GetLabelDetectionResponse.from_boto3(
            {"Labels": [{"Label": {"Name": "\x85"}}, {"Label": {"Name": "a\u2028b"}}]}
        ).labels
        or []
    )
    text = jsonl_text(labels)
    assert text == before_jsonl(labels)
    assert [json.loads(x)["Label"]["Name"] for x in jsonl_lines(text)] == ["\x85", "a\u2028b"]


def test_a_name_the_serializer_cannot_write_falls_back_to_json_dumps() -> None:
    page = rl.GetLabelDetectionResponse.from_boto3(
        {"JobStatus": "SUCCEEDED", "Labels": [{"Timestamp": 0, "Label": {"Name": "a\ud800"}}]}
    )
    labels = page.labels or []
    assert jsonl_text(labels) == before_jsonl(labels)
    assert streamed_json([page]) == before_json([page])


def test_pages_without_labels_in_between_leave_no_stray_separator() -> None:
    d = synthetic_response(5, seed=1)
    empty = rl.GetLabelDetectionResponse.from_boto3({**d, "Labels": []})
    full = rl.GetLabelDetectionResponse.from_boto3(d)
    pages = [empty, full, empty, full, empty]
    assert streamed_json(pages) == before_json(pages)
    out = io.StringIO()
    write_jsonl([], out)
    assert out.getvalue() == ""


def test_a_document_needs_a_page() -> None:
    with pytest.raises(ValueError, match="no page"):
        JsonDocument(io.StringIO()).close()


def client_page(body: dict[str, Any]) -> rl.GetLabelDetectionResponse:
    """``body`` served to a real boto3 client and read by LabelDetectionClient.get_page."""
    client = new_client()
    raw = json.dumps(body).encode()

    def answer(**_: Any) -> Any:
        return http_response(200, raw, {"x-amzn-RequestId": "req-1"})

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    return rl.LabelDetectionClient(client).get_page("job-1")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses, st.sampled_from(["as is", "unknown member", "null member"]))
def test_pages_from_the_client_hold_no_null_so_null_free_writing_is_to_boto3(
    d: dict[str, Any], change: str
) -> None:
    """The CLI writes the client's labels with null_free=True: the wire path and botocore's
    path (taken for bodies with unknown or null members) must both give labels with no None
    field set, or the output would lose a ``null``."""
    body = {**d, "JobStatus": "SUCCEEDED", "JobId": "job-1"}  # the client checks both
    if change == "unknown member":
        body["Xa"] = 1
    elif change == "null member":
        body["JobTag"] = None
        for det in body.get("Labels", [])[:1]:
            det["Timestamp"] = None
    page = client_page(body)
    labels = page.labels or []
    assert jsonl_text(labels, null_free=True) == jsonl_text(labels)
    fast, plain = io.StringIO(), io.StringIO()
    for document in (JsonDocument(fast, null_free=True), JsonDocument(plain)):
        document.add(page)
        document.close()
    assert fast.getvalue() == plain.getvalue()


def test_null_free_writing_is_only_for_labels_that_hold_no_null() -> None:
    # The reason the flag exists: with a None set on purpose, only to_boto3's rule keeps it.
    labels = (
        rl.GetLabelDetectionResponse.from_boto3(
            {"Labels": [{"Timestamp": None, "Label": {"Name": "x"}}]}
        ).labels
        or []
    )
    assert json.loads(jsonl_text(labels)) == {"Timestamp": None, "Label": {"Name": "x"}}
    assert json.loads(jsonl_text(labels, null_free=True)) == {"Label": {"Name": "x"}}
