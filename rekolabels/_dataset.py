"""The export's dataset on disk: one Hive partition per job, each file whole or absent.

Layout (``out_dir/job_id=<JobId>/``), read as is by DuckDB, Spark, Athena/Glue, polars and
pyarrow (Hive partitioning; ``job_id`` is in the path only, never inside the files):

- ``labels.parquet`` (extra ``[arrow]``): LabelTable's schema (docs/tables.md) plus the job's
  own columns ``label_model_version, video_bucket, video_name, video_duration_ms, frame_rate``
  (so a query needs no join), one row group per page. The **record** of the export (the format
  and options it was made with, the pages read) is in the file's key-value metadata under
  ``rekolabels.export``, the job-level fields under ``rekolabels.job`` (as
  ``LabelTable.write_parquet`` puts them).
- ``labels.jsonl``: the CLI's jsonl lines (one LabelDetection per line, AWS names), and beside it
  ``_rekolabels.json``, the record: the format and options, the file's size and label count, and
  the job-level fields (the first page without Labels: VideoMetadata, LabelModelVersion, Video,
  ...). A JSON Lines file has no place for metadata, so the record is a sidecar whose name starts
  with ``_``: Spark, Hive, Athena and pyarrow skip such files in a dataset, and a
  ``*/labels.jsonl`` glob (DuckDB, polars) never matches it.

A file is written to a temporary name that starts with ``_`` (ignored by the same engines), then
renamed into place (a jsonl record last): a job is finished when its Parquet file's footer holds
the record, or when its jsonl record is there and its size matches the file beside it. Anything
less (a crash between the two renames, a file without its record) is unfinished and written
again. A Parquet file that cannot be read here (no pyarrow) counts as finished with unknown
options, so that a jsonl export never replaces it silently.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from ._models import GetLabelDetectionResponse, LabelDetection

if TYPE_CHECKING:
    from ._table import LabelTable

__all__ = [
    "EXPORT_METADATA_KEY",
    "FORMATS",
    "JOB_COLUMNS",
    "RECORD",
    "Finished",
    "JsonlWriter",
    "Options",
    "ParquetWriter",
    "finished",
    "job_dir",
    "job_fields",
    "remove_partials",
]

Format = Literal["parquet", "jsonl"]
FORMATS: tuple[Format, ...] = ("parquet", "jsonl")
FILES: dict[str, str] = {"jsonl": "labels.jsonl", "parquet": "labels.parquet"}
RECORD = "_rekolabels.json"
"""The jsonl record's name (a leading ``_``: engines do not read it as data)."""
EXPORT_METADATA_KEY = b"rekolabels.export"
"""Where a Parquet file of the dataset keeps its record (JSON) in its key-value metadata."""
JOB_COLUMNS = (
    "label_model_version",
    "video_bucket",
    "video_name",
    "video_duration_ms",
    "frame_rate",
)
"""The job-level columns a Parquet file of the dataset has after the table schema's."""
_PARTIAL = ".partial"
# Per-page fields, and JobId: the job id lives in the partition path only (field names).
_NOT_JOB_FIELDS = {"labels", "next_token", "job_id", "response_metadata"}


@dataclass(frozen=True)
class Options:
    """What makes two exports of a job the same: the format and the service's order."""

    format: str
    sort_by: str
    aggregate_by: str

    def describe(self) -> str:
        return f"format={self.format} sort_by={self.sort_by} aggregate_by={self.aggregate_by}"


@dataclass(frozen=True)
class Finished:
    """A job found finished in the dataset, and the options it was exported with."""

    options: Options
    path: Path


def job_dir(out_dir: Path, job_id: str) -> Path:
    """The job's Hive partition: ``out_dir/job_id=<JobId>``."""
    return out_dir / f"job_id={job_id}"


def job_fields(page: GetLabelDetectionResponse) -> dict[str, Any]:
    """The job-level fields of a page (AWS names): everything but the labels, the page's
    NextToken, the JobId (which the path holds) and botocore's ResponseMetadata."""
    fields: dict[str, Any] = page.model_dump(
        by_alias=True, exclude_unset=True, mode="json", exclude=_NOT_JOB_FIELDS
    )
    return fields


