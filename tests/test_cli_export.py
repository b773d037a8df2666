"""``rekolabels export`` against the fake on loopback HTTP (in this process, but for one run of
the installed script and the SIGINT and missing-extra ones): exit codes, the dataset DuckDB
reads, resuming after SIGINT, and the progress display."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rekolabels._cli import main
from rekolabels.testing import FakeRekognition
from tests.cli_helpers import assert_short_error, clean_env, run, run_main, script

JOBS = {"job-a": 2500, "job-b": 1000, "job-c": 10}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeRekognition]:
    with FakeRekognition(seed=5) as fake:
        for n, (job_id, detections) in enumerate(JOBS.items()):
            fake.add_synthetic_job(job_id, detections=detections, seed=n + 1)
        fake.add_job("broken", {"JobStatus": "FAILED", "StatusMessage": "Unsupported codec."})
        fake.serve()
        yield fake


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return clean_env(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def endpoint(fake: FakeRekognition) -> list[str]:
    return ["--endpoint-url", fake.serve()]


def _ids(*job_ids: str) -> list[str]:
    return [arg for job_id in job_ids for arg in ("--job-id", job_id)]


def _counts(out: Path) -> dict[str, int]:
    duckdb = pytest.importorskip("duckdb")
    rows = duckdb.sql(
        f"""SELECT job_id, count(*) FROM read_json('{out.as_posix()}/*/labels.jsonl',
            format = 'newline_delimited', hive_partitioning = true) GROUP BY job_id"""
    ).fetchall()
    return dict(rows)


def _mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*")}


def test_export_writes_the_dataset_and_a_summary(
    env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "dataset"
    result = run(["export", *_ids(*JOBS), "--out", str(out), "--format", "jsonl",
                  "--concurrency", "2", *endpoint], env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _counts(out) == JOBS
    # Without a terminal (or rich): a line per finished job on stderr, the summary on stdout.
    done = sorted(
        line for line in result.stderr.splitlines() if line.startswith("rekolabels: done")
    )
    assert done == [
        "rekolabels: done job-a: 2500 labels in 3 pages",
        "rekolabels: done job-b: 1000 labels in 1 pages",
        "rekolabels: done job-c: 10 labels in 1 pages",
    ]
    assert result.stdout.startswith(f"exported 3 of 3 jobs (5 pages, 3,510 labels) to {out} in ")
    assert "0 skipped (already exported), 0 failed, 0 throttled calls" in result.stdout


def test_the_lines_are_the_jsonl_lines_of_get_label_detection(
    env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "dataset"
    assert run_main(["export", *_ids("job-a"), "--out", str(out), "--format", "jsonl",
                "--sort-by", "NAME", *endpoint], env).returncode == 0  # fmt: skip
    got = run_main(["get-label-detection", "--job-id", "job-a", "--sort-by", "NAME",
               "--output", "jsonl", *endpoint], env)  # fmt: skip
    exported = (out / "job_id=job-a" / "labels.jsonl").read_text(encoding="utf-8")
    assert [json.loads(x) for x in exported.splitlines()] == [
        json.loads(x) for x in got.stdout.splitlines()
    ]


def test_job_ids_from_a_file_or_stdin(
    env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    ids = tmp_path / "jobs.txt"
    ids.write_text("# the backlog\njob-a\n\n  job-b  \njob-a\n")
    out = tmp_path / "from-file"
    result = run_main(["export", "--job-ids", str(ids), "--out", str(out), "--format", "jsonl",
                  *endpoint], env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _counts(out) == {"job-a": 2500, "job-b": 1000}
    out = tmp_path / "from-stdin"
    result = run_main(["export", "--job-ids", "-", "--out", str(out), "--format", "jsonl",
                       *endpoint], env, stdin="job-c\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _counts(out) == {"job-c": 10}


def test_a_failed_job_is_listed_and_exits_1_and_the_others_are_exported(
    env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "dataset"
    result = run_main(["export", *_ids("job-b", "broken", "nowhere", "job-c"), "--out", str(out),
                  "--format", "jsonl", *endpoint], env)  # fmt: skip
    assert result.returncode == 1
    assert _counts(out) == {"job-b": 1000, "job-c": 10}
    lines = result.stderr.splitlines()
    assert lines[-1] == "rekolabels: error: 2 of 4 jobs failed (listed above)"
    listed = [line for line in lines if line.startswith("rekolabels: job ")]
    assert len(listed) == 2
    assert listed[0].startswith("rekolabels: job broken failed: JobFailedError: ")
    assert "Unsupported codec." in listed[0]
    assert listed[1].startswith("rekolabels: job nowhere failed: JobNotFoundError: ")
    assert "Traceback" not in result.stderr


def test_a_rerun_skips_and_rewrites_nothing_and_other_options_need_overwrite(
    env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "dataset"
    argv = ["export", *_ids("job-a", "job-c"), "--out", str(out), "--format", "jsonl", *endpoint]
    assert run_main(argv, env).returncode == 0
    before = _mtimes(out)
    again = run_main(argv, env)
    assert again.returncode == 0, again.stderr
    assert "rekolabels: skipped job-a: already exported" in again.stderr
    assert "exported 0 of 2 jobs (0 pages, 0 labels)" in again.stdout
    assert _mtimes(out) == before
    other = run_main([*argv, "--aggregate-by", "SEGMENTS"], env)
    assert_short_error(other, 2)
    assert f"--out {out}: 2 job(s) were exported with other options" in other.stderr
    assert "--overwrite" in other.stderr
    assert _mtimes(out) == before
    replaced = run_main([*argv, "--aggregate-by", "SEGMENTS", "--overwrite"], env)
    assert replaced.returncode == 0, replaced.stderr
    record = json.loads((out / "job_id=job-a" / "_rekolabels.json").read_text())
    assert record["aggregate_by"] == "SEGMENTS"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["export", "--out", "x"], "one of the arguments --job-id --job-ids is required"),
        (["export", "--job-id", "a", "--job-ids", "f", "--out", "x"], "not allowed with"),
        (["export", "--job-id", "a"], "--out"),
        (["export", "--job-id", "a b", "--out", "x"], "--job-id"),
        (["export", "--job-id", "a", "--out", "x", "--tps", "0"], "--tps"),
        (["export", "--job-id", "a", "--out", "x", "--tps", "nan"], "--tps"),
        (["export", "--job-id", "a", "--out", "x", "--concurrency", "0"], "--concurrency"),
        (["export", "--job-id", "a", "--out", "x", "--format", "csv"], "--format"),
        (["export", "--job-id", "a", "--out", "x", "--sort-by", "DATE"], "--sort-by"),
    ],
)
def test_usage_errors_exit_2_in_two_lines(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert lines[1].startswith("rekolabels: error: ")
    assert says in lines[1]


def test_bad_job_id_files_and_out_dirs_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = tmp_path / "jobs.txt"
    ids.write_text("job-a\njob b\n")
    assert main(["export", "--job-ids", str(ids), "--out", str(tmp_path / "o")]) == 2
    assert f"--job-ids {ids} line 2: job_id must be" in capsys.readouterr().err
    assert main(["export", "--job-ids", str(tmp_path / "missing"), "--out", "o"]) == 2
    assert "--job-ids: cannot read" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    assert main(["export", "--job-ids", str(empty), "--out", "o"]) == 2
    assert "holds no job id" in capsys.readouterr().err
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert main(["export", "--job-id", "a", "--out", str(blocked / "below")]) == 2
    assert f"--out {blocked / 'below'}:" in capsys.readouterr().err


def test_sigint_stops_cleanly_with_130_and_the_next_run_resumes(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A real SIGINT to the process while it waits on a slow quota: calls in flight finish,
    no temporary file stays, exit 130; the same command then exports only the rest."""
    jobs = {f"slow-{n}": 2500 for n in range(8)}  # 3 pages each
    with FakeRekognition(seed=9) as slow:
        for n, job_id in enumerate(jobs):
            slow.add_synthetic_job(job_id, detections=jobs[job_id], seed=n)
        slow.quota(4)
        out = tmp_path / "dataset"
        argv = [script(), "export", *_ids(*jobs), "--out", str(out), "--format", "jsonl",
                "--tps", "4", "--concurrency", "2", "--endpoint-url", slow.serve()]  # fmt: skip
        with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) as proc:  # fmt: skip
            assert proc.stderr is not None
            deadline = time.monotonic() + 60
            line = proc.stderr.readline()
            while not line.startswith("rekolabels: done") and time.monotonic() < deadline:
                assert line, "the export ended before a job was done"
                line = proc.stderr.readline()
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 130, stderr
        assert "interrupted: finished jobs are kept" in stderr
        assert "Traceback" not in stderr
        assert [p.name for p in out.rglob("_*") if p.name != "_rekolabels.json"] == []
        first = set(_counts(out))
        assert first
        assert first < set(jobs)
        calls = len(slow.requests)
        assert calls < 8 * 3

        slow.quota(None)
        again = run_main(argv[1:], env)
        assert again.returncode == 0, again.stderr
        assert _counts(out) == jobs
        assert f"{len(first)} skipped (already exported)" in again.stdout
        # The rest only: each finished job was read once, in one of the two runs.
        assert len(slow.requests) - calls <= 3 * (len(jobs) - len(first)) + 2


