"""The commands that call Rekognition: ``get-label-detection`` and ``wait``."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from ._common import (
    PROG,
    UsageError,
    aws_arguments,
    credentials_explained,
    job_id,
    label_client,
    next_token,
    page_size,
    positive_seconds,
    require_extra,
    seconds,
    show_retries,
    sqs_client,
    stderr_console,
    stdout_console,
)
from ._parquet import parquet_target, write_parquet

if TYPE_CHECKING:
    from rich.console import Console

    from .._models import GetLabelDetectionResponse

__all__ = [
    "get_arguments",
    "get_label_detection",
    "wait",
    "wait_arguments",
]

_OUTPUTS = ("json", "jsonl", "csv", "table", "parquet")
_SORT = ("NAME", "TIMESTAMP")
_AGGREGATE = ("TIMESTAMPS", "SEGMENTS")


def get_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Read a label detection job's results like `aws rekognition get-label-detection`, "
        "but following every page (unless --no-paginate), typed and retried. "
        "--output parquet --out FILE writes a LabelTable (arrow extra) that the offline "
        "commands read."
    )
    parser.add_argument(
        "--job-id", required=True, type=job_id, metavar="ID", help="the job to read"
    )
    parser.add_argument(
        "--max-results", type=page_size, metavar="N", help="page size, 1-1000 (default 1000)"
    )
    parser.add_argument(
        "--next-token",
        type=next_token,
        metavar="T",
        help="start at this page (a NextToken, or what an interrupted run printed)",
    )
    parser.add_argument("--sort-by", choices=_SORT, help="label order (service default TIMESTAMP)")
    parser.add_argument(
        "--aggregate-by",
        choices=_AGGREGATE,
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
    if args.output == "table":
        require_extra("cli", "'--output table'")
    out_file = parquet_target(args)
    lc = label_client(args)
    options: dict[str, Any] = {
        "max_results": args.max_results,
        "next_token": args.next_token,
        "sort_by": args.sort_by,
        "aggregate_by": args.aggregate_by,
    }
    out = sys.stdout
    console = stderr_console()
    with credentials_explained(), show_retries(console, verbose=args.verbose):
        if out_file is not None:
            tables = lc.iter_tables(args.job_id, **options)  # validates now, before any request
            with _progress(console, f"job {args.job_id}") as advance:
                whole_job = not args.no_paginate
                parts = tables if whole_job else itertools.islice(tables, 1)
                write_parquet(parts, out_file, whole_job=whole_job, advance=advance)
            return 0
        if args.no_paginate:
            page = lc.get_page(args.job_id, **options)
            _write_response(page, args.output, out)
            return 0
        pages = lc.iter_pages(args.job_id, **options)  # validates now, before any request
        if args.output != "table":
            _stream(pages, args, console)
            return 0
        read: list[GetLabelDetectionResponse] = []
        with _progress(console, f"job {args.job_id}") as advance:
            for page in pages:
                read.append(page)
                advance(len(page.labels or []))
    from .._client import merge_pages

    _write_response(merge_pages(read), args.output, out)
    return 0


def _stream(
    pages: Iterator[GetLabelDetectionResponse], args: argparse.Namespace, console: Console | None
) -> None:
    """Write each page as it arrives, so a huge job needs one page of memory (json: the head
    with the first page, the tail after the last); a failure after the first page leaves the
    output incomplete. On Ctrl-C, say the ``--next-token`` that continues after the last page
    written whole."""
    from .._output import JsonDocument, write_csv, write_jsonl

    out = sys.stdout
    written = 0
    resume: str | None = args.next_token
    # Pages from the client hold no null (see _output._labels_json).
    document = JsonDocument(out, null_free=True) if args.output == "json" else None
    try:
        with _progress(console, f"job {args.job_id}") as advance:
            for page in pages:
                labels = page.labels or []
                if document is not None:
                    document.add(page)
                elif args.output == "jsonl":
                    write_jsonl(labels, out, null_free=True)
                else:
                    write_csv(labels, out, header=written == 0)
                out.flush()
                written += 1
                resume = page.next_token
                advance(len(labels))
                # Hold no page while the next one is fetched and validated: memory stays at
                # one page, and the collector has one page less to scan.
                del page, labels
            if document is not None:
                document.close()
    except KeyboardInterrupt:
        if resume is None:
            hint = "run the same command again to start over"
        else:
            hint = f"to continue after them, run the same command with --next-token {resume}"
        print(f"{PROG}: interrupted after {written} whole pages; {hint}", file=sys.stderr)
        raise


def _write_response(response: GetLabelDetectionResponse, output: str, out: TextIO) -> None:
    from .._output import write_csv, write_json, write_jsonl, write_table

    if output == "json":
        write_json(response, out)
    elif output == "jsonl":
        write_jsonl(response.labels or [], out)
    elif output == "csv":
        write_csv(response.labels or [], out)
    else:
        # Piped into a file, a table is not squeezed into 80 columns.
        write_table(response, stdout_console(file=out, width=None if out.isatty() else 160))


@contextmanager
def _progress(console: Console | None, what: str) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(labels)``, called once per page; drawn on ``console`` when there is one."""
    if console is None:
        yield lambda _labels: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
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
        "Wait until the job leaves IN_PROGRESS: poll GetLabelDetection, or, with --queue-url, "
        "wait for the job's completion notification on an SQS queue subscribed to its SNS "
        "topic (polling every 60 s as a safety net). Print the job's status and video metadata "
        "as JSON. Exit 1 if it FAILED or the timeout passed. SQS's endpoint comes from your "
        "configuration, e.g. AWS_ENDPOINT_URL_SQS (--endpoint-url is Rekognition's)."
    )
    parser.add_argument(
        "--job-id", required=True, type=job_id, metavar="ID", help="the job to wait for"
    )
    parser.add_argument(
        "--timeout", type=seconds, default=900.0, metavar="S", help="give up after S seconds (900)"
    )
    parser.add_argument(
        "--poll-interval",
        type=positive_seconds,
        metavar="S",
        help="seconds between polls (5; 60 with --queue-url)",
    )
    parser.add_argument(
        "--queue-url",
        metavar="URL",
        help="an SQS queue that receives the job's completion notification (SNS -> SQS)",
    )
    aws_arguments(parser)


def wait(args: argparse.Namespace) -> int:
    from .._output import response_json

    lc = label_client(args)
    limits: dict[str, Any] = {"timeout_s": args.timeout, "poll_interval_s": args.poll_interval}
    if args.queue_url is not None:
        if not args.queue_url:
            raise UsageError("--queue-url must not be empty")
        limits.update(queue_url=args.queue_url, sqs_client=sqs_client(args))
    console = stderr_console()
    with credentials_explained(), show_retries(console, verbose=args.verbose):
        if console is None:
            done = lc.wait_for_job(args.job_id, **limits)
        else:
            with console.status(f"Waiting for job {args.job_id}…"):
                done = lc.wait_for_job(args.job_id, **limits)
    status = response_json(done)
    keep = ("JobId", "JobStatus", "VideoMetadata", "LabelModelVersion", "Video", "JobTag")
    json.dump({k: status[k] for k in keep if k in status}, sys.stdout, indent=4)
    sys.stdout.write("\n")
    return 0
