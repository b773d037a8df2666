"""The raw-bytes path: a typed page validated straight from the HTTP body, once.

Without it a page is decoded twice: botocore turns the body into a dict (``json.loads``, then a
walk over the service model), and pydantic validates that dict. A ``before-parse`` handler on
the boto3 client instead validates the body's bytes with the wire validator below. When the body
is exactly what the models would build from botocore's dict, the handler passes the page on in
``customized_response_dict`` (botocore merges it into its result) and hands botocore ``{}`` to
parse instead, so botocore still attaches its ResponseMetadata and runs every event and check.
Everything else is left untouched and goes botocore's normal path, so every error and retry path
is what it was: error statuses, and any 200 body that is empty, truncated, not JSON, of the
wrong types, or that holds members botocore would drop (unknown or null).

Containment, because the client may be the user's own:

- The handler acts only inside ``call()``: a client the user also calls directly still gives
  them boto3's usual dicts, and other threads' calls are untouched.
- It takes keyword arguments only (``**kwargs``), so a parameter botocore adds or renames cannot
  break a call, and any error of its own leaves the response as it found it: botocore then
  parses the body as if the handler were not there.
- ``call(..., raw_pages=False)`` (``LabelDetectionClient(raw_pages=False)``) never reads or
  replaces a body; the handler then only notes the HTTP status, request id and body of the call
  (``Seen``), which is all it ever keeps, so that a body botocore's parser chokes on can still
  be reported with what we know.
- With botocore's parser logging at DEBUG (``botocore.parsers``, where botocore logs
  ``Response body``), the fast path stands aside, so the log shows the real body, not ``{}``.

The same hook reads other kinds of page: a ``Reader`` says how (the body decoder the handler
calls, and how to finish a page from botocore's result). ``MODELS`` reads typed pages;
``_tabledecode.TABLES`` reads LabelTable pages, with no model built.

botocore emits ``before-parse`` from 1.35.16 on; that is why it is the floor in pyproject.toml.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import ValidationError
from pydantic_core import core_schema

from ._errors import UnreadableResponseError
from ._models import GetLabelDetectionResponse, _build_validator, _fast_schema

__all__ = [
    "MODELS",
    "PAGE_KEY",
    "Reader",
    "Seen",
    "call",
    "has_job_status",
    "install",
    "read",
    "to_page",
]

PAGE_KEY = "rekolabels:page"
"""Where the typed page rides in botocore's result: no AWS member name holds a colon."""
_EVENT = "before-parse.rekognition.GetLabelDetection"
# Where botocore logs each response body at DEBUG (botocore.parsers.ResponseParser.parse).
_BODY_LOG = logging.getLogger("botocore.parsers")


@dataclass
class Seen:
    """What the handler saw of the response to one ``call()``; None until a response came."""

    http_status: int | None = None
    request_id: str | None = None
    body: bytes | None = None


@dataclass
class _Call:
    raw_pages: bool
    seen: Seen = field(default_factory=Seen)
    decode: Callable[[bytes], Any] | None = None  # None: the wire validator (typed pages)


_CALL: ContextVar[_Call | None] = ContextVar("rekolabels_call", default=None)

P = TypeVar("P")


@dataclass(frozen=True)
class Reader(Generic[P]):
    """How one kind of page is read through ``call()``: typed models, or a LabelTable."""

    decode: Callable[[bytes], P | None]
    """A 200 body's page, or None to leave the body to botocore (runs inside the handler)."""
    from_parsed: Callable[[dict[str, Any]], P]
    """The page of botocore's dict, when ``decode`` left the body to botocore."""
    with_botocore_fields: Callable[[P, dict[str, Any]], P]
    """A decoded page plus what botocore put beside the body (its ResponseMetadata)."""
    has_job_status: Callable[[P], bool]
    """Whether a decoded page says JobStatus (False: an unreadable body)."""
    job: Callable[[P], GetLabelDetectionResponse]
    """The page's job-level fields, which the client checks (JobId, status, NextToken)."""


def install(client: Any) -> None:
    """Register the handler on a boto3 ``rekognition`` client (once, however often called)."""
    client.meta.events.register(_EVENT, _before_parse, unique_id="rekolabels-raw-page")


def call(
    client: Any,
    params: dict[str, Any],
    seen: Seen | None = None,
    *,
    raw_pages: bool = True,
    decode: Callable[[bytes], Any] | None = None,
) -> Any:
    """``client.get_label_detection(**params)`` with the handler on for this call.

    ``seen`` receives what the handler saw of the response, also when the call raises.
    ``decode`` turns a 200 body into the page that rides in the result (its None leaves the
    body to botocore); by default the wire validator (typed pages).
    """
    state = _Call(raw_pages, seen if seen is not None else Seen(), decode)
    token = _CALL.set(state)
    try:
        return client.get_label_detection(**params)
    finally:
        _CALL.reset(token)


