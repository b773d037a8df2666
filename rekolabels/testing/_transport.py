"""The in-process transport: the fake answers a boto3 client through botocore's ``before-send``.

The handler is registered first (``register_first``), ahead of any other ``before-send``
handler, so the fake also answers inside moto's ``mock_aws`` (whose handler would otherwise
answer Rekognition calls first, with NotImplementedError for GetLabelDetection). The loopback
HTTP transport is ``_server``; both adapt the same ``handle(operation, params) -> Reply``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from ._reply import Reply
from ._wire import http_response

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse

__all__ = ["attach"]

Handle = Callable[[str, dict[str, Any]], Reply]


def attach(client: Any, handle: Handle) -> None:
    """Answer every Rekognition request ``client`` sends with ``handle``, in-process."""
    client.meta.events.register_first("before-send.rekognition", _BeforeSend(handle))


class _BeforeSend:
    """botocore's ``before-send`` handler: a request in, an ``AWSResponse`` (or a fault) out."""

    def __init__(self, handle: Handle) -> None:
        self._handle = handle

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        if isinstance(target, bytes):
            target = target.decode()
        body = request.body
        if body is not None and not isinstance(body, (bytes, bytearray, str)):
            body = body.read()
        reply = self._handle(str(target).rpartition(".")[2], json.loads(body or b"{}"))
        if reply.fault == "connection":
            raise ConnectionClosedError(endpoint_url=request.url)
        if reply.fault == "timeout":
            raise ReadTimeoutError(endpoint_url=request.url)
        return http_response(reply.status, reply.body, reply.headers, url=request.url)
