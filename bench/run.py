"""Is the typed layer nearly free? Every performance figure of rekolabels, side by side.

Usage (from the repository root, in an environment with rekolabels installed)::

    python bench/run.py            # the full run (a few minutes on 2 cores)
    python bench/run.py --quick    # a smoke run: tiny sizes, one sample, figures meaningless
    python bench/run.py --only P1,P4 --json results.json

How each figure is measured (interleaved ratios, one GC policy on both sides, the fake out of
process, memory in child processes, spreads and machine load printed) is ``harness.py``'s
docstring; docs/benchmarks.md explains the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import botocore.session
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser
from harness import (
    AB,
    ChildRun,
    FakeServer,
    Figure,
    Spread,
    ab,
    ab_children,
    machine_state,
    publish,
    rekolabels_command,
    run_child,
)

import rekolabels as rl
from rekolabels import _rawpage as rl_rawpage
from rekolabels.testing import http_response, new_client

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
DATA = ROOT / "tests" / "data"
V2_PAGE = "saved-2022-page1-nexttoken-v2.json"
V3_PAGE = "boto3-2023-grandtour720-timestamps-v3.json"
REQUEST_ID = "11111111-2222-3333-4444-555555555555"
HEAVY = ("rich", "matplotlib", "pyarrow")


@dataclass(frozen=True)
class Sizes:
    repeats: int  # per-page figures: interleaved repeats ...
    number: int  # ... of this many calls each
    repeats_slow: int  # figures of a whole job
    pages_p4: int
    pages_p2: int
    detections_p3: int
    labels_g1: int
    repeats_child: int  # child processes of the memory figures
    repeats_startup: int
    warmup: int  # untimed runs of each side before the timed repeats


FULL = Sizes(
    repeats=41, number=3, repeats_slow=9, pages_p4=20, pages_p2=60, detections_p3=200_000,
    labels_g1=200_000, repeats_child=3, repeats_startup=15, warmup=1,
)  # fmt: skip
# One sample of each side, no warm-up, two pages wherever a job is paged (so NextToken is
# followed): every figure's code path runs once, for as little CPU as that takes.
QUICK = Sizes(
    repeats=1, number=1, repeats_slow=1, pages_p4=2, pages_p2=2, detections_p3=2_000,
    labels_g1=2_000, repeats_child=1, repeats_startup=1, warmup=0,
)  # fmt: skip


# -- workloads ----------------------------------------------------------------------------------


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def wire_body(response: dict[str, Any]) -> bytes:
    """The bytes AWS sent for a saved boto3 response (botocore adds ResponseMetadata)."""
    return json.dumps({k: v for k, v in response.items() if k != "ResponseMetadata"}).encode()


def botocore_parse(body: bytes) -> Callable[[], dict[str, Any]]:
    """botocore's own parse of a 200 GetLabelDetection body, exactly as a client runs it."""
    operation = (
        botocore.session.get_session()
        .get_service_model("rekognition")
        .operation_model("GetLabelDetection")
    )
    model = operation.service_model
    # resolved_protocol is newer than botocore's floor (1.35.16), which has only protocol.
    parser = create_parser(getattr(model, "resolved_protocol", None) or model.protocol)
    headers = HeadersDict(
        {"x-amzn-requestid": REQUEST_ID,
         "content-type": "application/x-amz-json-1.1", "content-length": str(len(body))}
    )  # fmt: skip

    def parse() -> dict[str, Any]:
        response = {"status_code": 200, "headers": headers, "body": body,
                    "context": {"operation_name": "GetLabelDetection"}}  # fmt: skip
        parsed: dict[str, Any] = parser.parse(response, operation.output_shape)
        return parsed

    return parse


def static_client(body: bytes) -> Any:
    """A real boto3 client whose every GetLabelDetection call gets ``body`` back, in-process."""
    client = new_client()

    def answer(**_: Any) -> Any:
        return http_response(200, body, {"x-amzn-RequestId": REQUEST_ID})

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    return client


def raw_label_loop(client: Any, job_id: str) -> int:
    """What users write without rekolabels: a NextToken loop over untyped dicts."""
    count = 0
    params: dict[str, Any] = {"JobId": job_id}
    while True:
        page = client.get_label_detection(**params)
        for _ in page["Labels"]:
            count += 1
        token = page.get("NextToken")
        if token is None:
            return count
        params["NextToken"] = token


