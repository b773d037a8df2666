"""The commands that need no AWS at all: ``fake-server``, ``demo`` and ``botocore-data-path``."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from ._common import (
    PROG,
    CommandFailed,
    UsageError,
    has_extra,
    read_command,
    read_response,
    require_extra,
    stdout_console,
)

__all__ = [
    "MAX_DETECTIONS",
    "botocore_data_path",
    "botocore_data_path_arguments",
    "demo",
    "demo_arguments",
    "fake_server",
    "fake_server_arguments",
]


MAX_DETECTIONS = 5_000_000
"""The most detections one fake-server job may hold (``--synthetic ID=N``, or the labels of a
``--job ID=FILE``): well above the 2M the benchmarks serve, well below what would run an
ordinary machine out of memory first."""


def _job_id(text: str, value_name: str) -> tuple[str, str]:
    from .._client import check_job_id

    job_id, sep, value = text.partition("=")
    try:
        check_job_id(job_id)
    except (TypeError, ValueError):
        job_id = ""
    if not sep or not job_id or not value:
        raise argparse.ArgumentTypeError(
            f"expected ID={value_name} with ID matching [a-zA-Z0-9_-]{{1,64}}, got {text!r}"
        )
    return job_id, value


def _job_file(text: str) -> tuple[str, str]:
    return _job_id(text, "FILE")


def _synthetic(text: str) -> tuple[str, int]:
    job_id, count = _job_id(text, "N")
    if not (count.isascii() and count.isdigit()) or int(count) > MAX_DETECTIONS:
        raise argparse.ArgumentTypeError(
            f"expected ID=N with N from 0 to {MAX_DETECTIONS:,}, got {text[:80]!r}"
        )
    return job_id, int(count)


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a fraction from 0 to 1, got {text!r}")
    return rate


def _tps(text: str) -> float:
    try:
        tps = float(text)
    except ValueError:
        tps = 0.0
    if not (math.isfinite(tps) and tps > 0):
        raise argparse.ArgumentTypeError(f"must be a number of calls per second > 0, got {text!r}")
    return tps


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, got {text!r}")
    return int(text)


def fake_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=_port, default=0, help="TCP port; 0 picks a free one")
    parser.add_argument(
        "--job",
        type=_job_file,
        action="append",
        default=[],
        metavar="ID=FILE",
        help="serve the GetLabelDetection response saved in FILE (at most 2 GiB and "
        f"{MAX_DETECTIONS:,} detections) as job ID (repeatable)",
    )
    parser.add_argument(
        "--synthetic",
        type=_synthetic,
        action="append",
        default=[],
        metavar="ID=N",
        help=f"serve a synthetic job ID with N <= {MAX_DETECTIONS:,} detections (repeatable)",
    )
    parser.add_argument(
        "--throttle-rate",
        type=_rate,
        default=0.0,
        metavar="R",
        help="fraction of requests answered with ThrottlingException",
    )
    parser.add_argument(
        "--tps-quota",
        type=_tps,
        metavar="R",
        help="meter GetLabelDetection like the account quota: R calls per second over all jobs "
        "(burst R); a call finding it spent gets ThrottlingException",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for tokens, faults and data")


def fake_server(args: argparse.Namespace) -> int:
    from .._errors import InvalidArgumentError
    from .._models import VideoJobStatus
    from ..testing import FakeRekognition

    fake = FakeRekognition(seed=args.seed)
    for job_id, path in args.job:
        response = read_response(path)
        if len(response.labels or ()) > MAX_DETECTIONS:
            raise UsageError(
                f"--job {job_id}={path}: {len(response.labels or ()):,} detections; "
                f"fake-server serves at most {MAX_DETECTIONS:,} per job"
            )
        if response.job_status is None:  # JSON Lines: the labels of a job that succeeded
            response = response.model_copy(update={"job_status": VideoJobStatus.SUCCEEDED})
        try:
            fake.add_job(job_id, response)
        except InvalidArgumentError as exc:  # one page of a longer job
            raise UsageError(
                f"--job {job_id}={path}: the file is one page of a longer job (it has a "
                "NextToken), and would be served as the whole job; save every page "
                "(get-label-detection without --no-paginate), or delete its NextToken to serve "
                "that page as a job"
            ) from exc
    for job_id, count in args.synthetic:
        fake.add_synthetic_job(job_id, detections=count, seed=args.seed)
    fake.fault_rate(throttling=args.throttle_rate)
    fake.quota(args.tps_quota)
    stop = threading.Event()
    with fake:
        try:
            url = fake.serve(port=args.port)
        except OSError as exc:
            raise CommandFailed(f"cannot listen on 127.0.0.1:{args.port}: {exc}") from exc
        print(url, flush=True)  # the first stdout line, for scripts
        jobs = [job_id for job_id, _ in [*args.job, *args.synthetic]]
        print(f"{PROG}: serving {url} until interrupted; {_try(url, jobs)}", file=sys.stderr)
        with _stopped_by_signals(stop):
            while not stop.wait(0.5):
                pass
    return 0


def _try(url: str, jobs: list[str]) -> str:
    if not jobs:
        return "it has no job: add some with --job ID=FILE or --synthetic ID=N"
    return f"try: {read_command(url, jobs[0])}"


class _stopped_by_signals:
    """Set ``stop`` on SIGINT/SIGTERM while inside; the previous handlers come back after."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signals reach the main thread only; the caller stops us some other way
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)

    def __exit__(self, *_: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Start a fake Rekognition on 127.0.0.1, start a job with boto3, wait for it, read every "
        "page with throttling injected (retries shown), print the summary and draw "
        "DIR/timeline.png. No AWS account, no network. Needs the cli extra (and plot for the "
        "picture)."
    )
    parser.add_argument(
        "--out", default=".", metavar="DIR", help="where to write timeline.png (default: .)"
    )


def demo(args: argparse.Namespace) -> int:
    require_extra("cli", "'demo'")
    from .._demo import run_demo

    out_dir = Path(args.out)
    try:  # like `mkdir -p`: a new directory for the demo's picture is the common case
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: {exc.strerror or exc}") from exc
    run_demo(stdout_console(), out_dir, draw=has_extra("plot"))
    return 0


def botocore_data_path_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Print the folder of rekolabels' botocore data (paginators for the eight Rekognition "
        "Video Get operations, the label-detection-complete waiter), for AWS_DATA_PATH: "
        "AWS_DATA_PATH=$(rekolabels botocore-data-path) aws rekognition get-label-detection ..."
    )


def botocore_data_path(args: argparse.Namespace) -> int:
    from .._botocore_data import botocore_data_path

    print(botocore_data_path())
    return 0
