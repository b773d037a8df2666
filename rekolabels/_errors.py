"""The rekolabels error tree.

```
--8<-- [start:tree]
RekolabelsError
├── InvalidArgumentError (also ValueError)   bad argument, raised before any request
├── ServiceError (.code, .message, .request_id, .http_status)
│   ├── AccessDeniedError
│   ├── JobNotFoundError                     ResourceNotFoundException
│   ├── InvalidParameterError
│   ├── InvalidPaginationTokenError
│   ├── InternalServiceError                 retries exhausted on InternalServerError / 5xx
│   └── ThrottledError                       retries exhausted on throttling
├── ServiceUnavailableError                  retries exhausted on connection errors
│   └── ServiceTimeoutError                  ... on connect or read timeouts
├── ResponseValidationError                  a response we cannot read
├── PaginationLoopError                      the service repeated a NextToken
├── JobInProgressError
├── JobFailedError (.status_message)
└── WaitTimeoutError
PartialJobWarning (UserWarning)              one page of a longer job, where the whole is needed
--8<-- [end:tree]
```

Whatever is raised while a call runs (botocore's ClientError, its connection errors, and the
UnicodeDecodeError, AttributeError, TypeError or RecursionError its parser raises on a body it
cannot read) is translated to these in exactly one place, ``map_client_error`` (with its SQS
sibling ``map_sqs_error`` beside it), which keeps the original as ``__cause__``.

Each exported class sets ``__module__ = "rekolabels"``, the name users import (tracebacks,
reprs and pickles say ``rekolabels.X``); here rather than in ``__init__``, which imports lazily.
UnreadableResponseError is private and stays ``rekolabels._errors``.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    HTTPClientError,
    NoRegionError,
    ProfileNotFound,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotocoreConnectionError

__all__ = [
    "AccessDeniedError",
    "InternalServiceError",
    "InvalidArgumentError",
    "InvalidPaginationTokenError",
    "InvalidParameterError",
    "JobFailedError",
    "JobInProgressError",
    "JobNotFoundError",
    "PaginationLoopError",
    "PartialJobWarning",
    "RekolabelsError",
    "ResponseValidationError",
    "ServiceError",
    "ServiceTimeoutError",
    "ServiceUnavailableError",
    "ThrottledError",
    "UnreadableResponseError",
    "WaitTimeoutError",
    "map_client_error",
    "map_sqs_error",
]


class RekolabelsError(Exception):
    """Base of every error rekolabels raises: catch this to catch them all.

    When retries ran out, ``attempts`` (calls made, the first included) and ``elapsed_s``
    (seconds from the first call to giving up) say how hard rekolabels tried, and the message
    ends with them; both are None otherwise.
    """

    attempts: int | None = None
    elapsed_s: float | None = None

    def __str__(self) -> str:
        text = super().__str__()
        note = self._gave_up()
        return f"{text} ({note})" if note else text

    def _gave_up(self) -> str:
        if self.attempts is None:
            return ""
        tries = f"{self.attempts} attempt{'' if self.attempts == 1 else 's'}"
        return f"gave up after {tries} in {self.elapsed_s or 0.0:.1f} s"

    __module__ = "rekolabels"


class InvalidArgumentError(RekolabelsError, ValueError):
    """An argument is invalid; raised before any request is sent."""

    __module__ = "rekolabels"


class ServiceError(RekolabelsError):
    """Rekognition answered with an error.

    Carries the AWS error ``code``, its ``message``, the ``request_id`` to quote to AWS support,
    and the ``http_status``.
    """

    __module__ = "rekolabels"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status

    def __str__(self) -> str:
        head = f"{self.code}: {self.message}" if self.code else self.message
        details = []
        if self.http_status is not None:
            details.append(f"HTTP {self.http_status}")
        if self.request_id:
            details.append(f"request id {self.request_id}")
        if note := self._gave_up():
            details.append(note)
        return f"{head} ({', '.join(details)})" if details else head

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_service_error,
            (type(self), self.message, self.code, self.request_id, self.http_status),
        )


def _rebuild_service_error(
    cls: type[ServiceError],
    message: str,
    code: str | None,
    request_id: str | None,
    http_status: int | None,
) -> ServiceError:
    return cls(message, code=code, request_id=request_id, http_status=http_status)


class AccessDeniedError(ServiceError):
    """The credentials may not call GetLabelDetection (AccessDeniedException)."""

    __module__ = "rekolabels"


class JobNotFoundError(ServiceError):
    """No job has this id in this account and region (ResourceNotFoundException)."""

    __module__ = "rekolabels"


class InvalidParameterError(ServiceError):
    """The service rejected a parameter (InvalidParameterException)."""

    __module__ = "rekolabels"


class InvalidPaginationTokenError(ServiceError):
    """The NextToken is forged, expired or from another job (InvalidPaginationTokenException)."""

    __module__ = "rekolabels"


class InternalServiceError(ServiceError):
    """Rekognition kept failing (InternalServerError or another 5xx) after every retry."""

    __module__ = "rekolabels"


class ThrottledError(ServiceError):
    """Still throttled after every retry (ThrottlingException, ProvisionedThroughputExceeded)."""

    __module__ = "rekolabels"


class ServiceUnavailableError(RekolabelsError):
    """The endpoint could not be reached (connection refused, reset or closed) after every
    retry; ServiceTimeoutError when it did not answer in time."""

    __module__ = "rekolabels"


class ServiceTimeoutError(ServiceUnavailableError):
    """The endpoint did not answer in time (connect or read timeout) after every retry."""

    __module__ = "rekolabels"


class ResponseValidationError(RekolabelsError):
    """A response we cannot read: truncated, not JSON, or fields of the wrong type."""

    __module__ = "rekolabels"


class UnreadableResponseError(ResponseValidationError):
    """A response body we cannot read (no JobStatus, cut, not JSON, not an object, not UTF-8,
    compressed, nested too deep): usually a dropped connection, so it is retried first.

    Private: callers see a ResponseValidationError; the retry policy retries this one.
    """


class PaginationLoopError(RekolabelsError):
    """The service returned a NextToken it had already returned; following it would loop."""

    __module__ = "rekolabels"


class JobInProgressError(RekolabelsError):
    """The job is still running; call ``wait_for_job`` first."""

    __module__ = "rekolabels"


class JobFailedError(RekolabelsError):
    """The job failed; ``status_message`` says why, as the service reported it."""

    __module__ = "rekolabels"

    def __init__(self, message: str, *, status_message: str | None = None) -> None:
        super().__init__(message)
        self.status_message = status_message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_job_failed, (type(self), str(self), self.status_message))


def _rebuild_job_failed(
    cls: type[JobFailedError], message: str, status_message: str | None
) -> JobFailedError:
    return cls(message, status_message=status_message)


class WaitTimeoutError(RekolabelsError):
    """The job did not finish before ``wait_for_job``'s deadline."""

    __module__ = "rekolabels"


