"""Is the typed layer nearly free? Every performance figure of rekolabels, side by side.

Usage (from the repository root, in an environment with rekolabels installed)::

    python bench/run.py            # the full run (about a minute on 2 cores)
    python bench/run.py --quick    # a smoke run: tiny sizes, few repeats, figures meaningless
    python bench/run.py --only P1,P4 --json results.json

Every timed figure is a ratio of two workloads, A (rekolabels) over B (the baseline), measured
interleaved: each repeat times A then B (or B then A, alternating), so a burst of noise from other
processes hits both; the figure is the median over repeats of the per-repeat ratio A/B. Times are
CPU time of this process (``time.process_time``): time spent waiting for a busy CPU is not
counted. The garbage collector stays as the user would have it (enabled, default thresholds).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import botocore.session
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser

import rekolabels as rl
from rekolabels import _rawpage as rl_rawpage
from rekolabels.testing import http_response, new_client

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
P1_FILES = ("saved-2022-page1-nexttoken-v2.json", "boto3-2023-grandtour720-timestamps-v3.json")
REQUEST_ID = "11111111-2222-3333-4444-555555555555"
PACKAGES = ("rekolabels", "pydantic", "pydantic-core", "botocore", "boto3")


@dataclass
class Figure:
    """One line of the report."""

    key: str
    title: str
    goal: str
    value: float | None = None
    passed: bool | None = None
    detail: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "SKIP"
        return "PASS" if self.passed else "MISS"


@dataclass
class Sizes:
    repeats: int
    number: int
    pages_p4: int
    pages_p2: int
    detections_p3: int
    repeats_slow: int


FULL = Sizes(repeats=41, number=3, pages_p4=20, pages_p2=60, detections_p3=200_000, repeats_slow=9)
QUICK = Sizes(repeats=3, number=1, pages_p4=2, pages_p2=3, detections_p3=5_000, repeats_slow=2)


# -- measuring ----------------------------------------------------------------------------------


def cpu_per_call(fn: Callable[[], object], number: int) -> float:
    """CPU seconds per call of ``fn``; each result is dropped before the next call."""
    start = time.process_time()
    for _ in range(number):
        fn()
    return (time.process_time() - start) / number


def interleaved(
    a: Callable[[], object], b: Callable[[], object], *, repeats: int, number: int
) -> tuple[float, dict[str, list[float]]]:
    """Median of per-repeat A/B ratios; A and B alternate which one runs first."""
    # Settle the heap the setup built (a big validation leaves its survivors to be promoted by
    # the next collections), then warm caches, lazy imports and validators, untimed.
    gc.collect()
    a(), b()
    times: dict[str, list[float]] = {"A": [], "B": []}
    for r in range(repeats):
        order = (("A", a), ("B", b)) if r % 2 == 0 else (("B", b), ("A", a))
        for name, fn in order:
            times[name].append(cpu_per_call(fn, number))
    ratios = [x / y for x, y in zip(times["A"], times["B"], strict=True)]
    return statistics.median(ratios), times


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1e3:.2f} ms"


def peak_bytes(fn: Callable[[], object]) -> int:
    """Peak traced memory (tracemalloc) while ``fn`` runs, its result included."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
        del result
    finally:
        tracemalloc.stop()
    return peak


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


def has_client() -> bool:
    return hasattr(rl, "LabelDetectionClient")


def fake_job(pages: int) -> tuple[Any, str]:
    """A FakeRekognition holding one SUCCEEDED job of ``pages`` full pages (1,000 labels each)."""
    from rekolabels.testing import FakeRekognition  # type: ignore[attr-defined]

    fake = FakeRekognition(seed=0)
    fake.add_synthetic_job("bench-job", detections=1000 * pages, seed=1)
    return fake, "bench-job"


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


def typed_label_loop(lc: Any, job_id: str) -> int:
    count = 0
    for _ in lc.iter_labels(job_id):
        count += 1
    return count