def finished(directory: Path) -> list[Finished]:
    """Every finished export in a job's directory (one per format at most; usually one)."""
    found = []
    parquet = directory / FILES["parquet"]
    if parquet.is_file():
        options = _parquet_options(parquet)
        if options is not None:
            found.append(Finished(options, parquet))
    record = _read_record(directory / RECORD)
    if record is not None:
        data = directory / FILES["jsonl"]
        with contextlib.suppress(OSError):
            if data.stat().st_size == record.get("bytes"):
                found.append(Finished(_options(record), data))
    return found


def _parquet_options(path: Path) -> Options | None:
    """The options a finished Parquet file records; None if it is not one of ours (or broken)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return Options("parquet", "?", "?")  # there, but unreadable here: not to be replaced
    try:
        raw = (pq.read_metadata(path).metadata or {}).get(EXPORT_METADATA_KEY)
    except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError
        return None
    if raw is None:
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(record, dict) or not all(
        isinstance(record.get(k), str) for k in ("format", "sort_by", "aggregate_by")
    ):
        return None
    return _options(record)


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not all(
        isinstance(record.get(k), str) for k in ("format", "sort_by", "aggregate_by")
    ):
        return None
    return record


def _options(record: Mapping[str, Any]) -> Options:
    return Options(record["format"], record["sort_by"], record["aggregate_by"])


def _jsonl_lines(labels: Iterable[LabelDetection]) -> Iterable[bytes]:
    to_json = LabelDetection.__pydantic_serializer__.to_json
    for det in labels:
        yield to_json(det, by_alias=True, exclude_unset=True) + b"\n"


def remove_partials(directory: Path) -> None:
    """Delete the temporary files an interrupted or killed run left in a job's directory."""
    with contextlib.suppress(FileNotFoundError):
        for path in directory.iterdir():
            if path.name.startswith("_") and path.name.endswith(_PARTIAL):
                path.unlink(missing_ok=True)


def _partial(path: Path) -> Path:
    return path.with_name(f"_{path.name}{_PARTIAL}")


def _replace_synced(partial: Path, final: Path, file: IO[Any]) -> None:
    file.flush()
    os.fsync(file.fileno())
    file.close()
    os.replace(partial, final)


class JsonlWriter:
    """One job's ``labels.jsonl``, page by page, into a temporary file until ``commit``.

    The lines are the CLI's jsonl lines (``to_boto3()`` of each LabelDetection, compact, UTF-8),
    serialised by pydantic-core straight to bytes: the same JSON, a few times faster than
    ``json.dumps`` of the dict, which matters at a thousand labels a page and dozens of pages a
    second.
    """

    def __init__(self, directory: Path, options: Options) -> None:
        self._dir = directory
        self._options = options
        self._final = directory / FILES["jsonl"]
        self._partial = _partial(self._final)
        directory.mkdir(parents=True, exist_ok=True)
        self._file: IO[bytes] = open(self._partial, "wb")  # noqa: SIM115
        self._job: dict[str, Any] | None = None
        self.labels = 0
        self.pages = 0

    def write_page(self, page: GetLabelDetectionResponse) -> int:
        """Append a page's labels; return how many."""
        if self._job is None:
            self._job = job_fields(page)
        labels: list[LabelDetection] = page.labels or []
        self._file.writelines(_jsonl_lines(labels))
        self.labels += len(labels)
        self.pages += 1
        return len(labels)

    def commit(self) -> None:
        """Put the file, then its record, in place (each whole, by rename); drop the other
        format's file, if an export with other options left one."""
        _replace_synced(self._partial, self._final, self._file)
        record = {
            **asdict(self._options),
            "bytes": self._final.stat().st_size,
            "labels": self.labels,
            "pages": self.pages,
            "job": self._job or {},
        }
        record_partial = _partial(self._dir / RECORD)
        with open(record_partial, "w", encoding="utf-8") as file:
            json.dump(record, file, ensure_ascii=False, indent=1)
            file.write("\n")
            _replace_synced(record_partial, self._dir / RECORD, file)
        (self._dir / FILES["parquet"]).unlink(missing_ok=True)

    def discard(self) -> None:
        """Close and delete the temporary file (interrupted, failed, or to start over); and the
        job's directory if that leaves it empty (a job that was never exported)."""
        self._file.close()
        self._partial.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self._dir.rmdir()