def read(
    client: Any, params: dict[str, Any], seen: Seen, reader: Reader[P], *, raw_pages: bool
) -> P:
    """One GetLabelDetection call's page, as ``reader`` reads it.

    Raises UnreadableResponseError (retried like a 5xx) for a response without JobStatus:
    botocore's dict of a cut or non-JSON body holds only its ResponseMetadata.
    """
    raw = call(client, params, seen, raw_pages=raw_pages, decode=reader.decode)
    page = raw.get(PAGE_KEY)
    if page is None:
        if "JobStatus" not in raw:
            raise UnreadableResponseError(_NO_JOB_STATUS)
        return reader.from_parsed(raw)
    if not reader.has_job_status(page):
        raise UnreadableResponseError(_NO_JOB_STATUS)
    return reader.with_botocore_fields(page, {k: v for k, v in raw.items() if k != PAGE_KEY})


_NO_JOB_STATUS = "GetLabelDetection response has no JobStatus: the body was cut or not JSON"


def has_job_status(raw: Any) -> bool:
    """Whether the response says JobStatus (botocore's dict of a cut body has only metadata)."""
    page = raw.get(PAGE_KEY)
    if page is None:
        return "JobStatus" in raw
    return "job_status" in page.model_fields_set


def to_page(raw: Any) -> GetLabelDetectionResponse:
    """The typed page of a ``call()`` result: the same model ``from_boto3`` gives either way."""
    page = raw.get(PAGE_KEY)
    if page is None:
        return GetLabelDetectionResponse.from_boto3(raw)
    return _with_botocore_fields(page, {k: v for k, v in raw.items() if k != PAGE_KEY})


def _before_parse(**kwargs: Any) -> None:
    state = _CALL.get()
    if state is None:
        return
    try:
        _handle(state, kwargs["response_dict"], kwargs["customized_response_dict"])
    except Exception:  # ours, never the caller's: botocore parses the body as usual
        return


def _handle(state: _Call, response: dict[str, Any], customized: dict[str, Any]) -> None:
    status = response.get("status_code")
    body = response.get("body")
    headers = response.get("headers") or {}
    state.seen.http_status = status if isinstance(status, int) else None
    state.seen.request_id = headers.get("x-amzn-requestid")
    state.seen.body = body if isinstance(body, bytes) else None
    if not state.raw_pages or status != 200 or not isinstance(body, bytes):
        return
    if _BODY_LOG.isEnabledFor(logging.DEBUG):
        return  # the user is reading botocore's log of the body: let it be the real one
    page = (state.decode or _page_from_wire)(body)
    if page is None:
        return
    customized[PAGE_KEY] = page
    try:
        response["body"] = b"{}"
    except Exception:
        del customized[PAGE_KEY]
        raise


# -- the wire validator -------------------------------------------------------------------------
#
# botocore parses a 200 body with json.loads, then walks the result against the service model,
# keeping only modeled members that are not null; from_boto3 then validates that dict. For a body
# made only of modeled, non-null members of the right types, both walks are identity, so
# pydantic-core can validate the bytes directly, once. The wire validator is the response schema
# with three changes, each making it refuse a body botocore's walk would change: members are
# matched by AWS name only (no field names), an unknown member fails (rather than being kept),
# and null fails (rather than being dropped: the fast schema of ``_models``, which also leaves
# each model's fields set for first use). ResponseMetadata is botocore's, never the body's.
# A refused body goes botocore's normal path, untouched.


def _refuse_unknown(value: object) -> object:
    raise ValueError("not a member of the service model: botocore would drop it")


def _wire_changes(node: dict[str, Any], top: bool) -> None:
    """The wire validator's changes to one node of the fast schema (see above)."""
    kind = node.get("type")
    if kind == "model":
        node["config"] = {**node.get("config", {}), "validate_by_name": False}
    elif kind == "model-fields":
        node["extras_schema"] = core_schema.no_info_plain_validator_function(_refuse_unknown)
        if top:
            node["fields"] = {k: v for k, v in node["fields"].items() if k != "response_metadata"}


_WIRE_VALIDATOR = _build_validator(
    _fast_schema(GetLabelDetectionResponse.__pydantic_core_schema__, _wire_changes)
)


def _page_from_wire(body: bytes) -> GetLabelDetectionResponse | None:
    """The page a 200 GetLabelDetection body holds, exactly as from_boto3 would build it from
    botocore's parse of ``body``; None if botocore's parse would change anything (unknown or
    null members, wrong types, not JSON), so that the body takes botocore's normal path."""
    try:
        page: GetLabelDetectionResponse = _WIRE_VALIDATOR.validate_json(body)
    except ValidationError:
        return None
    return page


def _with_botocore_fields(
    page: GetLabelDetectionResponse, added: dict[str, Any]
) -> GetLabelDetectionResponse:
    """``page`` plus what botocore put beside the body (its ResponseMetadata), validated as
    from_boto3 validates it: same model, same errors."""
    if not added:
        return page
    if added.keys() == {"ResponseMetadata"}:
        meta = GetLabelDetectionResponse.from_boto3(added).response_metadata
        return page.model_copy(update={"response_metadata": meta})
    return GetLabelDetectionResponse.from_boto3({**page.to_boto3(), **added})


MODELS: Reader[GetLabelDetectionResponse] = Reader(
    decode=_page_from_wire,
    from_parsed=GetLabelDetectionResponse.from_boto3,
    with_botocore_fields=_with_botocore_fields,
    has_job_status=lambda page: "job_status" in page.model_fields_set,
    job=lambda page: page,
)
"""Typed pages: the wire validator, or ``from_boto3`` of botocore's dict."""
