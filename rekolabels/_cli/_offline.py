"""The commands that read a saved response: ``sort``, ``aggregate``, ``summary``, ``timeline``."""

from __future__ import annotations

import argparse
import sys
import warnings

from ._common import UsageError, file_argument, positive_int, read_response, require_extra

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

_SORT = "{NAME,TIMESTAMP}"


def sort_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Re-sort a saved response's labels as the service would have; GetRequestMetadata.SortBy "
        "follows. Writes response JSON that every offline command reads."
    )
    file_argument(parser)
    parser.add_argument("--by", required=True, metavar=_SORT, help="the new order")


def sort(args: argparse.Namespace) -> int:
    response = read_response(args.file)
    from .._output import write_json
    from .._transform import resort

    write_json(resort(response, args.by), sys.stdout)
    return 0


def aggregate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Join a saved response's per-sample labels into time segments (AggregateBy SEGMENTS), "
        "keeping its SortBy. Aggregate the whole job, then filter. Writes response JSON."
    )
    file_argument(parser)
    parser.add_argument(
        "--max-gap-ms",
        type=int,
        metavar="N",
        help="also join detections at most N ms apart, whatever samples lie between",
    )


def aggregate(args: argparse.Namespace) -> int:
    response = read_response(args.file)
    from .._errors import PartialJobWarning
    from .._output import write_json
    from .._transform import reaggregate

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PartialJobWarning)
        segments = reaggregate(response, max_gap_ms=args.max_gap_ms)
    for warning in caught:
        print(f"rekolabels: warning: {warning.message}", file=sys.stderr)
    write_json(segments, sys.stdout)
    return 0


def summary_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "One row per label, ranked by estimated screen time: first and last seen, segments, "
        "screen time, max confidence. Needs the cli extra."
    )
    file_argument(parser)
    parser.add_argument("--top", type=positive_int, metavar="N", help="show the first N labels")


def summary(args: argparse.Namespace) -> int:
    require_extra("cli", "'summary'")
    response = read_response(args.file)
    from rich.console import Console

    from .._report import print_summary

    print_summary(response, Console(), top=args.top)
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
    from pathlib import Path

    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: no directory {out.parent}")
    response = read_response(args.file)
    from .._report import write_timeline

    try:
        write_timeline(response, out, top=args.top)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print(out)
    return 0
