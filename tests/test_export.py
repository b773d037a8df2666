"""export_jobs: many jobs into a Hive-partitioned dataset, through a real boto3 client on the fake.

Every label exactly once (the files against the fake's own pages), files whole or absent,
reruns that skip and rewrite nothing, option mismatches, rejected tokens, failing jobs, the
shared bucket against the fake's quota on a FakeClock, and Ctrl-C (KeyboardInterrupt raised in
a worker, and in the main thread as SIGINT does) followed by a resume.
"""

from __future__ import annotations

import _thread
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Literal

import pytest

import rekolabels as rl
from rekolabels._dataset import EXPORT_METADATA_KEY, JOB_COLUMNS, RECORD
from rekolabels._export import MAX_RESTARTS, MismatchError, run_export
from rekolabels.testing import FakeClock, FakeRekognition

FAST = rl.RetryPolicy(initial_backoff_s=0.0, max_backoff_s=0.0)
PAGE = 1000  # the fake's page size
FORMATS = ["jsonl", "parquet"]


def _fake(jobs: dict[str, int], seed: int = 1) -> FakeRekognition:
    """A fake serving each job synthetic labels, seeded by its place in ``jobs``."""
    fake = FakeRekognition(seed=7)
    for n, (job_id, detections) in enumerate(jobs.items()):
        fake.add_synthetic_job(job_id, detections=detections, seed=n + seed)
    return fake


_SERVED: dict[tuple[Any, ...], list[dict[str, Any]]] = {}


def _served(jobs: dict[str, int], job_id: str, **options: Any) -> list[dict[str, Any]]:
    """The job's labels as the service pages them, read from a twin of the export's fake (the
    same seeds), so the export's fake sees no request but the export's."""
    key = (tuple(jobs.items()), job_id, tuple(sorted(options.items())))
    if key not in _SERVED:
        with _fake({job_id: jobs[job_id]}, seed=list(jobs).index(job_id) + 1) as twin:
            whole = rl.LabelDetectionClient(twin.client).get_all(job_id, **options)
        _SERVED[key] = [det.to_boto3() for det in whole.labels or []]
    return _SERVED[key]


def _lines(out: Path, job_id: str, format: str = "jsonl") -> list[dict[str, Any]]:
    """The labels of a job's exported file, as AWS dicts (a Parquet file's rows through
    LabelTable, without the job's columns)."""
    if format == "parquet":
        pq = pytest.importorskip("pyarrow.parquet")
        rows = pq.read_table(out / f"job_id={job_id}" / "labels.parquet")
        table = rl.LabelTable(rows.drop_columns(list(JOB_COLUMNS)))
        return [det.to_boto3() for det in table.labels()]
    text = (out / f"job_id={job_id}" / "labels.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def _options(out: Path, job_id: str, format: str) -> dict[str, Any]:
    """The export's record: the jsonl sidecar, or the Parquet file's footer."""
    if format == "parquet":
        pq = pytest.importorskip("pyarrow.parquet")
        metadata = pq.read_metadata(out / f"job_id={job_id}" / "labels.parquet").metadata
        data: dict[str, Any] = json.loads(metadata[EXPORT_METADATA_KEY])
        return data
    return _record(out, job_id)


def _record(out: Path, job_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / f"job_id={job_id}" / RECORD).read_text())
    return data


def _files(out: Path) -> dict[str, int]:
    """Every file under ``out`` with its mtime in ns (what a rerun must leave alone)."""
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*")}


def _partials(out: Path) -> list[str]:
    return [p.name for p in out.rglob("_*") if p.name != RECORD]


@pytest.fixture
def jobs() -> dict[str, int]:
    return {"job-a": 2500, "job-b": 1000, "job-c": 3001, "job-d": 0, "job-e": 999}