class PartialJobWarning(UserWarning):
    """A helper that needs the whole job got one page of it (a response with a NextToken).

    ``resort``, ``reaggregate`` and ``summarize_labels`` compute on that page alone, so segments
    may be cut at the page edge and screen times are the page's. Pass ``get_all``'s response.
    """

    __module__ = "rekolabels"


# Error codes that mean "slow down": Rekognition's two, plus the generic ones botocore's
# standard retry mode treats as throttling (a proxy or a future API version may send them).
_THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "Throttling",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
    }
)
_BY_CODE: dict[str, type[ServiceError]] = {
    **dict.fromkeys(_THROTTLING_CODES, ThrottledError),
    "AccessDeniedException": AccessDeniedError,
    "ResourceNotFoundException": JobNotFoundError,
    "InvalidParameterException": InvalidParameterError,
    "InvalidPaginationTokenException": InvalidPaginationTokenError,
    "InternalServerError": InternalServiceError,
}


def map_client_error(
    exc: BaseException,
    *,
    http_status: int | None = None,
    request_id: str | None = None,
    body: bytes | None = None,
    service: str = "Rekognition",
) -> NoReturn:
    """Raise the rekolabels error for anything raised while a call runs, chained ``from exc``.
    Timeout and connection messages name ``service``.

    The one place errors from below are translated. ClientError is mapped by its error code
    whatever the HTTP status (throttling arrives as 400 or 500); an unknown code with a 5xx
    status is an InternalServiceError, any other unknown code a plain ServiceError. Connect
    and read timeouts become ServiceTimeoutError, other connection errors
    ServiceUnavailableError. A missing region or an unknown profile
    (raised while a client is built) is an InvalidArgumentError naming the parameter to pass.
    Anything else botocore raises (no credentials, say) becomes a plain RekolabelsError.

    Any other exception (botocore's parser choking on a body: UnicodeDecodeError, AttributeError,
    TypeError, RecursionError...) is judged by the response it came with, as far as it was seen
    (``http_status``, ``request_id``, ``body``): an error status gives the ServiceError that
    status calls for, with what we know; a success status gives UnreadableResponseError
    (retried) if the body is not a UTF-8 JSON object, else ResponseValidationError (the fields
    have the wrong types: retrying cannot help); no response at all, a plain RekolabelsError.
    A RekolabelsError passes through unchanged.
    """
    if isinstance(exc, RekolabelsError):
        raise exc
    if isinstance(exc, ClientError):
        response: Any = exc.response
        error = response.get("Error") or {}
        meta = response.get("ResponseMetadata") or {}
        code = error.get("Code") or None
        status = meta.get("HTTPStatusCode")
        request_id = meta.get("RequestId") or (meta.get("HTTPHeaders") or {}).get(
            "x-amzn-requestid"
        )
        message = error.get("Message") or f"GetLabelDetection failed (HTTP {status})"
        raise _by_code(code, status)(
            message, code=code, request_id=request_id, http_status=status
        ) from exc
    if isinstance(exc, (ReadTimeoutError, ConnectTimeoutError)):
        raise ServiceTimeoutError(f"{service} did not answer in time: {exc}") from exc
    if isinstance(exc, (HTTPClientError, BotocoreConnectionError)):
        raise ServiceUnavailableError(f"{service} could not be reached: {exc}") from exc
    if isinstance(exc, NoRegionError):
        raise InvalidArgumentError(
            "region_name: no AWS region is configured; pass region_name= (from_session) or set "
            "AWS_DEFAULT_REGION"
        ) from exc
    if isinstance(exc, ProfileNotFound):
        raise InvalidArgumentError(f"profile_name: {exc}") from exc
    if isinstance(exc, BotoCoreError):
        raise RekolabelsError(f"botocore: {exc}") from exc
    what = type(exc).__name__
    if http_status is None:
        raise RekolabelsError(f"the call failed before any response came: {what}: {exc}") from exc
    if http_status >= _ERROR_STATUS:
        raise _by_code(None, http_status)(
            f"GetLabelDetection failed (HTTP {http_status}) and its error body could not be read "
            f"({what})",
            request_id=request_id,
            http_status=http_status,
        ) from exc
    if _is_json_object(body):
        raise ResponseValidationError(
            f"GetLabelDetection response does not match the service model: botocore could not "
            f"parse it ({what}: {exc})"
        ) from exc
    raise UnreadableResponseError(
        f"GetLabelDetection response could not be read ({what}): the body is not a UTF-8 JSON "
        "object (cut, compressed, or nested too deep)"
    ) from exc


