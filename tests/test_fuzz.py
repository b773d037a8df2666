"""Hostile responses through a real boto3 client: the read methods raise RekolabelsError or
return every label served, never anything else, in bounded time.

Each class of damage is a seeded hypothesis search (``derandomize=True``: the same cases every
run) or, for truncation, every prefix of a small page. Every response goes through botocore for
real (its ``before-send`` event replaces the socket), so botocore's parser meets the damage as it
would off the wire. Three properties, checked for ``get_page``, ``get_all`` and ``iter_labels``:

- only RekolabelsError escapes (never a bare UnicodeDecodeError, AttributeError, TypeError,
  RecursionError, pydantic or botocore exception);
- without an error, never fewer labels than the body served;
- every read ends within ``CASE_BOUND_S``.

Cases tried per class go to the test report (``record_property``) and to stdout (``-s``).
"""

from __future__ import annotations

import copy
import gzip
import json
import random
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rekolabels as rl
from rekolabels.testing import http_response, new_client
from tests.helpers import load, wire_body

# A small real-shaped page (1.3 KB: every structure, dominant colors included) and its job id.
PAGE = load("made-v3-dominant-colors.json")
JOB_ID: str = PAGE["JobId"]
BODY = wire_body(PAGE)
LABELS = len(PAGE["Labels"])
CASE_BOUND_S = 5.0
ATTEMPTS = 2
EXAMPLES = 150
ERROR_STATUSES = [301, 400, 403, 404, 429, 500, 502, 503]
JSON_TYPE = "application/x-amz-json-1.1"

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
invalid_utf8 = st.sampled_from(
    [b"\xff", b"\xfe", b"\x80", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]
)


class Served:
    """The responses the client gets, one per call (the last one repeats)."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, bytes, dict[str, str]]] = []
        self.calls = 0

    def set(self, *replies: tuple[int, bytes, dict[str, str]]) -> None:
        self.replies = list(replies)
        self.calls = 0

    def answer(self, **_: Any) -> Any:
        status, body, headers = self.replies[min(self.calls, len(self.replies) - 1)]
        self.calls += 1
        return http_response(status, body, {"x-amzn-RequestId": "fuzz-rid", **headers})


@contextmanager
def serving() -> Iterator[tuple[Served, rl.LabelDetectionClient]]:
    """A client (retries without waits) whose every GetLabelDetection gets what ``Served`` holds."""
    client = new_client()
    replies = Served()
    client.meta.events.register("before-send.rekognition.GetLabelDetection", replies.answer)
    retry = rl.RetryPolicy(max_attempts=ATTEMPTS, initial_backoff_s=0, max_backoff_s=0)
    try:
        yield replies, rl.LabelDetectionClient(client, retry=retry)
    finally:
        client.close()


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Served, rl.LabelDetectionClient]]:
    with serving() as pair:
        yield pair


def labels_in(body: bytes) -> int:
    """How many labels ``body`` serves: the length of its Labels list, if it has one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return 0
    labels = data.get("Labels") if isinstance(data, dict) else None
    return len(labels) if isinstance(labels, list) else 0


READS: dict[str, Callable[[rl.LabelDetectionClient], int]] = {
    "get_page": lambda lc: len(lc.get_page(JOB_ID).labels or []),
    "get_all": lambda lc: len(lc.get_all(JOB_ID).labels or []),
    "iter_labels": lambda lc: sum(1 for _ in lc.iter_labels(JOB_ID)),
}


def check(
    served: tuple[Served, rl.LabelDetectionClient],
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
    *,
    reads: tuple[str, ...] = tuple(READS),
) -> None:
    """Serve the response to every read method; assert the three properties."""
    replies, lc = served
    expected = labels_in(body) if status < 300 else 0
    for name in reads:
        replies.set((status, body, {"content-type": JSON_TYPE, **(headers or {})}))
        start = time.monotonic()
        try:
            got = READS[name](lc)
        except rl.RekolabelsError:
            pass  # anything else propagates and fails the test, with the case that caused it
        else:
            assert got >= expected, f"{name}: {got} labels, {expected} served, and no error"
        elapsed = time.monotonic() - start
        assert elapsed < CASE_BOUND_S, f"{name} took {elapsed:.1f} s"
        assert replies.calls <= ATTEMPTS * max(1, expected + 1)  # bounded, never a runaway