def raw_keep_loop(client: Any, job_id: str) -> list[dict[str, Any]]:
    """The same loop keeping every label dict, as a user who needs the whole job does."""
    labels: list[dict[str, Any]] = []
    params: dict[str, Any] = {"JobId": job_id}
    while True:
        page = client.get_label_detection(**params)
        labels.extend(page["Labels"])
        token = page.get("NextToken")
        if token is None:
            return labels
        params["NextToken"] = token


def typed_label_loop(lc: rl.LabelDetectionClient, job_id: str) -> int:
    count = 0
    for _ in lc.iter_labels(job_id):
        count += 1
    return count


class Fakes:
    """The loopback fakes the end-to-end figures read their synthetic jobs from.

    A full run starts a fake per figure group, holding that group's job alone (``job``). A
    quick run starts one for the whole run, holding every group's job (``shared``): a
    fake-server start-up costs more CPU than a quick group's own work.
    """

    def __init__(self) -> None:
        self._shared: FakeServer | None = None

    @staticmethod
    def _job_id(labels: int) -> str:
        return f"bench-{labels}"

    @contextlib.contextmanager
    def shared(self, labels: Collection[int]) -> Iterator[None]:
        """One fake serving a job of each of these label counts to every ``job`` inside."""
        with FakeServer({self._job_id(n): n for n in labels}) as server:
            self._shared = server
            try:
                yield
            finally:
                self._shared = None

    @contextlib.contextmanager
    def job(self, labels: int) -> Iterator[tuple[FakeServer, str]]:
        """A fake serving a synthetic job of ``labels`` labels, and that job's id."""
        if self._shared is None:
            with FakeServer({"bench": labels}) as server:
                yield server, "bench"
            return
        job_id = self._job_id(labels)
        if job_id not in self._shared.jobs:
            raise KeyError(f"the shared fake has no job of {labels} labels")
        yield self._shared, job_id


FAKES = Fakes()


def workload(name: str, server: FakeServer, job_id: str) -> list[str]:
    """The argv of a bench/workloads.py child against ``server``."""
    return [sys.executable, str(BENCH / "workloads.py"), name, server.url, job_id]


def ratio_figure(figure: Figure, result: AB) -> Figure:
    figure.set(result.ratio.median, result.ratio)
    figure.detail.append(result.times())
    figure.samples = {"A": result.a, "B": result.b}
    return figure


# -- figures ------------------------------------------------------------------------------------


def p1(sizes: Sizes) -> list[Figure]:
    """The typed page against botocore's own parse of the same bytes, and against json.loads.

    Goals: P1 (from_boto3) on both real pages, as first set; the bytes path (what the client
    runs) and P1f on the v3 page, as the performance issue sets them; the rest is information.
    """
    figures = []
    typed = rl.GetLabelDetectionResponse.from_boto3
    from_bytes = rl_rawpage._page_from_wire
    for name, label in ((V3_PAGE, "v3"), (V2_PAGE, "v2")):
        # The real pages: v3 is 855 labels of model 3.0 (parents, aliases, categories,
        # instances), v2 1,000 labels of model 2.0.
        body = wire_body(load(name))
        parse = botocore_parse(body)
        parsed = parse()
        runs = [
            (Figure(f"P1-{label}", f"from_boto3(botocore's dict) / botocore parse, {label} page",
                    "<= 0.5"),
             lambda parsed=parsed: typed(parsed), parse),
            (Figure(f"P1b-{label}", "typed page from the body's bytes / botocore parse",
                    "<= 0.5" if label == "v3" else "info"),
             lambda body=body: from_bytes(body), parse),
            (Figure(f"P1f-{label}", "typed page from the bytes / json.loads of the same bytes",
                    "<= 2.0" if label == "v3" else "info"),
             lambda body=body: from_bytes(body), lambda body=body: json.loads(body)),
        ]  # fmt: skip
        for figure, a, b in runs:
            figures.append(
                ratio_figure(
                    figure,
                    ab(a, b, repeats=sizes.repeats, number=sizes.number, warmup=sizes.warmup),
                )
            )
    return figures


