"""bench/export.py runs end to end (smoke mode: tiny sizes, no timing is asserted); each run's
dataset is checked with DuckDB inside the bench, so a label lost or repeated fails it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .bench_helpers import bench_script

pytest.importorskip("pyarrow")
pytest.importorskip("duckdb")


@pytest.mark.slow
def test_the_export_bench_runs_in_quick_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    assert bench_script("export").main(["--quick", "--json", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "loadavg" in stdout
    report = json.loads(out.read_text())
    assert {f["key"] for f in report["figures"]} == {"P5", "P5-jsonl", "P5-rss"}
    for figure in report["figures"]:
        assert figure["value"] is not None, figure["key"]
        assert figure["verdict"] in ("PASS", "MISS"), figure["key"]
    assert stdout.count("every label exactly once") == 2
    assert report["figures"][0]["samples"]["startup_s"]
