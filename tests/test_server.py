"""The fake on loopback HTTP (testing/_server): the AWS JSON 1.1 protocol through real sockets."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from rekolabels.testing import FakeRekognition, new_client
from rekolabels.testing._server import LoopbackServer

from .helpers import read_all

TARGET = "RekognitionService.GetLabelDetection"


@pytest.fixture
def fake() -> Iterator[FakeRekognition]:
    with FakeRekognition(seed=5) as fake:
        fake.add_synthetic_job("job-1", detections=120, seed=2)
        yield fake


# Far above any reply, even sorting a big job on a loaded machine; bounded all the same.
PATIENT_S = 30.0
# Only the client that must see a "timeout" fault waits this little.
IMPATIENT_S = 0.5


@pytest.fixture
def client(fake: FakeRekognition) -> Iterator[Any]:
    client = new_client(endpoint_url=fake.serve(), config=Config(read_timeout=PATIENT_S))
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def impatient(fake: FakeRekognition) -> Iterator[Any]:
    client = new_client(endpoint_url=fake.serve(), config=Config(read_timeout=IMPATIENT_S))
    try:
        yield client
    finally:
        client.close()


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any, bytes]:
    """One raw HTTP request, as a non-boto3 SDK would send it."""
    conn = http.client.HTTPConnection(url.removeprefix("http://"), timeout=5)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def test_serves_on_loopback_only(fake: FakeRekognition) -> None:
    url = fake.serve()
    host, _, port = url.removeprefix("http://").partition(":")
    assert host == "127.0.0.1"
    assert int(port) > 0
    assert fake.serve() == url
    with pytest.raises(ValueError, match="already serving"):
        fake.serve(port=int(port) + 1 if int(port) < 65535 else 1)


def test_http_pages_exactly_like_in_process(fake: FakeRekognition, client: Any) -> None:
    over_http = read_all(client, "job-1", MaxResults=50)
    twin = FakeRekognition(seed=5)
    twin.add_synthetic_job("job-1", detections=120, seed=2)
    in_process = read_all(twin.client, "job-1", MaxResults=50)
    twin.close()
    strip = [{k: v for k, v in p.items() if k != "ResponseMetadata"} for p in over_http]
    assert strip == [{k: v for k, v in p.items() if k != "ResponseMetadata"} for p in in_process]
    assert [len(p["Labels"]) for p in over_http] == [50, 50, 20]
    for page in over_http:
        assert page["ResponseMetadata"]["HTTPHeaders"]["content-type"] == (
            "application/x-amz-json-1.1"
        )
        assert page["ResponseMetadata"]["RequestId"]


def test_errors_are_aws_shaped_on_the_wire(fake: FakeRekognition) -> None:
    url = fake.serve()
    fake.inject(["ThrottlingException", "ProvisionedThroughputExceededException"])
    headers = {"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"}
    for code, expected in [
        ("ThrottlingException", 500),
        ("ProvisionedThroughputExceededException", 400),
        ("ResourceNotFoundException", 400),
    ]:
        job = "job-1" if code != "ResourceNotFoundException" else "nope"
        status, got, body = post(url, json.dumps({"JobId": job}).encode(), headers)
        assert status == expected
        assert json.loads(body)["__type"] == code
        assert json.loads(body)["message"]
        assert got["x-amzn-RequestId"]
        assert got["Content-Type"] == "application/x-amz-json-1.1"


@pytest.mark.parametrize(
    ("method", "body", "headers", "status", "code"),
    [
        ("POST", b"{}", {"X-Amz-Target": "Other.GetLabelDetection"}, 400, "UnknownOperation"),
        (
            "POST",
            b"{}",
            {"X-Amz-Target": "RekognitionService.DetectFaces"},
            400,
            "UnknownOperation",
        ),
        ("POST", b"not json", {"X-Amz-Target": TARGET}, 400, "SerializationException"),
        ("POST", b"[1]", {"X-Amz-Target": TARGET}, 400, "SerializationException"),
        ("GET", None, {}, 404, "UnknownOperation"),
    ],
)
def test_bad_requests_get_json_errors(
    fake: FakeRekognition,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    conn = http.client.HTTPConnection(fake.serve().removeprefix("http://"), timeout=5)
    try:
        conn.request(method, "/", body=body, headers=headers)
        response = conn.getresponse()
        assert response.status == status
        assert json.loads(response.read())["__type"].startswith(code)
    finally:
        conn.close()


def test_chunked_request_body(fake: FakeRekognition) -> None:
    conn = http.client.HTTPConnection(fake.serve().removeprefix("http://"), timeout=5)
    try:
        chunks = iter([b'{"JobId": ', b'"job-1", "MaxResults": 2}'])
        conn.request("POST", "/", body=chunks, headers={"X-Amz-Target": TARGET})
        response = conn.getresponse()
        assert response.status == 200
        assert len(json.loads(response.read())["Labels"]) == 2
    finally:
        conn.close()


def test_transport_faults_over_http(fake: FakeRekognition, client: Any, impatient: Any) -> None:
    fake.inject(["connection", "timeout", "truncated", "latency:0.2", None])
    with pytest.raises(ConnectionClosedError):
        client.get_label_detection(JobId="job-1")
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        impatient.get_label_detection(JobId="job-1")
    assert time.monotonic() - started < 3
    # botocore turns a cut 200 body into a dict holding only ResponseMetadata.
    assert set(client.get_label_detection(JobId="job-1")) == {"ResponseMetadata"}
    started = time.monotonic()
    assert client.get_label_detection(JobId="job-1")["JobStatus"] == "SUCCEEDED"
    assert time.monotonic() - started >= 0.2
    assert client.get_label_detection(JobId="job-1")["JobStatus"] == "SUCCEEDED"
    assert fake.fault_counts == {"connection": 1, "timeout": 1, "truncated": 1, "latency": 1}


def test_forged_and_foreign_tokens_over_http(fake: FakeRekognition, client: Any) -> None:
    fake.add_synthetic_job("job-2", detections=30, seed=3)
    token = client.get_label_detection(JobId="job-1", MaxResults=5)["NextToken"]
    for params in (
        {"JobId": "job-2", "NextToken": token},
        {"JobId": "job-1", "NextToken": token, "SortBy": "NAME"},
        {"JobId": "job-1", "NextToken": token[:-2] + "AA"},
        {"JobId": "job-1", "NextToken": "forged"},
    ):
        with pytest.raises(ClientError) as info:
            client.get_label_detection(**params)
        assert info.value.response["Error"]["Code"] == "InvalidPaginationTokenException"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_close_hangs_up_on_kept_alive_connections_quickly() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=3)
    client = new_client(endpoint_url=fake.serve())
    try:
        assert client.get_label_detection(JobId="job-1")["JobStatus"] == "SUCCEEDED"
        started = time.monotonic()
        fake.close()
        fake.close()
        assert time.monotonic() - started < 2
        with pytest.raises(EndpointConnectionError):  # the pool reconnects: refused
            client.get_label_detection(JobId="job-1")
    finally:
        client.close()
    # Serving again works, on a fresh port.
    with fake:
        url = fake.serve()
        client = new_client(endpoint_url=url)
        try:
            assert client.get_label_detection(JobId="job-1")["JobStatus"] == "SUCCEEDED"
        finally:
            client.close()


def test_timeout_fault_is_bounded_without_a_client_timeout() -> None:
    def silent(operation: str, params: dict[str, Any]) -> Any:
        from rekolabels.testing import Reply

        return Reply(0, {}, b"", fault="timeout")

    server = LoopbackServer(silent, silence_s=0.2)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: "
                + TARGET.encode()
                + b"\r\nContent-Length: 2\r\n\r\n{}"
            )
            started = time.monotonic()
            assert sock.recv(100) == b""  # hung up, no response
            assert 0.1 < time.monotonic() - started < 3
    finally:
        server.close()


@pytest.mark.parametrize("sort_by", ["TIMESTAMP", "NAME"])
@pytest.mark.parametrize("aggregate_by", ["TIMESTAMPS", "SEGMENTS"])
def test_sort_and_aggregate_are_answered_with_the_transforms(
    fake: FakeRekognition,
    sort_by: Literal["TIMESTAMP", "NAME"],
    aggregate_by: Literal["TIMESTAMPS", "SEGMENTS"],
) -> None:
    import rekolabels as rl

    # botocore's default read timeout: the first request of an order computes it (1500 labels
    # aggregated and sorted), which a loaded machine may not do within the fixture's 0.5 s.
    client = new_client(endpoint_url=fake.serve())
    try:
        fake.add_synthetic_job("big", detections=1500, seed=4)
        everything = read_all(client, "big")
        stored = [rl.LabelDetection.model_validate(d) for p in everything for d in p["Labels"]]
        if aggregate_by == "SEGMENTS":
            stored = rl.aggregate_segments(stored)
        expected = [d.to_boto3() for d in rl.sort_labels(stored, sort_by)]
        pages = read_all(client, "big", SortBy=sort_by, AggregateBy=aggregate_by, MaxResults=300)
        assert [d for p in pages for d in p["Labels"]] == expected
        for page in pages:
            assert page["GetRequestMetadata"] == {"SortBy": sort_by, "AggregateBy": aggregate_by}
            assert page["VideoMetadata"] == everything[0]["VideoMetadata"]
        if aggregate_by == "SEGMENTS":
            assert all("Instances" not in d["Label"] for d in expected)
            assert all("DurationMillis" in d for d in expected)
    finally:
        client.close()


def test_a_job_stored_as_segments_is_re_sorted_not_de_aggregated(fake: FakeRekognition) -> None:
    from .helpers import load

    recorded = load("made-v3-segments-name-order.json")
    del recorded["NextToken"]  # the recording is a first page: serve it as a whole job
    fake.add_job("seg", recorded)
    page = fake.handle("GetLabelDetection", {"JobId": "seg", "SortBy": "TIMESTAMP"})
    labels = json.loads(page.body)["Labels"]
    assert sorted(map(json.dumps, labels)) == sorted(map(json.dumps, recorded["Labels"]))
    keys = [(d["StartTimestampMillis"], d["Label"]["Name"]) for d in labels]
    assert keys == sorted(keys)


def test_labels_the_transforms_cannot_place_are_served_as_stored(fake: FakeRekognition) -> None:
    odd = [{"Label": {"Name": "Car"}}, {"Timestamp": 5}, {"Timestamp": 1, "Label": {}}]
    fake.add_job("odd", {"JobStatus": "SUCCEEDED", "Labels": odd})
    for sort_by in ("TIMESTAMP", "NAME"):
        reply = fake.handle("GetLabelDetection", {"JobId": "odd", "SortBy": sort_by})
        assert json.loads(reply.body)["Labels"] == odd


# -- pushing the server over ---------------------------------------------------------------------

HEAD = b"POST / HTTP/1.1\r\nHost: fake\r\nX-Amz-Target: " + TARGET.encode() + b"\r\n"
JSON_TYPE = "application/x-amz-json-1.1"


def exchange(url: str, data: bytes, *, wait_s: float = 10.0) -> tuple[bytes, float]:
    """Send raw bytes, read until the server hangs up or ``wait_s`` passes; (reply, seconds)."""
    host, _, port = url.removeprefix("http://").partition(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=wait_s) as sock:
        sock.sendall(data)
        reply = b""
        try:
            while chunk := sock.recv(65536):
                reply += chunk
                if parsed(reply) is not None:
                    break
        except TimeoutError:
            pass
    return reply, time.monotonic() - started


def parsed(reply: bytes) -> tuple[int, dict[str, str], bytes] | None:
    """(status, headers, body) of a whole HTTP response, or None while it is incomplete."""
    head, sep, body = reply.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    length = int(headers.get("content-length", "0"))
    if len(body) < length:
        return None
    return int(lines[0].split()[1]), headers, body[:length]


def assert_aws_error(reply: bytes, status: int, code: str) -> None:
    response = parsed(reply)
    assert response is not None, reply[:200]
    got_status, headers, body = response
    assert got_status == status, reply[:300]
    assert headers["content-type"] == JSON_TYPE
    error = json.loads(body)
    assert error["__type"] == code
    assert error["message"]


def still_serves(fake: FakeRekognition) -> None:
    client = new_client(endpoint_url=fake.serve())
    try:
        assert client.get_label_detection(JobId="job-1", MaxResults=1)["JobStatus"] == "SUCCEEDED"
    finally:
        client.close()


CAP = 1 << 20
DEEP = b"[" * 100_000 + b"]" * 100_000
BAD_BODIES = {
    "chunk size -1": HEAD + b"Transfer-Encoding: chunked\r\n\r\n-1\r\n" + b"x" * 1000,
    "chunk size not hex": HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    "chunk size 0x10": HEAD + b"Transfer-Encoding: chunked\r\n\r\n0x10\r\n",
    "chunk size line too long": HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"1" * 5000,
    "chunked past the cap": HEAD + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % (CAP + 1),
    "chunks adding up past the cap": HEAD
    + b"Transfer-Encoding: chunked\r\n\r\n"
    + (b"%x\r\n" % (CAP // 2) + b"x" * (CAP // 2) + b"\r\n") * 2
    + b"1\r\nx\r\n0\r\n\r\n",
    "Content-Length past the cap": HEAD + b"Content-Length: %d\r\n\r\n{}" % (CAP + 1),
    "Content-Length negative": HEAD + b"Content-Length: -5\r\n\r\n{}",
    "Content-Length not a number": HEAD + b"Content-Length: 12abc\r\n\r\n{}",
    "JSON nested too deep": HEAD + b"Content-Length: %d\r\n\r\n" % len(DEEP) + DEEP,
}


@pytest.mark.parametrize("data", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_get_an_aws_shaped_400(fake: FakeRekognition, data: bytes) -> None:
    # Before: -1 bypassed the cap (the body buffered to EOF), a malformed size or a deep body got
    # no response and a traceback, a large Content-Length a 413.
    reply, seconds = exchange(fake.serve(), data)
    assert_aws_error(reply, 400, "SerializationException")
    assert seconds < 5
    still_serves(fake)


HTTP_LAYER_ERRORS = {
    "PUT": (b"PUT / HTTP/1.1\r\nHost: fake\r\nContent-Length: 2\r\n\r\n{}", 404),
    "DELETE": (b"DELETE / HTTP/1.1\r\nHost: fake\r\n\r\n", 404),
    "PATCH": (b"PATCH / HTTP/1.1\r\nHost: fake\r\nContent-Length: 0\r\n\r\n", 404),
    "OPTIONS": (b"OPTIONS / HTTP/1.1\r\nHost: fake\r\n\r\n", 404),
    "an unknown method": (b"BREW / HTTP/1.1\r\nHost: fake\r\n\r\n", 501),
    "a header line too long": (HEAD + b"X-Long: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    "too many headers": (HEAD + b"X-A: b\r\n" * 200 + b"\r\n", 431),
    "a request line too long": (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
    "a bad HTTP version": (b"POST / HTTP/7.0\r\nHost: fake\r\n\r\n", 505),
    "a malformed request line": (b"POST / HTTP/1.1 extra\r\nHost: fake\r\n\r\n", 400),
}


@pytest.mark.parametrize(("data", "status"), HTTP_LAYER_ERRORS.values(),
                         ids=HTTP_LAYER_ERRORS.keys())  # fmt: skip
def test_every_error_of_the_http_layer_is_aws_shaped_json(
    fake: FakeRekognition, data: bytes, status: int
) -> None:
    reply, _ = exchange(fake.serve(), data)
    response = parsed(reply)
    assert response is not None, reply[:200]
    got_status, headers, body = response
    assert got_status == status
    assert headers["content-type"] == JSON_TYPE
    assert set(json.loads(body)) == {"__type", "message"}
    still_serves(fake)


def test_head_gets_the_json_headers_and_no_body(fake: FakeRekognition) -> None:
    conn = http.client.HTTPConnection(fake.serve().removeprefix("http://"), timeout=5)
    try:
        conn.request("HEAD", "/")
        response = conn.getresponse()
        assert response.status == 404
        assert response.headers["Content-Type"] == JSON_TYPE
        assert response.read() == b""
    finally:
        conn.close()


@pytest.mark.parametrize("trickle", [False, True], ids=["short body", "trickled body"])
def test_a_slow_or_short_body_does_not_hold_a_worker(trickle: bool) -> None:
    fake = FakeRekognition()
    server = LoopbackServer(fake.handle, body_timeout_s=0.5)
    try:
        host, _, port = server.url.removeprefix("http://").partition(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            started = time.monotonic()
            sock.sendall(HEAD + b"Content-Length: 100\r\n\r\n{")
            reply = b""
            while parsed(reply) is None and time.monotonic() - started < 10:
                if trickle:  # a byte every 0.1 s: each read is quick, the whole body is not
                    sock.sendall(b" ")
                    time.sleep(0.1)
                    sock.settimeout(0.05)
                try:
                    reply += sock.recv(65536)
                except TimeoutError:
                    continue
            seconds = time.monotonic() - started
        assert_aws_error(reply, 400, "SerializationException")
        assert 0.4 < seconds < 5
    finally:
        server.close()


def test_the_served_fake_frees_a_worker_within_seconds_not_30(fake: FakeRekognition) -> None:
    reply, seconds = exchange(fake.serve(), HEAD + b"Content-Length: 100\r\n\r\n{", wait_s=20)
    assert_aws_error(reply, 400, "SerializationException")
    assert seconds < 10  # the fake's body deadline is 5 s; a worker used to wait 30 s
