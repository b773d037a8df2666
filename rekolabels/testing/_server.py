"""The fake on loopback HTTP: the AWS JSON 1.1 protocol, for any SDK given an endpoint URL.

A real HTTP server from the standard library, so boto3, the AWS CLI and other SDKs talk to the
fake through their whole network stack (connection pools, keep-alive, timeouts, retries). It
holds no protocol logic of its own: it adapts one ``handle(operation, params) -> Reply`` callable,
the same one the in-process transport adapts, and only turns a Reply into bytes on the socket
(or into a dropped connection, or a silence). It binds 127.0.0.1 and nothing else.

It is hard to push over: every answer, errors of the HTTP layer included (an unsupported method,
a header line too long, a malformed chunk size), is AWS-shaped JSON (``{"__type", "message"}``);
a request body, chunked or not, is capped at 1 MiB and must arrive within a few seconds (a
Content-Length larger than the body cannot hold a worker); a body nested too deep for ``json``
is a SerializationException, like any other body that is not a JSON object.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, cast

__all__ = ["LoopbackServer"]

_HOST = "127.0.0.1"
_TARGET_PREFIX = "RekognitionService."
_CONTENT_TYPE = "application/x-amz-json-1.1"
# Rekognition's requests are small JSON documents; anything bigger is not a Rekognition client.
_MAX_BODY = 1 << 20
# How long a whole request body may take to arrive once its headers have (a Content-Length
# larger than the body, a client trickling bytes): then it is answered 400 and the worker freed.
_BODY_TIMEOUT_S = 5.0
# A chunk-size line: 1-8 hex digits (the cap is 1 MiB anyway), optional extensions.
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,8})[ \t]*(;[^\r\n]*)?\r?\n")
_MAX_CHUNK_LINE = 1024
_MAX_TRAILERS = 32
# The AWS-style code for each error the HTTP layer itself may answer (BaseHTTPRequestHandler's
# send_error): a bad request line, a header line too long or too many headers, a bad version.
_HTTP_ERROR_CODES = {
    400: "BadRequestException",
    404: "UnknownOperationException",
    408: "RequestTimeoutException",
    413: "RequestEntityTooLargeException",
    414: "RequestURITooLongException",
    431: "RequestHeaderFieldsTooLargeException",
    501: "UnknownOperationException",
    505: "HTTPVersionNotSupportedException",
}
# How long a "timeout" fault keeps a connection silent at most, so a client without a read
# timeout of its own cannot hang a test run forever.
_MAX_SILENCE_S = 10.0
# How long close() waits for the handler threads to finish.
_JOIN_S = 5.0


class _Reply(Protocol):
    """What ``handle`` returns (``rekolabels.testing.Reply``)."""

    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def fault(self) -> str | None: ...


Handle = Callable[[str, dict[str, Any]], _Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A restarted fake-server on a fixed port must not fail on a socket in TIME_WAIT.
    allow_reuse_address = True

    def __init__(self, port: int, handle: Handle, silence_s: float, body_timeout_s: float) -> None:
        super().__init__((_HOST, port), _Handler)
        self.handle_request_params = handle
        self.silence_s = silence_s
        self.body_timeout_s = body_timeout_s
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.connections: set[socket.socket] = set()
        self.workers: set[threading.Thread] = set()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up mid-reply is its business; print anything else (a bug)."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.lock:
            self.connections.discard(request)
        super().shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive, as AWS endpoints do; SDK pools rely on it.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, each reply would wait ~40 ms for
    # the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _Server
    # A kept-alive connection may sit idle this long between requests; a body has far less.
    timeout = 30
    _deadline = 0.0

    def setup(self) -> None:
        with self.server.lock:
            self.server.workers.add(threading.current_thread())
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.lock:
                self.server.workers.discard(threading.current_thread())

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the fake's users read ``fake.requests``, not an access log on stderr."""

    def do_POST(self) -> None:
        body = self._read_body()
        if body is None:
            return
        target = self.headers.get("X-Amz-Target", "")
        if not target.startswith(_TARGET_PREFIX):
            self._send_error(400, "UnknownOperationException", f"Unknown target {target[:100]!r}.")
            return
        try:
            params = json.loads(body or b"{}")
        except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep
            params = None
        if not isinstance(params, dict):
            self._send_error(400, "SerializationException", "The body is not a JSON object.")
            return
        try:
            reply = self.server.handle_request_params(target[len(_TARGET_PREFIX) :], params)
        except Exception as exc:
            # A bug in the fake must reach the test as an error response, not a hang-up.
            self._send_error(500, "InternalFailure", f"The fake failed: {exc!r}")
            return
        if reply.fault == "timeout":
            # Say nothing until the client gives up (or the server closes), then hang up.
            self.server.closing.wait(self.server.silence_s)
            self._drop()
        elif reply.fault is not None:
            self._drop()
        else:
            self._send(reply.status, reply.headers, reply.body)

    def _not_here(self) -> None:
        self._send_error(404, "UnknownOperationException", "Rekognition only answers POST /.")

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _not_here

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The HTTP layer's own errors (bad request line, header line too long, unsupported
        method...) as AWS-shaped JSON, like every other answer, then hang up."""
        self.close_connection = True
        # A request line too broken to name its version leaves HTTP/0.9, which would send the
        # body bare: every client of the fake speaks HTTP/1.x, so answer in it.
        self.request_version = self.protocol_version
        try:
            text = message or HTTPStatus(code).phrase
        except ValueError:
            text = "Error"
        if explain:
            text = f"{text}: {explain}"
        self._send_error(code, _HTTP_ERROR_CODES.get(code, "BadRequestException"), text[:200])

    def _read_body(self) -> bytes | None:
        """The request body, or None once the request has been answered with a 400."""
        self._deadline = time.monotonic() + self.server.body_timeout_s
        try:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                return self._read_chunked()
            return self._read_sized()
        except TimeoutError:
            self._reject(f"The body did not arrive within {self.server.body_timeout_s:g} s.")
            return None
        finally:
            with contextlib.suppress(OSError):
                self.connection.settimeout(self.timeout)

    def _read_sized(self) -> bytes | None:
        text = self.headers.get("Content-Length", "0").strip()
        if not (text.isascii() and text.isdigit()):
            self._reject(f"Bad Content-Length {text[:40]!r}.")
            return None
        length = int(text)
        if length > _MAX_BODY:
            self._reject(f"The body is larger than {_MAX_BODY} bytes.")
            return None
        body = self._read_exactly(length)
        if len(body) != length:
            self._reject("The body is shorter than its Content-Length.")
            return None
        return body

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self._read_line(_MAX_CHUNK_LINE)
            match = _CHUNK_SIZE.fullmatch(line)
            if match is None:
                self._reject(f"Bad chunk size line {line[:40]!r}.")
                return None
            size = int(match[1], 16)
            total += size
            if total > _MAX_BODY:
                self._reject(f"The body is larger than {_MAX_BODY} bytes.")
                return None
            if size == 0:
                for _ in range(_MAX_TRAILERS):
                    if not self._read_line(_MAX_CHUNK_LINE).strip():
                        return b"".join(chunks)
                self._reject("Too many trailer lines.")
                return None
            chunk = self._read_exactly(size)
            if len(chunk) != size or self._read_line(2) not in (b"\r\n", b"\n"):
                self._reject("A chunk is shorter than its size.")
                return None
            chunks.append(chunk)

    def _arm(self) -> None:
        """Give the next socket read what is left of the body's time, or raise TimeoutError."""
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.connection.settimeout(remaining)

    def _read_exactly(self, size: int) -> bytes:
        """Up to ``size`` bytes (fewer at EOF), all within the body's deadline."""
        parts: list[bytes] = []
        got = 0
        while got < size:
            self._arm()
            piece = self.rfile.read1(min(size - got, 1 << 16))
            if not piece:
                break
            parts.append(piece)
            got += len(piece)
        return b"".join(parts)

    def _read_line(self, limit: int) -> bytes:
        """A line of at most ``limit`` bytes (more means a bad line), within the deadline."""
        reader = cast(io.BufferedReader, self.rfile)  # socketserver's buffered rfile
        line = b""
        while not line.endswith(b"\n") and len(line) <= limit:
            self._arm()
            ahead = reader.peek(1)[: limit + 1 - len(line)]
            if not ahead:
                break
            end = ahead.find(b"\n")
            line += reader.read(len(ahead) if end < 0 else end + 1)
        return line

    def _reject(self, message: str) -> None:
        """A request whose body cannot be read: an AWS-shaped 400, then hang up (the rest of
        the body, if any, would be read as the next request)."""
        self.close_connection = True
        self._send_error(400, "SerializationException", message)

    def _send(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.send_response(status)
        sent = {name.lower() for name in headers}
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        if "content-type" not in sent:
            self.send_header("Content-Type", _CONTENT_TYPE)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_error(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"__type": code, "message": message}).encode()
        self._send(status, {}, body)

    def _drop(self) -> None:
        """Hang up without a word: the client sees the connection close before any response."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class LoopbackServer:
    """Serve ``handle`` over HTTP on 127.0.0.1 from a background thread until ``close()``.

    ``port=0`` picks a free port; ``url`` says which. ``silence_s`` bounds a "timeout" fault's
    silence (at most 10 s); ``body_timeout_s`` is how long a request body may take to arrive.
    """

    def __init__(
        self,
        handle: Handle,
        port: int = 0,
        *,
        silence_s: float = _MAX_SILENCE_S,
        body_timeout_s: float = _BODY_TIMEOUT_S,
    ):
        silence_s = min(max(silence_s, 0.0), _MAX_SILENCE_S)
        self._server = _Server(port, handle, silence_s, max(body_timeout_s, 0.01))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"rekolabels-fake-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self._closed = False

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        port: int = self._server.server_address[1]
        return port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, the endpoint URL to give an SDK."""
        return f"http://{_HOST}:{self.port}"

    def close(self) -> None:
        """Stop serving, hang up on every open connection and wait for the workers (bounded)."""
        if self._closed:
            return
        self._closed = True
        server = self._server
        server.closing.set()
        server.shutdown()
        server.server_close()
        with server.lock:
            connections = list(server.connections)
            workers = list(server.workers)
        for conn in connections:
            # Wakes a worker blocked reading the next request on a kept-alive connection.
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join(_JOIN_S)
        self._thread.join(_JOIN_S)
