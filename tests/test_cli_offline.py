"""The commands that read a saved response (_cli/_offline): ``sort``, ``aggregate``, ``summary``
and ``timeline``, run in-process with ``main(argv)``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from rekolabels._cli import main
from tests.helpers import DATA

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
    assert captured.err.startswith("rekolabels: warning: reaggregate() aggregates one page")


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
    assert "bad.json is not JSON" in errors[1]
    assert (
        errors[2]
        == "rekolabels: error: stdin is not a GetLabelDetection response: not a JSON object"
    )
