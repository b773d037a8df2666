"""The CLI on a fresh machine: --no-sign-request, and errors that name what the user typed.

The acceptance runs see, as their whole environment, an empty HOME and no AWS_* variable at all
(``bare_env``); the fake-server runs as a process of its own, the commands that read it as
``main`` in this process (``run_main``), as does the error wording.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rekolabels._cli import main
from tests.cli_helpers import assert_short_error, bare_env, run_main, script

# What the CLI must never say: the library's parameter names, and Python calls.
PYTHON_WORDS = ("job_id", "max_results", "next_token", "sort_by", "aggregate_by", "timeout_s",
                "poll_interval_s", "max_gap_ms", "region_name", "profile_name", "endpoint_url",
                "get_all", "()")  # fmt: skip


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """``rekolabels fake-server`` on a clean machine: (its URL, the hint it printed)."""
    argv = [script(), "fake-server", "--port", "0", "--synthetic", "job-1=2345"]
    env = bare_env(tmp_path_factory.mktemp("server"))
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env) as proc:  # fmt: skip
        try:
            assert proc.stdout is not None
            assert proc.stderr is not None
            url = proc.stdout.readline().strip()
            hint = proc.stderr.readline().strip()
            assert url.startswith("http://127.0.0.1:"), hint
            yield url, hint
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def test_get_label_detection_reads_every_label_on_a_clean_machine(
    fake_server: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = fake_server
    args = ["get-label-detection", "--job-id", "job-1", "--endpoint-url", url,
            "--region", "us-east-1", "--no-sign-request", "--output", "jsonl"]  # fmt: skip
    result = run_main(args, bare_env(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2345
    assert all("Timestamp" in json.loads(line) for line in lines)


def test_fake_server_prints_a_command_that_works_as_printed(
    fake_server: tuple[str, str], tmp_path: Path
) -> None:
    url, hint = fake_server
    assert hint.startswith(f"rekolabels: serving {url} until interrupted; try: rekolabels ")
    command = shlex.split(hint.partition("try: ")[2])
    assert command[:2] == ["rekolabels", "get-label-detection"]
    assert "--no-sign-request" in command
    result = run_main(command[1:], bare_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "2345 labels" in result.stdout  # the table's title (the cli extra is installed)


def test_a_stale_aws_profile_is_named_even_without_signing(
    fake_server: tuple[str, str], tmp_path: Path
) -> None:
    # As the AWS CLI does: --no-sign-request skips credentials, not the configuration.
    url, _ = fake_server
    args = ["get-label-detection", "--job-id", "job-1", "--endpoint-url", url,
            "--region", "us-east-1", "--no-sign-request"]  # fmt: skip
    result = run_main(args, bare_env(tmp_path, AWS_PROFILE="nosuch"))
    assert_short_error(result, 2)
    assert "AWS_PROFILE=nosuch" in result.stderr.splitlines()[-1]


def test_no_credentials_suggests_no_sign_request(
    fake_server: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = fake_server
    # No instance metadata lookup: this machine is no EC2 instance, and tests use no network.
    env = bare_env(tmp_path, AWS_EC2_METADATA_DISABLED="true")
    args = ["get-label-detection", "--job-id", "job-1", "--endpoint-url", url,
            "--region", "us-east-1"]  # fmt: skip
    result = run_main(args, env)
    assert_short_error(result, 1)
    assert "no AWS credentials found" in result.stderr
    assert "--no-sign-request" in result.stderr


# -- what the user typed, in-process ---------------------------------------------------------


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)


def error_line(argv: list[str], capsys: pytest.CaptureFixture[str], code: int = 2) -> str:
    assert main(argv) == code
    lines = capsys.readouterr().err.splitlines()
    assert 1 <= len(lines) <= 2, lines
    assert lines[-1].startswith("rekolabels: error: ")
    for word in PYTHON_WORDS:
        assert word not in lines[-1], lines[-1]
    return lines[-1]


GET = ["get-label-detection", "--job-id", "job-1", "--endpoint-url", "http://127.0.0.1:9"]


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize(
    ("argv", "env", "named"),
    [
        ([*GET, "--region", "us-east-1", "--no-sign-request"], {"AWS_PROFILE": "nosuch"},
         "AWS_PROFILE=nosuch"),
        ([*GET, "--region", "us-east-1"], {"AWS_DEFAULT_PROFILE": "gone"},
         "AWS_DEFAULT_PROFILE=gone"),
        ([*GET, "--region", "us-east-1", "--profile", "nope"], {}, "--profile nope"),
        (GET, {}, "--region"),
        (["get-label-detection", "--job-id", "job-1", "--region", "us-east-1",
          "--endpoint-url", "not a url"], {}, "--endpoint-url"),
    ],
    ids=["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "--profile", "no-region", "--endpoint-url"],
)  # fmt: skip
def test_configuration_errors_name_what_the_user_typed(
    argv: list[str], env: dict[str, str], named: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert named in error_line(argv, capsys)


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["get-label-detection", "--job-id", "bad id"], "--job-id"),
        (["get-label-detection", "--job-id", "j", "--max-results", "0"], "--max-results"),
        (["get-label-detection", "--job-id", "j", "--max-results", "2147483648"], "1 to 1000"),
        (["get-label-detection", "--job-id", "j", "--next-token", ""], "--next-token"),
        (["get-label-detection", "--job-id", "j", "--next-token", "t" * 256], "--next-token"),
        (["get-label-detection", "--job-id", "j", "--sort-by", "NMAE"], "--sort-by"),
        (["get-label-detection", "--job-id", "j", "--aggregate-by", "SEGMENT"], "--aggregate-by"),
        (["wait", "--job-id", "j", "--timeout", "-1"], "--timeout"),
        (["wait", "--job-id", "j", "--poll-interval", "0"], "--poll-interval"),
        (["wait", "--job-id", "j", "--timeout", "nan"], "--timeout"),
        (["sort", "-", "--by", "NMAE"], "--by"),
        (["aggregate", "-", "--max-gap-ms", "-5"], "--max-gap-ms"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_flag_errors_name_the_flag(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert named in error_line(argv, capsys)


def test_the_demo_prints_commands_that_work_as_printed(tmp_path: Path) -> None:
    """Its closing lines: a fake-server in one terminal, get-label-detection in another."""
    demo = run_main(["demo", "--out", str(tmp_path)], bare_env(tmp_path), cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    first, second = demo.stdout.strip().splitlines()[-2:]
    serve = shlex.split(first.partition(":  ")[2])
    read = shlex.split(second.partition(":  ")[2])
    assert serve[:2] == ["rekolabels", "fake-server"]
    assert read[:2] == ["rekolabels", "get-label-detection"]
    # The printed port may be taken on this machine: run both on a free one, as printed else.
    port = serve[serve.index("--port") + 1]
    serve[serve.index("--port") + 1] = "0"
    with subprocess.Popen([script(), *serve[1:]], stdout=subprocess.PIPE, text=True,
                          stderr=subprocess.DEVNULL, env=bare_env(tmp_path)) as proc:  # fmt: skip
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            read = [word.replace(f"http://127.0.0.1:{port}", url) for word in read]
            result = run_main(read[1:], bare_env(tmp_path))
            assert result.returncode == 0, result.stderr
            assert "2345 labels" in result.stdout
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def test_the_fake_server_hint_says_how_to_add_jobs_when_it_has_none(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "rekolabels", "fake-server", "--port", "0"]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=bare_env(tmp_path)) as proc:  # fmt: skip
        try:
            assert proc.stderr is not None
            hint = proc.stderr.readline()  # EOF, not a hang, if the server died
            assert "add some with --job ID=FILE or --synthetic ID=N" in hint
        finally:
            proc.terminate()
            proc.wait(timeout=15)
