"""The CLI's json and jsonl writers: page by page, the same JSON as before, line for line.

"Before" is what the CLI wrote until labels were serialized by pydantic-core and ``--output
json`` was streamed: ``json.dumps(det.to_boto3())`` per jsonl line, and ``json.dumps`` of the
merged response (``merge_pages``), indented by 4. The values must be identical; the text may
differ only in how a float is spelled, so the lines are compared one by one.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rekolabels as rl
from rekolabels._client import merge_pages
from rekolabels._output import JsonDocument, jsonl_text, response_json, write_jsonl
from rekolabels.testing import http_response, new_client
from rekolabels.testing._synthetic import synthetic_response
from tests.helpers import RECORDINGS, load
from tests.test_models_property import responses


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
    assert [json.loads(x) for x in new.splitlines()] == [json.loads(x) for x in old.splitlines()]
    assert_same_text_but_float_spelling(new, old)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses, st.integers(min_value=1, max_value=3))
def test_generated_responses_write_the_same_values(d: dict[str, Any], size: int) -> None:
    pages = pages_of(d, size)
    assert json.loads(streamed_json(pages)) == json.loads(before_json(pages))
    labels = [det for page in pages for det in page.labels or []]
    new = [json.loads(x) for x in jsonl_text(labels).splitlines()]
    assert new == [json.loads(x) for x in before_jsonl(labels).splitlines()]


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
    client.meta.events.register(
        "before-send.rekognition.GetLabelDetection",
        lambda **_: http_response(200, raw, {"x-amzn-RequestId": "req-1"}),
    )
    return rl.LabelDetectionClient(client).get_page("job-1")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses, st.sampled_from(["as is", "unknown member", "null member"]))
def test_pages_from_the_client_hold_no_null_so_null_free_writing_is_to_boto3(
    d: dict[str, Any], change: str
) -> None:
    """The CLI writes the client's labels with null_free=True: the wire path and botocore's
    path (taken for bodies with unknown or null members) must both give labels with no None
    field set, or the output would lose a ``null``."""
    body = {**d, "JobStatus": "SUCCEEDED"}
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
