"""The CLI's subcommands: get-label-detection, wait, sort, aggregate, summary, timeline, demo.

Each registers itself with ``_cli.command``. Errors are raised, never printed here: ``_cli.main``
maps a RekolabelsError to exit 1 (InvalidArgumentError to exit 2) and ``UsageError`` to exit 2.
rich and matplotlib are imported only inside the commands that need them (``require_extra``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._cli import UsageError, command, has_extra, read_response, require_extra
from ._models import GetLabelDetectionResponse
from ._output import (
    response_json,
    write_csv,
    write_json,
    write_jsonl,
    write_table,
)

if TYPE_CHECKING:
    from rich.console import Console

    from ._client import LabelDetectionClient

__all__: list[str] = []  # subcommands register themselves with @command

_OUTPUTS = ("json", "jsonl", "csv", "table")
_SORT = "{NAME,TIMESTAMP}"
_AGGREGATE = "{TIMESTAMPS,SEGMENTS}"


# -- shared --------------------------------------------------------------------------------------


def _stderr_console() -> Console | None:
    """A rich console on stderr when stderr is a terminal and rich is installed, else None."""
    if not sys.stderr.isatty() or not has_extra("cli"):
        return None
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def _show_retries(console: Console | None) -> Iterator[None]:
    """While inside, retries appear on ``console`` (if any; ``--debug`` shows them anyway)."""
    if console is None or logging.getLogger("rekolabels").isEnabledFor(logging.DEBUG):
        yield
        return
    from ._console import retries_shown

    with retries_shown(console):
        yield


def _file_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", metavar="FILE", help="a saved GetLabelDetection response (JSON), or - for stdin"
    )


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(text)


def _aws_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("AWS options")
    group.add_argument("--region", metavar="R", help="AWS region (default: your configuration)")
    group.add_argument("--profile", metavar="P", help="named profile from your AWS configuration")
    group.add_argument(
        "--endpoint-url", metavar="URL", help="call this endpoint instead of AWS's (e.g. the fake)"
    )


def _client(args: argparse.Namespace) -> LabelDetectionClient:
    from botocore.exceptions import BotoCoreError

    from ._client import LabelDetectionClient

    try:
        return LabelDetectionClient.from_session(
            region_name=args.region, profile_name=args.profile, endpoint_url=args.endpoint_url
        )
    except (BotoCoreError, ValueError) as exc:  # unknown profile, no region, bad endpoint URL
        raise UsageError(str(exc)) from exc


# -- get-label-detection -------------------------------------------------------------------------


def _get_arguments(parser: argparse.ArgumentParser) -> None:
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
    _aws_arguments(parser)


@command(
    "get-label-detection",
    "read a job's labels, following every page (json, jsonl, csv, table)",
    _get_arguments,
)
def _get_label_detection(args: argparse.Namespace) -> int:
    if args.output == "table":
        require_extra("cli", "'--output table'")
    lc = _client(args)
    options: dict[str, Any] = {
        "max_results": args.max_results,
        "next_token": args.next_token,
        "sort_by": args.sort_by,
        "aggregate_by": args.aggregate_by,
    }
    out = sys.stdout
    console = _stderr_console()
    if args.no_paginate:
        with _show_retries(console):
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
    from ._client import merge_pages

    _write_response(merge_pages(read), args.output, out)
    return 0


def _write_response(response: GetLabelDetectionResponse, output: str, out: TextIO) -> None:
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
    with Progress(*columns, console=console, transient=True) as progress, _show_retries(console):
        task = progress.add_task(f"Reading {what}…", total=None)
        pages = labels = 0

        def advance(count: int) -> None:
            nonlocal pages, labels
            pages += 1
            labels += count
            progress.update(task, description=f"Reading {what}: {pages} pages, {labels} labels")

        yield advance


# -- wait ----------------------------------------------------------------------------------------


def _wait_arguments(parser: argparse.ArgumentParser) -> None:
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
    _aws_arguments(parser)


@command("wait", "wait until a job has SUCCEEDED (exit 1 if it failed or timed out)",
         _wait_arguments)  # fmt: skip
def _wait(args: argparse.Namespace) -> int:
    lc = _client(args)
    limits = {"timeout_s": args.timeout, "poll_interval_s": args.poll_interval}
    console = _stderr_console()
    if console is None:
        done = lc.wait_for_job(args.job_id, **limits)
    else:
        with console.status(f"Waiting for job {args.job_id}…"), _show_retries(console):
            done = lc.wait_for_job(args.job_id, **limits)
    status = response_json(done)
    keep = ("JobId", "JobStatus", "VideoMetadata", "LabelModelVersion", "Video", "JobTag")
    json.dump({k: status[k] for k in keep if k in status}, sys.stdout, indent=4)
    sys.stdout.write("\n")
    return 0


# -- offline: sort, aggregate, summary, timeline -------------------------------------------------


def _sort_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Re-sort a saved response's labels as the service would have; GetRequestMetadata.SortBy "
        "follows. Writes response JSON that every offline command reads."
    )
    _file_argument(parser)
    parser.add_argument("--by", required=True, metavar=_SORT, help="the new order")


@command("sort", "re-sort a saved response (writes response JSON)", _sort_arguments)
def _sort(args: argparse.Namespace) -> int:
    response = read_response(args.file)
    from ._transform import resort

    write_json(resort(response, args.by), sys.stdout)
    return 0


def _aggregate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Join a saved response's per-sample labels into time segments (AggregateBy SEGMENTS), "
        "keeping its SortBy. Aggregate the whole job, then filter. Writes response JSON."
    )
    _file_argument(parser)
    parser.add_argument(
        "--max-gap-ms",
        type=int,
        metavar="N",
        help="also join detections at most N ms apart, whatever samples lie between",
    )


@command(
    "aggregate",
    "turn a saved TIMESTAMPS response into SEGMENTS (writes response JSON)",
    _aggregate_arguments,
)
def _aggregate(args: argparse.Namespace) -> int:
    response = read_response(args.file)
    from ._errors import PartialJobWarning
    from ._transform import reaggregate

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PartialJobWarning)
        segments = reaggregate(response, max_gap_ms=args.max_gap_ms)
    for warning in caught:
        print(f"rekolabels: warning: {warning.message}", file=sys.stderr)
    write_json(segments, sys.stdout)
    return 0


def _summary_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "One row per label, ranked by estimated screen time: first and last seen, segments, "
        "screen time, max confidence. Needs the cli extra."
    )
    _file_argument(parser)
    parser.add_argument("--top", type=_positive_int, metavar="N", help="show the first N labels")


@command("summary", "ranked per-label table of a saved response (cli extra)", _summary_arguments)
def _summary(args: argparse.Namespace) -> int:
    require_extra("cli", "'summary'")
    response = read_response(args.file)
    from rich.console import Console

    from ._report import print_summary

    print_summary(response, Console(), top=args.top)
    return 0


def _timeline_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Draw a saved response as a PNG: one row per label (the top N by estimated screen "
        "time), a bar per segment on the video's time axis. Needs the plot extra."
    )
    _file_argument(parser)
    parser.add_argument("--out", required=True, metavar="PATH.png", help="the PNG to write")
    parser.add_argument(
        "--top", type=_positive_int, default=20, metavar="N", help="labels to draw (default 20)"
    )


@command("timeline", "draw a saved response's labels over time (plot extra)", _timeline_arguments)
def _timeline(args: argparse.Namespace) -> int:
    require_extra("plot", "'timeline'")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: no directory {out.parent}")
    response = read_response(args.file)
    from ._report import write_timeline

    try:
        write_timeline(response, out, top=args.top)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print(out)
    return 0


# -- demo ----------------------------------------------------------------------------------------


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Start a fake Rekognition on 127.0.0.1, start a job with boto3, wait for it, read every "
        "page with throttling injected (retries shown), print the summary and draw "
        "DIR/timeline.png. No AWS account, no network. Needs the cli extra (and plot for the "
        "picture)."
    )
    parser.add_argument(
        "--out", default=".", metavar="DIR", help="where to write timeline.png (default: .)"
    )


@command("demo", "the whole SDK against a fake Rekognition on loopback (cli extra)",
         _demo_arguments)  # fmt: skip
def _demo(args: argparse.Namespace) -> int:
    require_extra("cli", "'demo'")
    from rich.console import Console

    from ._demo import run_demo

    out_dir = Path(args.out)
    try:  # like `mkdir -p`: a new directory for the demo's picture is the common case
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: {exc.strerror or exc}") from exc
    run_demo(Console(), out_dir, draw=has_extra("plot"))
    return 0