def run_class(
    record_property: Callable[[str, object], None] | None,
    name: str,
    strategy: st.SearchStrategy[Any],
    body_of: Callable[[Any], tuple[int, bytes, dict[str, str]]],
    served: tuple[Served, rl.LabelDetectionClient],
    examples: int = EXAMPLES,
    *,
    check_case: Callable[[tuple[Served, rl.LabelDetectionClient], int, bytes, dict[str, str]], None]
    | None = None,
) -> int:
    """Run ``examples`` seeded cases of one class (each checked by ``check_case``, default
    ``check``); record and print how many were tried."""
    check_one = check if check_case is None else check_case
    tried = 0

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(strategy)
    def case(value: Any) -> None:
        nonlocal tried
        tried += 1
        status, body, headers = body_of(value)
        check_one(served, status, body, headers)

    case()
    if record_property is not None:
        record_property(f"fuzz cases: {name}", tried)
    print(f"fuzz cases: {name}: {tried}")
    assert tried >= examples // 2  # the search really ran
    return tried


# -- the damage -------------------------------------------------------------------------------


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every position in a JSON document (dict keys and list indexes), depth first."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, (dict, list)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            found.append((*prefix, key))
            found.extend(paths(child, (*prefix, key)))
    return found


WIRE_DOC = json.loads(BODY)
PAGE_PATHS = paths(WIRE_DOC)


def replaced(path: tuple[Any, ...], value: Any) -> Any:
    doc = copy.deepcopy(WIRE_DOC)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def json_reply(doc: Any) -> tuple[int, bytes, dict[str, str]]:
    return 200, json.dumps(doc).encode(), {}


def test_wrong_types_at_any_depth(served: Any, record_property: Any) -> None:
    strategy = st.tuples(st.sampled_from(PAGE_PATHS), json_values)
    run_class(
        record_property, "wrong types", strategy,
        lambda case: json_reply(replaced(case[0], case[1])), served,
    )  # fmt: skip


def test_nulls_anywhere(served: Any, record_property: Any) -> None:
    run_class(
        record_property, "nulls", st.sampled_from(PAGE_PATHS),
        lambda path: json_reply(replaced(path, None)), served,
        examples=len(PAGE_PATHS),
    )  # fmt: skip


def spliced(body: bytes, at: int, piece: bytes) -> bytes:
    return body[:at] + piece + body[at:]


def test_invalid_utf8_in_bodies(served: Any, record_property: Any) -> None:
    strategy = st.tuples(st.integers(0, len(BODY)), invalid_utf8)
    run_class(
        record_property, "invalid UTF-8 (200)", strategy,
        lambda case: (200, spliced(BODY, *case), {}), served,
    )  # fmt: skip


def test_invalid_utf8_in_error_bodies(served: Any, record_property: Any) -> None:
    error = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
    strategy = st.tuples(st.sampled_from(ERROR_STATUSES), st.integers(0, len(error)), invalid_utf8)
    run_class(
        record_property, "invalid UTF-8 (error)", strategy,
        lambda case: (case[0], spliced(error, case[1], case[2]), {}), served,
    )  # fmt: skip