def p1_star(sizes: Sizes) -> list[Figure]:
    """A whole typed page call against the same call returning boto3's untyped dict."""
    figures = []
    for name, label in ((V3_PAGE, "v3"), (V2_PAGE, "v2")):
        figure = Figure(
            f"P1*-{label}", "LabelDetectionClient.get_page / client.get_label_detection, "
            "end to end, same in-process body", "< 1.0",
        )  # fmt: skip
        recorded = load(name)
        body = wire_body(recorded)
        # The recording's own JobId: the client refuses a page of another job than it asked for.
        job_id = recorded.get("JobId", "bench-job")
        raw_client = static_client(body)
        lc = rl.LabelDetectionClient(static_client(body))
        result = ab(
            lambda lc=lc, job_id=job_id: lc.get_page(job_id),
            lambda raw_client=raw_client, job_id=job_id: raw_client.get_label_detection(
                JobId=job_id
            ),
            repeats=sizes.repeats, number=sizes.number, warmup=sizes.warmup,
        )  # fmt: skip
        figures.append(ratio_figure(figure, result))
    return figures


def p4(sizes: Sizes) -> list[Figure]:
    figure = Figure(
        "P4", f"iter_labels / raw NextToken loop, {sizes.pages_p4} pages, fake out of process",
        "<= 1.25",
    )  # fmt: skip
    keep = Figure(
        "P4-kept", f"get_all / raw loop keeping every label dict, {sizes.pages_p4} pages, kept",
        "info",
    )  # fmt: skip
    with FAKES.job(1000 * sizes.pages_p4) as (server, job_id):
        client = server.client()
        lc = rl.LabelDetectionClient(server.client())
        result = ab(
            lambda: typed_label_loop(lc, job_id), lambda: raw_label_loop(client, job_id),
            repeats=sizes.repeats_slow, warmup=sizes.warmup,
        )  # fmt: skip
        kept = ab(
            lambda: lc.get_all(job_id), lambda: raw_keep_loop(client, job_id),
            repeats=sizes.repeats_slow, keep=True, warmup=sizes.warmup,
        )  # fmt: skip
    return [ratio_figure(figure, result), ratio_figure(keep, kept)]


def _child_json(run: ChildRun) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run.stdout)
    return data


def _children(a: list[str], b: list[str], repeats: int, env: dict[str, str]) -> tuple[
    list[ChildRun], list[ChildRun]
]:  # fmt: skip
    """Interleaved child processes, each reporting its own peak RSS and its output."""
    return ab_children(a, b, repeats=repeats, env=env, warmup=0, own_rss=True, capture=True)


def p2(sizes: Sizes) -> list[Figure]:
    figure = Figure(
        "P2", f"peak RSS iterating {sizes.pages_p2} pages / fetching one page (above baseline, "
        "child processes)", "<= 2",
    )  # fmt: skip
    with FAKES.job(1000 * sizes.pages_p2) as (server, job_id):
        runs_a, runs_b = _children(
            workload("peak-iter", server, job_id), workload("peak-page", server, job_id),
            sizes.repeats_child, server.env,
        )  # fmt: skip
    many = [_child_json(r)["peak_bytes"] for r in runs_a]
    one = [_child_json(r)["peak_bytes"] for r in runs_b]
    ratios = [x / y for x, y in zip(many, one, strict=True)]
    figure.set(Spread.of(ratios).median, Spread.of(ratios))
    figure.detail.append(
        f"A {Spread.of(many).fmt(2**-20, ' MiB', 1)}; B {Spread.of(one).fmt(2**-20, ' MiB', 1)}"
    )
    return [figure]


def g1(sizes: Sizes) -> list[Figure]:
    figure = Figure(
        "G1", f"peak RSS of get_all / a raw boto3 loop keeping every label dict "
        f"({sizes.labels_g1:,} labels, child processes)", "<= 1.5",
    )  # fmt: skip
    with FAKES.job(sizes.labels_g1) as (server, job_id):
        runs_a, runs_b = _children(
            workload("get-all", server, job_id), workload("raw-keep", server, job_id),
            sizes.repeats_child, server.env,
        )  # fmt: skip
    for run in (*runs_a, *runs_b):
        assert _child_json(run)["labels"] == sizes.labels_g1, run.stdout
    ratios = [x.maxrss / y.maxrss for x, y in zip(runs_a, runs_b, strict=True)]
    figure.set(Spread.of(ratios).median, Spread.of(ratios))
    mib = 2**-20
    figure.detail.append(
        f"A {Spread.of([r.maxrss for r in runs_a]).fmt(mib, ' MiB', 0)}; "
        f"B {Spread.of([r.maxrss for r in runs_b]).fmt(mib, ' MiB', 0)}"
    )
    figure.detail.append(
        f"CPU s: A {Spread.of([r.cpu_s for r in runs_a]).fmt(1, ' s', 2)}; "
        f"B {Spread.of([r.cpu_s for r in runs_b]).fmt(1, ' s', 2)}"
    )
    return [figure]


