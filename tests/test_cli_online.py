"""The commands that call Rekognition (_cli/_online): ``get-label-detection`` and ``wait``,
run in-process with ``main(argv)`` against the fake on loopback HTTP; one run goes end to end
through the installed script.

Every run has dummy credentials and no AWS config files.
"""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import rekolabels as rl
from rekolabels._cli import main
from rekolabels._output import CSV_HEADER, response_json
from rekolabels.testing import FakeRekognition, new_client
from tests.cli_helpers import clean_env, keep_logger, offline_aws, run, run_main, script

JOB = "job-2345"
DETECTIONS = 2345


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeRekognition]:
    with FakeRekognition(seed=3) as fake:
        fake.add_synthetic_job(JOB, detections=DETECTIONS, seed=4)
        fake.add_job("running", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=2)
        fake.add_job("broken", {"JobStatus": "FAILED", "StatusMessage": "Unsupported codec."})
        fake.serve()
        yield fake


@pytest.fixture(scope="module")
def endpoint(fake: FakeRekognition) -> list[str]:
    return ["--endpoint-url", fake.serve()]


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    offline_aws(monkeypatch, tmp_path)


@pytest.fixture(scope="module")
def whole_job(endpoint: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """End to end: the installed script, in a process of its own."""
    env = clean_env(tmp_path_factory.mktemp("home"))
    result = run(["get-label-detection", "--job-id", JOB, *endpoint], env)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def output(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """stdout of a run of ``main(argv)`` that must succeed."""
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_json_follows_every_page_into_one_response(whole_job: dict[str, object]) -> None:
    assert len(whole_job["Labels"]) == DETECTIONS  # type: ignore[arg-type]
    assert "NextToken" not in whole_job
    assert "ResponseMetadata" not in whole_job
    assert whole_job["JobStatus"] == "SUCCEEDED"
    rl.GetLabelDetectionResponse.from_boto3(whole_job)


def test_json_in_process_is_what_the_script_prints(
    whole_job: dict[str, object], endpoint: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    printed = output(["get-label-detection", "--job-id", JOB, *endpoint], capsys)
    assert json.loads(printed) == whole_job


def test_jsonl_is_one_label_detection_per_line(
    endpoint: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["get-label-detection", "--job-id", JOB, "--output", "jsonl", "--max-results", "500"]
    lines = output([*args, *endpoint], capsys).splitlines()
    assert len(lines) == DETECTIONS
    first = json.loads(lines[0])
    assert set(first) <= {"Timestamp", "Label", "StartTimestampMillis", "EndTimestampMillis",
                          "DurationMillis"}  # fmt: skip
    rl.LabelDetection.model_validate(first)


@pytest.mark.parametrize("max_results", ["1000", "7"])
def test_json_and_jsonl_parse_to_the_same_values_as_the_whole_job(
    endpoint: list[str], capsys: pytest.CaptureFixture[str], max_results: str
) -> None:
    """Streamed page by page, the output holds what the merged response and its labels hold
    (what the CLI printed when it built the whole job first)."""
    lc = rl.LabelDetectionClient(new_client(endpoint_url=endpoint[1]))
    expected = response_json(lc.get_all(JOB, max_results=int(max_results)))
    common = ["get-label-detection", "--job-id", JOB, "--max-results", max_results, *endpoint]
    assert json.loads(output(common, capsys)) == expected
    lines = output([*common, "--output", "jsonl"], capsys).splitlines()
    assert [json.loads(line) for line in lines] == expected["Labels"]


@pytest.mark.parametrize("kind", ["json", "jsonl"])
def test_a_failure_after_the_first_page_exits_1_leaving_the_output_incomplete(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeRekognition(seed=5) as failing:
        failing.add_synthetic_job("job-1", detections=25, seed=1)
        failing.inject([None, "AccessDeniedException"])  # page 1 served, page 2 refused
        code = main(
            ["get-label-detection", "--job-id", "job-1", "--max-results", "10",
             "--output", kind, "--endpoint-url", failing.serve()]
        )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.strip().splitlines()[-1].startswith("rekolabels: error: ")
    if kind == "jsonl":
        assert len(captured.out.splitlines()) == 10  # page 1, whole lines
    else:
        assert captured.out.startswith('{\n    "JobStatus": "SUCCEEDED"')
        with pytest.raises(json.JSONDecodeError):
            json.loads(captured.out)


def test_csv_has_the_documented_header_and_a_row_per_label(
    endpoint: list[str], whole_job: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["get-label-detection", "--job-id", JOB, "--output", "csv", "--max-results", "700"]
    rows = list(csv.reader(io.StringIO(output([*args, *endpoint], capsys))))
    assert ",".join(rows[0]) == (
        "timestamp_ms,name,confidence,parents,categories,aliases,instances,start_ms,end_ms,"
        "duration_ms"
    )
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == DETECTIONS + 1
    labels = whole_job["Labels"]
    assert isinstance(labels, list)
    for row, det in zip(rows[1:], labels, strict=True):
        label = det["Label"]
        assert row[0] == str(det["Timestamp"])
        assert row[1] == label["Name"]
        assert float(row[2]) == label["Confidence"]
        assert row[3] == "|".join(p["Name"] for p in label["Parents"])
        assert row[4] == "|".join(c["Name"] for c in label["Categories"])
        assert row[6] == str(len(label["Instances"]))
        assert row[7:] == ["", "", ""]


def test_no_paginate_prints_one_page_with_its_next_token(
    endpoint: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["get-label-detection", "--job-id", JOB, "--no-paginate", "--max-results", "100"]
    page = json.loads(output([*args, *endpoint], capsys))
    assert len(page["Labels"]) == 100
    assert page["NextToken"]
    assert "ResponseMetadata" not in page
    following = json.loads(output([*args, "--next-token", page["NextToken"], *endpoint], capsys))
    assert following["Labels"][0] != page["Labels"][0]


def test_table_output(endpoint: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rich")
    args = ["get-label-detection", "--job-id", JOB, "--output", "table", "--no-paginate"]
    printed = output([*args, "--max-results", "5", *endpoint], capsys)
    assert "Confidence" in printed
    assert "SUCCEEDED" in printed


def test_wait_prints_the_final_status(
    endpoint: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["wait", "--job-id", "running", "--timeout", "30", "--poll-interval", "0.1"]
    assert json.loads(output([*args, *endpoint], capsys))["JobStatus"] == "SUCCEEDED"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["get-label-detection", "--job-id", "bad id!"], 2),
        (["get-label-detection", "--job-id", "job-1", "--max-results", "0"], 2),
        (["get-label-detection", "--job-id", "job-1", "--sort-by", "SIZE"], 2),
        (["get-label-detection", "--job-id", "job-1", "--output", "xml"], 2),
        (["get-label-detection"], 2),
        (["get-label-detection", "--job-id", "no-such-job"], 1),
        (["get-label-detection", "--job-id", "broken"], 1),
        (["wait", "--job-id", "broken"], 1),
        (["wait", "--job-id", "job-1", "--timeout", "-1"], 2),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_errors_are_short_and_have_the_right_exit_code(
    args: list[str], code: int, endpoint: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*args, *endpoint]) == code
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert 1 <= len(lines) <= 2, err
    assert lines[-1].startswith("rekolabels: error: "), err
    assert "Traceback" not in err


def test_debug_adds_the_traceback_and_keeps_the_exit_code(
    endpoint: list[str], request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    keep_logger(request)
    assert main(["--debug", "get-label-detection", "--job-id", "no-such-job", *endpoint]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "JobNotFoundError" in err


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A clean environment for the script run in a process of its own."""
    return clean_env(tmp_path_factory.mktemp("home"))


# -- streaming: broken pipes, Ctrl-C, retries as they happen -------------------------------------


def test_every_output_exits_141_when_the_reader_goes_away(
    env: dict[str, str], endpoint: list[str]
) -> None:
    """Like ``| head -1``: read one line, close the pipe; the rest of the output breaks it."""
    for output in ("table", "json", "jsonl", "csv"):
        argv = [script(), "get-label-detection", "--job-id", JOB, "--output", output, *endpoint]
        with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env) as proc:  # fmt: skip
            assert proc.stdout is not None
            assert proc.stdout.readline()
            proc.stdout.close()
            assert proc.wait(timeout=60) == 141, output
            assert proc.stderr is not None
            assert proc.stderr.read() == b"", output  # silent, as ``head`` wants


@pytest.fixture
def slow_fake() -> Iterator[tuple[FakeRekognition, list[str]]]:
    """A fake whose every answer comes 0.2 s late: time to press Ctrl-C between pages."""
    with FakeRekognition(seed=5) as fake:
        fake.add_synthetic_job("slow", detections=200, seed=6)
        fake.fault_rate(latency=1.0, latency_s=0.2)
        yield fake, ["--endpoint-url", fake.serve()]


@pytest.mark.parametrize("output", ["jsonl", "csv"])
def test_ctrl_c_says_the_next_token_to_resume_with(
    output: str, slow_fake: tuple[FakeRekognition, list[str]], env: dict[str, str]
) -> None:
    fake, endpoint = slow_fake
    argv = [script(), "get-label-detection", "--job-id", "slow", "--max-results", "10",
            "--output", output, *endpoint]  # fmt: skip
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env) as proc:  # fmt: skip
        assert proc.stdout is not None
        assert proc.stderr is not None
        head = [proc.stdout.readline() for _ in range(25)]  # three pages of ten, under way
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
        before = head + proc.stdout.readlines()
        stderr = proc.stderr.read()
    assert code == 130, stderr
    (line,) = stderr.splitlines()  # one line, on stderr
    match = re.fullmatch(
        r"rekolabels: interrupted after (\d+) whole pages; to continue after them, run the "
        r"same command with --next-token (\S+)",
        line,
    )
    assert match, line
    pages, token = int(match.group(1)), match.group(2)
    assert pages >= 2
    fake.fault_rate()  # no more latency
    rest = run_main([*argv[1:], "--next-token", token], env)
    assert rest.returncode == 0, rest.stderr
    after = rest.stdout.splitlines(keepends=True)
    if output == "csv":
        header, before, after = before[0], before[1:], after[1:]
        assert header.startswith("timestamp_ms,")
    # Nothing lost, nothing repeated: the whole pages written, then what the token continues.
    every = run_main(argv[1:], env).stdout.splitlines(keepends=True)
    if output == "csv":
        every = every[1:]
    assert before[: pages * 10] + after == every
    assert len(every) == 200


def test_verbose_shows_each_retry_as_it_happens(env: dict[str, str]) -> None:
    with FakeRekognition(seed=7) as fake:
        fake.add_synthetic_job("job-1", detections=30)
        endpoint = ["--endpoint-url", fake.serve()]
        args = ["get-label-detection", "--job-id", "job-1", "--max-results", "10",
                "--output", "jsonl", *endpoint]  # fmt: skip
        fake.inject(["ThrottlingException", None, "ThrottlingException:400"])
        quiet = run_main(args, env)
        assert quiet.returncode == 0, quiet.stderr
        assert quiet.stderr == ""  # not a terminal, no --verbose: nothing
        fake.inject(["ThrottlingException", None, "ThrottlingException:400"])
        loud = run_main([*args, "--verbose"], env)
    assert loud.returncode == 0, loud.stderr
    assert len(loud.stdout.splitlines()) == 30
    lines = loud.stderr.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line.startswith(
            "rekolabels: retry: GetLabelDetection for job job-1: attempt 1 failed with "
            "ThrottlingException"
        )
