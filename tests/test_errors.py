"""The error tree (_errors): pickling, the one mapping of botocore's exceptions, the attributes
of a ServiceError, the drawn tree."""

from __future__ import annotations

import inspect
import pickle
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
    ReadTimeoutError,
)

import rekolabels as rl
from rekolabels import _errors
from rekolabels._errors import UnreadableResponseError, map_client_error

from .helpers import make

EXPORTED_ERRORS = [
    obj
    for name in rl.__all__
    if isinstance(obj := getattr(rl, name), type) and issubclass(obj, (Exception, Warning))
]
ALL_ERRORS = [*EXPORTED_ERRORS, UnreadableResponseError]


def an_instance(cls: type[BaseException]) -> BaseException:
    if issubclass(cls, rl.ServiceError):
        return cls("the message", code="SomeCode", request_id="rid-1", http_status=503)
    if issubclass(cls, rl.JobFailedError):
        return cls("job j FAILED: boom", status_message="boom")
    return cls("the message")


def test_every_error_class_is_covered() -> None:
    defined = {
        obj
        for _, obj in inspect.getmembers(_errors, inspect.isclass)
        if obj.__module__ in ("rekolabels", "rekolabels._errors")
        and issubclass(obj, (rl.RekolabelsError, Warning))
    }
    assert defined == set(ALL_ERRORS)


@pytest.mark.parametrize("cls", ALL_ERRORS, ids=lambda cls: cls.__name__)
def test_pickling_round_trips_every_error_class(cls: type[BaseException]) -> None:
    error = an_instance(cls)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is cls
    assert str(back) == str(error)
    assert back.args == error.args
    assert vars(back) == vars(error)


def test_a_subclass_of_job_failed_error_pickles_as_itself() -> None:
    class Mine(rl.JobFailedError):
        pass

    # A local class cannot be pickled by reference; __reduce__ must still name it, not the base.
    reduced = Mine("m", status_message="s").__reduce__()
    assert reduced[1][0] is Mine


def test_service_timeout_is_a_service_unavailable_error() -> None:
    assert issubclass(rl.ServiceTimeoutError, rl.ServiceUnavailableError)
    assert issubclass(rl.ServiceTimeoutError, rl.RekolabelsError)
    assert not issubclass(rl.ServiceTimeoutError, rl.ServiceError)


def test_the_drawn_tree_names_every_exported_error() -> None:
    tree = (_errors.__doc__ or "").split("[start:tree]")[1].split("[end:tree]")[0]
    words = set(tree.replace("(", " ").replace(")", " ").split())
    assert {cls.__name__ for cls in EXPORTED_ERRORS} <= words
    assert "UnreadableResponseError" not in words
    lines = tree.splitlines()
    below = lines[next(i for i, line in enumerate(lines) if "ServiceUnavailableError" in line) + 1]
    assert below.startswith("│   └── ServiceTimeoutError")


# -- mapping botocore's errors ---------------------------------------------------------------------


def test_throttled_error_attributes() -> None:
    fake, lc = make(10)
    fake.inject(["ThrottlingException"] * 8)
    with pytest.raises(rl.ThrottledError) as info:
        lc.get_page("job-1")
    err = info.value
    assert isinstance(err, rl.ServiceError)
    assert err.code == "ThrottlingException"
    assert err.message == "Injected ThrottlingException."
    assert err.http_status == 500
    assert err.request_id
    assert err.request_id in str(err)
    assert type(err.__cause__).__name__ == "ThrottlingException"


def client_error(code: str, status: int, *, request_id: str | None = "rid-1") -> ClientError:
    meta: dict[str, Any] = {"HTTPStatusCode": status, "HTTPHeaders": {}}
    if request_id:
        meta["RequestId"] = request_id
    # The stubs' ResponseMetadata requires every key; real error responses may lack some.
    response = {"Error": {"Code": code, "Message": "msg"}, "ResponseMetadata": meta}
    return ClientError(response, "Op")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (client_error("ThrottlingException", 400), rl.ThrottledError),
        (client_error("TooManyRequestsException", 400), rl.ThrottledError),
        (client_error("SomethingNew", 429), rl.ThrottledError),
        (client_error("SomethingNew", 503), rl.InternalServiceError),
        (client_error("500", 500), rl.InternalServiceError),
        (client_error("AccessDeniedException", 500), rl.AccessDeniedError),
        (client_error("SomethingNew", 400), rl.ServiceError),
        (EndpointConnectionError(endpoint_url="https://x.invalid"), rl.ServiceUnavailableError),
        (ConnectionClosedError(endpoint_url="https://x.invalid"), rl.ServiceUnavailableError),
        (ConnectTimeoutError(endpoint_url="https://x.invalid"), rl.ServiceTimeoutError),
        (ReadTimeoutError(endpoint_url="https://x.invalid"), rl.ServiceTimeoutError),
        (NoRegionError(), rl.InvalidArgumentError),
        (ProfileNotFound(profile="p"), rl.InvalidArgumentError),
        (NoCredentialsError(), rl.RekolabelsError),
    ],
)
def test_map_client_error(exc: Exception, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        map_client_error(exc)
    assert type(info.value) is error
    assert info.value.__cause__ is exc


def test_request_id_falls_back_to_the_header() -> None:
    exc = client_error("InternalServerError", 502, request_id=None)
    exc.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] = "rid-2"
    with pytest.raises(rl.InternalServiceError) as info:
        map_client_error(exc)
    assert (info.value.request_id, info.value.http_status, info.value.code) == (
        "rid-2", 502, "InternalServerError",
    )  # fmt: skip
