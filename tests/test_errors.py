"""The error tree: pickling, the mapping of botocore's exceptions, the drawn tree."""

from __future__ import annotations

import inspect
import pickle

import pytest

import rekolabels as rl
from rekolabels import _errors
from rekolabels._errors import UnreadableResponseError

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
