"""The commands that call Rekognition: ``get-label-detection`` and ``wait``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from ._common import (
    aws_arguments,
    label_client,
    require_extra,
    show_retries,
    stderr_console,
)

if TYPE_CHECKING:
    from rich.console import Console

    from .._models import GetLabelDetectionResponse

__all__ = [
    "get_arguments",
    "get_label_detection",
    "wait",
    "wait_arguments",
]

_OUTPUTS = ("json", "jsonl", "csv", "table")
_SORT = "{NAME,TIMESTAMP}"
_AGGREGATE = "{TIMESTAMPS,SEGMENTS}"


def get_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Read a label detection job's results like `aws rekognition get-label-detection`, "
        "but following every page (unless --no-paginate), typed and retried."
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
    aws_arguments(parser)


def get_label_detection(args: argparse.Namespace) -> int:
    from .._output import JsonDocument, write_csv, write_jsonl

    if args.output == "table":
        require_extra("cli", "'--output table'")
    lc = label_client(args)
    options: dict[str, Any] = {
        "max_results": args.max_results,
        "next_token": args.next_token,
        "sort_by": args.sort_by,
        "aggregate_by": args.aggregate_by,
    }
    out = sys.stdout
    console = stderr_console()
    if args.no_paginate:
        with show_retries(console):
            page = lc.get_page(args.job_id, **options)
        _write_response(page, args.output, out)
        return 0
    pages = lc.iter_pages(args.job_id, **options)  # validates now, before any request
    with _progress(console, f"job {args.job_id}") as advance:
        if args.output != "table":
            # Streamed: each page is written as it arrives, so a huge job needs one page of
            # memory; a failure after the first page leaves the output incomplete (exit 1).
            # Pages from the client hold no null (see _output._labels_json).
            document = JsonDocument(out, null_free=True) if args.output == "json" else None
            for number, page in enumerate(pages):
                labels = page.labels or []
                if document is not None:
                    document.add(page)
                elif args.output == "jsonl":
                    write_jsonl(labels, out, null_free=True)
                else:
                    write_csv(labels, out, header=number == 0)
                out.flush()
                advance(len(labels))
                # Hold no page while the next one is fetched and validated: memory stays at
                # one page, and the collector has one page less to scan.
                del page, labels
            if document is not None:
                document.close()
            return 0
        read: list[GetLabelDetectionResponse] = []
        for page in pages:
            read.append(page)
            advance(len(page.labels or []))
    from .._client import merge_pages

    _write_response(merge_pages(read), args.output, out)
    return 0


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
