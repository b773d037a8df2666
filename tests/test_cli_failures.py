"""How the command line fails: exit codes 1, 2, 130 and 141, never more than two stderr lines
(``--debug`` adds the traceback and keeps the exit code), and output the encoding cannot hold
escaped rather than fatal. The installed script runs for real, its stdout pointed at a closed
pipe, /dev/full, a closed or read-only descriptor."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rekolabels._cli import main
from rekolabels.testing import FakeRekognition
from tests.cli_helpers import (
    DUMMY_SECRET,
    assert_short_error,
    clean_env,
    keep_logger,
    run_main,
    script,
)
from tests.helpers import DATA

BIG = "big"  # 2345 labels: about 1 MB of jsonl, far more than a pipe buffer holds
NAMES = ["Café", "☕ Coffee", "名前"]
RECORDING = DATA / "made-v3-dominant-colors.json"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return clean_env(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeRekognition]:
    with FakeRekognition(seed=2) as fake:
        fake.add_synthetic_job(BIG, detections=2345, seed=3)
        labels = [{"Timestamp": i, "Label": {"Name": n, "Parents": [{"Name": n}]}}
                  for i, n in enumerate(NAMES)]  # fmt: skip
        fake.add_job("unicode", {"JobStatus": "SUCCEEDED", "Labels": labels})
        fake.add_job("running", {"JobStatus": "SUCCEEDED"}, in_progress_polls=10**6)
        fake.serve()
        yield fake


@pytest.fixture(scope="module")
def endpoint(fake: FakeRekognition) -> list[str]:
    return ["--endpoint-url", fake.serve()]


def shell(redirect: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the script with a shell redirection of its stdout (``>&-``, ``1</dev/null``)."""
    result = subprocess.run(
        ["sh", "-c", f'exec "$0" "$@" {redirect}', script(), *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert DUMMY_SECRET not in result.stderr
    return result


def test_a_broken_pipe_is_exit_141_and_silent(env: dict[str, str], endpoint: list[str]) -> None:
    args = [script(), "get-label-detection", "--job-id", BIG, "--output", "jsonl", *endpoint]
    with subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        assert json.loads(proc.stdout.readline())  # like `| head -n 1`
        proc.stdout.close()
        assert proc.wait(timeout=60) == 141
        assert proc.stderr.read() == ""


@pytest.mark.parametrize("output", ["json", "jsonl", "csv"])
def test_no_space_left_is_exit_1_in_one_line(
    output: str, env: dict[str, str], endpoint: list[str]
) -> None:
    with open("/dev/full", "w") as full:  # every write: ENOSPC
        result = subprocess.run(
            [script(), "get-label-detection", "--job-id", BIG, "--output", output, *endpoint],
            env=env, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert_short_error(result, 1)
    assert "cannot write the output: No space left on device" in result.stderr


def test_a_closed_stdout_is_exit_1_in_one_line(env: dict[str, str]) -> None:
    result = shell(">&-", ["sort", str(RECORDING), "--by", "NAME"], env)
    assert_short_error(result, 1)
    assert "standard output is closed" in result.stderr


def test_a_read_only_stdout_is_exit_1_in_one_line(env: dict[str, str]) -> None:
    result = shell("1</dev/null", ["sort", str(RECORDING), "--by", "NAME"], env)
    assert_short_error(result, 1)
    assert "cannot write the output: Bad file descriptor" in result.stderr


def test_an_unexpected_exception_is_exit_1_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    keep_logger(request)  # --debug below
    closed = io.StringIO()
    closed.close()  # writing raises ValueError, which no one expects
    monkeypatch.setattr("sys.stdout", closed)
    assert main(["sort", str(RECORDING), "--by", "NAME"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "rekolabels: error: unexpected ValueError: I/O operation on closed file "
        "(--debug shows the traceback)"
    ]
    assert main(["--debug", "sort", str(RECORDING), "--by", "NAME"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback")
    assert err.splitlines()[-1] == (
        "rekolabels: error: unexpected ValueError: I/O operation on closed file"
    )


def test_debug_adds_the_traceback_and_keeps_the_exit_code(
    env: dict[str, str], tmp_path: Path
) -> None:
    missing = str(tmp_path / "missing.json")
    plain = run_main(["sort", missing, "--by", "NAME"], env)
    assert_short_error(plain, 2)
    debug = run_main(["--debug", "sort", missing, "--by", "NAME"], env)
    assert debug.returncode == 2  # was 1: --debug re-raised the usage error
    assert "Traceback" in debug.stderr
    assert debug.stderr.splitlines()[-2:] == plain.stderr.splitlines()


def test_names_the_encoding_cannot_hold_are_escaped(
    env: dict[str, str], endpoint: list[str]
) -> None:
    # The installed script with PYTHONIOENCODING=ascii once; main in this process, its streams
    # ASCII and strict as that variable makes them, for the other outputs.
    args = ["get-label-detection", "--job-id", "unicode", *endpoint, "--output"]
    result = subprocess.run(
        [script(), *args, "csv"], env=env | {"PYTHONIOENCODING": "ascii"}, capture_output=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    outputs = {"csv": result.stdout.decode("ascii")}  # nothing but ASCII on the wire
    for output in ("json", "jsonl", "table"):
        inline = run_main([*args, output], env, encoding="ascii")  # decodes as ASCII, strictly
        assert inline.returncode == 0, inline.stderr
        assert inline.stderr == ""
        outputs[output] = inline.stdout
    # JSON escapes with its own \\uXXXX: the same names read back.
    assert [d["Label"]["Name"] for d in json.loads(outputs["json"])["Labels"]] == NAMES
    lines = outputs["jsonl"].splitlines()
    assert [json.loads(line)["Label"]["Name"] for line in lines] == NAMES
    # Text formats escape with backslashes.
    assert "Caf\\xe9" in outputs["csv"]
    assert "\\u2615 Coffee" in outputs["csv"]
    assert "Caf\\xe9" in outputs["table"]


def test_sigint_is_exit_130(
    env: dict[str, str], fake: FakeRekognition, endpoint: list[str]
) -> None:
    args = [script(), "wait", "--job-id", "running", "--poll-interval", "0.05", *endpoint]
    before = fake.request_count
    with subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        deadline = time.monotonic() + 30
        while fake.request_count == before and time.monotonic() < deadline:
            time.sleep(0.02)  # until it polls: then the CLI, not Python's start-up, has SIGINT
        assert fake.request_count > before
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        assert proc.stderr is not None
        assert "Traceback" not in proc.stderr.read()


def test_exit_codes_are_documented() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text()
    section = doc[doc.index("## Exit codes and errors") :]
    for code in ("0", "1", "2", "130", "141"):
        assert f"| {code} |" in section, code