@pytest.mark.parametrize("format", FORMATS)
def test_every_label_of_every_job_exactly_once_in_service_order(
    jobs: dict[str, int], tmp_path: Path, format: Literal["jsonl", "parquet"]
) -> None:
    fake = _fake(jobs)
    lc = rl.LabelDetectionClient(fake.client, retry=FAST)
    report = rl.export_jobs([*jobs, "job-a"], tmp_path, client=lc, format=format, concurrency=3)
    assert isinstance(report, rl.ExportReport)
    assert report.done == list(jobs)  # in the order given, the repeat once
    assert report.skipped == []
    assert report.failed == {}
    assert report.labels == sum(jobs.values())
    pages = {job_id: max(1, -(-n // PAGE)) for job_id, n in jobs.items()}
    assert report.pages == sum(pages.values())
    assert len(fake.requests) == report.pages  # one call per page: nothing read twice
    assert report.throttled == 0
    assert report.seconds > 0
    for job_id, detections in jobs.items():
        lines = _lines(tmp_path, job_id, format)
        assert len(lines) == detections
        assert lines == _served(jobs, job_id)
        record = _options(tmp_path, job_id, format)
        assert record["format"] == format
        assert (record["sort_by"], record["aggregate_by"]) == ("TIMESTAMP", "TIMESTAMPS")
        assert record["labels"] == detections
        assert record["pages"] == pages[job_id]
        assert [p.name for p in (tmp_path / f"job_id={job_id}").iterdir() if p.name[0] != "_"] == [
            f"labels.{format}"
        ]
    assert _partials(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"job_id={j}" for j in sorted(jobs)]


def test_the_jsonl_record_holds_the_size_and_the_jobs_own_fields(tmp_path: Path) -> None:
    jobs = {"job-a": 1500}
    lc = rl.LabelDetectionClient(_fake(jobs).client, retry=FAST)
    rl.export_jobs(jobs, tmp_path, client=lc, format="jsonl")
    record = _record(tmp_path, "job-a")
    assert record["bytes"] == (tmp_path / "job_id=job-a" / "labels.jsonl").stat().st_size
    # The job-level fields, for queries that need them; the job id is in the path only.
    assert record["job"]["JobStatus"] == "SUCCEEDED"
    assert record["job"]["VideoMetadata"]["FrameRate"] > 0
    for name in ("JobId", "NextToken", "Labels", "ResponseMetadata"):
        assert name not in record["job"]


def test_parquet_rows_carry_the_jobs_columns_and_the_job_rides_in_the_metadata(
    tmp_path: Path,
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    jobs = {"job-a": 2500, "job-b": 0}
    lc = rl.LabelDetectionClient(_fake(jobs).client, retry=FAST)
    rl.export_jobs(jobs, tmp_path, client=lc)  # parquet: the default
    served = _fake(jobs).client.get_label_detection(JobId="job-a")
    table = pq.read_table(tmp_path / "job_id=job-a" / "labels.parquet")
    assert table.column_names[-5:] == list(JOB_COLUMNS)
    assert "job_id" not in table.column_names  # the path holds it
    expected = (
        served["LabelModelVersion"],
        served["Video"]["S3Object"]["Bucket"],
        served["Video"]["S3Object"]["Name"],
        served["VideoMetadata"]["DurationMillis"],
        served["VideoMetadata"]["FrameRate"],
    )
    for name, value in zip(JOB_COLUMNS, expected, strict=True):
        assert set(table.column(name).to_pylist()) == {value}
    # A page per row group: memory follows pages, not jobs.
    file = pq.ParquetFile(tmp_path / "job_id=job-a" / "labels.parquet")
    assert [file.metadata.row_group(i).num_rows for i in range(3)] == [1000, 1000, 500]
    job = json.loads(file.metadata.metadata[b"rekolabels.job"])
    assert job["VideoMetadata"] == served["VideoMetadata"]
    for name in ("JobId", "NextToken", "Labels", "ResponseMetadata"):
        assert name not in job
    # A job without labels is a file of the schema and no rows.
    empty = pq.read_table(tmp_path / "job_id=job-b" / "labels.parquet")
    assert (empty.num_rows, empty.schema.names) == (0, table.schema.names)


@pytest.mark.parametrize("format", FORMATS)
def test_a_rerun_skips_finished_jobs_and_rewrites_nothing(
    jobs: dict[str, int], tmp_path: Path, format: Literal["jsonl", "parquet"]
) -> None:
    fake = _fake(jobs)
    lc = rl.LabelDetectionClient(fake.client, retry=FAST)
    rl.export_jobs(jobs, tmp_path, client=lc, format=format)
    before = _files(tmp_path)
    calls = len(fake.requests)
    again = rl.export_jobs(jobs, tmp_path, client=lc, format=format, sort_by="TIMESTAMP")
    assert again.skipped == list(jobs)
    assert again.done == []
    assert (again.labels, again.pages) == (0, 0)
    assert len(fake.requests) == calls  # not one request
    assert _files(tmp_path) == before  # not one file touched


def test_other_options_are_an_error_before_any_request_unless_overwrite(tmp_path: Path) -> None:
    jobs = {"job-a": 1500, "job-b": 10}
    fake = _fake(jobs)
    lc = rl.LabelDetectionClient(fake.client, retry=FAST)
    rl.export_jobs(["job-a"], tmp_path, client=lc, format="jsonl")
    before = _files(tmp_path)
    calls = len(fake.requests)
    with pytest.raises(MismatchError, match=r"job-a \(format=jsonl sort_by=TIMESTAMP") as caught:
        rl.export_jobs(["job-b", "job-a"], tmp_path, client=lc, format="jsonl", sort_by="NAME")
    assert isinstance(caught.value, rl.InvalidArgumentError)
    assert "overwrite=True" in str(caught.value)
    assert len(fake.requests) == calls
    assert _files(tmp_path) == before
    report = rl.export_jobs(
        ["job-b", "job-a"], tmp_path, client=lc, format="jsonl", sort_by="NAME", overwrite=True
    )
    assert report.done == ["job-b", "job-a"]
    assert _lines(tmp_path, "job-a") == _served(jobs, "job-a", sort_by="NAME")
    assert _record(tmp_path, "job-a")["sort_by"] == "NAME"
    # Same options as what is there now: skipped, overwrite or not.
    again = rl.export_jobs(
        ["job-a"], tmp_path, client=lc, format="jsonl", sort_by="NAME", overwrite=True
    )
    assert again.skipped == ["job-a"]
    # Another format is another option: replaced with overwrite, the other format's files go.
    with pytest.raises(MismatchError, match="format=jsonl"):
        rl.export_jobs(["job-a"], tmp_path, client=lc, format="parquet", sort_by="NAME")
    pytest.importorskip("pyarrow")
    rl.export_jobs(["job-a"], tmp_path, client=lc, sort_by="NAME", overwrite=True)
    assert sorted(p.name for p in (tmp_path / "job_id=job-a").iterdir()) == ["labels.parquet"]
    assert _lines(tmp_path, "job-a", "parquet") == _served(jobs, "job-a", sort_by="NAME")


def test_segments_are_exported_as_the_service_aggregates_them(tmp_path: Path) -> None:
    jobs = {"job-a": 2000}
    fake = _fake(jobs)
    lc = rl.LabelDetectionClient(fake.client, retry=FAST)
    rl.export_jobs(["job-a"], tmp_path, client=lc, format="jsonl", aggregate_by="SEGMENTS")
    lines = _lines(tmp_path, "job-a")
    assert lines == _served(jobs, "job-a", aggregate_by="SEGMENTS")
    assert all("DurationMillis" in line for line in lines)
    assert _record(tmp_path, "job-a")["aggregate_by"] == "SEGMENTS"


@pytest.mark.parametrize("format", FORMATS)
def test_a_failing_job_is_reported_and_the_others_go_on(
    tmp_path: Path, format: Literal["jsonl", "parquet"]
) -> None:
    fake = _fake({"ok-1": 1200, "ok-2": 300, "denied": 10})
    fake.add_job("broken", {"JobStatus": "FAILED", "StatusMessage": "Unsupported codec."})
    fake.add_job("running", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=5)
    lc = rl.LabelDetectionClient(fake.client, retry=FAST)
    ids = ["ok-1", "missing", "broken", "running", "denied", "ok-2"]
    # One worker: the calls come in job order, so the schedule hits "denied"'s first call
    # (ok-1: 2 pages, then missing, broken, running: one call each).
    fake.inject([None, None, None, None, None, "AccessDeniedException"])
    report = rl.export_jobs(ids, tmp_path, client=lc, format=format, concurrency=1)
    assert report.done == ["ok-1", "ok-2"]
    assert list(report.failed) == ["missing", "broken", "running", "denied"]
    assert isinstance(report.failed["missing"], rl.JobNotFoundError)
    assert isinstance(report.failed["broken"], rl.JobFailedError)
    assert report.failed["broken"].status_message == "Unsupported codec."
    assert isinstance(report.failed["running"], rl.JobInProgressError)
    assert isinstance(report.failed["denied"], rl.AccessDeniedError)
    assert report.labels == 1500
    # A failed job leaves nothing behind: no file, no directory.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job_id=ok-1", "job_id=ok-2"]
    # The next run retries exactly the failed ones.
    fake.add_synthetic_job("missing", detections=5)
    again = rl.export_jobs(ids, tmp_path, client=lc, format=format, concurrency=2)
    assert again.skipped == ["ok-1", "ok-2"]
    assert again.done == ["missing", "denied"]
    assert list(again.failed) == ["broken", "running"]


@pytest.mark.parametrize("format", FORMATS)
def test_a_rejected_token_restarts_the_job_from_its_first_page(
    tmp_path: Path, format: Literal["jsonl", "parquet"]
) -> None:
    jobs = {"job-a": 3500}
    fake = _fake(jobs)
    lc = rl.LabelDetectionClient(fake.client, retry=FAST)
    fake.inject([None, None, "InvalidPaginationTokenException"])  # page 3 of 4
    report = rl.export_jobs(["job-a"], tmp_path, client=lc, format=format)
    assert report.done == ["job-a"]
    # Nothing lost or repeated.
    assert _lines(tmp_path, "job-a", format) == _served(jobs, "job-a")
    assert report.pages == 4
    firsts = [n for n, body in enumerate(fake.requests) if "NextToken" not in body]
    assert firsts == [0, 3]  # read again from the first page, right after the rejection
    assert len(fake.requests) == 3 + 4


def test_a_token_rejected_again_and_again_fails_the_job(tmp_path: Path) -> None:
    fake = _fake({"job-a": 1500, "job-b": 5})
    lc = rl.LabelDetectionClient(fake.client, retry=FAST)
    fake.inject([None, "InvalidPaginationTokenException"] * (MAX_RESTARTS + 1))
    report = rl.export_jobs(["job-a", "job-b"], tmp_path, client=lc, format="jsonl", concurrency=1)
    assert isinstance(report.failed["job-a"], rl.InvalidPaginationTokenError)
    assert report.done == ["job-b"]
    assert not (tmp_path / "job_id=job-a").exists()


def test_the_shared_bucket_keeps_every_worker_within_the_quota(tmp_path: Path) -> None:
    """On one FakeClock for the client and the fake's quota: ``tps`` equal to the quota is
    never throttled, and the run takes the time the quota allows."""
    clock = FakeClock(start=0.0)
    jobs = {f"job-{n}": 2500 for n in range(8)}  # 3 pages each
    fake = _fake(jobs)
    fake.quota(10, clock=clock)
    lc = rl.LabelDetectionClient(fake.client, retry=FAST, clock=clock)
    report = rl.export_jobs(jobs, tmp_path, client=lc, format="jsonl", concurrency=4, tps=10)
    assert report.done == list(jobs)
    assert report.throttled == 0
    assert fake.fault_counts.get("quota", 0) == 0
    assert len(fake.requests) == 24
    # Half a second's burst (5 calls), then one call per 0.1 s.
    assert clock.monotonic() >= (24 - 5) / 10


def test_throttles_are_counted_and_cut_the_rate_and_every_label_still_arrives(
    tmp_path: Path,
) -> None:
    """A tps four times the quota: throttled calls are retried by the RetryPolicy (one retry
    owner), each one counted, and the bucket's rate comes down."""
    clock = FakeClock(start=0.0)
    jobs = {f"job-{n}": 2500 for n in range(6)}
    fake = _fake(jobs)
    fake.quota(5, clock=clock)
    lc = rl.LabelDetectionClient(
        fake.client, retry=rl.RetryPolicy(max_attempts=20, initial_backoff_s=0.05), clock=clock
    )
    rates: list[float] = []

    def listener(event: object, report: rl.ExportReport, rate: float | None) -> None:
        assert rate is not None
        rates.append(rate)

    report = run_export(
        jobs, tmp_path, client=lc, format="jsonl", concurrency=3, tps=20, listener=listener
    )
    assert report.done == list(jobs)
    assert report.throttled == fake.fault_counts["quota"] > 0
    assert len(fake.requests) == 18 + report.throttled
    assert min(rates) < 20
    for job_id in jobs:
        assert _lines(tmp_path, job_id) == _served(jobs, job_id)


def test_without_tps_throttling_is_met_by_backoff_alone(tmp_path: Path) -> None:
    clock = FakeClock(start=0.0)
    jobs = {f"job-{n}": 1500 for n in range(4)}
    fake = _fake(jobs)
    fake.quota(2, clock=clock)
    lc = rl.LabelDetectionClient(
        fake.client, retry=rl.RetryPolicy(max_attempts=30, initial_backoff_s=0.2), clock=clock
    )
    report = rl.export_jobs(jobs, tmp_path, client=lc, format="jsonl")
    assert report.done == list(jobs)
    assert report.throttled == fake.fault_counts["quota"] > 0


# -- Ctrl-C ------------------------------------------------------------------------------------


class _InterruptAt:
    """A botocore ``before-call`` handler on the boto3 client (in the worker's thread, once per
    call): at the ``at``-th GetLabelDetection call, interrupt the run as SIGINT does
    (``_thread.interrupt_main``: KeyboardInterrupt in the main thread; this call goes on) or
    raise KeyboardInterrupt in the worker itself (this call is never sent)."""

    def __init__(self, at: int, *, main: bool) -> None:
        self.at = at
        self.main = main
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, **_: Any) -> None:
        with self.lock:
            self.calls += 1
            hit = self.calls == self.at
        if hit:
            if self.main:
                _thread.interrupt_main()
            else:
                raise KeyboardInterrupt


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("main", [True, False], ids=["sigint-in-main", "raised-in-a-worker"])
def test_an_interrupted_export_cleans_up_and_the_next_run_resumes(
    main: bool, tmp_path: Path, format: Literal["jsonl", "parquet"]
) -> None:
    jobs = {f"job-{n}": 1001 for n in range(12)}  # 2 pages each, 24 calls in all
    fake = _fake(jobs)
    client = fake.client
    interrupt = _InterruptAt(8, main=main)
    client.meta.events.register("before-call.rekognition.GetLabelDetection", interrupt)
    lc = rl.LabelDetectionClient(client, retry=FAST)
    with pytest.raises(KeyboardInterrupt):
        rl.export_jobs(jobs, tmp_path, client=lc, format=format, concurrency=2)
    # Cut short soon after the 8th call (which SIGINT lets finish), no temporary file left.
    calls = len(fake.requests)
    assert (8 if main else 7) <= calls < 24
    assert _partials(tmp_path) == []
    first = {p.parent.name.removeprefix("job_id=") for p in tmp_path.rglob(f"labels.{format}")}
    assert first < set(jobs)
    for job_id in first:  # what was finished is whole
        assert _lines(tmp_path, job_id, format) == _served(jobs, job_id)
    kept = {k: v for k, v in _files(tmp_path).items() if k.split("/")[0][7:] in first}

    client.meta.events.unregister("before-call.rekognition.GetLabelDetection", interrupt)
    report = rl.export_jobs(jobs, tmp_path, client=lc, format=format, concurrency=2)
    assert report.skipped == [j for j in jobs if j in first]
    assert report.done == [j for j in jobs if j not in first]
    for job_id in jobs:
        assert _lines(tmp_path, job_id, format) == _served(jobs, job_id)
    assert {k: v for k, v in _files(tmp_path).items() if k in kept} == kept


def test_arguments_are_checked_before_any_request(tmp_path: Path) -> None:
    fake = _fake({"job-a": 5})
    lc = rl.LabelDetectionClient(fake.client)
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"job_ids": "job-a"}, TypeError, "job_ids"),
        ({"job_ids": ["job a"]}, rl.InvalidArgumentError, "job_id"),
        ({"format": "csv"}, rl.InvalidArgumentError, "format"),
        ({"concurrency": 0}, rl.InvalidArgumentError, "concurrency"),
        ({"concurrency": 2.0}, TypeError, "concurrency"),
        ({"tps": 0}, rl.InvalidArgumentError, "tps"),
        ({"tps": float("inf")}, rl.InvalidArgumentError, "tps"),
        ({"sort_by": "DATE"}, rl.InvalidArgumentError, "sort_by"),
        ({"aggregate_by": "FRAMES"}, rl.InvalidArgumentError, "aggregate_by"),
        ({"client": fake.client}, TypeError, "client"),
        ({"out_dir": tmp_path / "file" / "below"}, rl.InvalidArgumentError, "out_dir"),
    ]
    (tmp_path / "file").write_text("not a folder")
    for change, error, name in cases:
        kwargs: dict[str, Any] = {"job_ids": ["job-a"], "out_dir": tmp_path / "out",
                                  "client": lc, "format": "jsonl", **change}  # fmt: skip
        with pytest.raises(error, match=name):
            rl.export_jobs(**kwargs)
    assert fake.requests == []


