"""bench/export.py runs end to end (smoke mode: tiny sizes, no timing is asserted); each run's
dataset is checked with DuckDB inside the bench, so a label lost or repeated fails it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_export_bench_runs_in_quick_mode(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "bench/export.py", "--quick", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "loadavg" in result.stdout
    report = json.loads(out.read_text())
    assert {f["key"] for f in report["figures"]} == {"P5", "P5-jsonl", "P5-rss"}
    for figure in report["figures"]:
        assert figure["value"] is not None, figure["key"]
        assert figure["verdict"] in ("PASS", "MISS"), figure["key"]
    assert result.stdout.count("every label exactly once") == 2
    assert report["figures"][0]["samples"]["startup_s"]
