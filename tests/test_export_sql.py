"""The DuckDB recipes of docs/export.md (docs/examples/export/*.sql) run on an exported dataset
and give what rekolabels' own functions give: the segment rule, the sampling period, screen time
per label per video, the videos where a label is on screen long enough, the top labels.

Also: the dataset reads unchanged in another engine (pyarrow.dataset), and a job id of digits
only stays a string when the partition is typed as one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import rekolabels as rl
from rekolabels.testing import FakeRekognition
from rekolabels.testing._synthetic import synthetic_response

duckdb = pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parent.parent
RECIPES = ROOT / "docs" / "examples" / "export"
# Irregular 500/501 ms sampling with skipped samples, 200 ms sampling, one sample, and an id of
# digits only.
JOBS: dict[str, dict[str, Any]] = {
    "job-long": {"detections": 3200, "seed": 1},
    "job-short": {"detections": 700, "seed": 2},
    "job-200ms": {"detections": 1500, "seed": 3, "frame_rate": 25, "frame_step": 5},
    "job-single": {"detections": 1, "seed": 4},
    "20240501": {"detections": 900, "seed": 5},
}


@pytest.fixture(scope="module")
def labels() -> dict[str, list[rl.LabelDetection]]:
    """Every job's labels as rekolabels reads them."""
    return {
        job_id: rl.GetLabelDetectionResponse.from_boto3(_response(job_id)).labels or []
        for job_id in JOBS
    }


def _response(job_id: str) -> dict[str, Any]:
    spec = dict(JOBS[job_id])
    return synthetic_response(spec.pop("detections"), job_id=job_id, **spec)


