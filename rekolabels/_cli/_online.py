"""The commands that call Rekognition: ``get-label-detection`` and ``wait``."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._common import (
    UsageError,
    aws_arguments,
    label_client,
    require_extra,
    show_retries,
    stderr_console,
)

if TYPE_CHECKING:
    from rich.console import Console

    from .._models import GetLabelDetectionResponse
    from .._table import LabelTable

__all__ = [
    "get_arguments",
    "get_label_detection",
    "wait",
    "wait_arguments",
]

_OUTPUTS = ("json", "jsonl", "csv", "table", "parquet")
# Pages are gathered into row groups of about this many rows before they are written: a
# Parquet row group per 1,000-label page would make a million-detection file slow to scan.
_ROW_GROUP_ROWS = 64 * 1024
_SORT = "{NAME,TIMESTAMP}"
_AGGREGATE = "{TIMESTAMPS,SEGMENTS}"


def get_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Read a label detection job's results like `aws rekognition get-label-detection`, "
        "but following every page (unless --no-paginate), typed and retried. "
        "--output parquet --out FILE writes a LabelTable (arrow extra) that the offline "
        "commands read."
    )
    parser.add_argument("--job-id", required=True, metavar="ID", help="the job to read")
    parser.add_argument(
        "--max-results", type=int, metavar="N", help="page size (AWS caps it at 1000)"
    )
    parser.add_argument("--next-token", metavar="T", help="start at this page (from a NextToken)")
    parser.add_argument("--sort-by", metavar=_SORT, help="label order (service default TIMESTAMP)")
    parser.add_argument(
        "--aggregate-by",
        metavar=_AGGREGATE,
        help="a label per sample or time segments (service default TIMESTAMPS)",
    )
    parser.add_argument(
        "--no-paginate", action="store_true", help="print exactly one page, NextToken included"
    )
    parser.add_argument(
        "--output", choices=_OUTPUTS, default="json", help="output format (default: json)"
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="the file --output parquet writes (a LabelTable, read from the response bytes; "
        "arrow extra)",
    )
    aws_arguments(parser)


def get_label_detection(args: argparse.Namespace) -> int:
    from .._output import write_csv, write_jsonl

    if args.output == "table":
        require_extra("cli", "'--output table'")
    out_file = _parquet_target(args)
    lc = label_client(args)
    options: dict[str, Any] = {
        "max_results": args.max_results,
        "next_token": args.next_token,
        "sort_by": args.sort_by,
        "aggregate_by": args.aggregate_by,
    }
    out = sys.stdout
    console = stderr_console()
    if out_file is not None:
        tables = lc.iter_tables(args.job_id, **options)  # validates now, before any request
        with _progress(console, f"job {args.job_id}") as advance:
            _write_parquet(itertools.islice(tables, 1) if args.no_paginate else tables,
                           out_file, whole_job=not args.no_paginate, advance=advance)  # fmt: skip
        return 0
    if args.no_paginate:
        with show_retries(console):
            page = lc.get_page(args.job_id, **options)
        _write_response(page, args.output, out)
        return 0
    pages = lc.iter_pages(args.job_id, **options)  # validates now, before any request
    with _progress(console, f"job {args.job_id}") as advance:
        if args.output in ("jsonl", "csv"):
            # Streamed: each page is written as it arrives, so a huge job needs little memory.
            for number, page in enumerate(pages):
                labels = page.labels or []
                if args.output == "jsonl":
                    write_jsonl(labels, out)
                else:
                    write_csv(labels, out, header=number == 0)
                out.flush()
                advance(len(labels))
            return 0
        read: list[GetLabelDetectionResponse] = []
        for page in pages:
            read.append(page)
            advance(len(page.labels or []))
    from .._client import merge_pages

    _write_response(merge_pages(read), args.output, out)
    return 0


def _parquet_target(args: argparse.Namespace) -> Path | None:
    """The file ``--output parquet`` writes; usage errors before any request."""
    if args.output != "parquet":
        if args.out is not None:
            raise UsageError("--out is for --output parquet; the other outputs go to stdout")
        return None
    if args.out is None:
        raise UsageError("--output parquet needs --out FILE")
    require_extra("arrow", "'--output parquet'")
    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"cannot write {args.out}: it is a directory")
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: no directory {out.parent}")
    return out


def _write_parquet(
    tables: Iterator[LabelTable], out: Path, *, whole_job: bool, advance: Callable[[int], None]
) -> None:
    """Stream pages into one Parquet file, the file ``LabelTable.write_parquet`` writes.

    The job-level fields go into the file's metadata from the first page (without NextToken
    for a whole job, as ``get_table`` merges pages). Written to a temporary file beside ``out``
    and renamed once complete: an error or an interruption leaves no partial file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .._table import JOB_METADATA_KEY, columns, without_next_token

    cols = columns()
    temp = out.with_name(f".{out.name}.{os.getpid()}.part")
    writer = None
    pending: list[Any] = []
    rows = 0
    try:
        for part in tables:
            if writer is None:
                job = without_next_token(part.job) if whole_job else part.job
                metadata = {JOB_METADATA_KEY: cols.job_metadata(job)}
                writer = pq.ParquetWriter(temp, cols.SCHEMA.with_metadata(metadata))
            pending.append(part.arrow)
            rows += len(part)
            advance(len(part))
            del part
            if rows >= _ROW_GROUP_ROWS:
                writer.write_table(pa.concat_tables(pending))
                pending, rows = [], 0
        if writer is not None:
            if pending:
                writer.write_table(pa.concat_tables(pending))
            writer.close()
            writer = None
            os.replace(temp, out)
    finally:
        if writer is not None:
            writer.close()
        temp.unlink(missing_ok=True)


