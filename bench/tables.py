"""Columnar tables: what a LabelTable costs next to json.loads, polars and the model path.

Usage (from the repository root, with rekolabels[arrow] and polars installed)::

    python bench/tables.py            # the full run (several minutes on 2 cores: 1M detections)
    python bench/tables.py --quick    # a smoke run: tiny sizes, one sample, figures meaningless
    python bench/tables.py --only C1,C2 --json results.json

Method, as bench/run.py's: every timed figure is a ratio of two workloads, A (the table path) over
B (the baseline), measured interleaved: each repeat times A then B, or B then A (alternating),
so a burst of noise from other processes hits both; the figure is the median over repeats of
the per-repeat ratio, printed with the min-max spread of those ratios. Times are CPU time of the
process (``time.process_time``, every thread counted); C2 also prints the wall-time ratio, as
polars runs on several threads. The garbage collector stays as a user would have it (enabled,
default thresholds) on both sides. The 1M-detection figures run each path in a subprocess of
its own (peak RSS is per process), alternating which goes first.

- C1  ``decode`` of a real 855-label v3 page (the HTTP body) to a LabelTable / ``json.loads`` of
      the same bytes (goal <= 1.5). C1-models: the model path's ``_page_from_wire`` / json.loads.
- C1-e2e  the same page end to end: ``lc.get_table(job_id)`` through a real boto3 client whose
      ``before-send`` hands back the body (request built and signed, botocore's events, the
      raw-bytes hook, the client's checks) / ``json.loads`` of the body (goal <= 1.5), measured
      on bench/harness.py (interleaved, GC as the user has it on both sides and checked
      unchanged, heap settled before each sample, median of per-repeat ratios with quartiles).
      C1-e2e-models: ``lc.get_all`` the same way; C1-e2e-boto3: boto3's own dict
      (``client.get_label_detection``), what botocore alone costs.
- C2  ``tbl.aggregate()`` on 500k detections / polars running the same segment rule on a
      DataFrame of the same columns (goal <= 1.0); both results are checked equal first.
- C3  bytes of a 200k-detection table / the same detections as models (goal <= 0.05).
- M1  1M detections end to end: read (``lc.get_table`` against ``lc.get_all``, through a real
      boto3 client whose ``before-send`` hands back each of 1,000 synthetic page bodies from
      disk, one at a time, by its NextToken), aggregate, summarize, and peak RSS, table path
      against the model path.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILE = ROOT / "tests" / "data" / "boto3-2023-grandtour720-timestamps-v3.json"
PACKAGES = ("rekolabels", "pyarrow", "numpy", "polars", "pydantic", "pydantic-core")
PAGE_SIZE = 1000


@dataclass
class Figure:
    key: str
    title: str
    goal: str
    value: float | None = None
    spread: tuple[float, float] | None = None
    passed: bool | None = None
    detail: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class Sizes:
    repeats: int
    number: int
    repeats_slow: int
    c2: int
    c3: int
    m1: int
    repeats_m1: int
    warmup: int  # untimed runs of each side before the timed repeats


FULL = Sizes(repeats=41, number=3, repeats_slow=9, c2=500_000, c3=200_000, m1=1_000_000,
             repeats_m1=3, warmup=1)  # fmt: skip
# One sample of each side, no warm-up, two pages of detections: every figure's code path runs
# once (page merging included), for as little CPU as that takes.
QUICK = Sizes(repeats=1, number=1, repeats_slow=1, c2=2_000, c3=2_000, m1=2_000, repeats_m1=1,
              warmup=0)  # fmt: skip
# Jobs this large are written to disk by a child process, so that their memory is gone after.
WRITE_IN_A_CHILD = 100_000


# -- measuring ----------------------------------------------------------------------------------


def cpu_and_wall(fn: Callable[[], object], number: int) -> tuple[float, float]:
    """CPU and wall seconds per call of ``fn``; each result is dropped before the next call."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(number):
        fn()
    return (time.process_time() - cpu) / number, (time.perf_counter() - wall) / number


def interleaved(
    a: Callable[[], object], b: Callable[[], object], *, repeats: int, number: int, warmup: int
) -> dict[str, list[float]]:
    """CPU and wall times of A and B per repeat; A and B alternate which one runs first."""
    gc.collect()
    for _ in range(warmup):
        a(), b()  # warm caches, lazy imports and validators, untimed
    times: dict[str, list[float]] = {"A": [], "B": [], "A wall": [], "B wall": []}
    for r in range(repeats):
        order = (("A", a), ("B", b)) if r % 2 == 0 else (("B", b), ("A", a))
        for name, fn in order:
            cpu, wall = cpu_and_wall(fn, number)
            times[name].append(cpu)
            times[f"{name} wall"].append(wall)
    return times


