"""The commands that call Rekognition (_cli/_online): ``get-label-detection`` and ``wait``,
run in-process with ``main(argv)`` against the fake on loopback HTTP; one run goes end to end
through the installed script.

Every run has dummy credentials and no AWS config files.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import rekolabels as rl
from rekolabels._cli import main
from rekolabels._output import CSV_HEADER
from rekolabels.testing import FakeRekognition
from tests.cli_helpers import clean_env, keep_logger, offline_aws, run

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


def test_debug_lets_the_error_through(endpoint: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    keep_logger(monkeypatch)
    with pytest.raises(rl.JobNotFoundError):
        main(["--debug", "get-label-detection", "--job-id", "no-such-job", *endpoint])