def _write_response(response: GetLabelDetectionResponse, output: str, out: TextIO) -> None:
    from .._output import write_csv, write_json, write_jsonl, write_table

    if output == "json":
        write_json(response, out)
    elif output == "jsonl":
        write_jsonl(response.labels or [], out)
    elif output == "csv":
        write_csv(response.labels or [], out)
    else:
        from rich.console import Console

        # Piped into a file, a table is not squeezed into 80 columns.
        write_table(response, Console(file=out, width=None if out.isatty() else 160))


@contextmanager
def _progress(console: Console | None, what: str) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(labels)``, called once per page; drawn on ``console`` when there is one."""
    if console is None:
        yield lambda _labels: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress, show_retries(console):
        task = progress.add_task(f"Reading {what}…", total=None)
        pages = labels = 0

        def advance(count: int) -> None:
            nonlocal pages, labels
            pages += 1
            labels += count
            progress.update(task, description=f"Reading {what}: {pages} pages, {labels} labels")

        yield advance


def wait_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Poll GetLabelDetection until the job leaves IN_PROGRESS; print the job's status and "
        "video metadata as JSON. Exit 1 if it FAILED or the timeout passed."
    )
    parser.add_argument("--job-id", required=True, metavar="ID", help="the job to wait for")
    parser.add_argument(
        "--timeout", type=float, default=900.0, metavar="S", help="give up after S seconds (900)"
    )
    parser.add_argument(
        "--poll-interval", type=float, default=5.0, metavar="S", help="seconds between polls (5)"
    )
    aws_arguments(parser)


def wait(args: argparse.Namespace) -> int:
    from .._output import response_json

    lc = label_client(args)
    limits = {"timeout_s": args.timeout, "poll_interval_s": args.poll_interval}
    console = stderr_console()
    if console is None:
        done = lc.wait_for_job(args.job_id, **limits)
    else:
        with console.status(f"Waiting for job {args.job_id}…"), show_retries(console):
            done = lc.wait_for_job(args.job_id, **limits)
    status = response_json(done)
    keep = ("JobId", "JobStatus", "VideoMetadata", "LabelModelVersion", "Video", "JobTag")
    json.dump({k: status[k] for k in keep if k in status}, sys.stdout, indent=4)
    sys.stdout.write("\n")
    return 0
