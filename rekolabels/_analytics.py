"""Answers about a job's labels: its sampling period, per-label screen time, and filters.

Every function takes a list of LabelDetection or a whole GetLabelDetectionResponse. Results are
frozen dataclasses, not pydantic models: they are computed by rekolabels, not read from AWS, so
they need no aliases, validation or round trip.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from ._errors import InvalidArgumentError
from ._models import GetLabelDetectionResponse, Label, LabelDetection
from ._transform import _as_list, _is_segment, aggregate_segments, sort_labels, warn_if_partial

__all__ = ["LabelSummary", "filter_labels", "sampling_period_ms", "summarize_labels"]

_NO_LABEL = Label()


def _timestamps(detections: list[LabelDetection]) -> list[int]:
    """Distinct sample timestamps, ascending; segments have none to offer."""
    stamps: set[int] = set()
    for i, det in enumerate(detections):
        if not isinstance(det, LabelDetection):
            raise TypeError(f"labels[{i}] is a {type(det).__name__}, not a LabelDetection")
        if _is_segment(det):
            raise InvalidArgumentError(
                f"labels[{i}] is a segment: the sampling period needs TIMESTAMPS detections"
            )
        if det.timestamp is None:
            raise InvalidArgumentError(f"labels[{i}] has no Timestamp")
        stamps.add(det.timestamp)
    return sorted(stamps)


def sampling_period_ms(labels: Iterable[LabelDetection] | GetLabelDetectionResponse) -> int | None:
    """The job's sampling period: the most common step between its distinct timestamps.

    Real sampling is frame-aligned and irregular (200 ms; 480/520 ms; 500/501 ms) and skips
    samples, so the mode is used rather than the mean. A tie goes to the shorter step, which
    keeps screen-time estimates on the low side. None when there are fewer than two samples.
    Takes TIMESTAMPS detections (segments raise InvalidArgumentError).
    """
    stamps = _timestamps(_as_list(labels, response_ok=True))
    steps = Counter(b - a for a, b in pairwise(stamps))
    if not steps:
        return None
    return min(steps, key=lambda step: (-steps[step], step))


@dataclass(frozen=True)
class LabelSummary:
    """What one label did over a job; ``summarize_labels`` makes these."""

    __module__ = "rekolabels"  # where users import it from (reprs, pickles)

    name: str
    """Label name, e.g. ``Car``."""
    first_seen_ms: int
    """Timestamp of its first detection (start of its first segment)."""
    last_seen_ms: int
    """Timestamp of its last detection (end of its last segment)."""
    samples: int | None
    """Number of detections (sampled frames it was seen in); None when summarising segments."""
    segments: int
    """Number of segments, as ``aggregate_segments`` forms them."""
    screen_time_ms: int
    """Estimated time on screen: the sum over its segments of DurationMillis + the sampling
    period (each sample stands for one period)."""
    max_confidence: float | None
    """Highest confidence of any detection (None if no detection had one)."""
    mean_confidence: float | None
    """Mean confidence over the detections that had one; None when summarising segments."""
    spans: tuple[tuple[int, int], ...] = ()
    """(start, end) in milliseconds of each of its segments, in time order."""
    categories: tuple[str, ...] = ()
    """Names of the label's categories (model 3.0 and later)."""