def test_progress_on_a_terminal_shows_jobs_pages_labels_throttles_and_the_rate(
    tmp_path: Path,
) -> None:
    pytest.importorskip("rich")
    from rich.console import Console

    import rekolabels as rl
    from rekolabels._cli._export import _progress
    from rekolabels._export import run_export
    from rekolabels.testing import FakeClock

    clock = FakeClock(start=0.0)
    with FakeRekognition() as fake:
        for n in range(3):
            fake.add_synthetic_job(f"job-{n}", detections=1500, seed=n)
        fake.quota(2, clock=clock)
        retry = rl.RetryPolicy(max_attempts=20, initial_backoff_s=0.1)
        lc = rl.LabelDetectionClient(fake.client, clock=clock, retry=retry)
        screen = io.StringIO()
        console = Console(file=screen, force_terminal=True, width=200, color_system=None)
        with _progress(console, 3) as listener:
            report = run_export([f"job-{n}" for n in range(3)], tmp_path, client=lc,
                                format="jsonl", tps=8, listener=listener)  # fmt: skip
    assert report.throttled > 0
    drawn = screen.getvalue()
    assert "3/3 jobs" in drawn
    assert "6 pages · 4,500 labels" in drawn
    assert f"{report.throttled} throttled" in drawn
    assert "calls/s" in drawn


