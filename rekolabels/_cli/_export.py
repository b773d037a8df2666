"""``rekolabels export``: many jobs into a Hive-partitioned dataset, under the account quota."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import (
    CommandFailed,
    UsageError,
    aws_arguments,
    credentials_explained,
    label_client,
    positive_int,
    require_extra,
    show_retries,
    stderr_console,
)

if TYPE_CHECKING:
    from rich.console import Console

    from .._export import ExportEvent, ExportReport

__all__ = ["export", "export_arguments"]

_Listener = Callable[["ExportEvent", "ExportReport", "float | None"], None]


def _job_id(text: str) -> str:
    from .._client import check_job_id

    try:
        return check_job_id(text)
    except (TypeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _tps(text: str) -> float:
    try:
        tps = float(text)
    except ValueError:
        tps = 0.0
    if not (math.isfinite(tps) and tps > 0):
        raise argparse.ArgumentTypeError(f"must be a number of calls per second > 0, got {text!r}")
    return tps


def export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Export many jobs' labels into DIR/job_id=<JobId>/labels.parquet (or .jsonl), a "
        "Hive-partitioned dataset that DuckDB, Spark, Athena, polars and pyarrow read as is. "
        "Jobs are read --concurrency at a time, every call paced by one token bucket of --tps "
        "calls per second (the account's GetLabelDetection quota). Finished jobs are skipped "
        "when run again, so an interrupted export resumes. Exit 1 if any job failed (listed)."
    )
    jobs = parser.add_mutually_exclusive_group(required=True)
    jobs.add_argument(
        "--job-id",
        type=_job_id,
        action="append",
        metavar="ID",
        dest="job_id",
        help="a job to export (repeatable)",
    )
    jobs.add_argument(
        "--job-ids", metavar="FILE", help="a file of job ids, one per line, or - for stdin"
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="the dataset's folder")
    parser.add_argument(
        "--format",
        choices=("parquet", "jsonl"),
        default="parquet",
        help="labels.parquet (arrow extra; the default) or labels.jsonl (the base install)",
    )
    parser.add_argument(
        "--concurrency", type=positive_int, default=4, metavar="N", help="jobs at once (4)"
    )
    parser.add_argument(
        "--tps",
        type=_tps,
        metavar="R",
        help="GetLabelDetection calls per second for all jobs together: your account's quota "
        "(default: no pacing, back off when throttled)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace jobs exported before with another format or other options",
    )
    parser.add_argument(
        "--sort-by", choices=("NAME", "TIMESTAMP"), help="label order (default TIMESTAMP)"
    )
    parser.add_argument(
        "--aggregate-by",
        choices=("TIMESTAMPS", "SEGMENTS"),
        help="a label per sample or time segments (default TIMESTAMPS)",
    )
    aws_arguments(parser)


def _read_job_ids(source: str) -> list[str]:
    """The ids of a --job-ids file: one per line; blank lines and ``#`` comments skipped."""
    from .._client import check_job_id

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"--job-ids: cannot read {source}: {reason}") from exc
    ids = []
    for number, line in enumerate(text.splitlines(), 1):
        job_id = line.strip()
        if not job_id or job_id.startswith("#"):
            continue
        try:
            ids.append(check_job_id(job_id))
        except ValueError as exc:
            raise UsageError(f"--job-ids {source} line {number}: {exc}") from exc
    if not ids:
        raise UsageError(f"--job-ids: {source} holds no job id")
    return ids


