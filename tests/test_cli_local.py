"""The commands that run the fake here (_cli/_local): ``fake-server`` as a process of its own
(serving until a signal), its flags in-process. ``demo``: tests/test_demo.py."""

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

from .helpers import DATA, load, read_all

RECORDED = "boto3-2023-grandtour720-timestamps-v3.json"


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def first_line(proc: subprocess.Popen[str], timeout_s: float) -> str:
    """The first stdout line, or fail after ``timeout_s`` (never hang the suite)."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout_s):
            raise AssertionError(f"no output in {timeout_s} s")
    return proc.stdout.readline().strip()


def read_labels(client: Any, job_id: str) -> list[Any]:
    return [label for page in read_all(client, job_id, MaxResults=400) for label in page["Labels"]]


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
                assert read_labels(client, "rec") == load(RECORDED)["Labels"]
                # The requested JobId, not the recording's own.
                assert client.get_label_detection(JobId="rec", MaxResults=1)["JobId"] == "rec"
                synthetic = read_labels(client, "syn")
                assert len(synthetic) == 2345
            finally:
                client.close()
            proc.send_signal(stop)
            assert proc.wait(timeout=15) == 0
            assert proc.stderr is not None
            # Nothing but the line saying how to read it (tested in test_cli_aws.py).
            (hint,) = proc.stderr.read().splitlines()
            assert hint.startswith(f"rekolabels: serving {url} until interrupted; try: ")
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


def test_a_file_that_is_not_a_response_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"JobStatus": 5, "Labels": "no"}))
    assert main(["fake-server", "--job", f"job-1={bad}"]) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 2
    assert "not a GetLabelDetection response" in lines[1]


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
    assert lines[1].startswith("rekolabels: error: /dev/zero line 1 is not a LabelDetection")
    assert time.monotonic() - started < 10
    assert main(["fake-server", "--help"]) == 0
    assert "5,000,000" in capsys.readouterr().out
