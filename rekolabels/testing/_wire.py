"""The socket replacement: answer a real boto3 client's requests in-process.

botocore emits ``before-send`` just before it would open a socket; a handler that returns an
``AWSResponse`` replaces the network, while serialization, signing, parsing, retries and error
handling all run for real. ``Stubber`` cannot do this: it skips retries and rejects fields the
installed service model does not know.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from .._retry import NO_BOTOCORE_RETRIES

if TYPE_CHECKING:
    from types_boto3_rekognition import RekognitionClient

__all__ = ["http_response", "new_client"]

# Obviously fake credentials: a test client must never pick up real ones from the environment.
_DUMMY_KEY_ID = "AKIAREKOLABELSTESTING"
_DUMMY_SECRET = "rekolabels-testing-not-a-secret"


class _Body:
    """The minimal raw stream ``AWSResponse.content`` reads."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def http_response(
    status: int, body: bytes, headers: dict[str, str] | None = None, *, url: str = ""
) -> AWSResponse:
    """An HTTP response botocore will parse as if it had come off the wire."""
    all_headers = {"content-type": "application/x-amz-json-1.1", "content-length": str(len(body))}
    all_headers.update(headers or {})
    # The stubs ask for HTTPHeaders; at run time AWSResponse wraps any mapping in a HeadersDict.
    return AWSResponse(url, status, all_headers, _Body(body))  # type: ignore[arg-type]


def new_client(
    *,
    region_name: str = "us-east-1",
    endpoint_url: str | None = None,
    config: Config | None = None,
) -> RekognitionClient:
    """A real boto3 ``rekognition`` client with dummy credentials and botocore retries off.

    It reads no AWS configuration at all: no profile (``AWS_PROFILE`` naming a profile that
    does not exist is fine), no config or credentials file, no ``AWS_*`` setting (region,
    endpoint, retry mode, max attempts, ...). Only ``AWS_DATA_PATH`` is honoured, for the
    botocore data it points to. Everything else comes from the arguments.
    """
    base = NO_BOTOCORE_RETRIES
    # One session for every client, as boto3.client() shares its default one: the service model
    # is loaded once, and clients share their exception classes. Sessions are not thread-safe.
    with _SESSION_LOCK:
        global _SESSION
        if _SESSION is None:
            _SESSION = boto3.Session(botocore_session=_unconfigured_session())
        return _SESSION.client(
            "rekognition",
            region_name=region_name,
            endpoint_url=endpoint_url,
            aws_access_key_id=_DUMMY_KEY_ID,
            aws_secret_access_key=_DUMMY_SECRET,
            config=base.merge(config) if config is not None else base,
        )


_SESSION: boto3.Session | None = None
_SESSION_LOCK = threading.Lock()


def _unconfigured_session() -> botocore.session.Session:
    """A botocore session blind to the environment and to every AWS config file.

    ``session_vars`` (botocore's documented override) redefines each setting with no
    environment variable and no config-file key, keeping its default; the config and
    credentials files have no path, so neither is opened, and configured endpoint URLs are
    ignored.
    """
    variables: dict[str, tuple[Any, Any, Any, Any]] = {}
    for name, (_, _, default, convert) in botocore.session.Session.SESSION_VARIABLES.items():
        if name == "data_path":
            continue  # botocore data (e.g. rekolabels' own sdk-extras) is not configuration
        if name in ("config_file", "credentials_file"):
            default = None
        elif name == "ignore_configured_endpoint_urls":
            default = True  # AWS_ENDPOINT_URL_REKOGNITION and config files' services sections
        variables[name] = (None, None, default, convert)
    return botocore.session.Session(session_vars=variables)
