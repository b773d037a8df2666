"""The commands that read a saved response (_cli/_offline): ``sort``, ``aggregate``, ``summary``
and ``timeline``, run in-process with ``main(argv)``."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, fields
from pathlib import Path

import pytest

import rekolabels as rl
from rekolabels._cli import main
from rekolabels._output import write_jsonl
from tests.helpers import DATA, load

RECORDING = str(DATA / "boto3-2023-grandtour720-timestamps-v3.json")


def output(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str | None = None,
) -> str:
    """stdout of a run of ``main(argv)`` that must succeed (``stdin`` for ``-``)."""
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_sort_and_aggregate_read_their_own_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    by_name = output(["sort", RECORDING, "--by", "NAME"], capsys, monkeypatch)
    sorted_job = json.loads(by_name)
    assert sorted_job["GetRequestMetadata"]["SortBy"] == "NAME"
    names = [det["Label"]["Name"] for det in sorted_job["Labels"]]
    assert names == sorted(names)

    segments = output(["aggregate", "-"], capsys, monkeypatch, stdin=by_name)
    aggregated = json.loads(segments)
    assert aggregated["GetRequestMetadata"]["AggregateBy"] == "SEGMENTS"
    assert all("DurationMillis" in seg for seg in aggregated["Labels"])

    back = output(["sort", "-", "--by", "TIMESTAMP"], capsys, monkeypatch, stdin=segments)
    resorted = json.loads(back)
    assert resorted["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "SEGMENTS"}
    starts = [seg["StartTimestampMillis"] for seg in resorted["Labels"]]
    assert starts == sorted(starts)


def test_aggregate_of_one_page_warns_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = str(DATA / "saved-2022-page1-nexttoken-v2.json")
    assert main(["aggregate", page]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["GetRequestMetadata"]["AggregateBy"] == "SEGMENTS"
    assert captured.err.startswith("rekolabels: warning: ")
    assert "saved-2022-page1-nexttoken-v2.json is one page of a longer job" in captured.err
    assert captured.err.count("\n") == 1


def test_summary_of_a_recording(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("rich")
    monkeypatch.setenv("COLUMNS", "160")
    printed = output(["summary", RECORDING, "--top", "5"], capsys, monkeypatch)
    assert "Screen" in printed
    assert "top 5 by" in printed
    assert printed.count("\n│ ") == 5  # five rows


def test_timeline_of_a_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "timeline.png"
    printed = output(["timeline", RECORDING, "--out", str(png), "--top", "8"], capsys, monkeypatch)
    assert printed.strip() == str(png)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_timeline_into_a_missing_directory_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    assert main(["timeline", RECORDING, "--out", str(tmp_path / "no" / "t.png")]) == 2
    assert "rekolabels: error: cannot write" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["sort", "no-such-file.json", "--by", "NAME"],
        ["sort", RECORDING, "--by", "SIZE"],
        ["aggregate", str(DATA / "made-v3-segments-name-order.json")],
        ["summary", RECORDING, "--top", "0"],
    ],
    ids=lambda v: " ".join(Path(a).name if "/" in a else a for a in v),
)
def test_errors_are_short_and_exit_2(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("usage: rekolabels")
    assert lines[1].startswith("rekolabels: error: ")


def test_a_file_that_is_not_a_response_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("rich")
    bad = tmp_path / "bad.json"
    bad.write_text('{"JobStatus": "SUCCEEDED", "Labels": [{"Timestamp": "zero"}]}')
    assert main(["summary", str(bad)]) == 2
    bad.write_text("{not json")
    assert main(["sort", str(bad), "--by", "NAME"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("[1, 2]"))
    assert main(["aggregate", "-"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in lines if line.startswith("rekolabels: error: ")]
    assert len(lines) == 6
    assert "bad.json is not a GetLabelDetection response" in errors[0]
    assert "bad.json line 1 is not a LabelDetection with Timestamp and Label" in errors[1]
    assert errors[2].startswith(
        "rekolabels: error: stdin line 1 is not a LabelDetection with Timestamp and Label"
    )


GRANDTOUR = "boto3-2023-grandtour720-timestamps-v3.json"
PAGE_OF_A_LONGER_JOB = "saved-2022-page1-nexttoken-v2.json"


@pytest.fixture
def job() -> rl.GetLabelDetectionResponse:
    return rl.GetLabelDetectionResponse.from_boto3(load(GRANDTOUR))


@pytest.fixture
def jsonl(job: rl.GetLabelDetectionResponse, tmp_path: Path) -> Path:
    """The job as ``get-label-detection --output jsonl`` writes it."""
    out = io.StringIO()
    write_jsonl(job.labels or [], out)
    path = tmp_path / "job.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def cli(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str | None = None,
) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("source", ["file", "stdin"])
def test_every_offline_command_reads_jsonl(
    source: str, jsonl: Path, job: rl.GetLabelDetectionResponse, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    text = jsonl.read_text(encoding="utf-8")
    where, stdin = (str(jsonl), None) if source == "file" else ("-", text)
    labels = job.labels or []

    code, out, err = cli(["sort", where, "--by", "NAME"], capsys, monkeypatch, stdin)
    assert (code, err) == (0, "")
    assert json.loads(out)["Labels"] == [d.to_boto3() for d in rl.sort_labels(labels, "NAME")]

    code, out, err = cli(["aggregate", where], capsys, monkeypatch, stdin)
    assert (code, err) == (0, "")
    segments = rl.aggregate_segments(labels)
    assert json.loads(out)["Labels"] == [d.to_boto3() for d in segments]

    code, out, err = cli(["summary", where, "--output", "json"], capsys, monkeypatch, stdin)
    assert (code, err) == (0, "")
    assert json.loads(out) == json.loads(json.dumps([asdict(s) for s in rl.summarize_labels(job)]))

    code, out, err = cli(["summary", where, "--top", "3"], capsys, monkeypatch, stdin)
    assert (code, err) == (0, "")
    assert rl.summarize_labels(job)[0].name in out  # the table

    png = tmp_path / "t.png"
    code, out, err = cli(["timeline", where, "--out", str(png)], capsys, monkeypatch, stdin)
    assert (code, err) == (0, "")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_summary_csv_columns_are_label_summarys_fields(
    job: rl.GetLabelDetectionResponse, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    code, out, err = cli(["summary", str(DATA / GRANDTOUR), "--output", "csv", "--top", "4"],
                         capsys, monkeypatch)  # fmt: skip
    assert (code, err) == (0, "")
    assert out.endswith("\r\n")  # RFC 4180 records
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [f.name for f in fields(rl.LabelSummary)]
    expected = rl.summarize_labels(job)[:4]
    assert len(rows) == 1 + len(expected)
    for row, summary in zip(rows[1:], expected, strict=True):
        cell = dict(zip(rows[0], row, strict=True))
        assert cell["name"] == summary.name
        assert int(cell["screen_time_ms"]) == summary.screen_time_ms
        assert float(cell["max_confidence"]) == summary.max_confidence
        assert cell["spans"] == "|".join(f"{a}-{b}" for a, b in summary.spans)
        assert cell["categories"] == "|".join(summary.categories)


def test_summary_csv_escapes_list_separators() -> None:
    from rekolabels._report import write_summary_csv

    row = rl.LabelSummary("A|B", 0, 0, 1, 1, 500, None, None, ((0, 0),), ("x|y", "back\\slash"))
    out = io.StringIO()
    write_summary_csv([row], out)
    cells = list(csv.reader(io.StringIO(out.getvalue())))[1]
    assert cells[0] == "A|B"  # a single value is not a list: kept as is
    assert cells[6:8] == ["", ""]  # absent values are empty cells
    assert cells[-1] == "x\\|y|back\\\\slash"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"foo": 1}', "line 1 is not a LabelDetection"),
        ("", "is empty"),
        ("\n  \n", "is empty"),
        ("[1, 2]", "line 1 is not a LabelDetection"),
        ('{"Timestamp": 0, "Label": {"Name": "Car"}}\n{"Timestamp": 5}\n', "line 2 is not"),
        ('{"Timestamp": 0, "Label": {"Name": "Car"}}\nnot json\n', "line 2 is not"),
        ('{\n  "Timestamp": 0,\n  "Label": {"Name": "Car"}\n}\n', "line 1 is not"),
        ('{"JobStatus": "SUCCEEDED", "Labels": "no"}', "not a GetLabelDetection response"),
        ('{"Timestamp": "zero", "Label": {"Name": "Car"}}', "not a GetLabelDetection response"),
    ],
    ids=["foo", "empty", "blank", "list", "no-label", "not-json", "pretty", "bad-labels",
         "bad-timestamp"],
)  # fmt: skip
@pytest.mark.parametrize("command", [["summary"], ["summary", "--output", "json"],
                                     ["sort", "--by", "NAME"], ["aggregate"]])  # fmt: skip
def test_a_file_holding_no_response_exits_2(
    text: str, says: str, command: list[str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    path = tmp_path / "in.json"
    path.write_text(text, encoding="utf-8")
    argv = [command[0], str(path), *command[1:]]
    code, out, err = cli(argv, capsys, monkeypatch)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(f"rekolabels: error: {path} ")
    assert says in lines[1]


@pytest.mark.parametrize(
    ("command", "what"),
    [(["sort", "--by", "NAME"], "the new order"), (["aggregate"], "each segment"),
     (["summary"], "the summary"), (["summary", "--output", "csv"], "the summary"),
     (["timeline", "--out", "{tmp}/t.png"], "the timeline")],
    ids=["sort", "aggregate", "summary", "summary-csv", "timeline"],
)  # fmt: skip
def test_one_page_of_a_longer_job_is_said_once_in_cli_words(
    command: list[str], what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    page = str(DATA / PAGE_OF_A_LONGER_JOB)
    argv = [command[0], page, *(a.replace("{tmp}", str(tmp_path)) for a in command[1:])]
    code, out, err = cli(argv, capsys, monkeypatch)
    assert code == 0
    assert out
    assert err.splitlines() == [
        f"rekolabels: warning: {page} is one page of a longer job (it has a NextToken): {what} "
        "covers this page only; save the whole job with `rekolabels get-label-detection "
        "--job-id ID` (it follows every page)"
    ]


def test_the_same_page_from_stdin_is_named_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (DATA / PAGE_OF_A_LONGER_JOB).read_text(encoding="utf-8")
    code, _, err = cli(["summary", "-", "--output", "json"], capsys, monkeypatch, text)
    assert code == 0
    assert err.startswith("rekolabels: warning: stdin is one page of a longer job")


def test_a_whole_job_says_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for argv in (["sort", str(DATA / GRANDTOUR), "--by", "NAME"],
                 ["summary", str(DATA / GRANDTOUR), "--output", "json"]):  # fmt: skip
        code, _, err = cli(argv, capsys, monkeypatch)
        assert (code, err) == (0, "")


# -- fake-server --job -------------------------------------------------------------------------


def test_fake_server_refuses_one_page_of_a_longer_job(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    job = f"page={DATA / PAGE_OF_A_LONGER_JOB}"
    code, out, err = cli(["fake-server", "--port", "0", "--job", job], capsys, monkeypatch)
    assert code == 2
    assert out == ""  # it never served
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(f"rekolabels: error: --job {job}: the file is one page of a")
    assert "get_all" not in lines[1]


def test_fake_server_serves_jsonl_as_a_job_that_succeeded(jsonl: Path, tmp_path: Path) -> None:
    import subprocess

    from tests.cli_helpers import bare_env, run, script

    argv = [script(), "fake-server", "--port", "0", "--job", f"mine={jsonl}"]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                          env=bare_env(tmp_path)) as proc:  # fmt: skip
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            args = ["get-label-detection", "--job-id", "mine", "--endpoint-url", url,
                    "--region", "us-east-1", "--no-sign-request", "--output", "jsonl"]  # fmt: skip
            result = run(args, bare_env(tmp_path))
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    assert result.returncode == 0, result.stderr
    assert result.stdout == jsonl.read_text(encoding="utf-8")
