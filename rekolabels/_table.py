"""LabelTable: a job's labels as one Arrow table, for jobs of millions of detections.

The model path (LabelDetection models) stays the lossless, typed default; a LabelTable holds the
same detections as columns, so a million of them take tens of megabytes instead of gigabytes, and
sort, aggregate and summarize run in pyarrow and numpy with exactly the model path's results.

pyarrow is imported when a table is first built or used, never by ``import rekolabels``; without
it, that first use raises ImportError with the ``pip install 'rekolabels[arrow]'`` hint.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, BinaryIO

from pydantic import ValidationError

from ._errors import InvalidArgumentError, PartialJobWarning
from ._models import (
    GetLabelDetectionResponse,
    LabelDetection,
    LabelDetectionAggregateBy,
    LabelDetectionSortBy,
)
from ._transform import _max_gap, _metadata, _sort_by

if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "JOB_METADATA_KEY",
    "LabelTable",
    "columns",
    "job_only",
    "merge_tables",
    "without_next_token",
]

JOB_METADATA_KEY = b"rekolabels.job"
"""Where ``write_parquet`` stores ``tbl.job`` (as its AWS JSON) in the file's metadata."""
_HINT = "LabelTable needs pyarrow and numpy: pip install 'rekolabels[arrow]'"


def columns() -> ModuleType:
    """The pyarrow side (``_columns``), imported on first use with the install hint if missing."""
    try:
        from . import _columns
    except ImportError as exc:
        raise ImportError(f"{_HINT} ({exc})") from exc
    return _columns


def without_next_token(job: GetLabelDetectionResponse) -> GetLabelDetectionResponse:
    """``job`` without NextToken (not even as an unset field): a whole job's fields."""
    if "next_token" not in job.model_fields_set:
        return job
    fields = {name: getattr(job, name) for name in job.model_fields_set - {"next_token"}}
    return GetLabelDetectionResponse.model_construct(
        _fields_set=set(fields), **fields, **(job.model_extra or {})
    )


def job_only(response: GetLabelDetectionResponse) -> GetLabelDetectionResponse:
    """``response`` without its Labels (not even as an unset field): the job-level fields."""
    if "labels" not in response.model_fields_set:
        return response
    fields = {name: getattr(response, name) for name in response.model_fields_set - {"labels"}}
    return GetLabelDetectionResponse.model_construct(
        _fields_set=set(fields), **fields, **(response.model_extra or {})
    )


