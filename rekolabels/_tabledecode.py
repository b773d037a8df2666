"""One GetLabelDetection 200 body straight into a LabelTable page: no model per detection.

For the engineer wiring ``get_table`` / ``iter_tables`` through the raw-bytes hook (``_rawpage``),
the interface mirrors ``_models._page_from_wire``:

``decode(body: bytes) -> LabelTable | None``
    Call it from the ``before-parse`` handler on a 200 body, exactly where ``_rawpage`` calls
    ``_page_from_wire``. A LabelTable means the body was read and holds exactly what botocore's
    parse would give (``from_parsed`` of it): hand botocore ``b"{}"`` and pass the table on in
    ``customized_response_dict``. None means "not read": leave the body untouched, so botocore
    parses it and every error and retry path is the model path's: error statuses, an empty,
    truncated, non-UTF-8 or non-JSON body, a body that is not an object, wrong types, nulls,
    duplicate keys, a value outside int64 or double. decode never builds a LabelDetection, and
    raises nothing but memory errors and bugs: a handler should still fall back on any exception.
``from_parsed(parsed: Mapping) -> LabelTable``
    The fallback, from botocore's dict (after decode said None). Its ResponseMetadata is kept in
    ``.job``. Wrong types raise ResponseValidationError, as ``from_boto3`` does (it validates
    through the models, so it is exact by construction; only bodies decode refuses get here).
``has_job_status(table) -> bool``
    False means unreadable: botocore turns a truncated or non-JSON body into a dict holding only
    ResponseMetadata. Retry it like a 5xx (``_errors.UnreadableResponseError``), as the model path.
``with_botocore_fields(table, added) -> LabelTable``
    The decoded table plus what botocore put beside the body (its ResponseMetadata), validated
    as ``_models._with_botocore_fields`` validates it.
``read_body(body: bytes) -> LabelTable``
    decode, or the model path's verdict without botocore: UnreadableResponseError for a body
    that is empty, truncated, not UTF-8 or JSON, not an object, or without JobStatus;
    ResponseValidationError for wrong types. For bodies read outside a boto3 client.

The JobId check, IN_PROGRESS / FAILED, token loops and merging pages (``_table.merge_tables``)
stay with the client, reading ``table.job`` (``job_status``, ``status_message``, ``next_token``,
``job_id``, ``video_metadata``, ...).

How: pyarrow's JSON reader parses the body in C++ against an explicit schema (the response's
members, by AWS name, derived from the models), so the page is columns from the start. It is
stricter than ``json.loads`` where botocore and pydantic are strict too (it refuses a string
where a number belongs, a float for an int, duplicate keys, lone surrogates), and checks below
cover the rest: the body must be one JSON object (pyarrow would read ``{} {}`` as two rows, and
accepts a BOM), valid UTF-8 (pyarrow does not check strings), without a null in any list.
Members outside the schema are skipped, as botocore drops them. One difference is left, on
purpose: an unmodeled member nested deeper than Python's recursion limit makes botocore's
``json.loads`` fail, while pyarrow reads the body.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.json as pa_json
from pydantic import BaseModel, ValidationError

from . import _columns
from ._errors import ResponseValidationError, UnreadableResponseError
from ._models import GetLabelDetectionResponse
from ._rawpage import Reader, _with_botocore_fields
from ._table import LabelTable, job_only

__all__ = [
    "TABLES",
    "decode",
    "from_parsed",
    "has_job_status",
    "read_body",
    "with_botocore_fields",
]


# -- the parse schema ---------------------------------------------------------------------------


def _arrow_type(annotation: Any) -> Any:
    """The Arrow type pyarrow parses a model field's JSON into (open enums are strings)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Annotated:
        return _arrow_type(args[0])
    if typing.get_origin(annotation) is list:
        return pa.list_(_arrow_type(args[0]))
    if args:  # a union: X | None, or an open enum (Enum | str | None)
        return pa.string() if str in args else _arrow_type(args[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _struct(annotation)
    if annotation is str:
        return pa.string()
    if annotation is int:
        return pa.int64()
    if annotation is float:
        return pa.float64()
    raise TypeError(f"no Arrow type for {annotation!r}")  # pragma: no cover


def _struct(model: type[BaseModel], skip: frozenset[str] = frozenset()) -> Any:
    return pa.struct(
        [
            (field.alias, _arrow_type(field.annotation))
            for name, field in model.model_fields.items()
            if name not in skip and field.alias is not None
        ]
    )


# The whole body by AWS names; ResponseMetadata is botocore's, never the body's.
_BODY = pa.schema(list(_struct(GetLabelDetectionResponse, frozenset({"response_metadata"}))))
_LABEL_FIELDS = ("Name", "Confidence", "Instances", "Parents", "Aliases", "Categories")
_DETECTION_FIELDS = ("Timestamp", "StartTimestampMillis", "EndTimestampMillis", "DurationMillis")
_PARSE = pa_json.ParseOptions(explicit_schema=_BODY, unexpected_field_behavior="ignore")
_JSON_SPACE = b" \t\n\r"
_MIN_BLOCK = 1 << 20


class _Refused(Exception):
    """A body decode leaves to botocore."""


# -- decode -------------------------------------------------------------------------------------


def decode(body: bytes) -> LabelTable | None:
    """The LabelTable page a 200 GetLabelDetection body holds, or None to leave it to botocore.

    See the module docstring: a table is exactly ``from_parsed`` of botocore's parse of
    ``body``; None for anything botocore and the models might read differently.
    """
    try:
        return _decode(body)
    except (_Refused, pa.ArrowException, UnicodeDecodeError, ValidationError):
        return None


def _decode(body: bytes) -> LabelTable:
    # One JSON object: a leading BOM or a non-object would crash or mislead the reader.
    head = body.lstrip(_JSON_SPACE)[:1] if body[:1].isspace() else body[:1]
    if head != b"{":
        raise _Refused
    # botocore decodes the whole body as UTF-8; pyarrow does not check its strings.
    body.decode("utf-8")
    options = pa_json.ReadOptions(use_threads=False, block_size=max(len(body) + 1, _MIN_BLOCK))
    parsed = pa_json.read_json(pa.BufferReader(body), read_options=options, parse_options=_PARSE)
    if parsed.num_rows != 1:  # "{} {}" is two rows to pyarrow, "Extra data" to json.loads
        raise _Refused
    job = GetLabelDetectionResponse.model_validate(
        _present(parsed.drop_columns(["Labels"]).to_pylist()[0])
    )
    return LabelTable._trusted(_rows(parsed.column("Labels").combine_chunks()), job)


def _present(value: Any) -> Any:
    """A parsed value without the nulls pyarrow fills in for absent members."""
    if isinstance(value, dict):
        return {k: _present(v) for k, v in value.items() if v is not None}
    return value


def _rows(labels: Any) -> Any:
    """The table of SCHEMA from the parsed ``Labels`` (a list array of one row)."""
    if labels.null_count:  # no Labels member
        return _columns.SCHEMA.empty_table()
    detections = _items(labels)
    fields = dict(
        zip(_DETECTION_FIELDS, (detections.field(f) for f in _DETECTION_FIELDS), strict=True)
    )
    # flatten() merges the Label struct's validity into its members: no Label, no name.
    label = dict(zip(_LABEL_FIELDS, detections.field("Label").flatten(), strict=True))
    instances = label["Instances"]
    _items(_items(instances).field("DominantColors"))  # refuses a null instance or color
    return pa.Table.from_arrays(
        [
            fields["Timestamp"],
            label["Name"],
            label["Confidence"],
            _names(label["Parents"]),
            _names(label["Categories"]),
            _names(label["Aliases"]),
            instances.view(pa.list_(_columns.INSTANCE)),  # same layout, snake_case names
            fields["StartTimestampMillis"],
            fields["EndTimestampMillis"],
            fields["DurationMillis"],
        ],
        schema=_columns.SCHEMA,
    )


def _items(lists: Any) -> Any:
    """The items of a list array (its valid lists' range); refused if any item is null."""
    offsets = lists.offsets
    first, last = offsets[0].as_py(), offsets[-1].as_py()
    items = lists.values.slice(first, last - first)
    if items.null_count:  # [null]: botocore keeps it, the models refuse it
        raise _Refused
    return items


def _names(lists: Any) -> Any:
    """list<struct<Name>> as list<string>: a Parent, Alias or Category is its Name."""
    _items(lists)
    mask = lists.is_null() if lists.null_count else None
    return pa.ListArray.from_arrays(lists.offsets, lists.values.field("Name"), mask=mask)


# -- the fallback and the checks ----------------------------------------------------------------


def from_parsed(parsed: Mapping[str, Any]) -> LabelTable:
    """The table of botocore's parsed dict (ResponseMetadata kept in ``job``).

    Raises ResponseValidationError for wrong types, as ``from_boto3``; a value the table cannot
    store (an int beyond int64) is a ResponseValidationError too.
    """
    response = GetLabelDetectionResponse.from_boto3(parsed)
    try:
        arrow = _columns.from_detections(response.labels or [])
    except ValueError as exc:
        raise ResponseValidationError(f"GetLabelDetection response: {exc}") from exc
    return LabelTable._trusted(arrow, job_only(response))


def has_job_status(table: LabelTable) -> bool:
    """Whether the page says JobStatus: False is an unreadable (cut or non-JSON) body."""
    return table.job.job_status is not None


def with_botocore_fields(table: LabelTable, added: dict[str, Any]) -> LabelTable:
    """``table`` with what botocore added beside the body in its ``job``, validated as
    ``from_boto3`` validates it (same errors)."""
    if not added:
        return table
    job = _with_botocore_fields(table.job, added)
    return LabelTable._trusted(table.arrow, job_only(job))


def read_body(body: bytes) -> LabelTable:
    """decode, or the model path's verdict on ``body`` (see the module docstring)."""
    table = decode(body)
    if table is None:
        import json

        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise UnreadableResponseError(f"GetLabelDetection body is not JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise UnreadableResponseError(
                f"GetLabelDetection body is a JSON {type(parsed).__name__}, not an object"
            )
        table = from_parsed(parsed)
    if not has_job_status(table):
        raise UnreadableResponseError(
            "GetLabelDetection response has no JobStatus: the body was truncated or not JSON"
        )
    return table


TABLES: Reader[LabelTable] = Reader(
    decode=decode,
    from_parsed=from_parsed,
    with_botocore_fields=with_botocore_fields,
    has_job_status=has_job_status,
    job=lambda table: table.job,
)
"""LabelTable pages for the client's paging loop (``_rawpage.read``): ``decode`` in the handler,
``from_parsed`` on botocore's dict for a body decode leaves to botocore."""