def summarize_labels(
    labels: Iterable[LabelDetection] | GetLabelDetectionResponse, *, max_gap_ms: int | None = None
) -> list[LabelSummary]:
    """One LabelSummary per label name, most screen time first (ties by name, ordinal).

    Pass the whole job's TIMESTAMPS detections: the segments and the sampling period come from
    all of them (``aggregate_segments`` with ``max_gap_ms``; ``sampling_period_ms``). With
    fewer than two samples the period is unknown and counts as 0. Segments (a SEGMENTS
    response, or ``aggregate_segments``' output) are summarised as they are: their sampling
    period is unknown, so a segment counts for its DurationMillis alone, and ``samples`` and
    ``mean_confidence`` are None.

    One page of a longer job (a response with a NextToken) is summarised on its own, with a
    PartialJobWarning: screen times and shares would be the page's, not the job's.
    """
    warn_if_partial(labels, "summarize_labels", "the summary covers this page only")
    detections = _as_list(labels, response_ok=True)
    kinds = {_is_segment(det) for det in detections if isinstance(det, LabelDetection)}
    if kinds == {True}:
        if max_gap_ms is not None:
            raise InvalidArgumentError("max_gap_ms: the labels are already segments")
        segments = sort_labels(detections, "TIMESTAMP")
        period = 0
        detections = []
    else:
        segments = aggregate_segments(detections, max_gap_ms=max_gap_ms)
        period = sampling_period_ms(detections) or 0

    samples: Counter[str] = Counter()
    confidence_sum: dict[str, float] = {}
    confidence_count: Counter[str] = Counter()
    for det in detections:
        name: str = det.name  # type: ignore[assignment]  # aggregate_segments checked it
        samples[name] += 1
        if det.confidence is not None:
            confidence_sum[name] = confidence_sum.get(name, 0.0) + det.confidence
            confidence_count[name] += 1

    spans: dict[str, list[tuple[int, int]]] = {}
    best: dict[str, float] = {}
    categories: dict[str, tuple[str, ...]] = {}
    for seg in segments:  # in start order: a name's spans come out in time order
        name = seg.name  # type: ignore[assignment]  # both paths checked it
        start = seg.start_timestamp_millis
        if start is None:
            start = seg.timestamp
        if start is None:
            raise InvalidArgumentError(f"a segment of {name!r} has no StartTimestampMillis")
        end = seg.end_timestamp_millis if seg.end_timestamp_millis is not None else start
        spans.setdefault(name, []).append((start, end))
        if seg.confidence is not None and seg.confidence > best.get(name, -math.inf):
            best[name] = seg.confidence  # a segment's confidence is its run's maximum
        if name not in categories:
            label = seg.label or _NO_LABEL
            categories[name] = tuple(c.name for c in label.categories or () if c.name is not None)

    summaries = [
        LabelSummary(
            name=name,
            first_seen_ms=runs[0][0],
            last_seen_ms=max(end for _, end in runs),
            samples=samples[name] if detections else None,
            segments=len(runs),
            screen_time_ms=sum(end - start + period for start, end in runs),
            max_confidence=best.get(name),
            mean_confidence=(
                confidence_sum[name] / confidence_count[name] if name in confidence_sum else None
            ),
            spans=tuple(runs),
            categories=categories[name],
        )
        for name, runs in spans.items()
    ]
    summaries.sort(key=lambda s: (-s.screen_time_ms, s.name))
    return summaries


def _names(value: str | Iterable[str] | None, parameter: str) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset((value,))
    names = frozenset(value)
    if not all(isinstance(n, str) for n in names):
        raise TypeError(f"{parameter} must be a str or an iterable of str")
    return names


def filter_labels(
    labels: Iterable[LabelDetection] | GetLabelDetectionResponse,
    *,
    min_confidence: float | None = None,
    names: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
    ancestor: str | None = None,
) -> list[LabelDetection]:
    """The detections or segments that pass every given filter, in their input order.

    - ``min_confidence``: the label's confidence is at least this (no confidence: dropped).
    - ``names``: the label's name is one of these (exact, case-sensitive, as AWS spells them).
    - ``categories``: one of the label's Categories is one of these (model 3.0 labels have
      categories; 2.0 labels have none, so they never match).
    - ``ancestor``: the label is this one or has it among its Parents ("every Vehicle").
      Rekognition lists every ancestor in Parents, not only the direct parent.

    Filter after ``aggregate_segments``, not before: filtering first thins the sample grid.
    """
    if min_confidence is not None:
        if isinstance(min_confidence, bool) or not isinstance(min_confidence, (int, float)):
            raise TypeError(f"min_confidence must be a number, not {type(min_confidence).__name__}")
        if math.isnan(min_confidence):
            raise InvalidArgumentError("min_confidence must not be NaN")
    wanted = _names(names, "names")
    wanted_categories = _names(categories, "categories")
    if ancestor is not None and not isinstance(ancestor, str):
        raise TypeError(f"ancestor must be a str, not {type(ancestor).__name__}")

    kept: list[LabelDetection] = []
    for det in _as_list(labels, response_ok=True):
        label = det.label or _NO_LABEL  # no label: passes only when no filter is given
        if min_confidence is not None and (
            label.confidence is None or label.confidence < min_confidence
        ):
            continue
        if wanted is not None and label.name not in wanted:
            continue
        if wanted_categories is not None and not any(
            c.name in wanted_categories for c in label.categories or []
        ):
            continue
        if (
            ancestor is not None
            and label.name != ancestor
            and not any(p.name == ancestor for p in label.parents or [])
        ):
            continue
        kept.append(det)
    return kept
