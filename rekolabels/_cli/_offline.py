"""The commands that read a saved response: ``sort``, ``aggregate``, ``summary``, ``timeline``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import (
    UsageError,
    file_argument,
    partial_job_warned,
    positive_int,
    read_response,
    require_extra,
    stdout_console,
)

__all__ = [
    "aggregate",
    "aggregate_arguments",
    "sort",
    "sort_arguments",
    "summary",
    "summary_arguments",
    "timeline",
    "timeline_arguments",
]

_SORT = ("NAME", "TIMESTAMP")
_SUMMARY_OUTPUTS = ("table", "json", "csv")


def _gap(text: str) -> int:
    """argparse type: --max-gap-ms, a whole number of milliseconds >= 0."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number of milliseconds, got {text!r}")
    return int(text)


def sort_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Re-sort a saved response's labels as the service would have; GetRequestMetadata.SortBy "
        "follows. Writes response JSON that every offline command reads."
    )
    file_argument(parser)
    parser.add_argument("--by", required=True, choices=_SORT, help="the new order")


def sort(args: argparse.Namespace) -> int:
    response = read_response(args.file)
    from .._output import write_json
    from .._transform import resort

    with partial_job_warned(args.file, "the new order"):
        resorted = resort(response, args.by)
    write_json(resorted, sys.stdout)
    return 0


def aggregate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Join a saved response's per-sample labels into time segments (AggregateBy SEGMENTS), "
        "keeping its SortBy. Aggregate the whole job, then filter. Writes response JSON."
    )
    file_argument(parser)
    parser.add_argument(
        "--max-gap-ms",
        type=_gap,
        metavar="N",
        help="also join detections at most N ms apart, whatever samples lie between",
    )


def aggregate(args: argparse.Namespace) -> int:
    response = read_response(args.file)
    from .._output import write_json
    from .._transform import reaggregate

    with partial_job_warned(args.file, "each segment"):
        segments = reaggregate(response, max_gap_ms=args.max_gap_ms)
    write_json(segments, sys.stdout)
    return 0


def summary_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "One row per label, ranked by estimated screen time: first and last seen, segments, "
        "screen time, max confidence. A table (needs the cli extra), or every LabelSummary "
        "field as JSON or CSV."
    )
    file_argument(parser)
    parser.add_argument("--top", type=positive_int, metavar="N", help="show the first N labels")
    parser.add_argument(
        "--output",
        choices=_SUMMARY_OUTPUTS,
        default="table",
        help="table (default), or json/csv with every LabelSummary field",
    )


def summary(args: argparse.Namespace) -> int:
    if args.output == "table":
        require_extra("cli", "'summary'")
    response = read_response(args.file)
    from .._analytics import summarize_labels
    from .._report import print_summary, write_summary_csv, write_summary_json

    with partial_job_warned(args.file, "the summary"):
        if args.output == "table":
            print_summary(response, stdout_console(), top=args.top)
            return 0
        stats = summarize_labels(response)[: args.top]
    if args.output == "json":
        write_summary_json(stats, sys.stdout)
    else:
        write_summary_csv(stats, sys.stdout)
    return 0


def timeline_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Draw a saved response as a PNG: one row per label (the top N by estimated screen "
        "time), a bar per segment on the video's time axis. Needs the plot extra."
    )
    file_argument(parser)
    parser.add_argument("--out", required=True, metavar="PATH.png", help="the PNG to write")
    parser.add_argument(
        "--top", type=positive_int, default=20, metavar="N", help="labels to draw (default 20)"
    )


def timeline(args: argparse.Namespace) -> int:
    require_extra("plot", "'timeline'")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: no directory {out.parent}")
    response = read_response(args.file)
    from .._report import write_timeline

    try:
        with partial_job_warned(args.file, "the timeline"):
            write_timeline(response, out, top=args.top)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print(out)
    return 0