@pytest.fixture(scope="module", params=["jsonl", "parquet"])
def dataset(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The jobs exported in one format; each test runs on both."""
    format = request.param
    if format == "parquet":
        pytest.importorskip("pyarrow")
    root = tmp_path_factory.mktemp(format)
    with FakeRekognition() as fake:
        for job_id in JOBS:
            fake.add_job(job_id, _response(job_id))
        report = rl.export_jobs(
            JOBS, root / "dataset", client=rl.LabelDetectionClient(fake.client), format=format
        )
    assert report.done == list(JOBS)
    return root


def _format(dataset: Path) -> str:
    return "parquet" if any(dataset.rglob("labels.parquet")) else "jsonl"


@pytest.fixture
def con(dataset: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.chdir(dataset)  # the recipes read 'dataset/...', relative to where they run
    connection = duckdb.connect()
    _run(connection, f"labels_{_format(dataset)}.sql")  # the same views, whichever format
    _run(connection, "segments.sql")
    yield connection
    connection.close()


def _run(con: Any, recipe: str) -> list[tuple[Any, ...]]:
    """Every statement of a recipe file; the rows of the last one (if it returns rows)."""
    result = con.sql((RECIPES / recipe).read_text(encoding="utf-8"))
    return [] if result is None else result.fetchall()


def test_every_recipe_is_in_the_docs() -> None:
    page = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    for recipe in sorted(RECIPES.glob("*.sql")):
        assert f'--8<-- "docs/examples/export/{recipe.name}"' in page


def test_the_labels_view_holds_every_detection_and_ids_stay_strings(
    con: Any, labels: dict[str, list[rl.LabelDetection]]
) -> None:
    rows = con.sql("SELECT job_id, count(*) FROM labels GROUP BY job_id").fetchall()
    assert dict(rows) == {job_id: len(dets) for job_id, dets in labels.items()}
    assert con.sql("SELECT DISTINCT typeof(job_id) FROM labels").fetchall() == [("VARCHAR",)]
    videos = con.sql("SELECT job_id, video_name, frame_rate FROM videos").fetchall()
    assert sorted(v[0] for v in videos) == sorted(JOBS)
    assert all(name.endswith(".mp4") and rate > 0 for _, name, rate in videos)


@pytest.mark.parametrize("max_gap_ms", [None, 1000])
def test_segments_in_sql_are_aggregate_segments(
    con: Any, labels: dict[str, list[rl.LabelDetection]], max_gap_ms: int | None
) -> None:
    if max_gap_ms is not None:
        con.sql(f"SET VARIABLE max_gap_ms = {max_gap_ms}")
    rows = con.sql(
        "SELECT job_id, name, start_ms, end_ms, duration_ms, confidence FROM segments"
    ).fetchall()
    got = {(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows}
    expected = {
        (job_id, seg.name, seg.start_timestamp_millis, seg.end_timestamp_millis,
         seg.duration_millis, seg.confidence)
        for job_id, dets in labels.items()
        for seg in rl.aggregate_segments(dets, max_gap_ms=max_gap_ms)
    }  # fmt: skip
    assert len(rows) == len(got) == len(expected)
    assert got == expected
    if max_gap_ms is not None:  # the gap rule joins segments the grid rule keeps apart
        without = sum(len(rl.aggregate_segments(d)) for d in labels.values())
        assert len(expected) < without


def test_periods_are_sampling_period_ms(
    con: Any, labels: dict[str, list[rl.LabelDetection]]
) -> None:
    got = dict(con.sql("SELECT job_id, period_ms FROM periods").fetchall())
    expected = {job_id: rl.sampling_period_ms(dets) for job_id, dets in labels.items()}
    assert expected["job-single"] is None
    assert expected["job-200ms"] == 200
    assert got == {job_id: p for job_id, p in expected.items() if p is not None}


def test_screen_time_per_label_per_video_is_summarize_labels(
    con: Any, labels: dict[str, list[rl.LabelDetection]]
) -> None:
    rows = _run(con, "screen_time.sql")
    expected = [
        (job_id, s.name, s.segments, s.screen_time_ms)
        for job_id in sorted(labels)
        for s in rl.summarize_labels(labels[job_id])
    ]
    assert rows == expected  # the recipe's order: by video, most screen time first, then name


@pytest.mark.parametrize(("label", "seconds"), [("Person", 60), ("Car", 20), ("Car", 0)])
def test_videos_where_a_label_is_on_screen_for_at_least_n_seconds(
    con: Any, labels: dict[str, list[rl.LabelDetection]], label: str, seconds: int
) -> None:
    _run(con, "screen_time.sql")
    con.sql(f"SET VARIABLE label = '{label}'; SET VARIABLE min_seconds = {seconds}")
    rows = _run(con, "on_screen_at_least.sql")
    expected = []
    for job_id, dets in labels.items():
        for s in rl.summarize_labels(dets):
            if s.name == label and s.screen_time_ms >= seconds * 1000:
                expected.append((job_id, s.screen_time_ms / 1000))
    expected.sort(key=lambda e: (-e[1], e[0]))
    assert [(r[1], r[2]) for r in rows] == expected
    assert expected  # each case finds some videos
    assert all(r[0].endswith(".mp4") for r in rows)


def test_top_labels_across_the_fleet(con: Any, labels: dict[str, list[rl.LabelDetection]]) -> None:
    _run(con, "screen_time.sql")
    rows = _run(con, "top_labels.sql")
    videos: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    for dets in labels.values():
        for s in rl.summarize_labels(dets):
            videos[s.name] += 1
            seconds[s.name] += s.screen_time_ms
    expected = sorted(videos, key=lambda n: (-videos[n], -seconds[n], n))[:10]
    assert [r[0] for r in rows] == expected
    assert [(r[1], r[2]) for r in rows] == [(videos[n], seconds[n] / 1000) for n in expected]


def test_pyarrow_dataset_reads_the_same_dataset_unchanged(
    dataset: Path, labels: dict[str, list[rl.LabelDetection]]
) -> None:
    """Hive partitioning with job_id as a string: '20240501' is a job, not a number."""
    pa = pytest.importorskip("pyarrow")
    ds = pytest.importorskip("pyarrow.dataset")
    format = _format(dataset)
    part = ds.partitioning(pa.schema([("job_id", pa.string())]), flavor="hive")
    data = ds.dataset(
        dataset / "dataset", format=format.replace("jsonl", "json"), partitioning=part
    )
    # Files whose names start with "_" (the records, temporary files) are not data.
    assert all(Path(f).name == f"labels.{format}" for f in data.files)
    table = data.to_table()
    assert table.schema.field("job_id").type == pa.string()
    counts = Counter(table.column("job_id").to_pylist())
    assert counts == {job_id: len(dets) for job_id, dets in labels.items()}


def test_polars_reads_the_same_dataset_unchanged(
    dataset: Path, labels: dict[str, list[rl.LabelDetection]]
) -> None:
    """Parquet with Hive partitions (job_id typed as a string); JSON Lines, which polars reads
    without partitions, with job_id taken from each file's path."""
    pl = pytest.importorskip("polars")
    files = str(dataset / "dataset" / "*" / f"labels.{_format(dataset)}")
    if _format(dataset) == "parquet":
        frame = pl.scan_parquet(files, hive_partitioning=True, hive_schema={"job_id": pl.String})
        names = frame.filter(pl.col("job_id") == "20240501").select("video_name").unique()
        assert names.collect().to_series().to_list() == ["synthetic-5.mp4"]
    else:
        frame = pl.scan_ndjson(files, include_file_paths="path").with_columns(
            job_id=pl.col("path").str.extract(r"job_id=([^/\\]+)")
        )
    counts = frame.group_by("job_id").len().collect()
    assert dict(counts.iter_rows()) == {
        job_id: len(dets) for job_id, dets in labels.items() if dets
    }
