"""The rekolabels command line: exit codes, error lines, and ``fake-server`` as a process."""

from __future__ import annotations

import json
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import rekolabels as rl
from rekolabels._cli import main
from rekolabels.testing import new_client

from .helpers import DATA, load

RECORDED = "boto3-2023-grandtour720-timestamps-v3.json"


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nope"],
        ["fake-server", "--port", "70000"],
        ["fake-server", "--job", "no-equals-sign"],
        ["fake-server", "--job", "bad id=x.json"],
        ["fake-server", "--synthetic", "job=many"],
        ["fake-server", "--throttle-rate", "1.5"],
        ["fake-server", "--job", "job-1=does/not/exist.json"],
    ],
)
def test_usage_errors_exit_2_in_two_lines(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 2
    assert lines[0].startswith("usage: rekolabels")
    assert lines[1].startswith("rekolabels: error: ")


def test_a_file_that_is_not_a_response_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"JobStatus": 5, "Labels": "no"}))
    assert main(["fake-server", "--job", f"job-1={bad}"]) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 2
    assert "not a GetLabelDetection response" in lines[1]


def test_debug_prints_the_traceback_and_keeps_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = f"job-1={tmp_path / 'missing.json'}"
    for argv in (["--debug", "fake-server", "--job", missing],
                 ["fake-server", "--job", missing, "--debug"]):  # fmt: skip
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("Traceback")
        assert "UsageError" in err
        assert err.splitlines()[-1].startswith("rekolabels: error: cannot read")


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert rl.__version__ in capsys.readouterr().out
    assert main(["fake-server", "--help"]) == 0
    assert "--throttle-rate" in capsys.readouterr().out


def first_line(proc: subprocess.Popen[str], timeout_s: float) -> str:
    """The first stdout line, or fail after ``timeout_s`` (never hang the suite)."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout_s):
            raise AssertionError(f"no output in {timeout_s} s")
    return proc.stdout.readline().strip()


def read_all(client: Any, job_id: str) -> list[Any]:
    labels: list[Any] = []
    params: dict[str, Any] = {"JobId": job_id, "MaxResults": 400}
    for _ in range(100):
        page = client.get_label_detection(**params)
        labels.extend(page["Labels"])
        if "NextToken" not in page:
            return labels
        params["NextToken"] = page["NextToken"]
    raise AssertionError("more than 100 pages")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_fake_server_process(stop: signal.Signals) -> None:
    argv = [sys.executable, "-m", "rekolabels", "fake-server", "--port", "0", "--seed", "4"]
    argv += ["--job", f"rec={DATA / RECORDED}", "--synthetic", "syn=2345"]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            url = first_line(proc, timeout_s=30)
            assert url.startswith("http://127.0.0.1:")
            client = new_client(endpoint_url=url)
            try:
                assert read_all(client, "rec") == load(RECORDED)["Labels"]
                # The requested JobId, not the recording's own.
                assert client.get_label_detection(JobId="rec", MaxResults=1)["JobId"] == "rec"
                synthetic = read_all(client, "syn")
                assert len(synthetic) == 2345
            finally:
                client.close()
            proc.send_signal(stop)
            assert proc.wait(timeout=15) == 0
            assert proc.stderr is not None
            assert proc.stderr.read() == ""
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=15)


def test_fake_server_throttles_and_the_client_rides_it_out() -> None:
    argv = [sys.executable, "-m", "rekolabels", "fake-server", "--synthetic", "syn=3000"]
    argv += ["--throttle-rate", "0.4", "--seed", "7"]
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as proc:
        try:
            url = first_line(proc, timeout_s=30)
            client = new_client(endpoint_url=url)
            try:
                lc = rl.LabelDetectionClient(
                    client, retry=rl.RetryPolicy(max_attempts=20, initial_backoff_s=0)
                )
                started = time.monotonic()
                assert len(list(lc.iter_labels("syn", max_results=100))) == 3000
                assert time.monotonic() - started < 20
            finally:
                client.close()
            proc.terminate()
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=15)


def test_entry_points_are_declared() -> None:
    from importlib.metadata import entry_points

    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("rekolabels") == "rekolabels._cli:main"
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("rekolabels") == "rekolabels.testing._pytest_plugin"


def test_one_table_names_each_command_once_in_help_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rekolabels._cli import COMMANDS

    names = [cmd.name for cmd in COMMANDS]
    assert len(set(names)) == len(names)
    assert names == [
        "get-label-detection", "wait", "sort", "aggregate", "summary", "timeline",
        "fake-server", "demo", "botocore-data-path",
    ]  # fmt: skip
    assert main(["--help"]) == 0
    shown = capsys.readouterr().out
    listed = [line.split()[0] for line in shown.splitlines() if line.startswith("    ")]
    assert [name for name in listed if name in names] == names


@pytest.mark.parametrize(
    "job", ["bad id=x.json", "=x.json", "job-1=", "job-1", "job\n=x.json", "j" * 65 + "=x.json"]
)
def test_fake_server_job_ids_follow_the_service_model(
    job: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fake-server", "--job", job]) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 2
    assert "expected ID=FILE" in lines[1]


def test_fake_server_limits_are_usage_errors_in_two_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Both ran until MemoryError (exit 1) before.
    started = time.monotonic()
    assert main(["fake-server", "--synthetic", "x=100000000"]) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 2
    assert "5,000,000" in lines[1]
    assert main(["fake-server", "--job", "x=/dev/zero"]) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 2
    assert lines[1] == "rekolabels: error: /dev/zero is not a GetLabelDetection response: " \
        "not a JSON object"  # fmt: skip
    assert time.monotonic() - started < 10
    assert main(["fake-server", "--help"]) == 0
    assert "5,000,000" in capsys.readouterr().out


def test_a_json_file_nested_too_deep_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"Labels": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main(["sort", str(deep), "--by", "NAME"]) == 2
    assert "is not JSON" in stderr_lines(capsys)[-1]