def _name_and_timestamp(det: rl.LabelDetection) -> tuple[str | None, int | None]:
    return det.name, det.timestamp


def p3(sizes: Sizes) -> list[Figure]:
    """Segments from a job's detections, against sorting those same models on (name, time)."""
    from rekolabels.testing._synthetic import synthetic_response

    figure = Figure(
        "P3", f"aggregate_segments / sorted() of the same models on (name, timestamp), "
        f"{sizes.detections_p3:,} detections in service order", "info",
    )  # fmt: skip
    labels = rl.GetLabelDetectionResponse.from_boto3(
        synthetic_response(sizes.detections_p3, seed=3)
    ).labels
    assert labels is not None
    keys = [_name_and_timestamp(d) for d in labels]
    # The baseline must do a real sort: the input is in TIMESTAMP order, not (name, time) order.
    assert keys != sorted(keys, key=lambda k: (k[0] or "", k[1] or 0))
    result = ab(
        lambda: rl.aggregate_segments(labels),
        lambda: sorted(labels, key=_name_and_timestamp),
        repeats=sizes.repeats_slow,
        warmup=sizes.warmup,
    )
    return [ratio_figure(figure, result)]


def _ms_difference(figure: Figure, a: list[ChildRun], b: list[ChildRun]) -> Figure:
    """A - B in milliseconds of child CPU time, per interleaved pair; wall time beside it."""
    cpu = Spread.of([(x.cpu_s - y.cpu_s) * 1e3 for x, y in zip(a, b, strict=True)])
    wall = Spread.of([(x.wall_s - y.wall_s) * 1e3 for x, y in zip(a, b, strict=True)])
    figure.set(cpu.median, cpu, " ms")
    figure.detail.append(f"wall-time difference {wall.fmt(unit=' ms', digits=1)}")
    figure.detail.append(
        f"CPU A {Spread.of([r.cpu_s for r in a]).fmt(1e3, ' ms', 1)}; "
        f"B {Spread.of([r.cpu_s for r in b]).fmt(1e3, ' ms', 1)}"
    )
    return figure


_PLUGIN_LOAD = """
import json, sys, time
import pytest
from importlib.metadata import entry_points
(plugin,) = [e for e in entry_points(group="pytest11") if e.name == "rekolabels"]
before = set(sys.modules)
start = time.process_time()
plugin.load()
ms = (time.process_time() - start) * 1e3
print(json.dumps({"ms": ms, "modules": sorted(set(sys.modules) - before)}))
"""


