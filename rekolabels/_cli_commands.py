"""The CLI's subcommands: get-label-detection, wait, sort, aggregate, summary, timeline, demo.

Each ``add_*`` function adds one subparser whose ``run`` default takes the parsed arguments and
returns the exit code. Errors are raised, never printed here: ``_cli.main`` maps a
RekolabelsError to exit 1 (InvalidArgumentError to exit 2) and ``UsageError`` to exit 2.
rich and matplotlib are imported only inside the commands that need them (see ``require``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._errors import ResponseValidationError
from ._models import GetLabelDetectionResponse
from ._output import (
    merge_pages,
    response_json,
    write_csv,
    write_json,
    write_jsonl,
    write_table,
)

if TYPE_CHECKING:
    from rich.console import Console

    from ._client import LabelDetectionClient

__all__ = [
    "UsageError",
    "add_aggregate",
    "add_get_label_detection",
    "add_sort",
    "add_wait",
    "require",
]

_EXTRAS = {"cli": "rich", "plot": "matplotlib"}


class UsageError(Exception):
    """A bad flag or value, an unreadable file or a missing extra: exit 2."""


def require(extra: str, what: str) -> None:
    """Fail with the install hint unless ``extra``'s package can be imported."""
    try:
        importlib.import_module(_EXTRAS[extra])
    except ImportError:
        raise UsageError(
            f"{what} needs the {extra} extra: pip install 'rekolabels[{extra}]'"
        ) from None


def _has(extra: str) -> bool:
    try:
        importlib.import_module(_EXTRAS[extra])
    except ImportError:
        return False
    return True


def _stderr_console() -> Console | None:
    """A rich console on stderr when stderr is a terminal and rich is installed, else None."""
    if not sys.stderr.isatty() or not _has("cli"):
        return None
    from rich.console import Console

    return Console(stderr=True)


