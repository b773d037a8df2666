"""The raw-bytes path gives exactly what from_boto3 gives, and leaves every other body alone.

Each case sends the same HTTP response to two real boto3 clients: a plain one, read the way
users read boto3 (``from_boto3(client.get_label_detection())``), and one with the raw-bytes
path on. The outcomes must be identical: same model (types, enum members, unset fields,
extras) or the same exception.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
import threading
import weakref
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rekolabels as rl
from rekolabels import _rawpage
from rekolabels._models import _Model
from rekolabels._rawpage import _page_from_wire
from rekolabels.testing import FakeRekognition, http_response, new_client
from tests.helpers import RECORDINGS, load, run_in_threads, wire_body
from tests.test_models_property import responses

REQUEST_ID = "11111111-2222-3333-4444-555555555555"


def answering(status: int, body: bytes) -> Any:
    client = new_client()

    def answer(**_: Any) -> Any:
        return http_response(status, body, {"x-amzn-RequestId": REQUEST_ID})

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    return client


def described(page: rl.GetLabelDetectionResponse) -> tuple[str, str]:
    """Everything observable: repr shows types and enum members, the dump unset fields."""
    return repr(page), page.model_dump_json(by_alias=True, exclude_unset=True)


def both_ways(status: int, body: bytes) -> tuple[Any, Any, bool]:
    """(plain outcome, raw-path outcome, whether the raw path took the body)."""
    plain_client, raw_client = answering(status, body), answering(status, body)
    _rawpage.install(raw_client)
    try:
        plain: Any = described(rl.GetLabelDetectionResponse.from_boto3(
            plain_client.get_label_detection(JobId="job-1")
        ))  # fmt: skip
    except Exception as exc:
        plain = (type(exc), str(exc))
    taken = False
    try:
        raw = _rawpage.call(raw_client, {"JobId": "job-1"})
        taken = _rawpage.PAGE_KEY in raw
        fast: Any = described(_rawpage.to_page(raw))
    except Exception as exc:
        fast = (type(exc), str(exc))
    return plain, fast, taken


@pytest.mark.parametrize("name", RECORDINGS)
def test_every_recording_takes_the_raw_path_with_the_same_result(name: str) -> None:
    plain, fast, taken = both_ways(200, wire_body(load(name)))
    assert taken
    assert fast == plain


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses)
def test_generated_responses_take_the_raw_path_with_the_same_result(d: dict[str, Any]) -> None:
    plain, fast, taken = both_ways(200, json.dumps(d).encode())
    assert taken
    assert fast == plain


def dict_nodes(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value, *(n for v in value.values() for n in dict_nodes(v))]
    if isinstance(value, list):
        return [n for v in value for n in dict_nodes(v)]
    return []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses, st.data())
def test_bodies_botocore_would_change_go_the_normal_path(d: dict[str, Any], data: Any) -> None:
    node = data.draw(st.sampled_from(dict_nodes(d)))
    change = data.draw(st.sampled_from(["unknown", "null", "by-name", "metadata"]))
    if change == "unknown":
        node["Xa"] = data.draw(st.one_of(st.none(), st.integers(), st.text(max_size=3)))
    elif change == "null":
        node[data.draw(st.sampled_from([*node, "Labels"]))] = None
    elif change == "by-name":
        node["labels" if node is d else "name"] = []
    else:
        d["ResponseMetadata"] = {"RequestId": "from-the-body"}
    plain, fast, taken = both_ways(200, json.dumps(d).encode())
    assert not taken
    assert fast == plain


PAGE = wire_body(load("boto3-2023-grandtour720-timestamps-v3.json"))
ODD_BODIES = {
    "truncated": (200, PAGE[: len(PAGE) // 2]),
    "empty": (200, b""),
    "not JSON": (200, b"<html>Bad gateway</html>"),
    "null": (200, b"null"),
    "a list": (200, b"[]"),
    "a string": (200, b'"SUCCEEDED"'),
    "UTF-8 BOM": (200, b"\xef\xbb\xbf" + PAGE),
    "lone surrogate": (200, b'{"JobStatus": "SUCCEEDED", "JobTag": "\\ud800"}'),
    "not UTF-8": (200, b'{"JobStatus": "SUCCEEDED", "JobTag": "\xff"}'),
    "trailing data": (200, PAGE + b" {}"),
    "Labels a string": (200, b'{"JobStatus": "SUCCEEDED", "Labels": "abc"}'),
    "VideoMetadata a list": (200, b'{"JobStatus": "SUCCEEDED", "VideoMetadata": []}'),
    "Timestamp a string": (200, b'{"Labels": [{"Timestamp": "0"}]}'),
    "Timestamp a float": (200, b'{"Labels": [{"Timestamp": 1.0}]}'),
    "null in a list": (200, b'{"JobStatus": "SUCCEEDED", "Labels": [null]}'),
    "duplicate keys": (200, b'{"JobStatus": "SUCCEEDED", "JobStatus": 3}'),
    "throttled 400": (400, b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'),
    "throttled 500": (500, b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'),
    "internal error": (500, b'{"__type": "InternalServerError", "message": "oops"}'),
    "not found": (400, b'{"__type": "ResourceNotFoundException", "message": "no job"}'),
    "HTML 503": (503, b"<html>Service Unavailable</html>"),
    "a valid page with 206": (206, PAGE),
}


@pytest.mark.parametrize(("status", "body"), ODD_BODIES.values(), ids=ODD_BODIES.keys())
def test_error_and_unreadable_responses_go_the_normal_path(status: int, body: bytes) -> None:
    plain, fast, taken = both_ways(status, body)
    assert not taken
    assert fast == plain


def test_the_handler_is_inert_outside_call() -> None:
    client = answering(200, PAGE)
    _rawpage.install(client)
    _rawpage.install(client)  # once, however often installed
    plain = client.get_label_detection(JobId="job-1")
    assert _rawpage.PAGE_KEY not in plain
    assert len(plain["Labels"]) == 855
    raw = _rawpage.call(client, {"JobId": "job-1"})
    assert set(raw) == {"ResponseMetadata", _rawpage.PAGE_KEY}
    assert len(_rawpage.to_page(raw).labels or []) == 855
    assert _rawpage.has_job_status(raw)
    assert "Labels" in client.get_label_detection(JobId="job-1")


def test_other_threads_keep_plain_dicts_while_one_uses_the_raw_path() -> None:
    client = answering(200, wire_body(load("made-v3-dominant-colors.json")))
    _rawpage.install(client)
    plain_results: list[bool] = []

    def plain() -> None:
        for _ in range(30):
            plain_results.append("Labels" in client.get_label_detection(JobId="job-1"))

    thread = threading.Thread(target=plain)
    thread.start()
    for _ in range(30):
        assert _rawpage.PAGE_KEY in _rawpage.call(client, {"JobId": "job-1"})
    thread.join()
    assert plain_results == [True] * 30


def test_a_page_without_job_status_is_unreadable_on_both_paths() -> None:
    client = answering(200, b"{}")
    _rawpage.install(client)
    raw = _rawpage.call(client, {"JobId": "job-1"})
    assert _rawpage.PAGE_KEY in raw
    assert not _rawpage.has_job_status(raw)
    assert not _rawpage.has_job_status(client.get_label_detection(JobId="job-1"))


def test_fields_botocore_adds_beside_the_body_are_validated_as_from_boto3_does() -> None:
    page = _page_from_wire(PAGE)
    assert page is not None
    raw = {_rawpage.PAGE_KEY: page, "ResponseMetadata": {"HTTPStatusCode": "200"}}
    with pytest.raises(rl.ResponseValidationError, match="HTTPStatusCode"):
        _rawpage.to_page(raw)
    extra = _rawpage.to_page({_rawpage.PAGE_KEY: page, "Added": 1})
    assert extra.model_extra == {"Added": 1}
    assert _rawpage.to_page({_rawpage.PAGE_KEY: page}) is page


def test_the_public_validators_are_untouched() -> None:
    for cls in _Model.__subclasses__():
        assert cls.__pydantic_complete__, cls
    r = rl.GetLabelDetectionResponse.model_validate({"labels": [], "Xa": None, "JobTag": None})
    assert r.labels == []
    assert r.model_extra == {"Xa": None}
    assert rl.Label(name="Car").name == "Car"


def test_label_detection_client_pages_match_from_boto3() -> None:
    recorded = load("boto3-2023-grandtour720-timestamps-v3.json")
    fake = FakeRekognition()
    fake.add_job("job-1", recorded)
    lc = rl.LabelDetectionClient(fake.client)
    typed = lc.get_page("job-1", max_results=300)
    plain = rl.GetLabelDetectionResponse.from_boto3(
        fake.client.get_label_detection(JobId="job-1", MaxResults=300)
    )
    assert typed.model_copy(update={"response_metadata": None}) == plain.model_copy(
        update={"response_metadata": None}
    )
    assert typed.response_metadata is not None
    assert typed.response_metadata.http_status_code == 200


def test_iter_labels_drops_each_page_before_fetching_the_next() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=30)
    lc = rl.LabelDetectionClient(fake.client)
    seen: list[weakref.ref[rl.LabelDetection]] = []
    alive_at_fetch: list[int] = []

    def spy(**_: Any) -> None:
        alive_at_fetch.append(sum(ref() is not None for ref in seen))

    fake.client.meta.events.register("before-send.rekognition.GetLabelDetection", spy)
    for det in lc.iter_labels("job-1", max_results=10):
        seen.append(weakref.ref(det))
    # Only the label the loop variable still holds survives into the next fetch.
    assert alive_at_fetch == [0, 1, 1]
    assert len(seen) == 30


def test_the_collector_stays_on_while_threads_read_through_the_client() -> None:
    """The host process is the user's: reading never switches the cyclic GC off, not even for
    a moment. A sampler thread watches gc.isenabled() while 4 threads page through jobs."""
    assert gc.isenabled()
    fake = FakeRekognition()
    for n in range(4):
        fake.add_synthetic_job(f"job-{n}", detections=3000, seed=n)
    lc = rl.LabelDetectionClient(fake.client)
    body = wire_body(load("boto3-2023-grandtour720-timestamps-v3.json"))
    done = threading.Event()
    samples: list[bool] = []

    def sample() -> None:
        while not done.is_set() and len(samples) < 5_000_000:
            samples.append(gc.isenabled())

    def read(job_id: str) -> None:
        assert len(lc.get_all(job_id).labels or ()) == 3000
        assert sum(1 for _ in lc.iter_labels(job_id, max_results=500)) == 3000
        for _ in range(3):
            rl.GetLabelDetectionResponse.from_boto3(json.loads(body))
            assert _page_from_wire(body) is not None

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)  # hand the sampler the GIL often
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        run_in_threads(read, [f"job-{n}" for n in range(4)])
    finally:
        done.set()
        sampler.join(10)
        sys.setswitchinterval(previous)
    assert len(samples) > 100, "the sampler barely ran: the test proves nothing"
    assert all(samples), f"GC off in {samples.count(False)} of {len(samples)} samples"
    assert gc.isenabled()


# -- containment ---------------------------------------------------------------------------------


def parsed_results(client: Any) -> list[dict[str, Any]]:
    """What botocore's parse gave each call (after-call sees it before rekolabels does)."""
    results: list[dict[str, Any]] = []

    def record(parsed: dict[str, Any], **_: Any) -> None:
        results.append(parsed)

    client.meta.events.register("after-call.rekognition.GetLabelDetection", record)
    return results


