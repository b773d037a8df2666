"""Many jobs under the account quota: how much of the quota does ``rekolabels export`` use?

Usage (from the repository root, in an environment with the dev extra)::

    python bench/export.py            # the full run (about two minutes)
    python bench/export.py --quick    # a smoke run: tiny sizes, figures meaningless
    python bench/export.py --json results.json

- **P5**: pages per second that the whole ``rekolabels export`` run achieves (a child process,
  start-up included, wall time) over the fake's quota, for 60 jobs of 6 pages (1,000 labels a
  page) with a quota of 30 calls per second (``fake-server --tps-quota 30``, out of process) and
  ``--tps 30``, written as Parquet (the default). Goal >= 0.9. The quota's own bucket allows a
  burst of 30 then 30 per second, so a perfect client with no start-up would reach
  360 / (330 / 30) / 30 = 1.09. Every run is checked with DuckDB: each job's file holds its
  6,000 labels, each (job, timestamp, label) once. The fake rests 1.5 s between runs, so each
  starts with a full quota, as an account idle before the export.
- **P5-jsonl**: the same, written as JSON Lines.
- **P5-rss**: peak RSS of the CLI exporting 100 jobs / 10 jobs to Parquet (child processes,
  interleaved, no quota): memory follows the pages in flight, not the jobs: goal <= 1.25.

The harness's rules (``harness.py``) apply: child processes, the fake out of process, spreads
and machine load printed.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from harness import (
    DUMMY_ENV,
    ChildRun,
    FakeServer,
    Figure,
    Spread,
    machine_state,
    publish,
    rekolabels_command,
    run_child,
)

PAGE = 1000


@dataclass(frozen=True)
class Sizes:
    jobs: int
    pages: int
    quota: float
    repeats: int
    rss_jobs: tuple[int, int]
    rss_repeats: int
    # The fake's rest before each run: long enough for its bucket (a burst of one second's
    # worth) to be full again, so that each run starts with a full quota.
    rest_s: float


FULL = Sizes(jobs=60, pages=6, quota=30.0, repeats=5, rss_jobs=(10, 100), rss_repeats=3,
             rest_s=1.5)  # fmt: skip
# One run of each figure on two jobs of two pages (a few calls, far under the quota's burst), no
# rest: the formats share one fake, every code path runs once.
QUICK = Sizes(jobs=2, pages=2, quota=30.0, repeats=1, rss_jobs=(1, 2), rss_repeats=1,
              rest_s=0.0)  # fmt: skip


def job_ids(n: int) -> list[str]:
    return [f"bench-{i:03d}" for i in range(n)]


def export_argv(
    server: FakeServer, ids_file: Path, out: Path, format: str, *extra: str
) -> list[str]:
    return [*rekolabels_command(), "export", "--job-ids", str(ids_file), "--out", str(out),
            "--format", format, "--endpoint-url", server.url, *extra]  # fmt: skip


def check_dataset(out: Path, ids: list[str], labels_per_job: int, format: str) -> int:
    """DuckDB's count of each job's labels equals the served count, each label once."""
    import duckdb

    if format == "parquet":
        source = f"""read_parquet('{out.as_posix()}/*/labels.parquet', hive_partitioning = true,
                                  hive_types = {{'job_id': 'VARCHAR'}})"""
        key = "(timestamp_ms, name)"
    else:
        source = f"""read_json('{out.as_posix()}/*/labels.jsonl', format = 'newline_delimited',
                               hive_partitioning = true, hive_types = {{'job_id': 'VARCHAR'}})"""
        key = '("Timestamp", "Label"."Name")'
    rows = duckdb.sql(
        f"""SELECT job_id, count(*) AS n, count(DISTINCT {key}) AS once FROM {source}
            GROUP BY job_id ORDER BY job_id"""
    ).fetchall()
    expected = [(job_id, labels_per_job, labels_per_job) for job_id in sorted(ids)]
    if rows != expected:
        raise AssertionError(f"labels lost or repeated: {rows[:5]} ... != {expected[:5]} ...")
    return sum(n for _, n, _ in rows)


def throttles(run: ChildRun) -> int:
    match = re.search(r"(\d+) throttled calls", run.stdout.decode())
    if match is None:
        raise AssertionError(f"no summary line in {run.stdout[-300:]!r}")
    return int(match.group(1))


def quota_fake(sizes: Sizes) -> FakeServer:
    """The fake P5 exports from: every job of ``sizes``, under the quota."""
    return FakeServer(dict.fromkeys(job_ids(sizes.jobs), PAGE * sizes.pages),
                      args=["--tps-quota", f"{sizes.quota:g}"])  # fmt: skip


def p5(sizes: Sizes, format: str, shared: FakeServer | None = None) -> list[Figure]:
    """``shared``: a running ``quota_fake`` to export from; otherwise this figure starts its own."""
    pages = sizes.jobs * sizes.pages
    figure = Figure(
        "P5" if format == "parquet" else f"P5-{format}",
        f"export: pages/s of the whole CLI run / the quota, {sizes.jobs} jobs x "
        f"{sizes.pages} pages, quota {sizes.quota:g} TPS, --tps {sizes.quota:g} ({format})",
        ">= 0.9",
    )  # fmt: skip
    ids = job_ids(sizes.jobs)
    walls: list[float] = []
    ratios: list[float] = []
    throttled: list[int] = []
    startup: list[float] = []
    cpu: list[float] = []
    fake = quota_fake(sizes) if shared is None else contextlib.nullcontext(shared)
    with fake as server, tempfile.TemporaryDirectory() as tmp:
        ids_file = Path(tmp, "jobs.txt")
        ids_file.write_text("\n".join(ids) + "\n")
        for r in range(sizes.repeats):
            out = Path(tmp, f"out-{r}")
            time.sleep(sizes.rest_s)
            argv = export_argv(server, ids_file, out, format, "--tps", f"{sizes.quota:g}")
            run = run_child(argv, env=DUMMY_ENV, capture=True)
            check_dataset(out, ids, PAGE * sizes.pages, format)
            walls.append(run.wall_s)
            cpu.append(run.cpu_s)
            ratios.append(pages / run.wall_s / sizes.quota)
            throttled.append(throttles(run))
            # The same command again: every job is finished, so this is start-up and the plan.
            startup.append(run_child(argv, env=DUMMY_ENV, capture=True).wall_s)
    spread = Spread.of(ratios)
    figure.set(spread.median, spread)
    figure.detail.append(
        f"wall {Spread.of(walls).fmt(1, ' s', 2)}; CPU of the CLI {Spread.of(cpu).fmt(1, ' s', 2)}"
    )
    figure.detail.append(
        f"start-up (a rerun that skips every job) {Spread.of(startup).fmt(1, ' s', 2)}"
    )
    figure.detail.append(f"throttled calls per run: {throttled}; every label exactly once")
    figure.samples = {"ratio": ratios, "wall_s": walls, "startup_s": startup, "cpu_s": cpu}
    return [figure]


def p5_rss(sizes: Sizes) -> list[Figure]:
    few, many = sizes.rss_jobs
    figure = Figure(
        "P5-rss", f"export: peak RSS of the CLI, {many} jobs / {few} jobs ({sizes.pages} pages "
        "each, Parquet, no quota, child processes)", "<= 1.25",
    )  # fmt: skip
    ids = job_ids(many)
    runs: dict[int, list[ChildRun]] = {few: [], many: []}
    with FakeServer(dict.fromkeys(ids, PAGE * sizes.pages)) as server, \
            tempfile.TemporaryDirectory() as tmp:  # fmt: skip
        files = {}
        for n in (few, many):
            files[n] = Path(tmp, f"jobs-{n}.txt")
            files[n].write_text("\n".join(ids[:n]) + "\n")
        for r in range(sizes.rss_repeats):
            for n in (few, many) if r % 2 == 0 else (many, few):
                out = Path(tmp, f"out-{n}-{r}")
                argv = export_argv(server, files[n], out, "parquet")
                runs[n].append(run_child(argv, env=DUMMY_ENV, capture=True, own_rss=True))
                check_dataset(out, ids[:n], PAGE * sizes.pages, "parquet")
    ratios = [b.maxrss / a.maxrss for a, b in zip(runs[few], runs[many], strict=True)]
    spread = Spread.of(ratios)
    figure.set(spread.median, spread)
    mib = 2**-20
    figure.detail.append(
        f"{few} jobs {Spread.of([r.maxrss for r in runs[few]]).fmt(mib, ' MiB', 0)}; "
        f"{many} jobs {Spread.of([r.maxrss for r in runs[many]]).fmt(mib, ' MiB', 0)}"
    )
    figure.detail.append(
        f"wall: {few} jobs {Spread.of([r.wall_s for r in runs[few]]).fmt(1, ' s', 1)}; "
        f"{many} jobs {Spread.of([r.wall_s for r in runs[many]]).fmt(1, ' s', 1)}"
    )
    figure.samples = {str(n): [float(r.maxrss) for r in runs[n]] for n in runs}
    return [figure]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run, figures meaningless")
    parser.add_argument("--json", type=Path, help="also write every figure and sample here")
    parser.add_argument(
        "--only",
        type=lambda text: text.split(","),
        default=["P5", "P5-jsonl", "P5-rss"],
        help="comma-separated figures of P5, P5-jsonl, P5-rss (default: all)",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    info = machine_state()
    formats = {"P5": "parquet", "P5-jsonl": "jsonl"}
    with contextlib.ExitStack() as stack:
        # A quick run's formats share one fake: its start-up costs more than their runs.
        shared = None
        if args.quick and any(key in args.only for key in formats):
            shared = stack.enter_context(quota_fake(sizes))
        figures = [fig for key, fmt in formats.items() if key in args.only
                   for fig in p5(sizes, fmt, shared)]  # fmt: skip
    if "P5-rss" in args.only:
        figures += p5_rss(sizes)
    publish(figures, info, "rekolabels export benchmark", quick=args.quick, json_path=args.json,
            sizes=asdict(sizes))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