class ParquetWriter:
    """One job's ``labels.parquet``, a row group per page, into a temporary file until ``commit``.

    Pages come as LabelTables (``lc.iter_tables``: one per GetLabelDetection page, read from
    the response bytes, no model built) or typed pages (made into tables). The file's schema
    is the table schema plus ``JOB_COLUMNS``; it is opened at the first page, whose job-level
    fields it keeps, and the record goes into the footer when it is committed. zstd-compressed.
    """

    def __init__(self, directory: Path, options: Options) -> None:
        import pyarrow.parquet as pq

        self._pq = pq
        self._dir = directory
        self._options = options
        self._final = directory / FILES["parquet"]
        self._partial = _partial(self._final)
        directory.mkdir(parents=True, exist_ok=True)
        self._writer: Any = None
        self._job: dict[str, Any] = {}
        self._columns: list[Any] = []
        self.labels = 0
        self.pages = 0

    def write_page(self, page: LabelTable | GetLabelDetectionResponse) -> int:
        """Append a page's rows with the job's columns; return how many.

        The export hands over ``lc.iter_tables``' pages as they are; a typed page (the model
        path) becomes its LabelTable first.
        """
        import pyarrow as pa

        from ._columns import job_metadata
        from ._table import JOB_METADATA_KEY, LabelTable

        if isinstance(page, GetLabelDetectionResponse):
            page = LabelTable.from_labels(page)
        rows = page.arrow
        if self._writer is None:
            job = page.job
            self._columns = _job_columns(job)
            schema = rows.schema
            for name, value in self._columns:
                schema = schema.append(pa.field(name, value.type))
            metadata = {JOB_METADATA_KEY: job_metadata(_without(job, _NOT_JOB_FIELDS))}
            self._writer = self._pq.ParquetWriter(
                self._partial, schema.with_metadata(metadata), compression="zstd"
            )
        count = rows.num_rows
        for name, value in self._columns:
            rows = rows.append_column(name, pa.repeat(value, count))
        self._writer.write_table(rows)
        self.labels += count
        self.pages += 1
        return int(count)

    def commit(self) -> None:
        """Write the record into the footer, close, rename into place; drop a jsonl export of
        the job with other options, if one is there."""
        record = {**asdict(self._options), "labels": self.labels, "pages": self.pages}
        self._writer.add_key_value_metadata({EXPORT_METADATA_KEY: json.dumps(record).encode()})
        self._writer.close()
        with open(self._partial, "rb+") as file:
            os.fsync(file.fileno())
        os.replace(self._partial, self._final)
        (self._dir / RECORD).unlink(missing_ok=True)
        (self._dir / FILES["jsonl"]).unlink(missing_ok=True)

    def discard(self) -> None:
        """Close and delete the temporary file; and the job's directory if left empty."""
        if self._writer is not None:
            with contextlib.suppress(Exception):  # a half-written file goes anyway
                self._writer.close()
        self._partial.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self._dir.rmdir()


def _without(job: GetLabelDetectionResponse, names: set[str]) -> GetLabelDetectionResponse:
    fields = {n: getattr(job, n) for n in job.model_fields_set - names}
    return GetLabelDetectionResponse.model_construct(
        _fields_set=set(fields), **fields, **(job.model_extra or {})
    )


def _job_columns(job: GetLabelDetectionResponse) -> list[tuple[str, Any]]:
    """The job-level columns' values as typed pyarrow scalars (null where the job lacks one)."""
    import pyarrow as pa

    s3 = job.video.s3_object if job.video is not None else None
    meta = job.video_metadata
    values = (
        (pa.string(), job.label_model_version),
        (pa.string(), s3.bucket if s3 is not None else None),
        (pa.string(), s3.name if s3 is not None else None),
        (pa.int64(), meta.duration_millis if meta is not None else None),
        (pa.float64(), meta.frame_rate if meta is not None else None),
    )
    return [
        (name, pa.scalar(value, type=kind))
        for name, (kind, value) in zip(JOB_COLUMNS, values, strict=True)
    ]