def ratios(times: dict[str, list[float]], suffix: str = "") -> list[float]:
    return [x / y for x, y in zip(times["A" + suffix], times["B" + suffix], strict=True)]


def settle(figure: Figure, values: list[float], goal: float | None) -> None:
    figure.value = statistics.median(values)
    figure.spread = (min(values), max(values))
    if goal is not None:
        figure.passed = figure.value <= goal


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1e3:.2f} ms"


# -- data ---------------------------------------------------------------------------------------


def page_bodies(detections: int, seed: int = 11) -> Iterator[bytes]:
    """A synthetic SUCCEEDED job as the HTTP bodies of its pages of 1,000 labels, in order."""
    from rekolabels.testing._synthetic import synthetic_response

    response = synthetic_response(detections, seed=seed, job_id="bench-job")
    labels = response.pop("Labels")
    pages = max(1, -(-len(labels) // PAGE_SIZE))
    for i in range(pages):
        page = {**response, "Labels": labels[i * PAGE_SIZE : (i + 1) * PAGE_SIZE]}
        if i + 1 < pages:
            page["NextToken"] = f"page-{i + 1}"
        yield json.dumps(page, separators=(",", ":")).encode()


def read_table(bodies: Iterator[bytes]) -> Any:
    from rekolabels._table import merge_tables
    from rekolabels._tabledecode import decode

    def parts() -> Iterator[Any]:
        for body in bodies:
            table = decode(body)
            assert table is not None
            yield table

    return merge_tables(parts())


def read_models(bodies: Iterator[bytes]) -> Any:
    from rekolabels._client import merge_pages
    from rekolabels._rawpage import _page_from_wire

    def pages() -> Iterator[Any]:
        for body in bodies:
            page = _page_from_wire(body)
            assert page is not None
            yield page

    return merge_pages(pages())


# -- figures ------------------------------------------------------------------------------------


def c1(sizes: Sizes) -> list[Figure]:
    from rekolabels._rawpage import _page_from_wire
    from rekolabels._tabledecode import decode

    raw = json.loads(PAGE_FILE.read_text(encoding="utf-8"))
    body = json.dumps({k: v for k, v in raw.items() if k != "ResponseMetadata"}).encode()
    table = decode(body)
    assert table is not None
    assert len(table) == 855
    main = Figure("C1", "decode(855-label v3 body) to a LabelTable / json.loads(body)", "<= 1.5")
    times = interleaved(lambda: decode(body), lambda: json.loads(body), repeats=sizes.repeats,
                        number=sizes.number, warmup=sizes.warmup)  # fmt: skip
    settle(main, ratios(times), 1.5)
    main.detail = f"{ms(times['A'])} vs {ms(times['B'])} ({len(body) / 1e3:.0f} kB body)"
    main.samples = times
    models = Figure("C1-models", "the model path: _page_from_wire(body) / json.loads(body)", "info")
    times = interleaved(lambda: _page_from_wire(body), lambda: json.loads(body),
                        repeats=sizes.repeats, number=sizes.number,
                        warmup=sizes.warmup)  # fmt: skip
    settle(models, ratios(times), None)
    models.detail = f"{ms(times['A'])} vs {ms(times['B'])}"
    models.samples = times
    return [main, models]


def static_client(body: bytes) -> Any:
    """A real boto3 client whose every GetLabelDetection call gets ``body`` back, in-process."""
    from rekolabels.testing import http_response, new_client

    client = new_client()

    def answer(**_: Any) -> Any:
        return http_response(
            200, body, {"x-amzn-RequestId": "11111111-2222-3333-4444-555555555555"}
        )

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    return client


def c1_end_to_end(sizes: Sizes) -> list[Figure]:
    from harness import ab

    import rekolabels as rl

    raw = json.loads(PAGE_FILE.read_text(encoding="utf-8"))
    body = json.dumps({k: v for k, v in raw.items() if k != "ResponseMetadata"}).encode()
    job_id = raw["JobId"]
    lc = rl.LabelDetectionClient(static_client(body))
    boto3_client = static_client(body)
    table = lc.get_table(job_id)  # the figure measures the real thing: check it once
    assert len(table) == 855
    assert table.labels() == lc.get_all(job_id).labels
    workloads: list[tuple[str, str, str, Callable[[], object]]] = [
        ("C1-e2e", "lc.get_table(855-label v3 page), end to end / json.loads(body)", "<= 1.5",
         lambda: lc.get_table(job_id)),
        ("C1-e2e-models", "the model path: lc.get_all(same page), end to end / json.loads(body)",
         "info", lambda: lc.get_all(job_id)),
        ("C1-e2e-boto3", "boto3's dict: client.get_label_detection(same page) / json.loads(body)",
         "info", lambda: boto3_client.get_label_detection(JobId=job_id)),
    ]  # fmt: skip
    figures = []
    for key, title, goal, workload in workloads:
        result = ab(workload, lambda: json.loads(body), repeats=sizes.repeats,
                    number=sizes.number, warmup=sizes.warmup)  # fmt: skip
        figure = Figure(key, title, goal)
        settle(figure, result.ratios, 1.5 if goal != "info" else None)
        figure.detail = f"ratio {result.ratio.fmt()}; {result.times()}"
        figure.samples = {"A": result.a, "B": result.b}
        figures.append(figure)
    return figures


def polars_segments(df: Any, gap: int | None = None) -> Any:
    """DESIGN's segment rule in polars: the baseline of C2 (same output as tbl.aggregate())."""
    import polars as pl

    d = df.select("timestamp_ms", "name", "confidence").with_row_index("row")
    d = d.with_columns((pl.col("timestamp_ms").rank("dense") - 1).alias("k"))  # grid index
    d = d.sort(["name", "k"], maintain_order=True)  # stable: equal keys keep input order
    jump = (pl.col("k") - pl.col("k").shift(1)) > 1
    if gap is not None:
        jump = jump & ((pl.col("timestamp_ms") - pl.col("timestamp_ms").shift(1)) > gap)
    new_run = (pl.col("name") != pl.col("name").shift(1)) | jump
    d = d.with_columns(new_run.fill_null(True).cum_sum().alias("run"))
    runs = d.group_by("run").agg(
        pl.col("timestamp_ms").first().alias("start_ms"),
        pl.col("timestamp_ms").last().alias("end_ms"),
        pl.col("name").first(),
        pl.col("confidence").max(),
        pl.col("row").first(),
    )
    runs = runs.sort(["start_ms", "name"])
    taxonomy = df.select("parents", "categories", "aliases")[runs["row"]]
    return pl.concat([runs.drop("row", "run"), taxonomy], how="horizontal")


def c2(sizes: Sizes) -> list[Figure]:
    import polars as pl

    table = read_table(page_bodies(sizes.c2))
    table = type(table)(table.arrow.combine_chunks(), table.job)  # one chunk, as polars has it
    frame = pl.from_arrow(table.arrow)
    mine, theirs = table.aggregate().arrow, polars_segments(frame)
    for column in ("start_ms", "end_ms", "name", "confidence", "parents", "categories", "aliases"):
        assert mine.column(column).to_pylist() == theirs[column].to_list(), column
    figure = Figure("C2", f"tbl.aggregate() / polars, same rule ({sizes.c2:,} detections)",
                    "<= 1.0")  # fmt: skip
    wall = Figure("C2-wall", "the same, wall time (polars uses every core)", "info")
    times = interleaved(table.aggregate, lambda: polars_segments(frame),
                        repeats=sizes.repeats_slow, number=1, warmup=sizes.warmup)  # fmt: skip
    settle(figure, ratios(times), 1.0)
    settle(wall, ratios(times, " wall"), None)
    figure.detail = f"{ms(times['A'])} vs {ms(times['B'])} CPU; {len(mine):,} segments"
    wall.detail = f"{ms(times['A wall'])} vs {ms(times['B wall'])} wall"
    figure.samples = times
    return [figure, wall]


def c3(sizes: Sizes) -> list[Figure]:
    import pyarrow as pa

    bodies = list(page_bodies(sizes.c3))
    gc.collect()
    before = pa.total_allocated_bytes()
    table = read_table(iter(bodies))
    arrow_bytes = pa.total_allocated_bytes() - before
    buffers = table.arrow.get_total_buffer_size()
    gc.collect()
    tracemalloc.start()
    models = read_models(iter(bodies))
    gc.collect()
    model_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(models.labels) == len(table) == sizes.c3
    figure = Figure("C3", f"bytes of a {sizes.c3:,}-detection table / the same as models",
                    "<= 0.05")  # fmt: skip
    held = max(arrow_bytes, buffers)
    figure.value = held / model_bytes
    figure.passed = figure.value <= 0.05
    figure.detail = (
        f"{held / 2**20:.1f} MiB (Arrow memory pool {arrow_bytes / 2**20:.1f}, buffers "
        f"{buffers / 2**20:.1f}) vs {model_bytes / 2**20:.1f} MiB of models (tracemalloc)"
    )
    return [figure]


# -- M1: a million detections, each path in its own process -------------------------------------


def child(path: str, directory: Path) -> dict[str, Any]:
    """One run of one path over the page files in ``directory``; printed as JSON."""
    import rekolabels as rl

    # Each path's modules are loaded before the start is taken (pyarrow, numpy and the pandas
    # pyarrow loads are some 100 MB of the table path's own: the report gives peaks too).
    if path == "table":
        import pyarrow as pa

        import rekolabels._columns
        import rekolabels._tabledecode

        pa.array([0])  # pyarrow imports pandas, when installed, at its first array
    else:
        import rekolabels._client

    files = sorted(directory.glob("page-*.json"))
    job_id = json.loads(files[0].read_bytes())["JobId"]
    lc = rl.LabelDetectionClient(pages_client(files))
    base = peak_rss()
    out: dict[str, Any] = {"path": path, "base_rss": base}
    cpu, wall = time.process_time(), time.perf_counter()
    if path == "table":
        job = lc.get_table(job_id)
        out["read"] = (time.process_time() - cpu, time.perf_counter() - wall)
        cpu, wall = time.process_time(), time.perf_counter()
        segments = job.aggregate()
        out["aggregate"] = (time.process_time() - cpu, time.perf_counter() - wall)
        cpu, wall = time.process_time(), time.perf_counter()
        rows = job.summarize().to_pylist()
        summary = [[r["name"], r["screen_time_ms"], r["samples"], r["segments"],
                    r["max_confidence"], r["mean_confidence"]] for r in rows]  # fmt: skip
    else:
        job = lc.get_all(job_id)
        out["read"] = (time.process_time() - cpu, time.perf_counter() - wall)
        cpu, wall = time.process_time(), time.perf_counter()
        segments = rl.aggregate_segments(job.labels)
        out["aggregate"] = (time.process_time() - cpu, time.perf_counter() - wall)
        cpu, wall = time.process_time(), time.perf_counter()
        summary = [[s.name, s.screen_time_ms, s.samples, s.segments, s.max_confidence,
                    s.mean_confidence] for s in rl.summarize_labels(job.labels)]  # fmt: skip
    out["summarize"] = (time.process_time() - cpu, time.perf_counter() - wall)
    out["peak_rss"] = peak_rss()
    out["segments"] = len(segments)
    out["summary_sha256"] = hashlib.sha256(json.dumps(summary).encode()).hexdigest()
    return out


def pages_client(files: list[Path]) -> Any:
    """A real boto3 client that answers each GetLabelDetection with the page file its NextToken
    names (``page-N``), read from disk then: one body in memory at a time, as from the network."""
    from rekolabels.testing import http_response, new_client

    client = new_client()

    def answer(request: Any, **_: Any) -> Any:
        token = json.loads(request.body).get("NextToken")
        index = 0 if token is None else int(token.removeprefix("page-"))
        body = files[index].read_bytes()
        return http_response(200, body, {"x-amzn-RequestId": f"bench-{index:05d}"})

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    return client


def peak_rss() -> int:
    """This process's peak resident set, in bytes.

    Linux keeps ru_maxrss across exec (a child would report its parent's peak), so VmHWM, which
    starts afresh with the program, is read where there is one.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    (line,) = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) * 1024


def m1(sizes: Sizes) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="rekolabels-bench-") as tmp:
        directory = Path(tmp)
        if sizes.m1 >= WRITE_IN_A_CHILD:
            run_self(["--write-pages", str(directory), str(sizes.m1)])  # its memory is gone after
        else:
            write_pages(directory, sizes.m1)
        runs: dict[str, list[dict[str, Any]]] = {"table": [], "models": []}
        for r in range(sizes.repeats_m1):
            for path in ("table", "models") if r % 2 == 0 else ("models", "table"):
                runs[path].append(json.loads(run_self(["--child", path, str(directory)])))
    table, models = runs["table"], runs["models"]
    assert {r["summary_sha256"] for r in table + models} == {table[0]["summary_sha256"]}, (
        "the two paths summarised the job differently"
    )
    assert {r["segments"] for r in table + models} == {table[0]["segments"]}
    figures = []
    n = f"{sizes.m1:,}"
    for phase in ("read", "aggregate", "summarize"):
        figure = Figure(f"M1-{phase}", f"{phase} {n} detections: table / models (CPU)", "info")
        values = [a[phase][0] / b[phase][0] for a, b in zip(table, models, strict=True)]
        settle(figure, values, None)
        figure.detail = (
            f"{statistics.median(a[phase][0] for a in table):.2f} s vs "
            f"{statistics.median(b[phase][0] for b in models):.2f} s CPU; "
            f"{statistics.median(a[phase][1] for a in table):.2f} s vs "
            f"{statistics.median(b[phase][1] for b in models):.2f} s wall"
        )
        figures.append(figure)
    rss = Figure("M1-rss", f"peak RSS over the process's start, {n} detections: table / models",
                 "info")  # fmt: skip
    growth = [max(a["peak_rss"] - a["base_rss"], 1) / max(b["peak_rss"] - b["base_rss"], 1)
              for a, b in zip(table, models, strict=True)]  # fmt: skip
    settle(rss, growth, None)
    rss.detail = (
        f"{statistics.median(a['peak_rss'] for a in table) / 2**20:.0f} MiB vs "
        f"{statistics.median(b['peak_rss'] for b in models) / 2**20:.0f} MiB peak, "
        f"from {statistics.median(a['base_rss'] for a in table) / 2**20:.0f} vs "
        f"{statistics.median(b['base_rss'] for b in models) / 2**20:.0f} MiB with modules "
        "loaded; "
        f"{table[0]['segments']:,} segments, summaries identical"
    )
    figures.append(rss)
    return figures


def run_self(args: list[str]) -> str:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"bench/tables.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def write_pages(directory: Path, detections: int) -> None:
    for i, body in enumerate(page_bodies(detections)):
        (directory / f"page-{i:05d}.json").write_bytes(body)


FIGURES: dict[str, Callable[[Sizes], list[Figure]]] = {
    "C1": c1,
    "C1-e2e": c1_end_to_end,
    "C2": c2,
    "C3": c3,
    "M1": m1,
}


# -- report -------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    info = {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
    }
    if hasattr(os, "getloadavg"):
        info["loadavg"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    for package in PACKAGES:
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = "not installed"
    return info


def report(figures: list[Figure], info: dict[str, str], sizes: Sizes) -> Iterator[str]:
    yield "rekolabels table benchmarks"
    yield "  " + ", ".join(f"{k} {v}" for k, v in info.items())
    yield (
        f"  repeats {sizes.repeats} x {sizes.number} calls (C2 {sizes.repeats_slow}, "
        f"M1 {sizes.repeats_m1} runs per path)"
    )
    yield ""
    yield f"{'figure':<13} {'median':>8} {'min-max':>15}  {'goal':<8} {'':4}  what"
    for f in figures:
        value = "-" if f.value is None else f"{f.value:.3f}"
        spread = "" if f.spread is None else f"{f.spread[0]:.3f}-{f.spread[1]:.3f}"
        verdict = "" if f.passed is None else ("PASS" if f.passed else "MISS")
        yield f"{f.key:<13} {value:>8} {spread:>15}  {f.goal:<8} {verdict:4}  {f.title}"
        if f.detail:
            yield f"{'':49}{f.detail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run, figures meaningless")
    parser.add_argument("--only", help="comma-separated figures, e.g. C1,C2 (default: all)")
    parser.add_argument("--json", type=Path, help="also write every figure and sample here")
    parser.add_argument("--child", nargs=2, metavar=("PATH", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--write-pages", nargs=2, metavar=("DIR", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0
    if args.write_pages:
        write_pages(Path(args.write_pages[0]), int(args.write_pages[1]))
        return 0
    sizes = QUICK if args.quick else FULL
    wanted = args.only.split(",") if args.only else list(FIGURES)
    unknown = set(wanted) - set(FIGURES)
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(sorted(unknown))}")
    info = machine()
    figures = [figure for key in wanted for figure in FIGURES[key](sizes)]
    if hasattr(os, "getloadavg"):
        info["loadavg at the end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    for line in report(figures, info, sizes):
        print(line)
    if args.json:
        results = {"machine": info, "sizes": asdict(sizes), "figures": [asdict(f) for f in figures]}
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