def nested(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


DEEP_PLACES = ["unknown member", "Labels", "VideoMetadata", "Label", "whole body", "error body"]


def deep_reply(case: tuple[int, str, str]) -> tuple[int, bytes, dict[str, str]]:
    depth, kind, place = case
    deep = nested(depth, kind)
    text = BODY.decode()
    if place == "unknown member":
        return 200, f'{{"Deep": {deep}, {text[1:]}'.encode(), {}
    if place == "Labels":
        return 200, text.replace('"Labels": [', f'"Labels": [{deep}, ', 1).encode(), {}
    if place == "VideoMetadata":
        return (
            200,
            text.replace('"VideoMetadata": {', f'"VideoMetadata": {{"X": {deep}, ', 1).encode(),
            {},
        )
    if place == "Label":
        return 200, text.replace('"Label": {', f'"Label": {deep}, "L": {{', 1).encode(), {}
    if place == "whole body":
        return 200, deep.encode(), {}
    return 500, f'{{"__type": "InternalServerError", "x": {deep}}}'.encode(), {}


def test_deep_nesting(served: Any, record_property: Any) -> None:
    strategy = st.tuples(
        st.one_of(st.integers(1, 300), st.integers(300, 5000)),
        st.sampled_from(["list", "object"]),
        st.sampled_from(DEEP_PLACES),
    )
    run_class(record_property, "deep nesting", strategy, deep_reply, served)


def compressed_reply(case: tuple[str, int, bool]) -> tuple[int, bytes, dict[str, str]]:
    how, status, say_so = case
    plain = BODY if status == 200 else b'{"__type": "InternalServerError", "message": "x"}'
    body = gzip.compress(plain) if how == "gzip" else zlib.compress(plain)
    encoding = "gzip" if how == "gzip" else "deflate"
    return status, body, {"content-encoding": encoding} if say_so else {}


def test_compressed_bodies(served: Any, record_property: Any) -> None:
    strategy = st.tuples(
        st.sampled_from(["gzip", "deflate"]),
        st.sampled_from([200, *ERROR_STATUSES]),
        st.booleans(),
    )
    # A small space: every combination, once.
    run_class(record_property, "gzip/deflate", strategy, compressed_reply, served, examples=36)


# (status, body): a body that is not one JSON object, at 200 or at an error status.
NOT_JSON_OBJECTS = st.tuples(
    st.sampled_from([200, *ERROR_STATUSES]),
    st.one_of(
        json_values.filter(lambda v: not isinstance(v, dict)).map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=40),
        st.sampled_from([b"", b"<html>502 Bad Gateway</html>", b"\xef\xbb\xbf{}", b"{} {}"]),
    ),
)


def test_bodies_that_are_not_json_objects(served: Any, record_property: Any) -> None:
    run_class(
        record_property, "non-object bodies", NOT_JSON_OBJECTS,
        lambda case: (case[0], case[1], {}), served,
    )  # fmt: skip


def test_odd_error_bodies(served: Any, record_property: Any) -> None:
    strategy = st.tuples(
        st.sampled_from(ERROR_STATUSES),
        json_values,
        json_values,
        st.sampled_from(["message", "Message", "code"]),
    )

    def reply(case: tuple[int, Any, Any, str]) -> tuple[int, bytes, dict[str, str]]:
        status, code, message, key = case
        return status, json.dumps({"__type": code, key: message}).encode(), {}

    run_class(record_property, "odd error bodies", strategy, reply, served)


def test_truncation_at_every_byte(served: Any, record_property: Any) -> None:
    replies, lc = served
    for cut in range(len(BODY)):
        body = BODY[:cut]
        check(served, 200, body, reads=("get_page",))
        if cut % 16 and cut < len(BODY) - 16:
            continue  # the retry below is one code path, whatever the cut: sampled
        # Cut once, then whole: the retry reads the whole page, every label of it.
        replies.set((200, body, {}), (200, BODY, {}))
        assert len(lc.get_page(JOB_ID).labels or []) == LABELS
        assert replies.calls == 2
    record_property("fuzz cases: truncation", len(BODY))
    print(f"fuzz cases: truncation: {len(BODY)}")


def damaged(rng: random.Random, page: bytes) -> bytes:
    """``page`` with 1 to 4 byte-level mutations: flipped, deleted or inserted bytes."""
    body = bytearray(page)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(body))
        op = rng.choice(["flip", "delete", "insert"])
        if op == "flip":
            body[at] ^= 1 << rng.randrange(8)
        elif op == "delete":
            del body[at]
        else:
            body.insert(at, rng.randrange(256))
    return bytes(body)


def test_random_damage_to_a_real_page(served: Any, record_property: Any) -> None:
    """Byte-level mutations of a real page: flipped, deleted and inserted bytes."""
    rng = random.Random(20)  # seeded
    tried = 0
    for _ in range(300):
        check(served, 200, damaged(rng, BODY))
        tried += 1
    record_property("fuzz cases: random byte damage", tried)
    print(f"fuzz cases: random byte damage: {tried}")