class LabelTable:
    """One row per LabelDetection, in a pyarrow.Table of one fixed schema, plus the job's fields.

    Build one with ``LabelTable.from_labels`` (from models), ``LabelTable.read_parquet``, or
    ``LabelTable(arrow, job)`` from a pyarrow.Table of the schema (e.g. ``tbl.arrow`` filtered).
    Immutable: every method returns a new table. The schema is in docs/tables.md; fields
    outside it (unknown members, the model path's extras) are not kept.
    """

    __module__ = "rekolabels"

    __slots__ = ("_arrow", "_job")

    def __init__(self, arrow: Any, job: GetLabelDetectionResponse | None = None) -> None:
        if job is not None and not isinstance(job, GetLabelDetectionResponse):
            raise TypeError(f"job must be a GetLabelDetectionResponse, not {type(job).__name__}")
        self._arrow = columns().check_schema(arrow)
        self._job = GetLabelDetectionResponse() if job is None else job_only(job)

    @classmethod
    def _trusted(cls, arrow: Any, job: GetLabelDetectionResponse) -> LabelTable:
        """A table from a pyarrow.Table already of the schema and a job without Labels."""
        table = cls.__new__(cls)
        table._arrow = arrow
        table._job = job
        return table

    @property
    def arrow(self) -> Any:
        """The rows, a pyarrow.Table of the schema in docs/tables.md."""
        return self._arrow

    @property
    def job(self) -> GetLabelDetectionResponse:
        """The job-level fields (JobStatus, VideoMetadata, JobId...): a response without Labels."""
        return self._job

    def __len__(self) -> int:
        return int(self._arrow.num_rows)

    def __repr__(self) -> str:
        return (
            f"LabelTable(rows={len(self)}, job_id={self._job.job_id!r}, "
            f"job_status={self._job.job_status!s})"
        )

    @classmethod
    def from_labels(
        cls, labels_or_response: Iterable[LabelDetection] | GetLabelDetectionResponse
    ) -> LabelTable:
        """A table of these models: a whole response (its job-level fields become ``job``) or
        any iterable of LabelDetection."""
        if isinstance(labels_or_response, GetLabelDetectionResponse):
            labels: Iterable[LabelDetection] = labels_or_response.labels or []
            job = job_only(labels_or_response)
        elif isinstance(labels_or_response, (str, bytes, dict)):
            raise TypeError(
                "labels_or_response must be a GetLabelDetectionResponse or an iterable of "
                f"LabelDetection, not {type(labels_or_response).__name__} (parse boto3 dicts "
                "with GetLabelDetectionResponse.from_boto3)"
            )
        else:
            labels, job = labels_or_response, GetLabelDetectionResponse()
        return cls._trusted(columns().from_detections(labels), job)

    # -- the model path's operations, columnar --------------------------------------------------

    def sort(self, by: LabelDetectionSortBy | str) -> LabelTable:
        """The rows in ``sort_labels``' order for ``by`` (TIMESTAMP or NAME); stable.

        ``job``'s GetRequestMetadata.SortBy becomes ``by``, as ``resort`` does. A page of a
        longer job (``job`` has a NextToken) is sorted on its own, with a PartialJobWarning.
        """
        order = _sort_by(by)
        indices = columns().sort_indices(self._arrow, order is LabelDetectionSortBy.NAME)
        self._warn_if_partial("sort", "sorts", stacklevel=3)
        job = job_only(_with_metadata(self._job, order, self._aggregated_by()))
        return LabelTable._trusted(self._arrow.take(indices), job)

    def aggregate(self, *, max_gap_ms: int | None = None) -> LabelTable:
        """The segments ``aggregate_segments`` makes of these TIMESTAMPS rows, in TIMESTAMP order.

        Same rule, same segments (see docs/transform.md). ``job``'s GetRequestMetadata becomes
        TIMESTAMP / SEGMENTS. Segments as input raise InvalidArgumentError; a page of a longer
        job is aggregated on its own, with a PartialJobWarning.
        """
        gap = _max_gap(max_gap_ms)
        segments = columns().aggregate(self._arrow, gap)
        self._warn_if_partial("aggregate", "aggregates", stacklevel=3)
        job = _with_metadata(
            self._job, LabelDetectionSortBy.TIMESTAMP, LabelDetectionAggregateBy.SEGMENTS
        )
        return LabelTable._trusted(segments, job_only(job))

    def summarize(self, *, max_gap_ms: int | None = None) -> Any:
        """``summarize_labels`` as a pyarrow.Table: LabelSummary's fields, one row per label.

        Most screen time first, ties by name. ``spans`` is a list of ``{start_ms, end_ms}``
        structs; ``categories`` a list of strings. A page of a longer job is summarised on its
        own, with a PartialJobWarning.
        """
        gap = _max_gap(max_gap_ms)
        summary = columns().summarize(self._arrow, gap)
        self._warn_if_partial("summarize", "summarises", stacklevel=3)
        return summary

    def labels(self) -> list[LabelDetection]:
        """The rows as LabelDetection models, equal to the model path's for the schema's fields.

        Built in one validation (as ``from_boto3`` builds a page): for a million rows this
        costs what the model path costs; stay with the columns when you can.
        """
        return columns().to_detections(self._arrow)  # type: ignore[no-any-return]

    # -- Parquet --------------------------------------------------------------------------------

    def write_parquet(self, path: str | os.PathLike[str]) -> None:
        """Write the rows to a Parquet file, with ``job`` in its key-value metadata."""
        import pyarrow.parquet as pq

        metadata = {JOB_METADATA_KEY: columns().job_metadata(self._job)}
        pq.write_table(self._arrow.replace_schema_metadata(metadata), path)

    @classmethod
    def read_parquet(cls, path: str | os.PathLike[str] | BinaryIO) -> LabelTable:
        """A table written by ``write_parquet`` or ``rekolabels get-label-detection --output
        parquet`` (or any Parquet file of the schema): a path, or a binary file object.

        ``job`` comes back from the file's metadata (an empty response if it has none).
        """
        cols = columns()
        import pyarrow.parquet as pq

        arrow = pq.read_table(path)
        raw = (arrow.schema.metadata or {}).get(JOB_METADATA_KEY)
        job = GetLabelDetectionResponse()
        if raw is not None:
            try:
                job = GetLabelDetectionResponse.model_validate_json(raw)
            except ValidationError as exc:
                raise InvalidArgumentError(
                    f"path: the file's {JOB_METADATA_KEY.decode()} metadata is not a job: {exc}"
                ) from exc
        return cls._trusted(cols.check_schema(arrow), job_only(job))

    # -- internals ------------------------------------------------------------------------------

    def _aggregated_by(self) -> LabelDetectionAggregateBy | str:
        metadata = self._job.get_request_metadata
        if metadata is not None and metadata.aggregate_by is not None:
            return metadata.aggregate_by
        arrow = self._arrow
        for name in ("start_ms", "end_ms", "duration_ms"):
            if arrow.column(name).null_count != arrow.num_rows:
                return LabelDetectionAggregateBy.SEGMENTS
        return LabelDetectionAggregateBy.TIMESTAMPS

    def _warn_if_partial(self, method: str, verb: str, *, stacklevel: int) -> None:
        if self._job.next_token is not None:
            warnings.warn(
                f"LabelTable.{method}() {verb} one page of a longer job (job has a NextToken): "
                "read every page with get_table() first",
                PartialJobWarning,
                stacklevel=stacklevel,
            )


def _with_metadata(
    job: GetLabelDetectionResponse,
    sort_by: LabelDetectionSortBy,
    aggregate_by: LabelDetectionAggregateBy | str,
) -> GetLabelDetectionResponse:
    return job.model_copy(update={"get_request_metadata": _metadata(job, sort_by, aggregate_by)})


def merge_tables(parts: Iterable[LabelTable]) -> LabelTable:
    """Pages of one job as one table, as ``get_all`` merges models: rows concatenated in order,
    every job-level field the first page's, no NextToken. Pages are consumed as they come."""
    first: LabelTable | None = None
    arrows = []
    for part in parts:
        if first is None:
            first = part
        arrows.append(part.arrow)
    if first is None:
        raise InvalidArgumentError("parts: there is no table to merge")
    import pyarrow as pa

    return LabelTable._trusted(pa.concat_tables(arrows), without_next_token(first.job))
