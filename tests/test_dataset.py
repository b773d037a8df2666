"""The export's files: a job is finished only when its record and its file agree; temporary
files start with "_" and go away; the lines are the CLI's jsonl lines."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

import rekolabels as rl
from rekolabels._dataset import (
    EXPORT_METADATA_KEY,
    JOB_COLUMNS,
    RECORD,
    JsonlWriter,
    Options,
    ParquetWriter,
    finished,
    job_fields,
    remove_partials,
)
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


PARQUET = Options("parquet", "NAME", "TIMESTAMPS")


def _write_parquet(directory: Path) -> None:
    writer = ParquetWriter(directory, PARQUET)
    for page in _pages("boto3-2023-grandtour720-timestamps-v3.json"):
        writer.write_page(page)
    writer.commit()


def test_a_parquet_file_is_finished_by_the_record_in_its_footer(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    directory = tmp_path / "job"
    _write_parquet(directory)
    [done] = finished(directory)
    assert done.options == PARQUET
    assert done.path == directory / "labels.parquet"
    assert [p.name for p in directory.iterdir()] == ["labels.parquet"]
    record = json.loads(pq.read_metadata(done.path).metadata[EXPORT_METADATA_KEY])
    assert (record["labels"], record["pages"]) == (855, 9)
    # The rows are the model path's, page after page, with the job's columns after them.
    rows = pq.read_table(done.path)
    whole = rl.GetLabelDetectionResponse.from_boto3(
        load("boto3-2023-grandtour720-timestamps-v3.json")
    )
    expected = rl.LabelTable.from_labels(whole).arrow
    assert rows.drop_columns(list(JOB_COLUMNS)).equals(expected, check_metadata=False)


@pytest.mark.parametrize("damage", ["not parquet", "no record", "cut short"])
def test_a_parquet_file_without_a_whole_footer_and_record_is_not_finished(
    tmp_path: Path, damage: str
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    directory = tmp_path / "job"
    _write_parquet(directory)
    data = directory / "labels.parquet"
    if damage == "not parquet":
        data.write_text("a b c\n")
    elif damage == "no record":
        pq.write_table(pq.read_table(data).replace_schema_metadata(None), data)
    else:
        data.write_bytes(data.read_bytes()[:-100])
    assert finished(directory) == []


def test_without_pyarrow_a_parquet_export_is_kept_as_one_of_unknown_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow")
    directory = tmp_path / "job"
    _write_parquet(directory)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # as if it were not installed
    [done] = finished(directory)
    assert done.options == Options("parquet", "?", "?")  # never taken for a jsonl export's


def test_a_discarded_parquet_file_leaves_nothing(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    directory = tmp_path / "job"
    writer = ParquetWriter(directory, PARQUET)
    writer.write_page(_pages("boto3-2023-grandtour720-timestamps-v3.json")[0])
    assert [p.name for p in directory.iterdir()] == ["_labels.parquet.partial"]
    writer.discard()
    assert not directory.exists()
