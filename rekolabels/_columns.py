"""The Arrow side of LabelTable: its schema, and the columnar kernels behind it.

Imported only when a LabelTable is built or used (it imports pyarrow and numpy), never by
``import rekolabels``. Engine: pyarrow for columns, takes and Parquet; numpy for the segment
rule and the summary, on integer codes (docs/benchmarks.md, "Tables", says why not polars).

Every kernel reproduces the model path exactly, not approximately: the same stable orders
(Arrow's sort is stable; names compare as UTF-8 bytes, which is code point order, the ordinal
order ``str`` uses), the same segments, and the same floating-point sums (``np.bincount``
adds its weights one by one in input order, as ``summarize_labels`` does).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._errors import InvalidArgumentError
from ._models import GetLabelDetectionResponse, LabelDetection
from ._transform import _already_segment, _missing

__all__ = [
    "INSTANCE",
    "SCHEMA",
    "SUMMARY_SCHEMA",
    "aggregate",
    "check_schema",
    "from_detections",
    "sort_indices",
    "summarize",
    "to_detections",
]

_I64, _F64, _STR = pa.int64(), pa.float64(), pa.string()

BOUNDING_BOX = pa.struct([("width", _F64), ("height", _F64), ("left", _F64), ("top", _F64)])
DOMINANT_COLOR = pa.struct(
    [
        ("red", _I64),
        ("blue", _I64),
        ("green", _I64),
        ("hex_code", _STR),
        ("css_color", _STR),
        ("simplified_color", _STR),
        ("pixel_percent", _F64),
    ]
)
INSTANCE = pa.struct(
    [
        ("bounding_box", BOUNDING_BOX),
        ("confidence", _F64),
        ("dominant_colors", pa.list_(DOMINANT_COLOR)),
    ]
)
# One row per LabelDetection; named like the CLI's CSV header. Every column is nullable: null
# means the response did not have the member (botocore drops nulls, so the two are the same).
SCHEMA = pa.schema(
    [
        ("timestamp_ms", _I64),
        ("name", _STR),
        ("confidence", _F64),
        ("parents", pa.list_(_STR)),
        ("categories", pa.list_(_STR)),
        ("aliases", pa.list_(_STR)),
        ("instances", pa.list_(INSTANCE)),
        ("start_ms", _I64),
        ("end_ms", _I64),
        ("duration_ms", _I64),
    ]
)
SPAN = pa.struct([("start_ms", _I64), ("end_ms", _I64)])
# LabelSummary's fields, in its order.
SUMMARY_SCHEMA = pa.schema(
    [
        ("name", _STR),
        ("first_seen_ms", _I64),
        ("last_seen_ms", _I64),
        ("samples", _I64),
        ("segments", _I64),
        ("screen_time_ms", _I64),
        ("max_confidence", _F64),
        ("mean_confidence", _F64),
        ("spans", pa.list_(SPAN)),
        ("categories", pa.list_(_STR)),
    ]
)
# The lists of names: (column, Label attribute).
_NAME_LISTS = (("parents", "parents"), ("categories", "categories"), ("aliases", "aliases"))
_SEGMENT_COLUMNS = ("start_ms", "end_ms", "duration_ms")


def check_schema(table: Any) -> Any:
    """``table`` as a pyarrow.Table of exactly SCHEMA, or InvalidArgumentError.

    A table of the same columns and fields in other physical types (large strings or lists, as
    polars makes them; other list item names, as Parquet readers give them) is cast to SCHEMA.
    """
    if not isinstance(table, pa.Table):
        raise TypeError(f"arrow must be a pyarrow.Table, not {type(table).__name__}")
    if table.schema.equals(SCHEMA):  # schema metadata is not compared
        return table.replace_schema_metadata(None)
    # A cast between structs of other field names would silently null them: compare first.
    if _shape(table.schema) == _shape(SCHEMA):
        try:
            return table.cast(SCHEMA)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InvalidArgumentError(
                f"arrow cannot be cast to the LabelTable schema: {exc}"
            ) from exc
    raise InvalidArgumentError(
        f"arrow does not have the LabelTable schema (see docs/tables.md): {table.schema}"
    )


def _is_list_view(t: Any) -> bool:
    check = getattr(pa.types, "is_list_view", None)  # pyarrow 16 and later
    return bool(check(t)) if check is not None else False


def _shape(schema: Any) -> list[tuple[str, Any]]:
    """Column names and logical types, blind to string/list widths and list item names."""

    def logical(t: Any) -> Any:
        if pa.types.is_list(t) or pa.types.is_large_list(t) or _is_list_view(t):
            return ("list", logical(t.value_type))
        if pa.types.is_struct(t):
            return ("struct", tuple((f.name, logical(f.type)) for f in t))
        if pa.types.is_large_string(t) or pa.types.is_string_view(t):
            return "string"
        return str(t)

    return [(f.name, logical(f.type)) for f in schema]


# -- from and to models -------------------------------------------------------------------------


def _box(box: Any) -> dict[str, Any] | None:
    if box is None:
        return None
    return {"width": box.width, "height": box.height, "left": box.left, "top": box.top}


def _color(c: Any) -> dict[str, Any]:
    return {
        "red": c.red,
        "blue": c.blue,
        "green": c.green,
        "hex_code": c.hex_code,
        "css_color": c.css_color,
        "simplified_color": c.simplified_color,
        "pixel_percent": c.pixel_percent,
    }


def _instance(i: Any) -> dict[str, Any]:
    colors = i.dominant_colors
    return {
        "bounding_box": _box(i.bounding_box),
        "confidence": i.confidence,
        "dominant_colors": None if colors is None else [_color(c) for c in colors],
    }


def from_detections(labels: Iterable[LabelDetection]) -> Any:
    """A pyarrow.Table of SCHEMA from models (fields outside the schema are left out)."""
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    timestamp, name, confidence = columns["timestamp_ms"], columns["name"], columns["confidence"]
    instances, start, end = columns["instances"], columns["start_ms"], columns["end_ms"]
    duration = columns["duration_ms"]
    lists = [(columns[column], attribute) for column, attribute in _NAME_LISTS]
    for i, det in enumerate(labels):
        if not isinstance(det, LabelDetection):
            raise TypeError(f"labels[{i}] is a {type(det).__name__}, not a LabelDetection")
        timestamp.append(det.timestamp)
        start.append(det.start_timestamp_millis)
        end.append(det.end_timestamp_millis)
        duration.append(det.duration_millis)
        label = det.label
        if label is None:
            name.append(None)
            confidence.append(None)
            instances.append(None)
            for column, _ in lists:
                column.append(None)
            continue
        name.append(label.name)
        confidence.append(label.confidence)
        found = label.instances
        instances.append(None if found is None else [_instance(x) for x in found])
        for column, attribute in lists:
            items = getattr(label, attribute)
            column.append(None if items is None else [item.name for item in items])
    try:
        arrays = [pa.array(columns[f.name], type=f.type) for f in SCHEMA]
    except (OverflowError, pa.ArrowInvalid) as exc:  # an int beyond int64
        raise InvalidArgumentError(f"labels hold a value the table cannot store: {exc}") from exc
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


# Table columns and nested fields -> AWS member names, for models built back from rows.
_AWS = {
    "timestamp_ms": "Timestamp",
    "start_ms": "StartTimestampMillis",
    "end_ms": "EndTimestampMillis",
    "duration_ms": "DurationMillis",
    "bounding_box": "BoundingBox",
    "confidence": "Confidence",
    "dominant_colors": "DominantColors",
    "width": "Width",
    "height": "Height",
    "left": "Left",
    "top": "Top",
    "red": "Red",
    "blue": "Blue",
    "green": "Green",
    "hex_code": "HexCode",
    "css_color": "CSSColor",
    "simplified_color": "SimplifiedColor",
    "pixel_percent": "PixelPercent",
}


def _aws(value: Any) -> Any:
    """A row's nested value with AWS names and without nulls (absent, as botocore gives it)."""
    if isinstance(value, dict):
        return {_AWS[k]: _aws(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_aws(v) for v in value]
    return value


def _named(names: list[str | None]) -> list[dict[str, str]]:
    return [{} if n is None else {"Name": n} for n in names]


def to_detections(table: Any) -> list[LabelDetection]:
    """The rows as LabelDetection models, validated as from_boto3 validates a response."""
    columns = {name: table.column(name).to_pylist() for name in SCHEMA.names}
    out: list[dict[str, Any]] = []
    append = out.append
    rows = zip(*(columns[name] for name in SCHEMA.names), strict=True)
    for t, name, conf, parents, categories, aliases, instances, start, end, duration in rows:
        det: dict[str, Any] = {}
        if t is not None:
            det["Timestamp"] = t
        label: dict[str, Any] = {}
        if name is not None:
            label["Name"] = name
        if conf is not None:
            label["Confidence"] = conf
        if instances is not None:
            label["Instances"] = _aws(instances)
        if parents is not None:
            label["Parents"] = _named(parents)
        if aliases is not None:
            label["Aliases"] = _named(aliases)
        if categories is not None:
            label["Categories"] = _named(categories)
        if label:
            det["Label"] = label
        if start is not None:
            det["StartTimestampMillis"] = start
        if end is not None:
            det["EndTimestampMillis"] = end
        if duration is not None:
            det["DurationMillis"] = duration
        append(det)
    return GetLabelDetectionResponse.from_boto3({"Labels": out}).labels or []


# -- checks shared by sort, aggregate and summarize ---------------------------------------------


def _first_null(column: Any) -> int | None:
    if column.null_count == 0:
        return None
    return int(np.flatnonzero(_np(column.is_null()))[0])


def _is_segment(table: Any) -> Any:
    """A boolean numpy mask: rows that are segments (any of start, end, duration set)."""
    mask = np.zeros(table.num_rows, dtype=bool)
    for name in _SEGMENT_COLUMNS:
        column = table.column(name)
        if column.null_count != table.num_rows:
            mask |= _np(column.is_valid())
    return mask


def _place(table: Any) -> Any:
    """Where each row sits in time: a segment's start, else its timestamp (both may be null)."""
    return pc.coalesce(table.column("start_ms"), table.column("timestamp_ms"))


def _require(table: Any, where: Any) -> None:
    """Every row has a name and a place in time: the model path's InvalidArgumentError if not."""
    bad = [(i, 0, "Label.Name") for i in [_first_null(table.column("name"))] if i is not None]
    bad += [(i, 1, "Timestamp") for i in [_first_null(where)] if i is not None]
    if bad:
        index, _, what = min(bad)
        raise _missing(index, what)


# -- sort ---------------------------------------------------------------------------------------


def sort_indices(table: Any, by_name: bool) -> Any:
    """The stable order of sort_labels: TIMESTAMP or NAME (see _transform.sort_labels)."""
    where = _place(table)
    _require(table, where)
    keys = pa.table({"t": where, "name": table.column("name"), "c": table.column("confidence")})
    if by_name:
        # Missing confidence after every real one within a name: nulls at the end.
        order = [("name", "ascending"), ("c", "descending"), ("t", "ascending")]
    else:
        order = [("t", "ascending"), ("name", "ascending")]
    return pc.sort_indices(keys, sort_keys=order)  # nulls go last by default


# -- segments -----------------------------------------------------------------------------------


class _Runs:
    """Every run of every name (aggregate_segments' rule), as parallel numpy arrays.

    Runs are in TIMESTAMP order for segments: start, then name.
    """

    def __init__(self, table: Any, gap: int | None) -> None:
        n = table.num_rows
        ts_column = table.column("timestamp_ms")
        segment = _is_segment(table)
        first_bad = _first_problem(table, ts_column, segment)
        if first_bad is not None:
            raise first_bad
        ts = _int64(ts_column)
        names = table.column("name")
        codes, self.dictionary = _name_codes(names)
        self.codes = codes
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            self.grid = empty
            self.start = self.end = self.first = self.code = empty
            self.confidence = np.zeros(0, dtype=np.float64)
            self.has_confidence = np.zeros(0, dtype=bool)
            return
        self.grid, k = np.unique(ts, return_inverse=True)
        k = k.reshape(-1)
        # Group by name, in time within a name; equal (name, timestamp) keep input order.
        if np.all(ts[1:] >= ts[:-1]):
            perm = np.argsort(codes, kind="stable")
        else:
            by_time = np.argsort(ts, kind="stable")
            perm = by_time[np.argsort(codes[by_time], kind="stable")]
        c, kk, tt = codes[perm], k[perm], ts[perm]
        new = np.empty(n, dtype=bool)
        new[0] = True
        new[1:] = c[1:] != c[:-1]
        # A grid sample strictly between two detections of the name lacks it: a new run,
        # unless max_gap_ms bridges the two.
        skipped = (kk[1:] - kk[:-1]) > 1
        if gap is not None:
            skipped &= (tt[1:] - tt[:-1]) > gap
        new[1:] |= skipped
        starts = np.flatnonzero(new)
        ends = np.empty_like(starts)
        ends[:-1] = starts[1:] - 1
        ends[-1] = n - 1
        # Confidence: the run's maximum; missing ones do not count (-inf, as the model path).
        conf = _float64(table.column("confidence"), fill=-np.inf)[perm]
        best = np.maximum.reduceat(conf, starts)
        run_code = c[starts]
        start_k = kk[starts]
        order = np.lexsort((run_code, start_k))
        self.start = tt[starts][order]
        self.end = tt[ends][order]
        self.first = perm[starts][order]
        self.code = run_code[order]
        self.confidence = best[order]
        self.has_confidence = self.confidence != -np.inf


def _first_problem(table: Any, ts: Any, segment: Any) -> Exception | None:
    """The error aggregate_segments raises for these rows, if any: the same row, the same words.

    The model path makes one pass in input order while timestamps do not decrease (a segment,
    then a missing Label or Name, is an error at once); at the first missing or decreasing
    timestamp it starts over on the rows sorted by timestamp (a missing one is an error first).
    """
    n = table.num_rows
    names = table.column("name")
    if not segment.any() and names.null_count == 0:
        if ts.null_count:
            return _missing(_first_true(_np(ts.is_null())), "Timestamp")
        return None
    bad = segment | _np(names.is_null())
    t = _np(pc.fill_null(ts, 0)).astype(np.int64)
    stop = _np(ts.is_null())
    stop[1:] |= t[1:] < t[:-1]
    end = _first_true(stop) if stop.any() else n
    if bad[:end].any():
        return _problem(table, _first_true(bad[:end]), segment)
    if end == n:
        return None
    if ts.null_count:
        return _missing(_first_true(_np(ts.is_null())), "Timestamp")
    order = np.argsort(t, kind="stable")
    return _problem(table, int(order[_first_true(bad[order])]), segment)


def _first_true(mask: Any) -> int:
    return int(np.argmax(mask))


def _problem(table: Any, row: int, segment: Any) -> Exception:
    if segment[row]:
        return _already_segment(row)
    return _missing(row, "Label" if _no_label(table, row) else "Label.Name")


def _no_label(table: Any, row: int) -> bool:
    """Whether a row has no Label at all (every label column null): the model path says so."""
    label = ("name", "confidence", "parents", "categories", "aliases", "instances")
    return all(not table.column(name)[row].is_valid for name in label)


def _int64(column: Any) -> Any:
    return np.asarray(_np(column), dtype=np.int64)


def _float64(column: Any, fill: float) -> Any:
    return np.asarray(_np(pc.fill_null(column, fill)), dtype=np.float64)


def _name_codes(names: Any) -> tuple[Any, Any]:
    """Each row's name as an integer whose order is the names' ordinal order; and the names.

    Codes index the returned names (the distinct names, sorted).
    """
    if isinstance(names, pa.ChunkedArray):
        names = names.combine_chunks()
    encoded = pc.dictionary_encode(names)
    dictionary = encoded.dictionary
    order = _np(pc.sort_indices(dictionary)).astype(np.int64)
    rank = np.empty(len(dictionary), dtype=np.int64)
    rank[order] = np.arange(len(dictionary), dtype=np.int64)
    # Few names: a small code type lets numpy's stable sort use radix sort.
    dtype = np.int16 if len(dictionary) <= np.iinfo(np.int16).max else np.int64
    codes = rank[_np(encoded.indices).astype(np.int64)].astype(dtype)
    return codes, dictionary.take(pa.array(order, type=pa.int64()))


def _np(array: Any) -> Any:
    """A numpy copy or view of an Arrow array or chunked array (nulls must be handled first)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.to_numpy(zero_copy_only=False)


def aggregate(table: Any, gap: int | None) -> Any:
    """The segments of aggregate_segments, as a pyarrow.Table of SCHEMA."""
    runs = _Runs(table, gap)
    return _segments_table(table, runs)


def _segments_table(table: Any, runs: _Runs) -> Any:
    first = pa.array(runs.first, type=pa.int64())
    kept = table.select(["name", "parents", "categories", "aliases"]).take(first)
    confidence = pa.array(runs.confidence, type=_F64, mask=~runs.has_confidence)
    start = pa.array(runs.start, type=_I64)
    return pa.Table.from_arrays(
        [
            start,
            kept.column("name"),
            confidence,
            kept.column("parents"),
            kept.column("categories"),
            kept.column("aliases"),
            pa.nulls(len(runs.start), type=pa.list_(INSTANCE)),
            start,
            pa.array(runs.end, type=_I64),
            pa.array(runs.end - runs.start, type=_I64),
        ],
        schema=SCHEMA,
    )


# -- summary ------------------------------------------------------------------------------------


def _period(grid: Any) -> int:
    """sampling_period_ms: the most common step between distinct timestamps (tie: shorter)."""
    if len(grid) < 2:
        return 0
    steps, counts = np.unique(np.diff(grid), return_counts=True)
    return int(steps[np.argmax(counts)])  # argmax takes the first, i.e. the shorter step


def summarize(table: Any, gap: int | None) -> Any:
    """summarize_labels' LabelSummary fields, one row per name, as a pyarrow.Table."""
    segment = _is_segment(table)
    if table.num_rows and segment.all():
        if gap is not None:
            raise InvalidArgumentError("max_gap_ms: the labels are already segments")
        return _summarize_segments(table)
    runs = _Runs(table, gap)
    names = len(runs.dictionary)
    codes = runs.codes.astype(np.int64)
    samples = np.bincount(codes, minlength=names)
    has = _np(table.column("confidence").is_valid())
    # One addition per detection, in input order, starting from 0.0: the model path's sums.
    conf = _float64(table.column("confidence"), fill=0.0)
    total = np.bincount(codes, weights=conf, minlength=names)
    count = np.bincount(codes, weights=has, minlength=names)
    mean = np.divide(total, count, out=np.zeros(names), where=count > 0)
    return _summary_table(
        table,
        runs.code.astype(np.int64),
        runs.start,
        runs.end,
        runs.confidence,
        runs.has_confidence,
        runs.first,
        runs.dictionary,
        _period(runs.grid),
        samples=samples,
        mean=(mean, count > 0),
    )


def _summarize_segments(table: Any) -> Any:
    order = _np(sort_indices(table, by_name=False)).astype(np.int64)
    codes, dictionary = _name_codes(table.column("name"))
    start = _int64(_place(table))
    end_column = table.column("end_ms")
    end = np.where(
        _np(end_column.is_valid()),
        _int64(pc.fill_null(end_column, 0)),
        start,
    )
    conf = _float64(table.column("confidence"), fill=-np.inf)
    has = _np(table.column("confidence").is_valid())
    return _summary_table(
        table,
        codes.astype(np.int64)[order],
        start[order],
        end[order],
        conf[order],
        has[order],
        order,
        dictionary,
        0,
        samples=None,
        mean=None,
    )


def _summary_table(
    table: Any,
    code: Any,
    start: Any,
    end: Any,
    confidence: Any,
    has_confidence: Any,
    first: Any,
    dictionary: Any,
    period: int,
    *,
    samples: Any | None,
    mean: tuple[Any, Any] | None,
) -> Any:
    """One row per name from its segments, given in TIMESTAMP order (start, then name)."""
    names = len(dictionary)
    # A name's segments, in start order: a stable sort by name keeps TIMESTAMP order within it.
    by_name = np.argsort(code, kind="stable")
    seg_code = code[by_name]
    counts = np.bincount(code, minlength=names)
    present = np.flatnonzero(counts)
    offsets = np.zeros(names + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    s, e = start[by_name], end[by_name]
    first_seen = s[offsets[present]]
    last_seen = np.full(names, np.iinfo(np.int64).min)
    np.maximum.at(last_seen, seg_code, e)
    screen = np.zeros(names, dtype=np.int64)
    np.add.at(screen, seg_code, e - s + period)
    best = np.full(names, -np.inf)
    np.maximum.at(best, code[has_confidence], confidence[has_confidence])
    has_best = np.zeros(names, dtype=bool)
    has_best[code[has_confidence]] = True
    # Categories come from the name's first segment (its first detection's label).
    first_row = pa.array(first[by_name][offsets[present]], type=pa.int64())
    categories = _drop_null_items(table.column("categories").take(first_row))
    spans = pa.ListArray.from_arrays(
        pa.array(_span_offsets(counts[present])),
        pa.StructArray.from_arrays(
            [pa.array(s, type=_I64), pa.array(e, type=_I64)], fields=list(SPAN)
        ),
    )
    columns = {
        "name": dictionary.take(pa.array(present)),
        "first_seen_ms": pa.array(first_seen, type=_I64),
        "last_seen_ms": pa.array(last_seen[present], type=_I64),
        "samples": (
            pa.nulls(len(present), _I64)
            if samples is None
            else pa.array(samples[present], type=_I64)
        ),
        "segments": pa.array(counts[present], type=_I64),
        "screen_time_ms": pa.array(screen[present], type=_I64),
        "max_confidence": pa.array(best[present], type=_F64, mask=~has_best[present]),
        "mean_confidence": (
            pa.nulls(len(present), _F64)
            if mean is None
            else pa.array(mean[0][present], type=_F64, mask=~mean[1][present])
        ),
        "spans": spans,
        "categories": categories,
    }
    result = pa.Table.from_pydict(columns, schema=SUMMARY_SCHEMA)
    # Most screen time first, ties by name (ordinal).
    ranking = pc.sort_indices(
        result, sort_keys=[("screen_time_ms", "descending"), ("name", "ascending")]
    )
    return result.take(ranking)


def _span_offsets(counts: Any) -> Any:
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def _drop_null_items(lists: Any) -> Any:
    """Each list without its null items; a null list becomes empty (no categories)."""
    lists = pc.fill_null(lists, pa.scalar([], type=lists.type))
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    flat = lists.flatten()
    keep = flat.is_valid()
    parents = pc.list_parent_indices(lists)
    kept_parents = _np(parents.filter(keep))
    counts = np.bincount(np.asarray(kept_parents, dtype=np.int64), minlength=len(lists))
    return pa.ListArray.from_arrays(pa.array(_span_offsets(counts)), flat.filter(keep))


def job_metadata(job: GetLabelDetectionResponse) -> bytes:
    """The job's fields as the JSON stored in a Parquet file's key-value metadata."""
    return json.dumps(job.to_boto3(), separators=(",", ":")).encode()
