"""The installed ``rekolabels`` script, end to end against the fake on loopback HTTP.

One fake is served per module (subprocess start-up dominates; the fake answers in
milliseconds). Every run has dummy credentials and no AWS config files.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import rekolabels as rl
from rekolabels._output import CSV_HEADER, response_json
from rekolabels.testing import FakeRekognition, new_client
from tests.cli_helpers import assert_short_error, clean_env, run
from tests.helpers import DATA

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
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return clean_env(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def endpoint(fake: FakeRekognition) -> list[str]:
    return ["--endpoint-url", fake.serve()]


@pytest.fixture(scope="module")
def whole_job(env: dict[str, str], endpoint: list[str]) -> dict[str, object]:
    result = run(["get-label-detection", "--job-id", JOB, *endpoint], env)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_json_follows_every_page_into_one_response(whole_job: dict[str, object]) -> None:
    assert len(whole_job["Labels"]) == DETECTIONS  # type: ignore[arg-type]
    assert "NextToken" not in whole_job
    assert "ResponseMetadata" not in whole_job
    assert whole_job["JobStatus"] == "SUCCEEDED"
    rl.GetLabelDetectionResponse.from_boto3(whole_job)


def test_jsonl_is_one_label_detection_per_line(env: dict[str, str], endpoint: list[str]) -> None:
    result = run(
        ["get-label-detection", "--job-id", JOB, "--output", "jsonl", "--max-results", "500",
         *endpoint],
        env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == DETECTIONS
    first = json.loads(lines[0])
    assert set(first) <= {"Timestamp", "Label", "StartTimestampMillis", "EndTimestampMillis",
                          "DurationMillis"}  # fmt: skip
    rl.LabelDetection.model_validate(first)


@pytest.mark.parametrize("max_results", ["1000", "7"])
def test_json_and_jsonl_parse_to_the_same_values_as_the_whole_job(
    env: dict[str, str], endpoint: list[str], fake: FakeRekognition, max_results: str
) -> None:
    """Streamed page by page, the output holds what the merged response and its labels hold
    (what the CLI printed when it built the whole job first)."""
    lc = rl.LabelDetectionClient(new_client(endpoint_url=endpoint[1]))
    whole = lc.get_all(JOB, max_results=int(max_results))
    expected = response_json(whole)
    common = ["get-label-detection", "--job-id", JOB, "--max-results", max_results, *endpoint]
    as_json = run(common, env)
    as_jsonl = run([*common, "--output", "jsonl"], env)
    assert as_json.returncode == as_jsonl.returncode == 0, as_json.stderr + as_jsonl.stderr
    assert json.loads(as_json.stdout) == expected
    assert [json.loads(line) for line in as_jsonl.stdout.splitlines()] == expected["Labels"]


@pytest.mark.parametrize("output", ["json", "jsonl"])
def test_a_failure_after_the_first_page_exits_1_leaving_the_output_incomplete(
    env: dict[str, str], output: str
) -> None:
    with FakeRekognition(seed=5) as failing:
        failing.add_synthetic_job("job-1", detections=25, seed=1)
        failing.inject([None, "AccessDeniedException"])  # page 1 served, page 2 refused
        result = run(
            ["get-label-detection", "--job-id", "job-1", "--max-results", "10",
             "--output", output, "--endpoint-url", failing.serve()],
            env,
        )  # fmt: skip
    assert_short_error(result, 1)
    if output == "jsonl":
        assert len(result.stdout.splitlines()) == 10  # page 1, whole lines
    else:
        assert result.stdout.startswith('{\n    "JobStatus": "SUCCEEDED"')
        with pytest.raises(json.JSONDecodeError):
            json.loads(result.stdout)


def test_csv_has_the_documented_header_and_a_row_per_label(
    env: dict[str, str], endpoint: list[str], whole_job: dict[str, object]
) -> None:
    result = run(
        ["get-label-detection", "--job-id", JOB, "--output", "csv", "--max-results", "700",
         *endpoint],
        env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
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
    env: dict[str, str], endpoint: list[str], fake: FakeRekognition
) -> None:
    args = ["get-label-detection", "--job-id", JOB, "--no-paginate", "--max-results", "100"]
    result = run([*args, *endpoint], env)
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert len(page["Labels"]) == 100
    assert page["NextToken"]
    assert "ResponseMetadata" not in page
    following = run([*args, "--next-token", page["NextToken"], *endpoint], env)
    assert following.returncode == 0, following.stderr
    assert json.loads(following.stdout)["Labels"][0] != page["Labels"][0]


def test_table_output(env: dict[str, str], endpoint: list[str]) -> None:
    args = ["get-label-detection", "--job-id", JOB, "--output", "table", "--no-paginate"]
    result = run([*args, "--max-results", "5", *endpoint], env)
    assert result.returncode == 0, result.stderr
    assert "Confidence" in result.stdout
    assert "SUCCEEDED" in result.stdout


def test_sort_and_aggregate_read_their_own_output(
    env: dict[str, str], whole_job: dict[str, object], tmp_path: Path
) -> None:
    saved = tmp_path / "job.json"
    saved.write_text(json.dumps(whole_job))

    by_name = run(["sort", str(saved), "--by", "NAME"], env)
    assert by_name.returncode == 0, by_name.stderr
    sorted_job = json.loads(by_name.stdout)
    assert sorted_job["GetRequestMetadata"]["SortBy"] == "NAME"
    names = [det["Label"]["Name"] for det in sorted_job["Labels"]]
    assert names == sorted(names)

    segments = run(["aggregate", "-"], env, stdin=by_name.stdout)
    assert segments.returncode == 0, segments.stderr
    aggregated = json.loads(segments.stdout)
    assert aggregated["GetRequestMetadata"]["AggregateBy"] == "SEGMENTS"
    assert all("DurationMillis" in seg for seg in aggregated["Labels"])

    back = run(["sort", "-", "--by", "TIMESTAMP"], env, stdin=segments.stdout)
    assert back.returncode == 0, back.stderr
    resorted = json.loads(back.stdout)
    assert resorted["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "SEGMENTS"}
    starts = [seg["StartTimestampMillis"] for seg in resorted["Labels"]]
    assert starts == sorted(starts)


def test_summary_and_timeline_of_a_recording(env: dict[str, str], tmp_path: Path) -> None:
    recording = str(DATA / "boto3-2023-grandtour720-timestamps-v3.json")
    summary = run(["summary", recording, "--top", "5"], env)
    assert summary.returncode == 0, summary.stderr
    assert "Screen" in summary.stdout

    png = tmp_path / "timeline.png"
    drawn = run(["timeline", recording, "--out", str(png), "--top", "8"], env)
    assert drawn.returncode == 0, drawn.stderr
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_wait_prints_the_final_status(env: dict[str, str], endpoint: list[str]) -> None:
    args = ["wait", "--job-id", "running", "--timeout", "30", "--poll-interval", "0.1"]
    result = run([*args, *endpoint], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["JobStatus"] == "SUCCEEDED"


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
        (["sort", "no-such-file.json", "--by", "NAME"], 2),
        (["aggregate", str(DATA / "made-v3-segments-name-order.json")], 2),
        (["no-such-command"], 2),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_errors_are_short_and_have_the_right_exit_code(
    args: list[str], code: int, env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    online = args[0] in ("get-label-detection", "wait")
    result = run(args + (endpoint if online else []), env, cwd=tmp_path)
    assert_short_error(result, code)


def test_a_file_that_is_not_a_response_is_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"JobStatus": "SUCCEEDED", "Labels": [{"Timestamp": "zero"}]}')
    assert_short_error(run(["summary", str(bad)], env), 2)
    bad.write_text("{not json")
    assert_short_error(run(["sort", str(bad), "--by", "NAME"], env), 2)
    assert_short_error(run(["aggregate", "-"], env, stdin="[1, 2]"), 2)


def test_debug_shows_the_traceback(env: dict[str, str], endpoint: list[str]) -> None:
    result = run(["--debug", "get-label-detection", "--job-id", "no-such-job", *endpoint], env)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "JobNotFoundError" in result.stderr


def test_help_lists_every_subcommand(env: dict[str, str]) -> None:
    result = run(["--help"], env)
    assert result.returncode == 0
    for name in ("get-label-detection", "wait", "sort", "aggregate", "summary", "timeline",
                 "fake-server", "demo"):  # fmt: skip
        assert name in result.stdout