def synthetic_detections(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` TIMESTAMPS detections in AWS order: 40 names sampled every 500 ms, labels that
    persist for a while, then vanish (so segments are of every length)."""
    rng = random.Random(seed)
    names = [f"Label{i:02d}" for i in range(40)]
    present: set[str] = set()
    out: list[dict[str, Any]] = []
    timestamp = 0
    while len(out) < n:
        for name in names:
            if name in present and rng.random() < 0.15:
                present.discard(name)
            elif name not in present and rng.random() < 0.05:
                present.add(name)
        for name in sorted(present):
            out.append({"Timestamp": timestamp, "Label": {
                "Name": name, "Confidence": round(rng.uniform(50, 99.9), 3),
                "Instances": [], "Parents": [{"Name": "Thing"}]}})  # fmt: skip
            if len(out) == n:
                break
        timestamp += 500
    return out


# -- figures ------------------------------------------------------------------------------------


def p1(sizes: Sizes) -> list[Figure]:
    """Typed conversion of the dict botocore produced, over botocore's own parse of the bytes."""
    main = Figure("P1", "typed conversion / botocore parse (worse of 2 real pages)", "<= 0.5")
    raw = Figure("P1-bytes", "typed from raw bytes / botocore parse (worse of 2)", "info")
    details, worst, worst_raw = [], 0.0, 0.0
    validate_wire = getattr(rl_rawpage, "_page_from_wire", None)
    for name in P1_FILES:
        body = wire_body(load(name))
        parse = botocore_parse(body)
        parsed = parse()
        ratio, times = interleaved(
            lambda parsed=parsed: rl.GetLabelDetectionResponse.from_boto3(parsed),
            parse, repeats=sizes.repeats, number=sizes.number,
        )  # fmt: skip
        worst = max(worst, ratio)
        main.samples[name] = [*times["A"], *times["B"]]
        details.append(f"{name[:10]}: {ratio:.3f} ({ms(times['A'])} vs {ms(times['B'])})")
        if validate_wire is not None:
            ratio_raw, times_raw = interleaved(
                lambda body=body: validate_wire(body), parse,
                repeats=sizes.repeats, number=sizes.number,
            )  # fmt: skip
            worst_raw = max(worst_raw, ratio_raw)
            raw.detail += f"{name[:10]}: {ratio_raw:.3f} ({ms(times_raw['A'])}) "
    main.value, main.passed, main.detail = worst, worst <= 0.5, "; ".join(details)
    if validate_wire is None:
        return [main]
    raw.value = worst_raw
    return [main, raw]


def p1_star(sizes: Sizes) -> list[Figure]:
    """A whole typed page call against the same call returning boto3's untyped dict."""
    figure = Figure("P1*", "typed page call / raw boto3 call, end to end (v2 page)", "< 1.0")
    body = wire_body(load(P1_FILES[0]))
    raw_client = static_client(body)
    if has_client():
        lc = rl.LabelDetectionClient(static_client(body))  # type: ignore[attr-defined]

        def typed() -> object:
            return lc.get_page("bench-job")

        figure.title += " via LabelDetectionClient.get_page"
    else:
        typed_client = static_client(body)

        def typed() -> object:
            return rl.GetLabelDetectionResponse.from_boto3(
                typed_client.get_label_detection(JobId="bench-job")
            )

        figure.title += " via from_boto3(client.get_label_detection())"
    ratio, times = interleaved(
        typed, lambda: raw_client.get_label_detection(JobId="bench-job"),
        repeats=sizes.repeats, number=sizes.number,
    )  # fmt: skip
    figure.value, figure.passed = ratio, ratio < 1.0
    figure.detail = f"{ms(times['A'])} vs {ms(times['B'])}"
    return [figure]


def p4(sizes: Sizes) -> list[Figure]:
    figure = Figure(
        "P4", f"iter_labels / raw NextToken loop ({sizes.pages_p4} pages, FakeRekognition)",
        "<= 1.25",
    )  # fmt: skip
    if not has_client():
        figure.detail = "LabelDetectionClient not available yet"
        return [figure]
    fake, job_id = fake_job(sizes.pages_p4)
    lc = rl.LabelDetectionClient(fake.client)  # type: ignore[attr-defined]
    ratio, times = interleaved(
        lambda: typed_label_loop(lc, job_id), lambda: raw_label_loop(fake.client, job_id),
        repeats=max(3, sizes.repeats // 3), number=1,
    )  # fmt: skip
    figure.value, figure.passed = ratio, ratio <= 1.25
    figure.detail = f"{ms(times['A'])} vs {ms(times['B'])} per job"
    return [figure]


def p2(sizes: Sizes) -> list[Figure]:
    figure = Figure(
        "P2", f"peak memory iterating {sizes.pages_p2} pages / fetching one page", "<= 2"
    )
    if not has_client():
        figure.detail = "LabelDetectionClient not available yet"
        return [figure]
    fake, job_id = fake_job(sizes.pages_p2)
    lc = rl.LabelDetectionClient(fake.client)  # type: ignore[attr-defined]
    typed_label_loop(lc, job_id)
    lc.get_page(job_id)
    many, one = [], []
    for _ in range(3):
        many.append(peak_bytes(lambda: typed_label_loop(lc, job_id)))
        one.append(peak_bytes(lambda: lc.get_page(job_id)))
    ratio = statistics.median(many) / statistics.median(one)
    figure.value, figure.passed = ratio, ratio <= 2
    figure.detail = (
        f"{statistics.median(many) / 2**20:.1f} MiB vs {statistics.median(one) / 2**20:.1f} MiB"
    )
    return [figure]


def _name_and_timestamp(det: rl.LabelDetection) -> tuple[str | None, int | None]:
    return det.name, det.timestamp


def p3(sizes: Sizes) -> list[Figure]:
    """Segments from 200k detections, over sorting those detections on (name, timestamp).

    P3 sorts the detections themselves (the key read from each one inside sorted(), as any
    grouping by name must); P3-keys sorts (name, timestamp) tuples extracted beforehand, a
    stricter baseline that leaves out reading the models at all.
    """
    figure = Figure(
        "P3",
        f"aggregate_segments / sorted() on (name, timestamp) ({sizes.detections_p3:,} detections)",
        "<= 3",
    )
    strict = Figure("P3-keys", "aggregate_segments / sorted() of pre-extracted key tuples", "info")
    labels = rl.GetLabelDetectionResponse.from_boto3(
        {"Labels": synthetic_detections(sizes.detections_p3)}
    ).labels
    assert labels is not None
    keys = [(d.name, d.timestamp) for d in labels]
    ratio, times = interleaved(
        lambda: rl.aggregate_segments(labels),
        lambda: sorted(labels, key=_name_and_timestamp),
        repeats=sizes.repeats_slow,
        number=1,
    )
    figure.value, figure.passed = ratio, ratio <= 3
    figure.detail = f"{ms(times['A'])} vs {ms(times['B'])}"
    ratio, times = interleaved(
        lambda: rl.aggregate_segments(labels), lambda: sorted(keys),
        repeats=sizes.repeats_slow, number=1,
    )  # fmt: skip
    strict.value = ratio
    strict.detail = f"{ms(times['A'])} vs {ms(times['B'])}"
    return [figure, strict]


FIGURES: dict[str, Callable[[Sizes], list[Figure]]] = {
    "P1": p1, "P1*": p1_star, "P4": p4, "P2": p2, "P3": p3,
}  # fmt: skip


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
    yield "rekolabels benchmarks"
    yield "  " + ", ".join(f"{k} {v}" for k, v in info.items())
    yield f"  repeats {sizes.repeats} x {sizes.number} calls (slow figures {sizes.repeats_slow})"
    yield ""
    yield f"{'figure':<9} {'measured':>9}  {'goal':<8} {'':4}  what"
    for f in figures:
        value = "-" if f.value is None else f"{f.value:.3f}"
        verdict = "" if f.goal == "info" else f.verdict
        yield f"{f.key:<9} {value:>9}  {f.goal:<8} {verdict:4}  {f.title}"
        if f.detail:
            yield f"{'':31}{f.detail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run, figures meaningless")
    parser.add_argument("--only", help="comma-separated figures, e.g. P1,P4 (default: all)")
    parser.add_argument("--repeats", type=int, help="override the number of repeats")
    parser.add_argument("--json", type=Path, help="also write every figure and sample here")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.repeats:
        sizes = Sizes(**{**asdict(sizes), "repeats": args.repeats})
    wanted = args.only.split(",") if args.only else list(FIGURES)
    unknown = set(wanted) - set(FIGURES)
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(sorted(unknown))}")
    info = machine()
    figures = [figure for key in wanted for figure in FIGURES[key](sizes)]
    for line in report(figures, info, sizes):
        print(line)
    if args.json:
        results = {"machine": info, "sizes": asdict(sizes), "figures": [asdict(f) for f in figures]}
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