def test_parquet_is_the_default_format(
    env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow")
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "dataset"
    result = run_main(["export", *_ids(*JOBS), "--out", str(out), *endpoint], env)
    assert result.returncode == 0, result.stderr
    rows = duckdb.sql(
        f"""SELECT job_id, count(*), any_value(video_name) FROM read_parquet(
            '{out.as_posix()}/*/labels.parquet', hive_partitioning = true) GROUP BY job_id"""
    ).fetchall()
    assert {job_id: n for job_id, n, _ in rows} == JOBS
    assert all(name.endswith(".mp4") for _, _, name in rows)


def test_without_pyarrow_parquet_is_a_usage_error_and_jsonl_still_works(
    env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    """pyarrow hidden from a fresh interpreter, as if the arrow extra were not installed."""
    code = f"""
import sys
sys.modules["pyarrow"] = None
from rekolabels._cli import main
argv = ["export", "--job-id", "job-c", "--out", {str(tmp_path / "out")!r}, *{endpoint!r}]
print("parquet", main(argv))
print("jsonl", main([*argv, "--format", "jsonl"]))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "parquet 2"
    assert result.stdout.splitlines()[-1] == "jsonl 0"
    assert "needs the arrow extra: pip install 'rekolabels[arrow]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "out" / "job_id=job-c" / "labels.jsonl").is_file()
