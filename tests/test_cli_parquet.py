"""``get-label-detection --output parquet --out FILE`` and the offline commands on Parquet files,
against the fake on loopback HTTP (dummy credentials, no config): in this process, but for the
first write and the missing extra, which run the installed script.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

import rekolabels as rl  # noqa: E402
from rekolabels._table import JOB_METADATA_KEY  # noqa: E402
from rekolabels.testing import FakeRekognition, new_client  # noqa: E402
from tests.cli_helpers import assert_short_error, clean_env, run, run_main  # noqa: E402
from tests.helpers import DATA  # noqa: E402

JOB = "job-2345"
DETECTIONS = 2345
GRANDTOUR = DATA / "boto3-2023-grandtour720-timestamps-v3.json"


def without(*packages: str) -> list[str]:
    """A command that runs the CLI with ``packages`` unimportable."""
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in packages)
    code = f"import sys; {blocked}; from rekolabels._cli import main; sys.exit(main(sys.argv[1:]))"
    return [sys.executable, "-c", code]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeRekognition]:
    with FakeRekognition(seed=3) as fake:
        fake.add_synthetic_job(JOB, detections=DETECTIONS, seed=4)
        fake.add_job("running", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1000)
        fake.add_job("empty", {"JobStatus": "SUCCEEDED", "Labels": []})
        fake.serve()
        yield fake


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return clean_env(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def endpoint(fake: FakeRekognition) -> list[str]:
    return ["--endpoint-url", fake.serve()]


@pytest.fixture(scope="module")
def saved(
    env: dict[str, str], endpoint: list[str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The job written once as Parquet and once as JSON, by the CLI."""
    folder = tmp_path_factory.mktemp("saved")
    parquet, as_json = folder / "job.parquet", folder / "job.json"
    args = ["get-label-detection", "--job-id", JOB, "--max-results", "500", *endpoint]
    result = run([*args, "--output", "parquet", "--out", str(parquet)], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    result = run_main(args, env)
    assert result.returncode == 0, result.stderr
    as_json.write_text(result.stdout)
    return {"parquet": parquet, "json": as_json}


def get_table(fake: FakeRekognition, job_id: str, **kwargs: object) -> rl.LabelTable:
    lc = rl.LabelDetectionClient(new_client(endpoint_url=fake.serve()))
    return lc.get_table(job_id, **kwargs)  # type: ignore[arg-type]


def without_request_metadata(job: rl.GetLabelDetectionResponse) -> dict[str, object]:
    return {k: v for k, v in job.to_boto3().items() if k != "ResponseMetadata"}


def test_the_file_is_what_get_table_and_write_parquet_give(
    saved: dict[str, Path], fake: FakeRekognition, tmp_path: Path
) -> None:
    back = rl.LabelTable.read_parquet(saved["parquet"])
    expected = get_table(fake, JOB, max_results=500)
    assert back.arrow.equals(expected.arrow)
    assert back.arrow.schema.equals(expected.arrow.schema)
    assert len(back) == DETECTIONS
    assert back.job.next_token is None
    assert without_request_metadata(back.job) == without_request_metadata(expected.job)
    # The same metadata write_parquet stores, ResponseMetadata (this run's request id) aside.
    expected.write_parquet(tmp_path / "api.parquet")
    api = rl.LabelTable.read_parquet(tmp_path / "api.parquet")
    assert api.arrow.equals(back.arrow)
    assert without_request_metadata(api.job) == without_request_metadata(back.job)
    assert JOB_METADATA_KEY in pq.read_schema(saved["parquet"]).metadata
    # Pages of 500 gathered into one row group, not one per page.
    assert pq.ParquetFile(saved["parquet"]).metadata.num_row_groups == 1
    assert not [p.name for p in saved["parquet"].parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("order", [["--sort-by", "NAME"], ["--aggregate-by", "SEGMENTS"]])
def test_sort_and_aggregate_by_are_sent(
    order: list[str], env: dict[str, str], endpoint: list[str], fake: FakeRekognition,
    tmp_path: Path,
) -> None:  # fmt: skip
    out = tmp_path / "job.parquet"
    args = ["get-label-detection", "--job-id", JOB, *order, "--output", "parquet"]
    result = run_main([*args, "--out", str(out), *endpoint], env)
    assert result.returncode == 0, result.stderr
    keyword = {"--sort-by": "sort_by", "--aggregate-by": "aggregate_by"}[order[0]]
    expected = get_table(fake, JOB, **{keyword: order[1]})
    back = rl.LabelTable.read_parquet(out)
    assert back.arrow.equals(expected.arrow)
    assert back.job.get_request_metadata == expected.job.get_request_metadata


def test_no_paginate_writes_one_page_with_its_next_token(
    env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "page.parquet"
    args = ["get-label-detection", "--job-id", JOB, "--no-paginate", "--max-results", "100"]
    result = run_main([*args, "--output", "parquet", "--out", str(out), *endpoint], env)
    assert result.returncode == 0, result.stderr
    page = rl.LabelTable.read_parquet(out)
    assert len(page) == 100
    assert page.job.next_token
    rest = tmp_path / "rest.parquet"
    following = ["--next-token", page.job.next_token, "--output", "parquet", "--out", str(rest)]
    result = run_main(["get-label-detection", "--job-id", JOB, *following, *endpoint], env)
    assert result.returncode == 0, result.stderr
    assert len(rl.LabelTable.read_parquet(rest)) == DETECTIONS - 100


def test_an_empty_job_is_an_empty_table(
    env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "empty.parquet"
    result = run_main(["get-label-detection", "--job-id", "empty", "--output", "parquet",
                  "--out", str(out), *endpoint], env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    back = rl.LabelTable.read_parquet(out)
    assert len(back) == 0
    assert back.job.job_status is rl.VideoJobStatus.SUCCEEDED


@pytest.mark.slow
def test_a_large_job_is_written_in_row_groups_of_64k_rows(
    env: dict[str, str], fake: FakeRekognition, endpoint: list[str], tmp_path: Path
) -> None:
    fake.add_synthetic_job("large", detections=70_000, seed=9)
    out = tmp_path / "large.parquet"
    result = run_main(["get-label-detection", "--job-id", "large", "--output", "parquet",
                  "--out", str(out), *endpoint], env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    file = pq.ParquetFile(out)
    assert file.metadata.num_rows == 70_000
    assert [file.metadata.row_group(i).num_rows for i in range(2)] == [66_000, 4_000]
    assert rl.LabelTable.read_parquet(out).arrow.equals(get_table(fake, "large").arrow)


# -- the offline commands read Parquet ----------------------------------------------------------


OFFLINE = [
    ["sort", "{}", "--by", "NAME"],
    ["aggregate", "{}", "--max-gap-ms", "1000"],
    ["summary", "{}", "--top", "12"],
]


@pytest.mark.parametrize("command", OFFLINE, ids=lambda c: c[0])
def test_offline_commands_give_the_same_output_from_parquet_and_json(
    command: list[str], env: dict[str, str], saved: dict[str, Path]
) -> None:
    def with_file(path: Path | str) -> list[str]:
        return [str(path) if part == "{}" else part for part in command]

    from_json = run_main(with_file(saved["json"]), env)
    assert from_json.returncode == 0, from_json.stderr
    from_parquet = run_main(with_file(saved["parquet"]), env)
    assert from_parquet.returncode == 0, from_parquet.stderr
    assert from_parquet.stdout == from_json.stdout
    from_stdin = run_main(with_file("-"), env, stdin=saved["parquet"].read_bytes())
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert from_stdin.stdout == from_json.stdout


def test_timeline_draws_a_parquet_file(
    env: dict[str, str], saved: dict[str, Path], tmp_path: Path
) -> None:
    png = tmp_path / "timeline.png"
    drawn = run_main(["timeline", str(saved["parquet"]), "--out", str(png), "--top", "8"], env)
    assert drawn.returncode == 0, drawn.stderr
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_a_file_from_write_parquet_is_read_too(env: dict[str, str], tmp_path: Path) -> None:
    recording = rl.GetLabelDetectionResponse.from_boto3(json.loads(GRANDTOUR.read_text()))
    path = tmp_path / "grandtour.parquet"
    rl.LabelTable.from_labels(recording).write_parquet(path)
    for command in (["summary", "{}"], ["aggregate", "{}"]):
        from_json = run_main([str(GRANDTOUR) if p == "{}" else p for p in command], env)
        from_parquet = run_main([str(path) if p == "{}" else p for p in command], env)
        assert from_json.returncode == from_parquet.returncode == 0, from_parquet.stderr
        assert from_parquet.stdout == from_json.stdout


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "--output parquet needs --out FILE"),
        (["--out", "{dir}"], "cannot write {dir}: it is a directory"),
        (
            ["--out", "{dir}/no/such/x.parquet"],
            "cannot write {dir}/no/such/x.parquet: no directory",
        ),
    ],
)
def test_usage_errors_before_any_request(
    extra: list[str], message: str, env: dict[str, str], endpoint: list[str],
    fake: FakeRekognition, tmp_path: Path,
) -> None:  # fmt: skip
    args = [p.format(dir=tmp_path) for p in extra]
    before = fake.request_count
    result = run_main(["get-label-detection", "--job-id", JOB, "--output", "parquet", *args,
                  *endpoint], env)  # fmt: skip
    assert_short_error(result, 2)
    assert message.format(dir=tmp_path) in result.stderr
    assert fake.request_count == before


def test_out_is_only_for_parquet(env: dict[str, str], endpoint: list[str], tmp_path: Path) -> None:
    result = run_main(["get-label-detection", "--job-id", JOB, "--out", str(tmp_path / "x"),
                  *endpoint], env)  # fmt: skip
    assert_short_error(result, 2)
    assert "--out is for --output parquet" in result.stderr


@pytest.mark.parametrize(("job", "error"), [("running", "IN_PROGRESS"), ("no-such-job", "")])
def test_a_job_that_cannot_be_read_leaves_no_file(
    job: str, error: str, env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "job.parquet"
    result = run_main(["get-label-detection", "--job-id", job, "--output", "parquet",
                  "--out", str(out), *endpoint], env)  # fmt: skip
    assert_short_error(result, 1)
    assert error in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_failure_after_some_pages_leaves_no_partial_file(
    env: dict[str, str], endpoint: list[str], fake: FakeRekognition, tmp_path: Path
) -> None:
    out = tmp_path / "job.parquet"
    out.write_bytes(b"an older file, kept")
    fake.inject([None, None, "AccessDeniedException"])
    result = run_main(["get-label-detection", "--job-id", JOB, "--max-results", "100", "--output",
                  "parquet", "--out", str(out), *endpoint], env)  # fmt: skip
    assert_short_error(result, 1)
    assert "AccessDenied" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job.parquet"]
    assert out.read_bytes() == b"an older file, kept"


def test_a_missing_arrow_extra_is_exit_2_with_the_hint(
    env: dict[str, str], endpoint: list[str], saved: dict[str, Path], tmp_path: Path,
    fake: FakeRekognition,
) -> None:  # fmt: skip
    before = fake.request_count
    out = tmp_path / "job.parquet"
    args = ["get-label-detection", "--job-id", JOB, "--output", "parquet", "--out", str(out)]
    result = run([*args, *endpoint], env, command=without("pyarrow"))
    assert_short_error(result, 2)
    assert result.stderr.strip().splitlines()[-1] == (
        "rekolabels: error: '--output parquet' needs the arrow extra: "
        "pip install 'rekolabels[arrow]'"
    )
    assert fake.request_count == before
    assert not out.exists()
    result = run(["sort", str(saved["parquet"]), "--by", "NAME"], env, command=without("pyarrow"))
    assert_short_error(result, 2)
    assert "needs the arrow extra: pip install 'rekolabels[arrow]'" in result.stderr


@pytest.mark.parametrize(
    "content",
    [b"PAR1", b"PAR1 not really parquet", b"PAR1" + b"\0" * 100 + b"PAR1"],
    ids=["magic only", "garbage", "zeros"],
)
def test_a_broken_parquet_file_is_exit_2(
    content: bytes, env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(content)
    result = run_main(["summary", str(bad)], env)
    assert_short_error(result, 2)
    assert "is not a Parquet file of rekolabels' table" in result.stderr


def test_a_parquet_file_of_another_schema_is_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), other)
    result = run_main(["sort", str(other), "--by", "NAME"], env)
    assert_short_error(result, 2)
    assert "is not a Parquet file of rekolabels' table" in result.stderr
