"""The export's files: a job is finished only when its record and its file agree; temporary
files start with "_" and go away; the lines are the CLI's jsonl lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import rekolabels as rl
from rekolabels._dataset import RECORD, JsonlWriter, Options, finished, job_fields, remove_partials
from rekolabels._output import write_jsonl
from tests.helpers import AWS_RECORDINGS, load

OPTIONS = Options("jsonl", "TIMESTAMP", "TIMESTAMPS")


def _pages(name: str) -> list[rl.GetLabelDetectionResponse]:
    """A recording cut into pages of 100 labels, as the service would page it."""
    whole = rl.GetLabelDetectionResponse.from_boto3(load(name))
    labels = whole.labels or []
    return [
        whole.model_copy(update={"labels": labels[i : i + 100]})
        for i in range(0, max(len(labels), 1), 100)
    ]


def _write(directory: Path, name: str = "boto3-2023-grandtour720-timestamps-v3.json") -> None:
    writer = JsonlWriter(directory, OPTIONS)
    for page in _pages(name):
        writer.write_page(page)
    writer.commit()


@pytest.mark.parametrize("name", AWS_RECORDINGS)
def test_the_lines_are_the_clis_jsonl_lines(tmp_path: Path, name: str) -> None:
    _write(tmp_path / "job", name)
    cli = io.StringIO()
    write_jsonl(rl.GetLabelDetectionResponse.from_boto3(load(name)).labels or [], cli)
    written = (tmp_path / "job" / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in written] == [
        json.loads(line) for line in cli.getvalue().splitlines()
    ]


def test_a_committed_job_is_finished_with_its_options_and_its_record(tmp_path: Path) -> None:
    directory = tmp_path / "job_id=job-1"
    assert finished(directory) == []
    _write(directory)
    [done] = finished(directory)
    assert done.options == OPTIONS
    assert done.path == directory / "labels.jsonl"
    record = json.loads((directory / RECORD).read_text())
    assert record["labels"] == len(load("boto3-2023-grandtour720-timestamps-v3.json")["Labels"])
    assert record["pages"] == 9
    assert sorted(p.name for p in directory.iterdir()) == [RECORD, "labels.jsonl"]


@pytest.mark.parametrize("damage", ["longer", "shorter", "no record", "garbage record"])
def test_a_file_and_record_that_disagree_are_not_finished(tmp_path: Path, damage: str) -> None:
    directory = tmp_path / "job"
    _write(directory)
    data, record = directory / "labels.jsonl", directory / RECORD
    if damage == "longer":
        with data.open("a") as file:
            file.write("{}\n")
    elif damage == "shorter":
        data.write_bytes(data.read_bytes()[:-10])
    elif damage == "no record":
        record.unlink()
    else:
        record.write_text('{"format": 1}')
    assert finished(directory) == []


def test_the_job_fields_leave_out_the_labels_and_the_job_id() -> None:
    page = _pages("boto3-2023-grandtour720-timestamps-v3.json")[0]
    fields = job_fields(page)
    assert (
        fields["VideoMetadata"]
        == load("boto3-2023-grandtour720-timestamps-v3.json")["VideoMetadata"]
    )
    assert fields["JobStatus"] == "SUCCEEDED"
    for name in ("Labels", "JobId", "NextToken", "ResponseMetadata"):
        assert name not in fields


def test_discarding_leaves_nothing_not_even_the_directory(tmp_path: Path) -> None:
    directory = tmp_path / "job_id=job-1"
    writer = JsonlWriter(directory, OPTIONS)
    writer.write_page(_pages("boto3-2023-grandtour720-timestamps-v3.json")[0])
    assert [p.name for p in directory.iterdir()] == ["_labels.jsonl.partial"]
    writer.discard()
    assert not directory.exists()
    # Over a finished export, discarding a new attempt leaves the finished one alone.
    _write(directory)
    before = sorted(p.name for p in directory.iterdir())
    JsonlWriter(directory, OPTIONS).discard()
    assert sorted(p.name for p in directory.iterdir()) == before
    assert finished(directory)


def test_a_commit_replaces_the_other_formats_file(tmp_path: Path) -> None:
    directory = tmp_path / "job"
    directory.mkdir()
    (directory / "labels.parquet").write_bytes(b"an export with other options")
    _write(directory)
    assert sorted(p.name for p in directory.iterdir()) == [RECORD, "labels.jsonl"]


def test_leftover_temporary_files_are_removed_and_nothing_else(tmp_path: Path) -> None:
    directory = tmp_path / "job"
    _write(directory)
    (directory / "_labels.jsonl.partial").write_text("half a page")
    (directory / "_rekolabels.json.partial").write_text("{")
    (directory / "notes.txt").write_text("the user's")
    remove_partials(directory)
    assert sorted(p.name for p in directory.iterdir()) == [RECORD, "labels.jsonl", "notes.txt"]
    remove_partials(tmp_path / "absent")  # a job never exported: nothing to do
