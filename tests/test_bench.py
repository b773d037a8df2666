"""bench/run.py runs end to end (smoke mode: tiny sizes, no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_bench_runs_in_quick_mode(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for key in ("P1 ", "P1-bytes", "P1*", "P4 ", "P2 ", "P3 "):
        assert f"\n{key}" in result.stdout, key
    assert "python CPython" in result.stdout or "python PyPy" in result.stdout
    report = json.loads(out.read_text())
    assert {f["key"] for f in report["figures"]} == {
        "P1",
        "P1-bytes",
        "P1*",
        "P4",
        "P2",
        "P3",
        "P3-keys",
    }
    assert all(f["value"] is not None for f in report["figures"])
    assert report["machine"]["cpus"]
