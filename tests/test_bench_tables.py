"""bench/tables.py runs end to end (smoke mode: tiny sizes, no timing is asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .bench_helpers import bench_script

pytest.importorskip("pyarrow")
pytest.importorskip("polars")


@pytest.mark.slow
def test_the_table_bench_runs_in_quick_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    assert bench_script("tables").main(["--quick", "--json", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "loadavg" in stdout
    report = json.loads(out.read_text())
    keys = {f["key"] for f in report["figures"]}
    assert keys == {"C1", "C1-models", "C1-e2e", "C1-e2e-models", "C1-e2e-boto3", "C2",
                    "C2-wall", "C3", "M1-read", "M1-aggregate", "M1-summarize",
                    "M1-rss"}  # fmt: skip
    assert all(f["value"] is not None for f in report["figures"])
    # The M1 children summarised the same job identically on both paths (the bench checks it).
    assert "summaries identical" in stdout
