"""What ``FakeRekognition.handle`` answers: a ``Reply`` to send as is, or an AWS-shaped error.

Shared by every concern of the fake (jobs, tokens, StartLabelDetection) and by both transports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["CONTENT_TYPE", "BadRequest", "Reply", "error_reply"]

CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class Reply:
    """What ``FakeRekognition.handle`` answers to one request, for a transport to send.

    An HTTP ``status``, ``headers`` and ``body`` to send as they are; or, when ``fault`` is
    set, nothing at all. Only needed to write a transport of your own.
    """

    __module__ = "rekolabels.testing"  # where users import it from

    status: int
    headers: dict[str, str]
    body: bytes
    fault: str | None = None
    """``"connection"`` or ``"timeout"``: send nothing, drop the connection / never answer."""


class BadRequest(Exception):
    """A request the service would reject: ``code`` is the AWS error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def error_reply(request_id: str, code: str, message: str, status: int) -> Reply:
    """An AWS JSON 1.1 error response."""
    body = json.dumps({"__type": code, "message": message}).encode()
    return Reply(status, {"x-amzn-RequestId": request_id, "content-type": CONTENT_TYPE}, body)
