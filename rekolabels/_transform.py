"""Re-sort and re-aggregate label detections locally, as the service would have.

What real AWS output shows, and what is our own rule (see docs/transform.md):

- TIMESTAMP order (timestamp, then label name in ordinal order) is AWS's own: every public
  recording is in exactly that order.
- The NAME tie-break (confidence descending, then timestamp) and the segment rule are ours;
  no public recording of a NAME or SEGMENTS response exists to check them against.

Every detection must have a ``Timestamp`` and a ``Label`` with a ``Name``: without them it has
no place in either order and no segment to join, so it raises InvalidArgumentError rather than
being dropped or guessed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from operator import attrgetter
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from ._errors import InvalidArgumentError, PartialJobWarning
from ._models import (
    GetLabelDetectionRequestMetadata,
    GetLabelDetectionResponse,
    Label,
    LabelDetection,
    LabelDetectionAggregateBy,
    LabelDetectionSortBy,
)

__all__ = ["aggregate_segments", "reaggregate", "resort", "sort_labels", "warn_if_partial"]

_M = TypeVar("_M", bound=BaseModel)

# Label fields a segment keeps from the label it summarises; Instances are left out, as AWS does.
_SEGMENT_LABEL_FIELDS = frozenset({"parents", "aliases", "categories"})
_SEGMENT_FIELDS = frozenset(
    {
        "timestamp",
        "label",
        "start_timestamp_millis",
        "end_timestamp_millis",
        "duration_millis",
    }
)


_SORT_BY = {member.value: member for member in LabelDetectionSortBy}


def _sort_by(by: object) -> LabelDetectionSortBy:
    if isinstance(by, LabelDetectionSortBy):
        return by
    if isinstance(by, str) and by in _SORT_BY:
        return _SORT_BY[by]
    raise InvalidArgumentError(f"by must be 'TIMESTAMP' or 'NAME', not {by!r}")


def _max_gap(max_gap_ms: object) -> int | None:
    if max_gap_ms is None:
        return None
    if isinstance(max_gap_ms, bool) or not isinstance(max_gap_ms, int):
        raise TypeError(f"max_gap_ms must be an int or None, not {type(max_gap_ms).__name__}")
    if max_gap_ms < 0:
        raise InvalidArgumentError(f"max_gap_ms must be >= 0, not {max_gap_ms}")
    return max_gap_ms


def _is_segment(det: LabelDetection) -> bool:
    """Whether ``det`` is a segment: the one test, used wherever the question is asked."""
    return (
        det.start_timestamp_millis is not None
        or det.end_timestamp_millis is not None
        or det.duration_millis is not None
    )


def _missing(index: int, what: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"labels[{index}] has no {what}: it cannot be sorted or aggregated")


def _not_a_detection(labels: object, *, response_ok: bool = False) -> TypeError:
    wanted = "a GetLabelDetectionResponse or " if response_ok else ""
    return TypeError(
        f"labels must be {wanted}an iterable of LabelDetection models, not "
        f"{type(labels).__name__} (parse boto3 dicts with GetLabelDetectionResponse.from_boto3)"
    )


def _as_list(
    labels: Iterable[LabelDetection] | GetLabelDetectionResponse, *, response_ok: bool = False
) -> list[LabelDetection]:
    """``labels`` as a new list; where ``response_ok``, a response stands for its labels.

    The one place the functions taking labels check what they got (``_analytics`` too). A
    pydantic model is iterable (over its fields), so a response passed where it is not welcome
    would not fail by itself: the error says which function the caller wanted.
    """
    if isinstance(labels, GetLabelDetectionResponse):
        if response_ok:
            return list(labels.labels or [])
        raise TypeError("labels must be a list of LabelDetection; for a response use resort()")
    if isinstance(labels, (str, bytes, dict)):
        raise _not_a_detection(labels, response_ok=response_ok)
    return list(labels)


def _sort_keys(items: list[LabelDetection], by: LabelDetectionSortBy) -> list[Any]:
    keys: list[Any] = []
    append = keys.append
    name_order = by is LabelDetectionSortBy.NAME
    try:
        for i, det in enumerate(items):
            label = det.label
            name = label.name if label is not None else None
            if name is None:
                raise _missing(i, "Label.Name")
            # A segment's place in time is its start; AWS sets Timestamp to the same value.
            start = det.start_timestamp_millis
            t = det.timestamp if start is None else start
            if t is None:
                raise _missing(i, "Timestamp")
            if name_order:
                conf = label.confidence  # type: ignore[union-attr]  # name came from label
                # Missing confidence sorts after every real one within the name.
                append((name, conf is None, -(conf or 0.0), t))
            else:
                append((t, name))
    except AttributeError:
        raise _not_a_detection(items) from None
    return keys


def sort_labels(
    labels: Iterable[LabelDetection], by: Literal["NAME", "TIMESTAMP"] | LabelDetectionSortBy
) -> list[LabelDetection]:
    """A new list of ``labels`` in the order GetLabelDetection's ``SortBy=by`` gives.

    ``by`` is a LabelDetectionSortBy member or its exact AWS string. TIMESTAMP: timestamp
    (a segment's StartTimestampMillis), then name in ordinal order, as AWS orders them. NAME:
    name (ordinal), then confidence descending, then timestamp (our tie-break). Stable, so
    equal keys keep their input order; the input is never changed.
    """
    order = _sort_by(by)
    items = _as_list(labels)
    keys = _sort_keys(items, order)
    ranked = sorted(range(len(items)), key=keys.__getitem__)
    return [items[i] for i in ranked]


def resort(
    response: GetLabelDetectionResponse, by: Literal["NAME", "TIMESTAMP"] | LabelDetectionSortBy
) -> GetLabelDetectionResponse:
    """A copy of ``response`` as if GetLabelDetection had been called with ``SortBy=by``.

    Works on TIMESTAMPS and SEGMENTS responses alike. GetRequestMetadata.SortBy is updated;
    every other field (ResponseMetadata, VideoMetadata, NextToken, unknown fields) is kept.
    One page of a longer job (it has a NextToken) is sorted on its own, with a
    PartialJobWarning: the service would have sorted the whole job before paging it.
    """
    order = _sort_by(by)
    _check_response(response)
    warn_if_partial(response, "resort", "the service sorts the whole job before paging it")
    labels = response.labels
    update: dict[str, Any] = {}
    if labels is not None:
        update["labels"] = sort_labels(labels, order)
    aggregate_by = _aggregate_by(response)
    update["get_request_metadata"] = _metadata(response, order, aggregate_by)
    return response.model_copy(update=update)


def reaggregate(
    response: GetLabelDetectionResponse, *, max_gap_ms: int | None = None
) -> GetLabelDetectionResponse:
    """A copy of a TIMESTAMPS ``response`` as if called with ``AggregateBy=SEGMENTS``.

    Segments come out in the response's own SortBy order (TIMESTAMP when it does not say).
    GetRequestMetadata.AggregateBy becomes SEGMENTS; every other field is kept. One page of a
    longer job (it has a NextToken) is aggregated on its own, with a PartialJobWarning: a
    segment crossing the page edge is cut there, and the grid is only this page's timestamps.
    """
    gap = _max_gap(max_gap_ms)
    _check_response(response)
    if _aggregate_by(response) is LabelDetectionAggregateBy.SEGMENTS:
        raise InvalidArgumentError("response is already aggregated by SEGMENTS")
    metadata = response.get_request_metadata
    sort_by = metadata.sort_by if metadata is not None else None
    if sort_by is None:
        sort_by = LabelDetectionSortBy.TIMESTAMP
    elif not isinstance(sort_by, LabelDetectionSortBy):
        raise InvalidArgumentError(
            f"response's SortBy {sort_by!r} is not one rekolabels knows how to reproduce"
        )
    warn_if_partial(response, "reaggregate", "segments may be cut at the page edge")
    update: dict[str, Any] = {}
    if response.labels is not None:
        segments = aggregate_segments(response.labels, max_gap_ms=gap)
        if sort_by is LabelDetectionSortBy.NAME:
            segments = sort_labels(segments, sort_by)
        update["labels"] = segments
    update["get_request_metadata"] = _metadata(
        response, sort_by, LabelDetectionAggregateBy.SEGMENTS
    )
    return response.model_copy(update=update)


def warn_if_partial(labels: object, function: str, consequence: str) -> None:
    """PartialJobWarning if ``labels`` is one page of a longer job: a response with a NextToken.

    The one rule for every helper whose answer is about the whole job (``resort``,
    ``reaggregate``, ``summarize_labels`` and what is built on them). A list of detections
    carries no NextToken, so a page's labels passed as a list cannot be told from a whole job.
    """
    if isinstance(labels, GetLabelDetectionResponse) and labels.next_token is not None:
        warnings.warn(
            f"{function}() got one page of a longer job (the response has a NextToken): "
            f"{consequence}; pass the whole job (LabelDetectionClient.get_all)",
            PartialJobWarning,
            stacklevel=3,
        )


def _check_response(response: object) -> None:
    if not isinstance(response, GetLabelDetectionResponse):
        raise TypeError(
            f"response must be a GetLabelDetectionResponse, not {type(response).__name__} "
            "(parse a boto3 dict with GetLabelDetectionResponse.from_boto3)"
        )


def _aggregate_by(response: GetLabelDetectionResponse) -> LabelDetectionAggregateBy | str:
    """What the response says it is; responses older than GetRequestMetadata are inferred."""
    metadata = response.get_request_metadata
    if metadata is not None and metadata.aggregate_by is not None:
        return metadata.aggregate_by
    if any(_is_segment(det) for det in response.labels or []):
        return LabelDetectionAggregateBy.SEGMENTS
    return LabelDetectionAggregateBy.TIMESTAMPS


def _metadata(
    response: GetLabelDetectionResponse,
    sort_by: LabelDetectionSortBy,
    aggregate_by: LabelDetectionAggregateBy | str,
) -> GetLabelDetectionRequestMetadata:
    """The response's GetRequestMetadata (unknown fields kept) with SortBy and AggregateBy set."""
    metadata = response.get_request_metadata
    if metadata is None:
        return GetLabelDetectionRequestMetadata.model_construct(
            sort_by=sort_by, aggregate_by=aggregate_by
        )
    return metadata.model_copy(update={"sort_by": sort_by, "aggregate_by": aggregate_by})


def aggregate_segments(
    labels: Iterable[LabelDetection], *, max_gap_ms: int | None = None
) -> list[LabelDetection]:
    """Merge TIMESTAMPS detections into SEGMENTS, in TIMESTAMP order (start, then name).

    The sample grid is the set of distinct timestamps in ``labels``, so pass the whole job and
    filter afterwards. Two consecutive detections of one name at t1 < t2 share a segment when
    no grid timestamp strictly between them lacks the label, or when t2 - t1 <= ``max_gap_ms``.
    A segment starts at its first detection and ends at its last; its confidence is the run's
    maximum; Parents, Aliases and Categories come from the label (unknown fields of the
    detections are not carried over); Instances are left out, as AWS leaves them out with
    SEGMENTS. Segments as input raise InvalidArgumentError.
    """
    gap = _max_gap(max_gap_ms)
    items = _as_list(labels)
    runs = _runs(items, gap)
    if runs is None:  # not in timestamp order: one stable sort by timestamp, then the same pass
        runs = _runs(_by_timestamp(items), gap, items)
        assert runs is not None
    grid, found = runs
    # Grid indexes grow with time, so (start index, name) is TIMESTAMP order for segments.
    found.sort(key=_START_AND_NAME)
    return [_segment(run, grid) for run in found]


class _Run:
    """One name's run of detections, open while the pass goes on."""

    __slots__ = ("best", "end", "first", "name", "start")

    def __init__(self, k: int, confidence: float | None, first: LabelDetection, name: str):
        self.start = k
        """Grid index of its first detection."""
        self.end = k
        """Grid index of its last detection so far."""
        self.best = _NO_CONFIDENCE if confidence is None else confidence
        """Highest confidence so far (``_NO_CONFIDENCE`` if none had one)."""
        self.first = first
        """Its first detection, whose label the segment keeps."""
        self.name = name


_START_AND_NAME = attrgetter("start", "name")
_NO_CONFIDENCE = float("-inf")


def _runs(
    items: list[LabelDetection], gap: int | None, given: list[LabelDetection] | None = None
) -> tuple[list[int], list[_Run]] | None:
    """Every run of every name in one pass over timestamp-ordered detections (None if unordered).

    In timestamp order the grid index of a detection is the number of distinct timestamps seen
    before it, so runs close as the pass goes: no grouping, no second look at any detection.
    ``given`` is the caller's list when ``items`` is it re-ordered: errors name its indexes.
    """
    given = items if given is None else given
    found: list[_Run] = []
    if not items:
        return [], found
    current = items[0].timestamp if isinstance(items[0], LabelDetection) else None
    if current is None:
        return None  # the fallback names the bad item
    grid = [current]
    open_runs: dict[str | None, _Run] = {}
    k = 0
    try:
        for det in items:
            t = det.timestamp
            if t != current:
                if t is None or t < current:
                    return None
                current = t
                grid.append(t)
                k += 1
            # _is_segment(det), inlined: a call per detection costs a third of this loop.
            if (
                det.start_timestamp_millis is not None
                or det.end_timestamp_millis is not None
                or det.duration_millis is not None
            ):
                raise _already_segment(_index(given, det))
            label = det.label
            name = label.name  # type: ignore[union-attr]  # None label: AttributeError below
            conf = label.confidence  # type: ignore[union-attr]
            run = open_runs.get(name)
            if run is None:
                if name is None:
                    raise _missing(_index(given, det), "Label.Name")
                open_runs[name] = _Run(k, conf, det, name)
            elif k - run.end > 1 and (gap is None or t - grid[run.end] > gap):
                found.append(run)
                open_runs[name] = _Run(k, conf, det, run.name)
            else:
                run.end = k
                if conf is not None and conf > run.best:
                    run.best = conf
    except AttributeError:
        raise _bad_item(given) from None
    found.extend(open_runs.values())
    return grid, found


def _by_timestamp(items: list[LabelDetection]) -> list[LabelDetection]:
    try:
        stamps = [det.timestamp for det in items]
    except AttributeError:
        raise _bad_item(items) from None
    if None in stamps:
        raise _missing(stamps.index(None), "Timestamp")
    order = sorted(range(len(items)), key=stamps.__getitem__)  # type: ignore[arg-type]
    return [items[i] for i in order]


def _index(items: list[LabelDetection], det: LabelDetection) -> int:
    return next(i for i, item in enumerate(items) if item is det)


def _already_segment(index: int) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"labels[{index}] is already a segment (it has StartTimestampMillis, EndTimestampMillis "
        "or DurationMillis): aggregate_segments takes TIMESTAMPS detections"
    )


