"""What the CLI shows about a whole job (_report): the summary table and the timeline picture."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import rekolabels as rl
from rekolabels._report import print_summary, shown_period_ms, write_timeline
from tests.helpers import load

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GRANDTOUR = "boto3-2023-grandtour720-timestamps-v3.json"


def test_a_segments_response_has_no_known_sampling_period() -> None:
    response = rl.GetLabelDetectionResponse.from_boto3(load("made-v3-segments-name-order.json"))
    assert shown_period_ms(response) == 0
    grandtour = load("boto3-2023-grandtour720-timestamps-v3.json")
    job = rl.GetLabelDetectionResponse.from_boto3(grandtour)
    assert shown_period_ms(job) == 500
    assert shown_period_ms(rl.reaggregate(job)) == 0


def test_timeline_of_an_empty_job_is_still_a_picture(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    response = rl.GetLabelDetectionResponse.from_boto3({"JobStatus": "SUCCEEDED", "Labels": []})
    out = tmp_path / "empty.png"
    assert write_timeline(response, out) == 0
    assert out.read_bytes().startswith(PNG_SIGNATURE)


def test_the_summary_table_of_one_page_of_a_longer_job_warns() -> None:
    pytest.importorskip("rich")
    from rich.console import Console

    from rekolabels._report import print_summary

    page = rl.GetLabelDetectionResponse.from_boto3(load("saved-2022-page1-nexttoken-v2.json"))
    with pytest.warns(rl.PartialJobWarning, match="summarize_labels"):
        print_summary(page, Console(file=io.StringIO()))


def test_the_timeline_of_one_page_of_a_longer_job_warns(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    page = rl.GetLabelDetectionResponse.from_boto3(load("saved-2022-page1-nexttoken-v2.json"))
    with pytest.warns(rl.PartialJobWarning, match="summarize_labels"):
        write_timeline(page, tmp_path / "t.png")


def test_timeline_draws_the_top_labels(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    job = rl.GetLabelDetectionResponse.from_boto3(load(GRANDTOUR))
    out = tmp_path / "top.png"
    assert write_timeline(job, out, top=8) == 8
    assert out.read_bytes().startswith(PNG_SIGNATURE)


def test_summary_ranks_labels_by_screen_time() -> None:
    rich_console = pytest.importorskip("rich.console")
    job = rl.GetLabelDetectionResponse.from_boto3(load(GRANDTOUR))
    out = io.StringIO()
    print_summary(job, rich_console.Console(file=out, width=150, color_system=None), top=3)
    rows = [line for line in out.getvalue().splitlines() if line.startswith("│")]
    assert len(rows) == 3
    top = rl.summarize_labels(job)[:3]
    for rank, (row, summary) in enumerate(zip(rows, top, strict=True), 1):
        cells = [cell.strip() for cell in row.strip("│").split("│")]
        assert cells[:2] == [str(rank), summary.name]
        assert cells[5] == f"{summary.screen_time_ms / 1000:.1f}"
    assert "sampled every ~500 ms" in out.getvalue()
    assert "top 3 by screen time" in " ".join(out.getvalue().split())