def test_the_fast_path_is_active() -> None:
    # Fails wherever botocore has no before-parse event (before 1.35.16): the floor run proves
    # the fast path works at the lowest versions pyproject.toml allows.
    fake = FakeRekognition()
    fake.add_job("job-1", load("made-v3-dominant-colors.json"))
    parsed = parsed_results(fake.client)
    page = rl.LabelDetectionClient(fake.client).get_page("job-1")
    assert set(parsed[0]) == {"ResponseMetadata", _rawpage.PAGE_KEY}
    assert parsed[0][_rawpage.PAGE_KEY].labels == page.labels
    assert len(page.labels or []) == len(load("made-v3-dominant-colors.json")["Labels"])


def test_raw_pages_false_leaves_every_body_to_botocore() -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", load("made-v3-dominant-colors.json"))
    parsed = parsed_results(fake.client)
    plain = rl.LabelDetectionClient(fake.client, raw_pages=False)
    assert "raw_pages=False" in repr(plain)
    page = plain.get_page("job-1")
    assert _rawpage.PAGE_KEY not in parsed[0]
    assert "Labels" in parsed[0]
    fast = rl.LabelDetectionClient(fake.client).get_page("job-1")
    assert _rawpage.PAGE_KEY in parsed[1]
    assert described(page.model_copy(update={"response_metadata": None})) == described(
        fast.model_copy(update={"response_metadata": None})
    )


