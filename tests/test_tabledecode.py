"""Response bytes straight into a LabelTable: the model path's outcome, without its models.

Each case sends the same HTTP response to two real boto3 clients. One is read the way
LabelDetectionClient reads a page (the raw-bytes hook, ``to_page``, unreadable when there is no
JobStatus). The other is wired the way ``get_table`` will be: a ``before-parse`` handler calls
``decode`` on the body, and ``from_parsed`` takes whatever it leaves to botocore. Both must
give the same page (the table's rows as models, its job-level fields) or the same error.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")

import rekolabels as rl  # noqa: E402
from rekolabels._columns import SCHEMA  # noqa: E402
from rekolabels._errors import UnreadableResponseError  # noqa: E402
from rekolabels._rawpage import _page_from_wire  # noqa: E402
from rekolabels._table import job_only  # noqa: E402
from rekolabels._tabledecode import (  # noqa: E402
    decode,
    from_parsed,
    has_job_status,
    read_body,
    with_botocore_fields,
)
from rekolabels.testing import http_response, new_client  # noqa: E402
from tests.helpers import RECORDINGS, load, wire_body  # noqa: E402
from tests.test_models_property import responses  # noqa: E402
from tests.test_rawpage import ODD_BODIES, PAGE  # noqa: E402

TABLE_KEY = "rekolabels:table"
REQUEST_ID = "11111111-2222-3333-4444-555555555555"


def for_schema(labels: list[rl.LabelDetection]) -> list[rl.LabelDetection]:
    """The models a table can hold: a Label without any field reads back as no Label."""
    out = []
    for det in labels:
        d = det.to_boto3()
        if d.get("Label") == {}:
            del d["Label"]
        out.append(rl.LabelDetection.model_validate(d))
    return out


def via_model_path(status: int, body: bytes) -> Any:
    """(page, its labels) as the model path reads one, or (error type, message).

    That is ``from_boto3`` of botocore's dict, unreadable without JobStatus (tests/test_rawpage.py
    shows LabelDetectionClient's raw-bytes path gives exactly this).
    """
    try:
        raw = answering(status, body).get_label_detection(JobId="job-1")
        if "JobStatus" not in raw:
            raise UnreadableResponseError("no JobStatus")
        page = rl.GetLabelDetectionResponse.from_boto3(raw)
    except Exception as exc:
        return type(exc), str(exc)
    return job_only(page), for_schema(list(page.labels or []))


def answering(status: int, body: bytes) -> Any:
    """A real boto3 client whose GetLabelDetection gets this HTTP response back."""
    client = new_client()

    def answer(**_: Any) -> Any:
        return http_response(status, body, {"x-amzn-RequestId": REQUEST_ID})

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    return client


def dict_nodes(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value, *(n for v in value.values() for n in dict_nodes(v))]
    if isinstance(value, list):
        return [n for v in value for n in dict_nodes(v)]
    return []


def via_table_path(status: int, body: bytes) -> tuple[Any, bool]:
    """(the same, from a LabelTable read as get_table will read it; whether decode took it)."""
    client = answering(status, body)

    def before_parse(
        response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
    ) -> None:
        if response_dict.get("status_code") != 200 or not isinstance(response_dict["body"], bytes):
            return
        table = decode(response_dict["body"])
        if table is not None:
            response_dict["body"] = b"{}"
            customized_response_dict[TABLE_KEY] = table

    client.meta.events.register("before-parse.rekognition.GetLabelDetection", before_parse)
    taken = False
    try:
        raw = dict(client.get_label_detection(JobId="job-1"))
        decoded = raw.pop(TABLE_KEY, None)
        taken = decoded is not None
        table = from_parsed(raw) if decoded is None else with_botocore_fields(decoded, raw)
        if not has_job_status(table):
            raise UnreadableResponseError("no JobStatus")
    except Exception as exc:
        return (type(exc), str(exc)), taken
    return (table.job, table.labels()), taken


def assert_same_outcome(status: int, body: bytes, *, taken: bool | None = None) -> None:
    expected = via_model_path(status, body)
    got, was_taken = via_table_path(status, body)
    if isinstance(expected[0], type):  # an error: the same class (messages say where)
        assert isinstance(got[0], type), got
        assert issubclass(got[0], expected[0]) or issubclass(expected[0], got[0]), (got, expected)
    else:
        assert got[0] == expected[0]
        assert got[0].to_boto3() == expected[0].to_boto3()
        assert got[1] == expected[1]
        assert [d.to_boto3() for d in got[1]] == [d.to_boto3() for d in expected[1]]
    if taken is not None:
        assert was_taken is taken


# --- the same outcome as the model path ----------------------------------------------------------


@pytest.mark.parametrize("name", RECORDINGS)
def test_every_recording_is_decoded_with_the_model_paths_result(name: str) -> None:
    assert_same_outcome(200, wire_body(load(name)), taken=True)


@pytest.mark.parametrize("name", RECORDINGS)
def test_decode_gives_the_table_from_labels_gives(name: str) -> None:
    d = load(name)
    table = decode(wire_body(d))
    assert table is not None
    page = rl.GetLabelDetectionResponse.from_boto3({k: v for k, v in d.items()
                                                    if k != "ResponseMetadata"})  # fmt: skip
    assert table.arrow.equals(rl.LabelTable.from_labels(page).arrow)
    assert table.arrow.schema.equals(SCHEMA)
    assert table.job == job_only(page)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses)
def test_generated_responses_are_decoded_with_the_model_paths_result(d: dict[str, Any]) -> None:
    # Every member the service model has, of every type, with any string and any finite
    # double: pyarrow's parser must read each as json.loads does.
    assert_same_outcome(200, json.dumps(d).encode(), taken=True)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses, st.data())
def test_bodies_botocore_changes_give_the_same_outcome(d: dict[str, Any], data: Any) -> None:
    node = data.draw(st.sampled_from(dict_nodes(d)))
    change = data.draw(st.sampled_from(["unknown", "null", "by-name", "metadata", "type"]))
    if change == "unknown":
        node["Xa"] = data.draw(st.one_of(st.none(), st.integers(), st.text(max_size=3)))
    elif change == "null":
        node[data.draw(st.sampled_from([*node, "Labels"]))] = None
    elif change == "by-name":
        node["labels" if node is d else "name"] = []
    elif change == "metadata":
        d["ResponseMetadata"] = {"RequestId": "from-the-body"}
    elif node:
        key = data.draw(st.sampled_from(sorted(node)))
        node[key] = data.draw(st.sampled_from([True, "1", 1.5, 7, [], {}, [None]]))
    assert_same_outcome(200, json.dumps(d).encode())


@pytest.mark.parametrize(("status", "body"), ODD_BODIES.values(), ids=ODD_BODIES.keys())
def test_error_and_unreadable_responses_give_the_same_outcome(status: int, body: bytes) -> None:
    assert_same_outcome(status, body)


# --- what decode refuses, and why ---------------------------------------------------------------

REFUSED = {
    "empty": b"",
    "null": b"null",  # pyarrow's reader crashes the process on a top-level null: never passed
    "a list": b"[]",
    "UTF-8 BOM": b"\xef\xbb\xbf" + PAGE,  # pyarrow skips it; botocore's json.loads does not
    "two objects": b'{"JobStatus": "SUCCEEDED"} {}',  # two rows to pyarrow, Extra data to json
    "two lines": b'{"JobStatus": "SUCCEEDED"}\n{}',
    "truncated": PAGE[: len(PAGE) // 2],
    "not UTF-8 in an unknown member": b'{"JobStatus": "SUCCEEDED", "Xa": "\xff"}',
    "lone surrogate": b'{"JobStatus": "SUCCEEDED", "JobTag": "\\ud800"}',
    "duplicate keys": b'{"JobStatus": "SUCCEEDED", "JobStatus": "FAILED"}',
    "null in Labels": b'{"JobStatus": "SUCCEEDED", "Labels": [null]}',
    "null in Parents": b'{"JobStatus": "SUCCEEDED", "Labels": [{"Label": {"Parents": [null]}}]}',
    "null instance": b'{"JobStatus": "SUCCEEDED", "Labels": [{"Label": {"Instances": [null]}}]}',
    "null color": b'{"Labels": [{"Label": {"Instances": [{"DominantColors": [null]}]}}]}',
    "float Timestamp": b'{"JobStatus": "SUCCEEDED", "Labels": [{"Timestamp": 1.0}]}',
    "string Confidence": b'{"Labels": [{"Label": {"Confidence": "9"}}]}',
    "bool Confidence": b'{"Labels": [{"Label": {"Confidence": true}}]}',
    "number Name": b'{"Labels": [{"Label": {"Name": 3}}]}',
    "beyond double": b'{"JobStatus": "SUCCEEDED", "Labels": [{"Label": {"Confidence": 1e400}}]}',
    "object JobStatus": b'{"JobStatus": {}}',
}


@pytest.mark.parametrize("body", REFUSED.values(), ids=REFUSED.keys())
def test_decode_leaves_odd_bodies_to_botocore(body: bytes) -> None:
    assert decode(body) is None
    assert_same_outcome(200, body, taken=False)


def test_an_int_beyond_int64_is_the_one_value_only_the_models_take() -> None:
    # The service model's Long is 64-bit; Python ints (and so the models) are not bounded.
    body = b'{"JobStatus": "SUCCEEDED", "Labels": [{"Timestamp": 100000000000000000000}]}'
    assert decode(body) is None
    got, taken = via_table_path(200, body)
    assert got[0] is rl.ResponseValidationError
    assert "cannot store" in got[1]
    assert not taken
    _, labels = via_model_path(200, body)
    assert labels[0].timestamp == 10**20


ACCEPTED = {
    "pretty-printed": json.dumps(load("boto3-2023-grandtour720-timestamps-v3.json"), indent=2),
    "leading whitespace": ' \n\t{"JobStatus": "SUCCEEDED"}',
    "unknown members at any depth": '{"JobStatus": "SUCCEEDED", "Xa": [[[{"a": null}]]], '
    '"Labels": [{"Yb": 1, "Label": {"Name": "Car", "Zc": {}, '
    '"Parents": [{"Name": "V", "W": 2}]}}]}',
    "nulls for members": '{"JobStatus": "SUCCEEDED", "JobTag": null, "Labels": [{"Timestamp": '
    'null, "Label": {"Name": "Car", "Instances": null, "Confidence": null}}], '
    '"VideoMetadata": null}',
    "escapes": '{"JobStatus": "SUCC\\u0045EDED", "Labels": [{"Label": '
    '{"Name": "\\ud83d\\ude97 \\"x\\" \\u0000"}}], "Job\\u0054ag": "t"}',
    "ints for doubles": '{"JobStatus": "SUCCEEDED", "Labels": [{"Label": {"Confidence": 90}}]}',
    "ResponseMetadata in the body": '{"JobStatus": "SUCCEEDED", '
    '"ResponseMetadata": {"RequestId": 3}}',
    "IN_PROGRESS": '{"JobStatus": "IN_PROGRESS"}',
    "no JobStatus (unreadable, for the client to retry)": "{}",
}


@pytest.mark.parametrize("text", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_decode_takes_what_botocore_reads_the_same(text: str) -> None:
    assert decode(text.encode()) is not None
    assert_same_outcome(200, text.encode(), taken=True)


def test_a_body_larger_than_a_reader_block_is_read_whole() -> None:
    d = rl.testing._synthetic.synthetic_response(9000, seed=4)
    body = json.dumps(d, indent=1).encode()  # about 3 MB, thousands of lines
    assert len(body) > 2**21
    table = decode(body)
    assert table is not None
    assert len(table) == 9000
    expected = rl.GetLabelDetectionResponse.from_boto3(d)
    assert table.arrow.equals(rl.LabelTable.from_labels(expected).arrow)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**63), 2**63 - 1))
def test_numbers_are_read_exactly_as_json_loads_reads_them(conf: float, t: int) -> None:
    body = json.dumps({"Labels": [{"Timestamp": t, "Label": {"Confidence": conf}}]}).encode()
    table = decode(body)
    assert table is not None
    assert table.arrow.column("timestamp_ms").to_pylist() == [t]
    got = table.arrow.column("confidence").to_pylist()[0]
    assert got == conf
    assert str(got) == str(conf)  # -0.0 stays -0.0


# --- no model is built ---------------------------------------------------------------------------


@pytest.fixture
def constructions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every LabelDetection made, however it is made: validation (pydantic-core calls
    the class's __new__), model_construct, or the transforms' fast constructor."""
    count = [0]

    def counting_new(cls: type, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return object.__new__(cls)

    monkeypatch.setattr(rl.LabelDetection, "__new__", staticmethod(counting_new))
    return count


def test_decoding_a_page_and_working_on_it_builds_no_model(constructions: list[int]) -> None:
    # The counter sees the model path's constructions, so a zero below means something.
    assert _page_from_wire(PAGE) is not None
    assert constructions[0] == 855
    constructions[0] = 0
    table = decode(PAGE)
    assert table is not None
    assert len(table) == 855
    table.sort("NAME"), table.sort("TIMESTAMP"), table.aggregate(max_gap_ms=600)
    table.summarize()
    assert constructions[0] == 0
    table.labels()
    assert constructions[0] == 855  # models only when asked for


def test_pages_read_through_a_boto3_client_build_no_model(constructions: list[int]) -> None:
    for name in RECORDINGS:
        result, taken = via_table_path(200, wire_body(load(name)))
        assert taken, name
        assert constructions[0] == len(result[1])  # only the comparison's .labels() built any
        constructions[0] = 0


# --- the pieces the client wiring uses ------------------------------------------------------------


def test_has_job_status_tells_unreadable_pages() -> None:
    assert not has_job_status(from_parsed({"ResponseMetadata": {"HTTPStatusCode": 200}}))
    table = decode(b"{}")
    assert table is not None
    assert not has_job_status(table)
    table = decode(PAGE)
    assert table is not None
    assert has_job_status(table)
    assert table.job.job_status is rl.VideoJobStatus.SUCCEEDED


def test_from_parsed_raises_response_validation_error_for_wrong_types() -> None:
    with pytest.raises(rl.ResponseValidationError, match="Timestamp"):
        from_parsed({"JobStatus": "SUCCEEDED", "Labels": [{"Timestamp": "0"}]})
    with pytest.raises(rl.ResponseValidationError, match="cannot store"):
        from_parsed({"JobStatus": "SUCCEEDED", "Labels": [{"Timestamp": 2**64}]})
    table = from_parsed({**load("made-v2-timestamps.json")})
    assert table.job.response_metadata is not None


def test_with_botocore_fields_validates_them_as_from_boto3_does() -> None:
    table = decode(PAGE)
    assert table is not None
    assert with_botocore_fields(table, {}) is table
    meta = {"RequestId": "r-1", "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}
    added = with_botocore_fields(table, {"ResponseMetadata": meta})
    assert added.job.response_metadata == rl.ResponseMetadata.model_validate(meta)
    assert added.arrow is table.arrow
    with pytest.raises(rl.ResponseValidationError, match="HTTPStatusCode"):
        with_botocore_fields(table, {"ResponseMetadata": {"HTTPStatusCode": "200"}})


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", UnreadableResponseError),
        (PAGE[:1000], UnreadableResponseError),
        (b"[]", UnreadableResponseError),
        (b'{"JobStatus": "SUCCEEDED", "JobTag": "\xff"}', UnreadableResponseError),
        (b'{"Labels": []}', UnreadableResponseError),
        (b'{"JobStatus": "SUCCEEDED", "Labels": [{"Timestamp": "0"}]}', rl.ResponseValidationError),
        (b'{"JobStatus": "SUCCEEDED", "Labels": [null]}', rl.ResponseValidationError),
    ],
)
def test_read_body_says_unreadable_or_invalid(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        read_body(body)
    if error is rl.ResponseValidationError:
        assert not isinstance(caught.value, UnreadableResponseError)


def test_read_body_reads_what_decode_refuses_but_the_models_take() -> None:
    body = b'{"JobStatus": "SUCCEEDED", "Labels": [{"Label": {"Confidence": 1e400}}]}'
    assert decode(body) is None
    table = read_body(body)
    assert table.arrow.column("confidence").to_pylist() == [float("inf")]
    assert len(read_body(PAGE)) == 855