def _bad_item(items: list[LabelDetection]) -> Exception:
    """The error for an item without the attributes of a LabelDetection with a Label."""
    for i, det in enumerate(items):
        if not isinstance(det, LabelDetection):
            return _not_a_detection(det)
        if det.label is None:
            return _missing(i, "Label")
    return _not_a_detection(items)


def _new(cls: type[_M], values: dict[str, Any], fields_set: set[str]) -> _M:
    """What ``cls.model_construct`` builds, for already validated values, at a fraction of its cost.

    model_construct walks every field's aliases and defaults on each call: it would make
    aggregate_segments about a third slower. So this writes the four slots of a pydantic model
    itself; tests/test_transform.py fails if pydantic's models ever hold other state, or if
    anything observable differs from model_construct's result. ``values`` holds every field.
    """
    obj = cls.__new__(cls)
    _set = object.__setattr__
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", fields_set)
    _set(obj, "__pydantic_extra__", {})  # extra="allow": validated models hold a dict
    _set(obj, "__pydantic_private__", None)
    return obj


def _segment(run: _Run, grid: list[int]) -> LabelDetection:
    best, name = run.best, run.name
    label = run.first.label
    assert label is not None  # _runs reached its name
    kept = label.model_fields_set & _SEGMENT_LABEL_FIELDS
    if best != _NO_CONFIDENCE:
        kept.add("confidence")
    seg_label = _new(
        Label,
        {
            "name": name,
            "confidence": None if best == _NO_CONFIDENCE else best,
            "instances": None,
            "parents": label.parents,
            "aliases": label.aliases,
            "categories": label.categories,
        },
        kept | {"name"},
    )
    start = grid[run.start]
    end = grid[run.end]
    return _new(
        LabelDetection,
        {
            "timestamp": start,
            "label": seg_label,
            "start_timestamp_millis": start,
            "end_timestamp_millis": end,
            "duration_millis": end - start,
        },
        set(_SEGMENT_FIELDS),
    )
