"""The fake's job store and paging: what GetLabelDetection answers for a job.

A job keeps its labels once, in stored order, and each SortBy/AggregateBy order it is asked for
is computed once (by rekolabels' own transforms, ``_ordered``) and cached. Pages are slices of
that order; NextTokens (``_tokens``) carry the offset.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._errors import InvalidArgumentError
from .._models import LabelDetection, LabelDetectionAggregateBy, LabelDetectionSortBy
from .._transform import aggregate_segments, sort_labels
from ._reply import BadRequest
from ._tokens import Tokens

__all__ = [
    "ID_PATTERN",
    "MAX_PAGE",
    "Job",
    "JobStore",
    "label_page",
    "refuse_a_page",
    "valid_job_id",
]

# JobId and ClientRequestToken share this shape in the service model.
ID_PATTERN = re.compile(r"[a-zA-Z0-9_-]{1,64}")
MAX_PAGE = 1000
_SORT_BY = tuple(m.value for m in LabelDetectionSortBy)
_AGGREGATE_BY = tuple(m.value for m in LabelDetectionAggregateBy)
# Fields that describe the whole request or one page, never copied from a stored job.
_PER_PAGE = ("Labels", "NextToken", "ResponseMetadata", "GetRequestMetadata")


@dataclass
class Job:
    """One stored job: its job-level fields, its labels, and what makes it IN_PROGRESS."""

    response: dict[str, Any]
    labels: list[dict[str, Any]]
    in_progress_polls: int
    ordered: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    ready_at: float = 0.0
    """``time.monotonic()`` before which the job answers IN_PROGRESS."""


class JobStore:
    """The jobs of one fake, by JobId.

    Not locked: ``FakeRekognition`` calls it under its own lock (a job's poll count is
    decided together with the call's fault and request id).
    """

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    def store(
        self, job_id: str, stored: dict[str, Any], in_progress_polls: int, ready_at: float = 0.0
    ) -> None:
        """Keep a response the fake owns (no copy: synthetic jobs can be large)."""
        labels = stored.pop("Labels", None) or []
        base = {k: v for k, v in stored.items() if k not in _PER_PAGE}
        base["JobId"] = job_id  # as AWS: the requested job, whatever id a recording holds
        self._jobs[job_id] = Job(base, labels, in_progress_polls, ready_at=ready_at)

    def get(self, job_id: str) -> Job | None:
        """The job stored as ``job_id``, if any."""
        return self._jobs.get(job_id)

    def poll(self, params: Mapping[str, Any]) -> tuple[Job | None, bool]:
        """The job a GetLabelDetection request names (None if none) and whether this call
        finds it IN_PROGRESS; counts the call against the job's IN_PROGRESS polls."""
        job = self._jobs.get(params["JobId"]) if valid_job_id(params) else None
        if job is not None and (job.in_progress_polls > 0 or time.monotonic() < job.ready_at):
            job.in_progress_polls = max(job.in_progress_polls - 1, 0)
            return job, True
        return job, False


def valid_job_id(params: Mapping[str, Any]) -> bool:
    """Whether the request's JobId has the service model's shape."""
    job_id = params.get("JobId")
    return isinstance(job_id, str) and ID_PATTERN.fullmatch(job_id) is not None


def label_page(
    params: dict[str, Any], job: Job | None, in_progress: bool, tokens: Tokens
) -> dict[str, Any]:
    """The GetLabelDetection response for ``params`` (BadRequest for what AWS rejects)."""
    if not valid_job_id(params):
        raise BadRequest("InvalidParameterException", "JobId must match [a-zA-Z0-9_-]{1,64}.")
    max_results = params.get("MaxResults", MAX_PAGE)
    if isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1:
        raise BadRequest("InvalidParameterException", "MaxResults must be at least 1.")
    sort_by = params.get("SortBy", LabelDetectionSortBy.TIMESTAMP.value)
    aggregate_by = params.get("AggregateBy", LabelDetectionAggregateBy.TIMESTAMPS.value)
    if sort_by not in _SORT_BY or aggregate_by not in _AGGREGATE_BY:
        raise BadRequest("InvalidParameterException", "Invalid SortBy or AggregateBy.")
    token = params.get("NextToken")
    if token is not None and (not isinstance(token, str) or len(token) > 255):
        raise BadRequest("InvalidParameterException", "NextToken is at most 255 characters.")
    if job is None:
        raise BadRequest("ResourceNotFoundException", "The job does not exist.")
    job_id: str = params["JobId"]
    metadata = {"SortBy": sort_by, "AggregateBy": aggregate_by}
    status = "IN_PROGRESS" if in_progress else job.response.get("JobStatus", "SUCCEEDED")
    if status != "SUCCEEDED":
        page = {k: v for k, v in job.response.items() if k not in ("VideoMetadata", "JobStatus")}
        if status != "FAILED":
            page.pop("StatusMessage", None)
        return {"JobStatus": status, **page, "Labels": [], "GetRequestMetadata": metadata}
    offset = 0 if token is None else tokens.read(token, job_id, sort_by, aggregate_by)
    labels = ordered_labels(job, sort_by, aggregate_by)
    end = offset + min(max_results, MAX_PAGE)
    page = dict(job.response)
    page["Labels"] = labels[offset:end]
    if end < len(labels):
        page["NextToken"] = tokens.make(job_id, end, sort_by, aggregate_by)
    page["GetRequestMetadata"] = metadata
    return page


def refuse_a_page(response: Mapping[str, Any]) -> None:
    """InvalidArgumentError for one page of a longer job: served as a whole job, its labels
    would pass for all of them (``add_job``, ``configure_start``, ``fake-server --job``)."""
    if response.get("NextToken") is not None:
        raise InvalidArgumentError(
            "response is one page of a longer job (it has a NextToken): served as a whole job, "
            "its labels would pass for all of them. Give every page merged "
            "(LabelDetectionClient.get_all), or drop NextToken to serve this page as a job"
        )


def ordered_labels(job: Job, sort_by: str, aggregate_by: str) -> list[dict[str, Any]]:
    """The job's labels as the request's SortBy/AggregateBy would order them.

    The one place where the transforms plug in: ``sort_labels`` and ``aggregate_segments``
    from ``rekolabels._transform``, so the fake answers exactly as DESIGN.md's rules say.
    A job stored as TIMESTAMPS can be served either way; one stored as SEGMENTS only as
    segments (re-sorted). Labels the transforms cannot place (no Timestamp or Name, wrong
    types) are served in stored order. Computed once per order and cached.
    """
    key = (sort_by, aggregate_by)
    cached = job.ordered.get(key)
    if cached is None:
        cached = _ordered(job.labels, sort_by, aggregate_by)
        job.ordered[key] = cached  # a race computes the same list twice, harmlessly
    return cached


def _ordered(labels: list[dict[str, Any]], sort_by: str, aggregate_by: str) -> list[dict[str, Any]]:
    stored_segments = any("StartTimestampMillis" in d for d in labels)
    if (sort_by, aggregate_by) == ("TIMESTAMP", "TIMESTAMPS") and _in_timestamp_order(labels):
        return labels  # AWS's own order already, as every recording is: nothing to parse
    try:
        order = LabelDetectionSortBy(sort_by)
        models = [LabelDetection.model_validate(d) for d in labels]
        if aggregate_by == "SEGMENTS" and not stored_segments:
            return [d.to_boto3() for d in sort_labels(aggregate_segments(models), order)]
        # Sorting only: serve the very dicts stored, in the new order.
        stored = {id(model): d for model, d in zip(models, labels, strict=True)}
        return [stored[id(model)] for model in sort_labels(models, order)]
    except (ValueError, TypeError):  # ValidationError and InvalidArgumentError included
        return labels


def _in_timestamp_order(labels: list[dict[str, Any]]) -> bool:
    # str order is code point order: UTF-8 byte order, and it holds for a lone surrogate too,
    # which has no UTF-8 (encoding names to compare them raised UnicodeEncodeError).
    try:
        keys = [(d["Timestamp"], d["Label"]["Name"]) for d in labels]
        return all(a <= b for a, b in itertools.pairwise(keys))
    except (KeyError, TypeError, AttributeError):  # missing or mixed types: not AWS's order
        return False
