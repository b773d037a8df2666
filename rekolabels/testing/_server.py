"""The fake on loopback HTTP: the AWS JSON 1.1 protocol, for any SDK given an endpoint URL.

A real HTTP server from the standard library, so boto3, the AWS CLI and other SDKs talk to the
fake through their whole network stack (connection pools, keep-alive, timeouts, retries). It
holds no protocol logic of its own: it adapts one ``handle(operation, params) -> Reply`` callable,
the same one the in-process transport adapts, and only turns a Reply into bytes on the socket
(or into a dropped connection, or a silence). It binds 127.0.0.1 and nothing else.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

__all__ = ["LoopbackServer"]

_HOST = "127.0.0.1"
_TARGET_PREFIX = "RekognitionService."
_CONTENT_TYPE = "application/x-amz-json-1.1"
# Rekognition's requests are small JSON documents; anything bigger is not a Rekognition client.
_MAX_BODY = 1 << 20
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

    def __init__(self, port: int, handle: Handle, silence_s: float) -> None:
        super().__init__((_HOST, port), _Handler)
        self.handle_request_params = handle
        self.silence_s = silence_s
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
    # A stuck client must not hold a worker thread forever.
    timeout = 30

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
            self._send_error(400, "UnknownOperationException", f"Unknown target {target!r}.")
            return
        try:
            params = json.loads(body or b"{}")
        except ValueError:
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

    def do_GET(self) -> None:
        self._send_error(404, "UnknownOperationException", "Rekognition only answers POST /.")

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= _MAX_BODY:
            self._send_error(413, "SerializationException", "Bad or too large Content-Length.")
            self.close_connection = True
            return None
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline(64).split(b";")[0].strip() or b"0", 16)
            total += size
            if total > _MAX_BODY:
                self._send_error(413, "SerializationException", "The body is too large.")
                self.close_connection = True
                return None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _send(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.send_response(status)
        sent = {name.lower() for name in headers}
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        if "content-type" not in sent:
            self.send_header("Content-Type", _CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
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

    ``port=0`` picks a free port; ``url`` says which.
    """

    def __init__(self, handle: Handle, port: int = 0, *, silence_s: float = _MAX_SILENCE_S):
        self._server = _Server(port, handle, min(max(silence_s, 0.0), _MAX_SILENCE_S))
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