def startup(sizes: Sizes) -> list[Figure]:
    """What rekolabels costs processes that barely use it, in child-process CPU time."""
    plugin = Figure(
        "S1", "pytest plugin: loading it as pytest does, in an interpreter that has pytest "
        "(CPU ms)", "<= 40",
    )  # fmt: skip
    run = Figure(
        "S1-run", "pytest plugin: an unrelated one-test run, plugin on - off (-p no:rekolabels)",
        "info",
    )  # fmt: skip
    helped = Figure("S2", "`rekolabels --help` - bare interpreter start-up (python -c pass)",
                    "<= 100")  # fmt: skip
    heavy = Figure("S3", f"modules of {'/'.join(HEAVY)} loaded by `import rekolabels`", "== 0")
    loads = [
        json.loads(run_child([sys.executable, "-c", _PLUGIN_LOAD], capture=True).stdout)
        for _ in range(sizes.repeats_startup)
    ]
    spread = Spread.of([x["ms"] for x in loads])
    plugin.set(spread.median, spread, " ms")
    plugin.detail.append(f"modules it imports: {', '.join(loads[0]['modules'])}")
    env = {"PYTEST_ADDOPTS": "", "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        test = Path(tmp, "test_unrelated.py")
        test.write_text("def test_unrelated():\n    assert 1 + 1 == 2\n")
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                  "--rootdir", tmp, str(test)]  # fmt: skip
        a, b = ab_children(pytest, [*pytest, "-p", "no:rekolabels"],
                           repeats=sizes.repeats_startup, env=env, warmup=sizes.warmup)  # fmt: skip
        _ms_difference(run, a, b)
    a, b = ab_children([*rekolabels_command(), "--help"], [sys.executable, "-c", "pass"],
                       repeats=sizes.repeats_startup, warmup=sizes.warmup)  # fmt: skip
    _ms_difference(helped, a, b)
    code = (
        "import sys, json, rekolabels\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    loaded = json.loads(run_child([sys.executable, "-c", code], capture=True).stdout)
    heavy.set(float(len(loaded)))
    heavy.detail.append(f"loaded: {', '.join(loaded[:8]) or 'none'}")
    imported = Figure("S4", "`import rekolabels` - bare interpreter start-up", "info")
    a, b = ab_children([sys.executable, "-c", "import rekolabels"], [sys.executable, "-c", "pass"],
                       repeats=sizes.repeats_startup, warmup=sizes.warmup)  # fmt: skip
    _ms_difference(imported, a, b)
    return [plugin, run, helped, heavy, imported]


def cli(sizes: Sizes) -> list[Figure]:
    """The CLI over loopback against a raw boto3 script writing the same document."""
    n = sizes.labels_g1
    speed = Figure(
        "J1", f"`--output jsonl` labels per CPU-second / a raw boto3 script writing the same "
        f"lines ({n:,} labels, each process's own CPU)", ">= 2.0",
    )  # fmt: skip
    memory = Figure(
        "J2", f"peak RSS of `--output json` / the raw script holding the job ({n:,} labels)",
        "<= 0.25",
    )  # fmt: skip
    with FAKES.job(n) as (server, job_id):
        get = [*rekolabels_command(), "get-label-detection", "--job-id", job_id,
               "--endpoint-url", server.url]  # fmt: skip
        for figure, output in ((speed, "jsonl"), (memory, "json")):
            a, b = ab_children(
                [*get, "--output", output], workload(f"raw-{output}", server, job_id),
                repeats=sizes.repeats_child, env=server.env, warmup=0, own_rss=True,
            )  # fmt: skip
            if figure is speed:
                ratios = [y.cpu_s / x.cpu_s for x, y in zip(a, b, strict=True)]
                walls = Spread.of([y.wall_s / x.wall_s for x, y in zip(a, b, strict=True)])
                figure.detail.append(f"by wall time instead: {walls.fmt()}")
                figure.detail.append(
                    f"labels/CPU-s: A {Spread.of([n / r.cpu_s for r in a]).fmt(1, '', 0)}; "
                    f"B {Spread.of([n / r.cpu_s for r in b]).fmt(1, '', 0)}"
                )
            else:
                ratios = [x.maxrss / y.maxrss for x, y in zip(a, b, strict=True)]
                figure.detail.append(
                    f"A {Spread.of([r.maxrss for r in a]).fmt(2**-20, ' MiB', 0)}; "
                    f"B {Spread.of([r.maxrss for r in b]).fmt(2**-20, ' MiB', 0)}"
                )
            figure.set(Spread.of(ratios).median, Spread.of(ratios))
    return [speed, memory]


FIGURES: dict[str, Callable[[Sizes], list[Figure]]] = {
    "P1": p1, "P1*": p1_star, "P4": p4, "P2": p2, "G1": g1, "P3": p3, "S": startup, "J": cli,
}  # fmt: skip


def fake_jobs(sizes: Sizes, groups: Collection[str]) -> set[int]:
    """The label counts of the jobs these figure groups read from a fake."""
    labels = {"P4": 1000 * sizes.pages_p4, "P2": 1000 * sizes.pages_p2, "G1": sizes.labels_g1,
              "J": sizes.labels_g1}  # fmt: skip
    return {labels[group] for group in groups if group in labels}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run, figures meaningless")
    parser.add_argument("--only", help=f"comma-separated groups of {', '.join(FIGURES)}")
    parser.add_argument("--repeats", type=int, help="override the per-page repeats")
    parser.add_argument("--json", type=Path, help="also write every figure and sample here")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.repeats:
        sizes = replace(sizes, repeats=args.repeats)
    wanted = args.only.split(",") if args.only else list(FIGURES)
    unknown = set(wanted) - set(FIGURES)
    if unknown:
        parser.error(f"unknown figure group(s): {', '.join(sorted(unknown))}")
    info = machine_state()
    figures: list[Figure] = []
    jobs = fake_jobs(sizes, wanted)
    with contextlib.ExitStack() as stack:
        if args.quick and jobs:
            stack.enter_context(FAKES.shared(jobs))
        for key in wanted:
            figures += FIGURES[key](sizes)
    publish(figures, info, "rekolabels benchmarks", quick=args.quick, json_path=args.json,
            sizes=asdict(sizes))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