def test_without_pyarrow_parquet_says_how_to_install_it_before_any_request() -> None:
    code = """
import sys, tempfile
sys.modules["pyarrow"] = None  # what a missing package looks like to import
import rekolabels as rl
from rekolabels.testing import FakeRekognition
fake = FakeRekognition()
fake.add_synthetic_job("job-a", detections=5)
lc = rl.LabelDetectionClient(fake.client)
with tempfile.TemporaryDirectory() as out:
    try:
        rl.export_jobs(["job-a"], out, client=lc)
    except ImportError as exc:
        print(exc)
    print(len(fake.requests), rl.export_jobs(["job-a"], out, client=lc, format="jsonl").done)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    hint, after = result.stdout.splitlines()
    assert "pip install 'rekolabels[arrow]'" in hint
    assert after == "0 ['job-a']"


def test_a_parquet_export_builds_no_model(tmp_path: Path) -> None:
    """Parquet pages come from ``iter_tables`` (the response bytes), never from models: every
    LabelDetection construction is counted, in a process of its own (a class's ``__new__``
    cannot be put back). JSON Lines, read through models, shows the counter counts."""
    pytest.importorskip("pyarrow")
    code = f"""
import rekolabels as rl
from rekolabels.testing import FakeRekognition
count = [0]
def counting_new(cls, *args, **kwargs):
    count[0] += 1
    return object.__new__(cls)
rl.LabelDetection.__new__ = staticmethod(counting_new)
fake = FakeRekognition(seed=7)
for n in range(3):
    fake.add_synthetic_job(f"job-{{n}}", detections=1500, seed=n)
lc = rl.LabelDetectionClient(fake.client)
for format in ("parquet", "jsonl"):
    count[0] = 0
    report = rl.export_jobs(["job-0", "job-1", "job-2"], {str(tmp_path)!r} + "/" + format,
                            client=lc, format=format)
    print(format, report.labels, count[0])
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["parquet 4500 0", "jsonl 4500 4500"]