# botocore parses a body with status >= 301 as an error (its ``ResponseParser.parse``).
_ERROR_STATUS = 301


def _by_code(code: str | None, status: object) -> type[ServiceError]:
    if code in _BY_CODE:
        return _BY_CODE[code]
    if status == 429:
        return ThrottledError
    if isinstance(status, int) and status >= 500:
        return InternalServiceError
    return ServiceError


def _is_json_object(body: bytes | None) -> bool:
    """Whether ``body`` is a JSON object botocore could decode (UTF-8, not nested too deep)."""
    if body is None:
        return False
    try:
        return isinstance(json.loads(body.decode("utf-8")), dict)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return False


# SQS's own codes (as botocore reports them: SQS speaks JSON but keeps its query-era codes)
# that the Rekognition table above does not cover. The rest maps as for Rekognition: by
# throttling code, then by HTTP status (SQS's InternalError/ServiceUnavailable are 5xx).
_SQS_BY_CODE: dict[str, type[ServiceError]] = {
    "AccessDenied": AccessDeniedError,
    "KmsAccessDenied": AccessDeniedError,
    "KMS.AccessDeniedException": AccessDeniedError,
    "KmsThrottled": ThrottledError,
    "KMS.ThrottlingException": ThrottledError,
    "InvalidParameterValue": InvalidParameterError,
    "InvalidAddress": InvalidParameterError,
    "ReceiptHandleIsInvalid": InvalidParameterError,
    "MessageNotInflight": InvalidParameterError,
}


def map_sqs_error(exc: Exception) -> NoReturn:
    """Raise the rekolabels error for a botocore exception of an SQS call, chained ``from exc``.

    The SQS side of ``map_client_error`` (completion notifications read a queue): the same tree
    and so the same retry decisions, with SQS's own error codes added and messages naming SQS.
    A queue that does not exist is a plain ServiceError (code
    ``AWS.SimpleQueueService.NonExistentQueue``).
    """
    if isinstance(exc, ClientError):
        code = (exc.response.get("Error") or {}).get("Code")
        cls = _SQS_BY_CODE.get(code) if isinstance(code, str) else None
        if cls is not None:
            error: Any = exc.response.get("Error") or {}
            meta: Any = exc.response.get("ResponseMetadata") or {}
            raise cls(
                error.get("Message") or f"SQS refused the call ({code})",
                code=code,
                request_id=meta.get("RequestId"),
                http_status=meta.get("HTTPStatusCode"),
            ) from exc
    if isinstance(exc, NoRegionError):
        raise InvalidArgumentError(
            "sqs_client: no AWS region is configured; pass sqs_client=boto3.client('sqs', "
            "region_name=...) or set AWS_DEFAULT_REGION"
        ) from exc
    map_client_error(exc, service="SQS")
