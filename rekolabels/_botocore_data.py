"""Paginators and a waiter for Rekognition Video, as botocore ``sdk-extras`` data.

botocore has no paginator for any Rekognition Video Get operation and no waiter for a video job.
Its loader merges ``<service>/<api-version>/<type>.sdk-extras.json`` files found on its search
path (``AWS_DATA_PATH``, ``~/.aws/models``, or a session's ``data_loader``) into the service's own
data, so shipping that data gives plain boto3 and the AWS CLI what they lack, with no code of ours
running at request time.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
import botocore.session
from botocore.loaders import Loader

from ._errors import InvalidArgumentError

__all__ = ["botocore_data_path", "register_botocore_data"]

_SERVICE = "rekognition"
# What each data file adds, under its "merge" key: (type name, section).
_EXTRAS = (("paginators-1", "pagination"), ("waiters-2", "waiters"))


def botocore_data_path() -> str:
    """The folder to put on botocore's search path: ``AWS_DATA_PATH`` or a loader's."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "botocore-data")


def register_botocore_data(
    session: boto3.Session | botocore.session.Session | None = None,
) -> None:
    """Give every Rekognition client of ``session`` the Video paginators and waiter.

    ``session`` is a boto3 or a botocore session; ``None`` means boto3's default session (the one
    ``boto3.client`` uses), set up if there is none. The folder goes on the session's loader's
    search path, after the folders already there (so a user's own extras still win) and before
    botocore's own data; registering twice changes nothing.

    Register before making clients: botocore loads a service's paginators and waiters once per
    loader and caches them. If this loader has already loaded Rekognition's without ours, no
    client of it could ever gain them, so this raises InvalidArgumentError (naming ``session``)
    rather than leave paginators missing later; use a new session or register earlier.
    """
    core = _botocore_session(session)
    loader: Loader = core.get_component("data_loader")
    path = botocore_data_path()
    paths = loader.search_paths
    if path not in paths:
        builtin = Loader.BUILTIN_DATA_PATH
        paths.insert(paths.index(builtin) if builtin in paths else len(paths), path)
    _check_loaded(loader, path)


def _botocore_session(
    session: boto3.Session | botocore.session.Session | None,
) -> botocore.session.Session:
    if session is None:
        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        session = boto3.DEFAULT_SESSION
    if isinstance(session, boto3.Session):
        # boto3 keeps its botocore session here, and shares that session's loader.
        return session._session
    if isinstance(session, botocore.session.Session):
        return session
    raise TypeError(
        f"session: expected a boto3.Session, a botocore Session or None, "
        f"got {type(session).__name__}"
    )


def _check_loaded(loader: Loader, path: str) -> None:
    """Fail now, not at ``get_paginator``, if this loader serves Rekognition without our data."""
    for version in sorted(os.listdir(os.path.join(path, _SERVICE))):
        for type_name, section in _EXTRAS:
            ours = _read(os.path.join(path, _SERVICE, version, f"{type_name}.sdk-extras.json"))
            loaded = loader.load_service_model(_SERVICE, type_name, version).get(section, {})
            if all(name in loaded for name in ours["merge"][section]):
                continue
            _, found = loader.load_data_with_path(f"{_SERVICE}/{version}/{type_name}.sdk-extras")
            if not os.path.abspath(found).startswith(path + os.sep):
                raise InvalidArgumentError(
                    f"session: its loader reads Rekognition's {type_name} extras from {found}, "
                    "which comes first on its search path and hides rekolabels' data"
                )
            raise InvalidArgumentError(
                f"session: its loader had already loaded Rekognition's {type_name} data, and "
                "botocore caches it per loader; call register_botocore_data() before making "
                "clients, or pass a new session"
            )


def _read(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as file:
        data: dict[str, Any] = json.load(file)
    return data
