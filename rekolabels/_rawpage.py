"""The raw-bytes path: a typed page validated straight from the HTTP body, once.

Without it a page is decoded twice: botocore turns the body into a dict (``json.loads``, then a
walk over the service model), and pydantic validates that dict. A ``before-parse`` handler on
the boto3 client instead validates the body's bytes with the wire validator
(``_models._page_from_wire``). When the body is exactly what the models would build from
botocore's dict, the handler passes the page on in ``customized_response_dict`` (botocore merges
it into its result) and hands botocore ``{}`` to parse instead, so botocore still attaches its
ResponseMetadata and runs every event and check. Everything else is left untouched and goes
botocore's normal path, so every error and retry path is what it was: error statuses, and any
200 body that is empty, truncated, not JSON, of the wrong types, or that holds members botocore
would drop (unknown or null).

The handler acts only inside ``call()``: a client the user also calls directly still gives them
boto3's usual dicts.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from ._models import GetLabelDetectionResponse, _page_from_wire, _with_botocore_fields

__all__ = ["PAGE_KEY", "call", "has_job_status", "install", "to_page"]

PAGE_KEY = "rekolabels:page"
"""Where the typed page rides in botocore's result: no AWS member name holds a colon."""
_EVENT = "before-parse.rekognition.GetLabelDetection"
_ACTIVE: ContextVar[bool] = ContextVar("rekolabels_raw_page", default=False)


def install(client: Any) -> None:
    """Register the handler on a boto3 ``rekognition`` client (once, however often called)."""
    client.meta.events.register(_EVENT, _before_parse, unique_id="rekolabels-raw-page")


def call(client: Any, params: dict[str, Any]) -> Any:
    """``client.get_label_detection(**params)`` with the raw-bytes path on for this call."""
    token = _ACTIVE.set(True)
    try:
        return client.get_label_detection(**params)
    finally:
        _ACTIVE.reset(token)


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


def _before_parse(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    if not _ACTIVE.get() or response_dict.get("status_code") != 200:
        return
    body = response_dict.get("body")
    if not isinstance(body, bytes):
        return
    page = _page_from_wire(body)
    if page is None:
        return
    response_dict["body"] = b"{}"
    customized_response_dict[PAGE_KEY] = page