def export(args: argparse.Namespace) -> int:
    from .._export import MismatchError, run_export

    if args.format == "parquet":
        require_extra("arrow", "'--format parquet' (the default)")
    job_ids = args.job_id if args.job_id else _read_job_ids(args.job_ids)
    out = Path(args.out)
    try:  # like `mkdir -p`
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: {exc.strerror or exc}") from exc
    lc = label_client(args, connections=max(10, args.concurrency))  # a connection per worker
    console = stderr_console()
    total = len(dict.fromkeys(job_ids))
    try:
        # Retries on stderr with --verbose only: on a terminal the bar counts the throttles.
        with _progress(console, total) as listener, show_retries(None, verbose=args.verbose):
            report = run_export(
                job_ids,
                out,
                client=lc,
                format=args.format,
                concurrency=args.concurrency,
                tps=args.tps,
                overwrite=args.overwrite,
                sort_by=args.sort_by,
                aggregate_by=args.aggregate_by,
                listener=listener,
            )
    except MismatchError as exc:
        raise UsageError(
            str(MismatchError(exc.jobs, exc.options, hint="--overwrite")).replace(
                "out_dir:", f"--out {args.out}:", 1
            )
        ) from exc
    except KeyboardInterrupt:
        print(
            "rekolabels: interrupted: finished jobs are kept; run the same command again to "
            "export the rest",
            file=sys.stderr,
        )
        raise
    except OSError as exc:
        raise CommandFailed(f"cannot write the dataset in {args.out}: {exc}") from exc
    print(_summary(report, total, args.out))
    _explain_credentials(report)
    if report.failed:
        for job_id, error in report.failed.items():
            print(f"rekolabels: job {job_id} failed: {_one_line(error)}", file=sys.stderr)
        raise CommandFailed(f"{len(report.failed)} of {total} jobs failed (listed above)")
    return 0


def _explain_credentials(report: ExportReport) -> None:
    """Jobs that failed for want of credentials: say how to give some (every job failed so)."""
    from botocore.exceptions import NoCredentialsError

    with credentials_explained():
        for error in report.failed.values():
            if isinstance(error.__cause__, NoCredentialsError):
                raise error


def _one_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


def _summary(report: ExportReport, total: int, out: str) -> str:
    return (
        f"exported {len(report.done)} of {total} jobs ({report.pages:,} pages, "
        f"{report.labels:,} labels) to {out} in {report.seconds:.1f} s; "
        f"{len(report.skipped)} skipped (already exported), {len(report.failed)} failed, "
        f"{report.throttled} throttled calls"
    )


@contextmanager
def _progress(console: Console | None, total: int) -> Iterator[_Listener]:
    """A listener drawing a rich progress bar on ``console``; without one, a line per job."""
    if console is None:
        yield _lines
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.text import Text

    columns = (
        TextColumn("Exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("jobs · {task.fields[pages]:,} pages · {task.fields[labels]:,} labels"),
        TextColumn("· {task.fields[throttled]} throttled · {task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("export", total=total, pages=0, labels=0, throttled=0, rate="")
        pages = labels = 0

        def listener(event: ExportEvent, report: ExportReport, rate: float | None) -> None:
            nonlocal pages, labels
            if event.kind == "page":
                pages += event.pages
                labels += event.labels
            elif event.kind == "restart":
                pages -= event.pages
                labels -= event.labels
                console.print(
                    Text.assemble(("↻ ", "yellow"), f"job {event.job_id}: NextToken rejected, ")
                    + "starting over from its first page"
                )
            elif event.kind == "failed":
                assert event.error is not None
                # Text: an error message is not markup.
                console.print(
                    Text.assemble(("✗ ", "red"), f"job {event.job_id} failed: ")
                    + _one_line(event.error)
                )
            finished = len(report.done) + len(report.skipped) + len(report.failed)
            progress.update(
                task,
                completed=finished,
                pages=pages,
                labels=labels,
                throttled=report.throttled,
                rate="" if rate is None else f"{rate:.1f} calls/s",
            )

        yield listener


def _lines(event: ExportEvent, report: ExportReport, rate: float | None) -> None:
    """Without rich: one line per finished job on stderr."""
    if event.kind == "done":
        print(
            f"rekolabels: done {event.job_id}: {event.labels} labels in {event.pages} pages",
            file=sys.stderr,
            flush=True,
        )
    elif event.kind == "skipped":
        print(f"rekolabels: skipped {event.job_id}: already exported", file=sys.stderr, flush=True)
    elif event.kind == "failed":
        assert event.error is not None
        print(
            f"rekolabels: failed {event.job_id}: {_one_line(event.error)}",
            file=sys.stderr,
            flush=True,
        )
