"""bench/: the harness keeps its fairness rules, and run.py runs end to end (smoke mode: tiny
sizes, no timing is asserted)."""

from __future__ import annotations

import dataclasses
import gc
import json
import sys
import weakref
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import harness  # noqa: E402

from .bench_helpers import bench_script  # noqa: E402

QUICK_KEYS = {
    *(f"{p}-{v}" for p in ("P1", "P1b", "P1f", "P1*") for v in ("v2", "v3")),
    "P4", "P4-kept", "P2", "G1", "P3", "S1", "S1-run", "S2", "S3", "S4", "J1", "J2",
}  # fmt: skip


@pytest.mark.slow
def test_the_bench_runs_in_quick_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    assert bench_script("run").main(["--quick", "--json", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "python CPython" in stdout or "python PyPy" in stdout
    assert "loadavg" in stdout
    report = json.loads(out.read_text())
    assert {f["key"] for f in report["figures"]} == QUICK_KEYS
    for figure in report["figures"]:
        assert figure["value"] is not None, figure["key"]
        assert figure["verdict"] in ("PASS", "MISS", "info"), figure["key"]
        # Every line of the report shows the figure, its goal and its verdict.
        line = next(x for x in stdout.splitlines() if x.startswith(figure["key"] + " "))
        assert figure["goal"] in line
        assert figure["verdict"] in line
    assert report["machine"]["cpus"]


def test_spread_gives_median_quartiles_and_extremes() -> None:
    spread = harness.Spread.of([5.0, 1.0, 4.0, 2.0, 3.0])
    assert (spread.median, spread.q1, spread.q3, spread.lo, spread.hi, spread.n) == (
        3.0, 2.0, 4.0, 1.0, 5.0, 5,
    )  # fmt: skip
    assert "IQR 2.000-4.000" in spread.fmt()


@pytest.mark.parametrize(
    ("goal", "value", "passed"),
    [("<= 0.5", 0.5, True), ("<= 0.5", 0.51, False), (">= 2.0", 2.5, True),
     ("< 1.0", 1.0, False), ("== 0", 0.0, True), ("<= 40", 41.0, False), ("info", 9.0, None)],
)  # fmt: skip
def test_goals_decide_pass_and_miss(goal: str, value: float, passed: bool | None) -> None:
    assert harness.Goal(goal).check(value) is passed


def test_ab_interleaves_and_alternates_which_side_runs_first() -> None:
    calls: list[str] = []
    harness.ab(lambda: calls.append("a"), lambda: calls.append("b"), repeats=4, warmup=0)
    assert calls == ["a", "b", "b", "a", "a", "b", "b", "a"]


def test_ab_warms_each_side_up_untimed_before_the_timed_repeats() -> None:
    calls: list[str] = []
    result = harness.ab(lambda: calls.append("a"), lambda: calls.append("b"), repeats=2)
    assert calls == ["a", "b", "a", "b", "b", "a"]
    assert (len(result.a), len(result.b)) == (2, 2)


@pytest.mark.parametrize("script", ["run", "tables", "export"])
def test_quick_mode_only_shrinks_the_full_run(script: str) -> None:
    module: Any = bench_script(script)
    full, quick = dataclasses.asdict(module.FULL), dataclasses.asdict(module.QUICK)
    assert quick.keys() == full.keys()
    for name, value in full.items():
        pairs = (
            zip(quick[name], value, strict=True)
            if isinstance(value, tuple)
            else [(quick[name], value)]
        )
        assert all(0 <= q <= f for q, f in pairs), (name, quick[name], value)
    # A full run warms both sides up before timing; a quick run's single sample need not.
    assert full.get("warmup", 1) >= 1


def test_quick_jobs_still_have_a_second_page() -> None:
    # So that every paged figure of a quick run follows a NextToken and merges pages.
    run: Any = bench_script("run")
    tables: Any = bench_script("tables")
    export: Any = bench_script("export")
    assert min(run.QUICK.pages_p4, run.QUICK.pages_p2, export.QUICK.pages) >= 2
    assert (
        min(run.QUICK.labels_g1, tables.QUICK.c2, tables.QUICK.c3, tables.QUICK.m1)
        > tables.PAGE_SIZE
    )


def test_ab_refuses_a_side_that_changes_the_gc_policy() -> None:
    assert gc.isenabled()
    try:
        with pytest.raises(harness.GCPolicyChanged, match="A"):
            harness.ab(gc.disable, lambda: None, repeats=2)
    finally:
        gc.enable()


class _Result:
    alive = 0
    most = 0

    def __init__(self) -> None:
        _Result.alive += 1
        _Result.most = max(_Result.most, _Result.alive)

    def __del__(self) -> None:
        _Result.alive -= 1


@pytest.mark.parametrize(("keep", "most"), [(False, 1), (True, 5)])
def test_results_are_dropped_after_each_sample_and_kept_only_if_asked(
    keep: bool, most: int
) -> None:
    _Result.alive = _Result.most = 0
    harness.cpu_sample(_Result, number=5, keep=keep)
    assert _Result.most == most
    assert _Result.alive == 0


def test_a_child_reports_its_own_cpu_and_peak_rss() -> None:
    grow = "x = bytearray(80 * 2**20); x[::4096] = b'1' * len(x[::4096]); print('ok')"
    run = harness.run_child([sys.executable, "-c", grow], capture=True)
    assert run.stdout.strip() == b"ok"
    assert run.maxrss >= 80 * 2**20
    assert run.cpu_s > 0
    with pytest.raises(RuntimeError, match="exited 3"):
        harness.run_child([sys.executable, "-c", "raise SystemExit(3)"])


def test_peak_rss_above_baseline_sees_a_transient_allocation() -> None:
    def work() -> int:
        block = bytearray(40 * 2**20)
        block[::4096] = b"1" * len(block[::4096])
        return len(block)

    assert harness.peak_rss_above_baseline(work) >= 30 * 2**20


def test_the_fake_server_runs_out_of_process() -> None:
    with harness.FakeServer({"job-1": 5}) as server:
        assert server.url.startswith("http://127.0.0.1:")
        client: Any = server.client()
        page = client.get_label_detection(JobId="job-1")
        assert len(page["Labels"]) == 5
        proc = server._proc
        assert proc is not None
        ref = weakref.ref(proc)
    assert server._proc is None
    finished = ref()
    assert finished is None or finished.returncode is not None


def test_a_childs_own_peak_rss_leaves_out_the_process_that_spawned_it() -> None:
    # Linux carries ru_maxrss across exec: a child of a big process reports the big one's RSS
    # unless the child measures itself (own_rss), as the memory figures do.
    ballast = bytearray(300 * 2**20)
    ballast[::4096] = b"1" * len(ballast[::4096])
    tiny = [sys.executable, "-c", "print('ok')"]
    run = harness.run_child(tiny, capture=True, own_rss=True)
    assert run.stdout.strip() == b"ok"
    assert run.maxrss < 150 * 2**20
    assert harness.run_child(tiny).maxrss >= 300 * 2**20  # what wait4 alone would say
    del ballast