def read_response(source: str) -> GetLabelDetectionResponse:
    """A saved response (a file, or ``-`` for stdin), as written by boto3 or by this CLI.

    A file we cannot open is a usage error (exit 2); one that is not a GetLabelDetection
    response is a ResponseValidationError (exit 1).
    """
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read {source}: {reason}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ResponseValidationError(f"{source} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ResponseValidationError(f"{source} holds no GetLabelDetection response object")
    return GetLabelDetectionResponse.from_boto3(data)


# -- AWS access ----------------------------------------------------------------------------------


def _add_aws_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("AWS options")
    group.add_argument("--region", metavar="R", help="AWS region (default: your configuration)")
    group.add_argument("--profile", metavar="P", help="named profile from your AWS configuration")
    group.add_argument(
        "--endpoint-url", metavar="URL", help="endpoint to call instead of AWS's (e.g. the fake)"
    )


def _client(args: argparse.Namespace) -> LabelDetectionClient:
    from botocore.exceptions import BotoCoreError, ProfileNotFound

    from ._client import LabelDetectionClient

    try:
        return LabelDetectionClient.from_session(
            region_name=args.region, profile_name=args.profile, endpoint_url=args.endpoint_url
        )
    except ProfileNotFound as exc:
        raise UsageError(str(exc)) from exc
    except (BotoCoreError, ValueError) as exc:
        raise UsageError(f"cannot create the Rekognition client: {exc}") from exc


# -- get-label-detection -------------------------------------------------------------------------

_OUTPUTS = ("json", "jsonl", "csv", "table")


def add_get_label_detection(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "get-label-detection",
        help="read a label detection job's results, following every page",
        description=(
            "Read a label detection job's results like `aws rekognition get-label-detection`, "
            "but following every page (unless --no-paginate), typed, with retries."
        ),
    )
    parser.add_argument("--job-id", required=True, metavar="ID", help="job id to read")
    parser.add_argument(
        "--max-results", type=int, metavar="N", help="page size (AWS caps it at 1000)"
    )
    parser.add_argument("--next-token", metavar="T", help="start from this page's token")
    parser.add_argument(
        "--sort-by", metavar="{NAME,TIMESTAMP}", help="label order (service default TIMESTAMP)"
    )
    parser.add_argument(
        "--aggregate-by",
        metavar="{TIMESTAMPS,SEGMENTS}",
        help="one label per sample, or time segments (service default TIMESTAMPS)",
    )
    parser.add_argument(
        "--no-paginate", action="store_true", help="print exactly one page, NextToken included"
    )
    parser.add_argument(
        "--output", choices=_OUTPUTS, default="json", help="output format (default: json)"
    )
    _add_aws_options(parser)
    parser.set_defaults(run=_get_label_detection)


def _get_label_detection(args: argparse.Namespace) -> int:
    if args.output == "table":
        require("cli", "'--output table'")
    lc = _client(args)
    options: dict[str, Any] = {
        "max_results": args.max_results,
        "next_token": args.next_token,
        "sort_by": args.sort_by,
        "aggregate_by": args.aggregate_by,
    }
    out = sys.stdout
    if args.no_paginate:
        page = lc.get_page(args.job_id, **options)
        _write_response(page, args.output, out)
        return 0
    pages = lc.iter_pages(args.job_id, **options)  # validates now, before any request
    with _progress(f"job {args.job_id}") as advance:
        if args.output in ("jsonl", "csv"):
            # Streamed: each page is written as it arrives, so a huge job needs no memory.
            for number, page in enumerate(pages):
                labels = page.labels or []
                if args.output == "jsonl":
                    write_jsonl(labels, out)
                else:
                    write_csv(labels, out, header=number == 0)
                out.flush()
                advance(len(labels))
            return 0
        merged: list[GetLabelDetectionResponse] = []
        for page in pages:
            merged.append(page)
            advance(len(page.labels or []))
    _write_response(merge_pages(merged), args.output, out)
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

        write_table(response, Console(file=out))


@contextmanager
def _progress(what: str) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(labels)``, called once per page; drawn on stderr only on a terminal."""
    console = _stderr_console()
    if console is None:
        yield lambda _labels: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"Reading {what}…", total=None)
        counts = [0, 0]

        def advance(labels: int) -> None:
            counts[0] += 1
            counts[1] += labels
            progress.update(
                task, description=f"Reading {what}: {counts[0]} pages, {counts[1]} labels"
            )

        yield advance


# -- wait ----------------------------------------------------------------------------------------


def add_wait(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "wait",
        help="wait until a job has SUCCEEDED (exit 1 if it failed or timed out)",
        description="Poll GetLabelDetection until the job leaves IN_PROGRESS.",
    )
    parser.add_argument("--job-id", required=True, metavar="ID", help="job id to wait for")
    parser.add_argument(
        "--timeout", type=float, default=900.0, metavar="S", help="give up after S seconds"
    )
    _add_aws_options(parser)
    parser.set_defaults(run=_wait)


def _wait(args: argparse.Namespace) -> int:
    lc = _client(args)
    console = _stderr_console()
    if console is None:
        done = lc.wait_for_job(args.job_id, timeout_s=args.timeout)
    else:
        with console.status(f"Waiting for job {args.job_id}…"):
            done = lc.wait_for_job(args.job_id, timeout_s=args.timeout)
    status = response_json(done)
    keep = ("JobId", "JobStatus", "VideoMetadata", "LabelModelVersion", "Video", "JobTag")
    json.dump({k: status[k] for k in keep if k in status}, sys.stdout, indent=4)
    sys.stdout.write("\n")
    return 0


# -- offline: sort, aggregate, summary, timeline -------------------------------------------------


def _add_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", metavar="FILE", help="a saved GetLabelDetection response (JSON), or - for stdin"
    )


def add_sort(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sort",
        help="re-sort a saved response (writes response JSON)",
        description="Re-sort a saved response's labels; SortBy in GetRequestMetadata follows.",
    )
    _add_file(parser)
    parser.add_argument("--by", required=True, metavar="{NAME,TIMESTAMP}", help="the new order")
    parser.set_defaults(run=_sort)


def _sort(args: argparse.Namespace) -> int:
    from ._transform import resort

    response = read_response(args.file)
    write_json(resort(response, args.by), sys.stdout)
    return 0


def add_aggregate(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "aggregate",
        help="turn a saved TIMESTAMPS response into SEGMENTS (writes response JSON)",
        description=(
            "Aggregate a saved response's per-sample labels into time segments, with the "
            "rule documented in docs/transform.md. Aggregate the whole job, then filter."
        ),
    )
    _add_file(parser)
    parser.add_argument(
        "--max-gap-ms",
        type=int,
        metavar="N",
        help="also join detections at most N ms apart, whatever samples lie between",
    )
    parser.set_defaults(run=_aggregate)


def _aggregate(args: argparse.Namespace) -> int:
    from ._errors import PartialJobWarning
    from ._transform import reaggregate

    response = read_response(args.file)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PartialJobWarning)
        segments = reaggregate(response, max_gap_ms=args.max_gap_ms)
    for warning in caught:
        print(f"rekolabels: warning: {warning.message}", file=sys.stderr)
    write_json(segments, sys.stdout)
    return 0



def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(text)


def add_summary(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "summary",
        help="ranked per-label table of a saved response (needs the cli extra)",
        description=(
            "One row per label, ranked by estimated screen time: first and last seen, "
            "segments, screen time, max confidence."
        ),
    )
    _add_file(parser)
    parser.add_argument("--top", type=_positive_int, metavar="N", help="show the first N labels")
    parser.set_defaults(run=_summary)


def _summary(args: argparse.Namespace) -> int:
    require("cli", "'summary'")
    from rich.console import Console

    from ._report import print_summary

    print_summary(read_response(args.file), Console(), top=args.top)
    return 0


def add_timeline(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "timeline",
        help="draw a saved response's labels over time to a PNG (needs the plot extra)",
        description=(
            "One row per label (the top N by estimated screen time), a bar per segment on the "
            "video's time axis."
        ),
    )
    _add_file(parser)
    parser.add_argument("--out", required=True, metavar="PATH.png", help="the PNG to write")
    parser.add_argument(
        "--top", type=_positive_int, default=20, metavar="N", help="labels to draw (default 20)"
    )
    parser.set_defaults(run=_timeline)


def _timeline(args: argparse.Namespace) -> int:
    require("plot", "'timeline'")
    from ._report import write_timeline

    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: no directory {out.parent}")
    response = read_response(args.file)
    try:
        write_timeline(response, out, top=args.top)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print(out)
    return 0


def add_demo(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="the whole SDK against a fake Rekognition on loopback (needs the cli extra)",
        description=(
            "Start a fake Rekognition on 127.0.0.1, start a job with boto3, wait, read every "
            "page with throttling injected (retries shown), print the summary and draw "
            "DIR/timeline.png. No AWS account, no network."
        ),
    )
    parser.add_argument(
        "--out", default=".", metavar="DIR", help="where to write timeline.png (default: .)"
    )
    parser.set_defaults(run=_demo)


def _demo(args: argparse.Namespace) -> int:
    require("cli", "'demo'")
    from rich.console import Console

    from ._demo import run_demo

    out_dir = Path(args.out)
    if not out_dir.is_dir():
        raise UsageError(f"--out {args.out}: not a directory")
    run_demo(Console(), out_dir, draw=_has("plot"))
    return 0
