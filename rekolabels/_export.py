"""Export many jobs to a Hive-partitioned dataset, under the account's GetLabelDetection quota.

Pages of one job are a NextToken chain, so speed comes from many jobs at once: ``concurrency``
worker threads each take the next job and stream its pages, one at a time, into the job's
temporary file (memory is bounded by the pages in flight, not by jobs or labels). The quota is
per account, so every call of every worker, retries included, first takes a token from one
``TokenBucket`` (``tps``; see ``_bucket`` for its arithmetic). The bucket only says *when* a call
may go: the client's RetryPolicy still decides *whether* to retry (one retry owner), and each
throttled attempt is counted and slows the bucket down. With ``tps=None`` nothing paces the
calls: throttling is met by the retry policy's backoff alone.

The main thread only waits for the workers' events and keeps the report (and draws the CLI's
progress), so Ctrl-C (KeyboardInterrupt, raised there by SIGINT) stops the export cleanly: no
new call starts, calls in flight finish, every worker deletes its temporary file, and the
KeyboardInterrupt is raised again once they are done. What was finished stays finished: the
next run skips it and resumes with the rest. The files and the records of finished jobs are
``_dataset``'s.
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from ._bucket import TokenBucket
from ._client import Clock, LabelDetectionClient, _enum_value, check_job_id
from ._dataset import (
    FORMATS,
    JsonlWriter,
    Options,
    ParquetWriter,
    finished,
    job_dir,
    remove_partials,
)
from ._errors import InvalidArgumentError, InvalidPaginationTokenError, RekolabelsError
from ._models import LabelDetectionAggregateBy, LabelDetectionSortBy
from ._table import columns

__all__ = [
    "MAX_RESTARTS",
    "ExportEvent",
    "ExportReport",
    "Listener",
    "MismatchError",
    "export_jobs",
    "run_export",
]

MAX_RESTARTS = 3
"""How often a job whose NextToken the service rejects starts over from its first page."""
_SORT_BY = frozenset(m.value for m in LabelDetectionSortBy)
_AGGREGATE_BY = frozenset(m.value for m in LabelDetectionAggregateBy)
# How long a waiting worker sleeps at most before looking whether the export is stopping, and
# how often the main thread wakes to redraw progress when nothing happens.
_SLICE_S = 0.1
_TICK_S = 0.25
# boto3's pool keeps 10 connections; more workers than that would open and drop connections.
_POOL = 10


@dataclass
class ExportReport:
    """What ``export_jobs`` did: which jobs, how many labels and pages, how long."""

    __module__ = "rekolabels"  # where users import it from (reprs, pickles)

    done: list[str] = field(default_factory=list)
    """Jobs exported by this run, in the order they were given."""
    skipped: list[str] = field(default_factory=list)
    """Jobs already in the dataset with the same format and options: nothing was read."""
    failed: dict[str, RekolabelsError] = field(default_factory=dict)
    """Jobs that could not be exported (not found, FAILED, access denied, ...), with why."""
    labels: int = 0
    """Labels (rows) in the files this run wrote."""
    pages: int = 0
    """GetLabelDetection pages in the files this run wrote."""
    throttled: int = 0
    """Calls the service throttled (each was retried)."""
    seconds: float = 0.0
    """Wall time of the run."""


@dataclass(frozen=True)
class ExportEvent:
    """What a worker tells the main thread (and ``run_export``'s listener)."""

    kind: str
    """``page``, ``restart`` (a rejected NextToken: ``labels``/``pages`` read so far are
    dropped), ``done``, ``skipped``, ``failed`` or ``tick`` (time passed, nothing happened)."""
    job_id: str = ""
    labels: int = 0
    pages: int = 0
    error: RekolabelsError | None = None


Listener = Callable[[ExportEvent, ExportReport, "float | None"], None]
"""Called in the calling thread for each event, with the report so far and the current rate."""


def export_jobs(
    job_ids: Iterable[str],
    out_dir: str | os.PathLike[str],
    *,
    client: LabelDetectionClient | None = None,
    format: Literal["parquet", "jsonl"] = "parquet",
    concurrency: int = 4,
    tps: float | None = None,
    overwrite: bool = False,
    sort_by: Literal["NAME", "TIMESTAMP"] | LabelDetectionSortBy | None = None,
    aggregate_by: Literal["TIMESTAMPS", "SEGMENTS"] | LabelDetectionAggregateBy | None = None,
) -> ExportReport:
    """Export every job's labels to ``out_dir/job_id=<JobId>/labels.<format>``.

    Jobs are read ``concurrency`` at a time; with ``tps`` (the account's GetLabelDetection
    quota, calls per second) every call takes a token from one bucket shared by all of them,
    whose rate halves on throttling and climbs back. A job already exported with the same format
    and options is skipped; one exported with others is an InvalidArgumentError (before any
    request) unless ``overwrite``. A job that fails is reported in ``failed`` and the others go
    on. On KeyboardInterrupt, calls in flight finish, temporary files are deleted and the
    KeyboardInterrupt is raised again: run the same export again to resume.

    Args:
        job_ids: the jobs (repeats are exported once).
        out_dir: the dataset's folder, created if needed.
        client: the LabelDetectionClient to read with (its retry policy and clock); default:
            one from the environment.
        format: ``"parquet"`` (extra ``[arrow]``: LabelTable's schema plus the job's columns)
            or ``"jsonl"`` (the CLI's jsonl lines, with a ``_rekolabels.json`` record).
        concurrency: jobs read at once (worker threads).
        tps: calls per second for all workers together; None: no pacing, backoff only.
        overwrite: replace jobs exported with another format or other options.
        sort_by: the service's label order, as for ``iter_pages``.
        aggregate_by: the service's aggregation, as for ``iter_pages``.
    """
    return run_export(
        job_ids,
        out_dir,
        client=client,
        format=format,
        concurrency=concurrency,
        tps=tps,
        overwrite=overwrite,
        sort_by=sort_by,
        aggregate_by=aggregate_by,
    )


def run_export(
    job_ids: Iterable[str],
    out_dir: str | os.PathLike[str],
    *,
    client: LabelDetectionClient | None = None,
    format: Literal["parquet", "jsonl"] = "parquet",
    concurrency: int = 4,
    tps: float | None = None,
    overwrite: bool = False,
    sort_by: Literal["NAME", "TIMESTAMP"] | LabelDetectionSortBy | None = None,
    aggregate_by: Literal["TIMESTAMPS", "SEGMENTS"] | LabelDetectionAggregateBy | None = None,
    listener: Listener | None = None,
) -> ExportReport:
    """``export_jobs`` with a ``listener`` for progress (the CLI's)."""
    ids = _job_ids(job_ids)
    out = _out_dir(out_dir)
    options = Options(
        _format(format),
        _enum_value("sort_by", sort_by, _SORT_BY) if sort_by is not None else "TIMESTAMP",
        (
            _enum_value("aggregate_by", aggregate_by, _AGGREGATE_BY)
            if aggregate_by is not None
            else "TIMESTAMPS"
        ),
    )
    if isinstance(concurrency, bool) or not isinstance(concurrency, int):
        raise TypeError(f"concurrency must be an int, not {type(concurrency).__name__}")
    if concurrency < 1:
        raise InvalidArgumentError(f"concurrency must be >= 1, got {concurrency}")
    if tps is not None:
        if isinstance(tps, bool) or not isinstance(tps, (int, float)):
            raise TypeError(f"tps must be a number of calls per second, not {type(tps).__name__}")
        if not (math.isfinite(tps) and tps > 0):
            raise InvalidArgumentError(f"tps must be finite and > 0, got {tps}")
    if client is not None and not isinstance(client, LabelDetectionClient):
        raise TypeError(f"client must be a LabelDetectionClient, not {type(client).__name__}")
    if not isinstance(overwrite, bool):
        raise TypeError(f"overwrite must be a bool, not {type(overwrite).__name__}")
    if options.format == "parquet":
        columns()  # pyarrow and numpy, or ImportError with the install hint: before any request

    todo, skipped = _plan(ids, out, options, overwrite)
    lc = client if client is not None else _default_client(concurrency)
    return _Run(lc, out, options, concurrency, tps, listener).run(todo, skipped)


def _job_ids(job_ids: Iterable[str]) -> list[str]:
    if isinstance(job_ids, (str, bytes)):
        raise TypeError("job_ids must be an iterable of job ids, not a single str")
    unique: dict[str, None] = {}
    for job_id in job_ids:
        unique[check_job_id(job_id)] = None
    return list(unique)


def _out_dir(out_dir: str | os.PathLike[str]) -> Path:
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(f"out_dir must be a path, not {type(out_dir).__name__}")
    path = Path(out_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidArgumentError(f"out_dir: cannot create {path}: {exc.strerror or exc}") from exc
    return path


def _format(format: object) -> str:
    if not isinstance(format, str):
        raise TypeError(f"format must be a str, not {type(format).__name__}")
    if format not in FORMATS:
        raise InvalidArgumentError(f"format must be one of {list(FORMATS)}, got {format!r}")
    return format


def _plan(
    ids: list[str], out: Path, options: Options, overwrite: bool
) -> tuple[list[str], list[str]]:
    """Which jobs to read and which are finished already; a mismatch raises (unless
    ``overwrite``). Leftover temporary files of the jobs are deleted."""
    todo: list[str] = []
    skipped: list[str] = []
    mismatched: list[str] = []
    for job_id in ids:
        directory = job_dir(out, job_id)
        remove_partials(directory)
        found = finished(directory)
        if any(f.options == options for f in found):
            skipped.append(job_id)
            continue
        if found and not overwrite:
            mismatched.append(f"{job_id} ({found[0].options.describe()})")
        todo.append(job_id)
    if mismatched:
        raise MismatchError(mismatched, options)
    return todo, skipped


class MismatchError(InvalidArgumentError):
    """Jobs in the dataset were exported with other options (raised before any request)."""

    def __init__(self, jobs: list[str], options: Options, *, hint: str = "overwrite=True") -> None:
        self.jobs = jobs
        self.options = options
        more = f" and {len(jobs) - 3} more" if len(jobs) > 3 else ""
        super().__init__(
            f"out_dir: {len(jobs)} job(s) were exported with other options than "
            f"{options.describe()}: {', '.join(jobs[:3])}{more}; pass {hint} to replace them"
        )


def _default_client(concurrency: int) -> LabelDetectionClient:
    from botocore.config import Config

    # One connection per worker; botocore's retries stay off (from_session's default).
    return LabelDetectionClient.from_session(
        config=Config(max_pool_connections=max(_POOL, concurrency))
    )


class _Stopped(Exception):
    """The export is stopping: a worker leaves its job (the temporary file is deleted)."""


class _Pacer:
    """Every call's token (``acquire``), throttle counting, and backoff that ends on stop."""

    def __init__(self, bucket: TokenBucket | None, clock: Clock, stop: threading.Event):
        self._bucket = bucket
        self._clock = clock
        self._stop = stop
        self._lock = threading.Lock()
        self.throttles = 0

    @property
    def rate(self) -> float | None:
        return None if self._bucket is None else self._bucket.rate

    def acquire(self) -> None:
        if self._stop.is_set():
            raise _Stopped
        if self._bucket is None:
            return
        if not self._wait_until(self._bucket.take()):
            self._bucket.give_back()
            raise _Stopped

    def throttled(self) -> None:
        with self._lock:
            self.throttles += 1
        if self._bucket is not None:
            self._bucket.throttled()

    def sleep(self, seconds: float) -> None:
        # Ends early on stop; the next attempt's acquire() then raises _Stopped.
        self._wait_until(self._clock.monotonic() + seconds)

    def _wait_until(self, at: float) -> bool:
        """Sleep until ``at`` on the clock; False if the export stops first."""
        while True:
            remaining = at - self._clock.monotonic()
            if remaining <= 0:
                return True
            if self._stop.is_set():
                return False
            self._clock.sleep(min(remaining, _SLICE_S))


class _PageWriter(Protocol):
    """What ``_export`` needs of JsonlWriter (typed pages) and ParquetWriter (LabelTables)."""

    labels: int
    pages: int

    def write_page(self, page: Any) -> int: ...
    def commit(self) -> None: ...
    def discard(self) -> None: ...


class _Run:
    """One export: the workers, their queue of jobs, and the main thread's loop."""

    def __init__(
        self,
        client: LabelDetectionClient,
        out: Path,
        options: Options,
        concurrency: int,
        tps: float | None,
        listener: Listener | None,
    ) -> None:
        self._out = out
        self._options = options
        self._concurrency = concurrency
        self._listener = listener
        self._stop = threading.Event()
        clock = client._clock
        bucket = TokenBucket(tps, clock=clock) if tps is not None else None
        self._pacer = _Pacer(bucket, clock, self._stop)
        self._client = client._paced(self._pacer)
        self._jobs: deque[str] = deque()
        self._events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._report = ExportReport()

    def run(self, todo: list[str], skipped: list[str]) -> ExportReport:
        start = time.perf_counter()
        report = self._report
        for job_id in skipped:
            report.skipped.append(job_id)
            self._tell(ExportEvent("skipped", job_id))
        self._jobs.extend(todo)
        workers = [
            threading.Thread(target=self._work, name=f"rekolabels-export-{n}")
            for n in range(min(self._concurrency, len(todo)))
        ]
        for worker in workers:
            worker.start()
        fatal: BaseException | None = None
        try:
            fatal = self._loop(len(workers))
        except BaseException:
            # Ctrl-C (or a listener's error) in this thread: stop the workers, let them clean.
            self._stop.set()
            raise
        finally:
            for worker in workers:
                worker.join()
            report.throttled = self._pacer.throttles
            report.seconds = time.perf_counter() - start
        if fatal is not None:
            raise fatal
        order = {job_id: n for n, job_id in enumerate(todo)}
        report.done.sort(key=order.__getitem__)
        report.failed = dict(sorted(report.failed.items(), key=lambda kv: order[kv[0]]))
        return report

    def _loop(self, running: int) -> BaseException | None:
        """Handle the workers' events until every worker has left; the first fatal error."""
        report = self._report
        fatal: BaseException | None = None
        while running:
            try:
                kind, payload = self._events.get(timeout=_TICK_S)
            except queue.Empty:
                self._tell(ExportEvent("tick"))
                continue
            if kind == "exit":
                running -= 1
            elif kind == "fatal":
                if fatal is None:
                    fatal = payload
                self._stop.set()
            else:
                event: ExportEvent = payload
                if kind == "done":
                    report.done.append(event.job_id)
                    report.labels += event.labels
                    report.pages += event.pages
                elif kind == "failed":
                    assert event.error is not None
                    report.failed[event.job_id] = event.error
                self._tell(event)
        return fatal

    def _tell(self, event: ExportEvent) -> None:
        self._report.throttled = self._pacer.throttles
        if self._listener is not None:
            self._listener(event, self._report, self._pacer.rate)

    def _next_job(self) -> str | None:
        if self._stop.is_set():
            return None
        try:
            return self._jobs.popleft()
        except IndexError:
            return None

    def _work(self) -> None:
        put = self._events.put
        try:
            while (job_id := self._next_job()) is not None:
                try:
                    labels, pages = self._export(job_id)
                except _Stopped:
                    break
                except RekolabelsError as exc:
                    put(("failed", ExportEvent("failed", job_id, error=exc)))
                else:
                    put(("done", ExportEvent("done", job_id, labels, pages)))
        except BaseException as exc:
            # A bug, a full disk, or a KeyboardInterrupt raised in this thread: stop them all.
            put(("fatal", exc))
        finally:
            put(("exit", None))

    def _open(self, job_id: str, directory: Path) -> tuple[_PageWriter, Iterator[object]]:
        """A writer for the job's file and the pages it takes: typed pages into JSON Lines, or
        LabelTables read straight from the response bytes (no model built) into Parquet."""
        options = self._options
        sort_by = LabelDetectionSortBy(options.sort_by)
        aggregate_by = LabelDetectionAggregateBy(options.aggregate_by)
        if options.format == "jsonl":
            pages = self._client.iter_pages(job_id, sort_by=sort_by, aggregate_by=aggregate_by)
            return JsonlWriter(directory, options), pages
        tables = self._client.iter_tables(job_id, sort_by=sort_by, aggregate_by=aggregate_by)
        return ParquetWriter(directory, options), tables

    def _export(self, job_id: str) -> tuple[int, int]:
        """Read every page of the job into its file; start over on a rejected NextToken."""
        directory = job_dir(self._out, job_id)
        restarts = 0
        while True:
            writer, pages = self._open(job_id, directory)
            try:
                for page in pages:
                    count = writer.write_page(page)
                    del page
                    self._events.put(("page", ExportEvent("page", job_id, count, 1)))
                    if self._stop.is_set():
                        raise _Stopped
                writer.commit()
            except InvalidPaginationTokenError:
                writer.discard()
                if restarts >= MAX_RESTARTS:
                    raise
                restarts += 1
                event = ExportEvent("restart", job_id, writer.labels, writer.pages)
                self._events.put(("restart", event))
                continue
            except BaseException:
                writer.discard()
                raise
            return writer.labels, writer.pages