def test_raw_pages_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="raw_pages"):
        rl.LabelDetectionClient(new_client(), raw_pages="no")  # type: ignore[arg-type]


def test_the_handler_takes_keywords_only_and_survives_a_botocore_rename() -> None:
    import inspect

    kinds = {p.kind for p in inspect.signature(_rawpage._before_parse).parameters.values()}
    assert kinds == {inspect.Parameter.VAR_KEYWORD}
    token = _rawpage._CALL.set(_rawpage._Call(raw_pages=True))
    try:
        # botocore renamed or dropped a parameter: no TypeError, nothing touched.
        _rawpage._before_parse(response=PAGE, parsed={})
        _rawpage._before_parse()
    finally:
        _rawpage._CALL.reset(token)


def test_an_error_of_the_handler_leaves_the_response_to_botocore() -> None:
    token = _rawpage._CALL.set(_rawpage._Call(raw_pages=True))
    try:
        response = {"status_code": 200, "body": PAGE, "headers": {}}
        # A customized_response_dict that cannot take the page: the body stays as it was.
        _rawpage._before_parse(response_dict=response, customized_response_dict=None)
        assert response["body"] is PAGE
        frozen = {"status_code": 200, "body": PAGE, "headers": {}}
        customized: dict[str, Any] = {}

        class NoWrites(dict[str, Any]):
            def __setitem__(self, key: str, value: Any) -> None:
                raise RuntimeError("read-only")

        _rawpage._before_parse(response_dict=NoWrites(frozen), customized_response_dict=customized)
        assert customized == {}  # the page it had placed is taken back
    finally:
        _rawpage._CALL.reset(token)


def test_botocore_debug_log_shows_the_real_body(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", load("made-v3-dominant-colors.json"))
    parsed = parsed_results(fake.client)
    lc = rl.LabelDetectionClient(fake.client)
    with caplog.at_level(logging.DEBUG, logger="botocore.parsers"):
        page = lc.get_page("job-1")
    bodies = [r.getMessage() for r in caplog.records if "Response body" in r.getMessage()]
    assert len(bodies) == 1
    assert "red-car.mp4" in bodies[0]
    assert "b'{}'" not in bodies[0]
    assert _rawpage.PAGE_KEY not in parsed[0]  # the fast path stood aside for the log
    assert page.job_id == "job-1"
