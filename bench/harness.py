"""Fair measurement for rekolabels' benchmarks: every bench script builds its figures from this.

The rules each figure follows, and why:

- **Ratios, interleaved.** A timed figure is A / B, two workloads measured in alternation (A
  then B, then B then A, ...), so a burst of load from another process hits both sides. The
  figure is the median of the per-repeat ratios; their spread (quartiles, min-max) is printed.
- **One GC policy on both sides.** The cyclic collector runs as the user has it (on, default
  thresholds) for A and for B; the heap is settled with ``gc.collect()`` before every sample,
  on both sides; and a workload that leaves the collector's state changed is an error
  (``GCPolicyChanged``), because a ratio against a side that switched it off means nothing.
- **Results where the user keeps them.** Each sample's result is dropped before the next
  sample. ``keep=False`` (a streaming user) drops it inside the timing, so freeing it counts;
  ``keep=True`` (a user who keeps it, e.g. ``get_all``) holds it until the clock has stopped.
- **CPU time** of the measuring process (``time.process_time``) for in-process figures: a
  runnable thread waiting for a busy core is not counted. Child-process figures report the
  child's own CPU time (``os.wait4``) and its wall time.
- **The fake out of process.** End-to-end figures talk to ``rekolabels fake-server`` in its own
  process over 127.0.0.1 (``FakeServer``), so the fake's heap and CPU are not in the figure.
- **Memory in child processes.** A memory figure runs each side in a fresh interpreter and
  reads its own peak RSS (``VmHWM``, written at exit by ``_launch.py``: ``os.wait4``'s
  ``ru_maxrss`` would include this process's RSS, which Linux carries across ``exec``), or,
  where the workload is small next to the interpreter, the peak above a settled baseline
  (``peak_rss_above_baseline``).
- **The machine is printed** (CPU count, load average) with every run: on a shared machine a
  high load is a reason to rerun, not to trust the figure.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

__all__ = [
    "AB",
    "ChildRun",
    "FakeServer",
    "Figure",
    "GCPolicyChanged",
    "Goal",
    "Spread",
    "ab",
    "ab_children",
    "check_gc_policy",
    "cpu_sample",
    "gc_policy",
    "machine_state",
    "peak_rss_above_baseline",
    "report",
    "run_child",
]

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rekolabels", "pydantic", "pydantic-core", "botocore", "boto3")
# Obviously fake credentials for child processes that sign requests to the loopback fake.
DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAREKOLABELSBENCH",
    "AWS_SECRET_ACCESS_KEY": "rekolabels-bench-not-a-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "NO_PROXY": "127.0.0.1",
}


# -- spreads and goals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """The distribution of one quantity over repeats: median, quartiles, extremes."""

    median: float
    q1: float
    q3: float
    lo: float
    hi: float
    n: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Spread:
        if not samples:
            raise ValueError("no samples")
        ordered = sorted(samples)
        if len(ordered) >= 2:
            q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        else:
            q1 = q3 = ordered[0]
        return cls(statistics.median(ordered), q1, q3, ordered[0], ordered[-1], len(ordered))

    def fmt(self, scale: float = 1.0, unit: str = "", digits: int = 3) -> str:
        """``median [q1-q3] (min-max, n)`` in ``unit`` after multiplying by ``scale``."""

        def num(x: float) -> str:
            return f"{x * scale:.{digits}f}"

        return (
            f"{num(self.median)}{unit} [IQR {num(self.q1)}-{num(self.q3)}, "
            f"min-max {num(self.lo)}-{num(self.hi)}, n={self.n}]"
        )


@dataclass(frozen=True)
class Goal:
    """``<= 0.5``, ``>= 2.0``, ``< 1.0`` or ``info`` (no goal: printed for information)."""

    text: str

    def check(self, value: float | None) -> bool | None:
        if value is None or self.text == "info":
            return None
        match = re.fullmatch(r"\s*(<=|>=|<|>|==)\s*([-+0-9.eE]+)\s*(\S*)", self.text)
        if match is None:
            raise ValueError(f"goal {self.text!r}: expected e.g. '<= 0.5' or 'info'")
        op, bound = match.group(1), float(match.group(2))
        return {
            "<=": value <= bound,
            ">=": value >= bound,
            "<": value < bound,
            ">": value > bound,
            "==": value == bound,
        }[op]


@dataclass
class Figure:
    """One line of the report: a value with its goal, its spread and what was measured."""

    key: str
    title: str
    goal: str
    value: float | None = None
    unit: str = ""
    spread: Spread | None = None
    detail: list[str] = field(default_factory=list)
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        return Goal(self.goal).check(self.value)

    @property
    def verdict(self) -> str:
        if self.goal == "info":
            return "info"
        if self.value is None:
            return "SKIP"
        return "PASS" if self.passed else "MISS"

    def set(self, value: float, spread: Spread | None = None, unit: str = "") -> Figure:
        self.value, self.spread, self.unit = value, spread, unit
        return self

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "goal": self.goal,
            "value": self.value,
            "unit": self.unit,
            "verdict": self.verdict,
            "spread": None if self.spread is None else self.spread.__dict__,
            "detail": self.detail,
            "samples": self.samples,
        }


# -- the garbage collector ------------------------------------------------------------------------


class GCPolicyChanged(RuntimeError):
    """A workload left the cyclic collector in another state than it found it."""


def gc_policy() -> tuple[bool, tuple[int, ...]]:
    """The collector's state: whether it is on, and its thresholds."""
    return gc.isenabled(), gc.get_threshold()


def check_gc_policy(expected: tuple[bool, tuple[int, ...]], where: str) -> None:
    now = gc_policy()
    if now != expected:
        raise GCPolicyChanged(f"{where}: the collector went from {expected} to {now}")


# -- in-process timing ----------------------------------------------------------------------------


def cpu_sample(fn: Callable[[], object], number: int = 1, *, keep: bool = False) -> float:
    """CPU seconds per call of ``fn`` over ``number`` calls, on a settled heap.

    ``keep=False``: each result is dropped inside the timing (freeing it is the caller's cost,
    as when streaming). ``keep=True``: the results live until the clock stops, then are
    dropped untimed (the user keeps what the call returned).
    """
    gc.collect()
    kept: list[object] = []
    if keep:
        start = time.process_time()
        for _ in range(number):
            kept.append(fn())
        elapsed = time.process_time() - start
    else:
        start = time.process_time()
        for _ in range(number):
            fn()
        elapsed = time.process_time() - start
    del kept
    return elapsed / number


@dataclass
class AB:
    """An interleaved comparison: per-repeat times of A and B, and their ratios."""

    a: list[float]
    b: list[float]

    @property
    def ratios(self) -> list[float]:
        return [x / y for x, y in zip(self.a, self.b, strict=True)]

    @property
    def ratio(self) -> Spread:
        return Spread.of(self.ratios)

    def times(self, scale: float = 1e3, unit: str = " ms") -> str:
        """Both sides' spreads, e.g. for a figure's detail line."""
        return (
            f"A {Spread.of(self.a).fmt(scale, unit, 2)}; B {Spread.of(self.b).fmt(scale, unit, 2)}"
        )


def ab(
    a: Callable[[], object],
    b: Callable[[], object],
    *,
    repeats: int,
    number: int = 1,
    keep: bool = False,
    warmup: int = 1,
) -> AB:
    """A against B, interleaved (the side that runs first alternates), same GC policy on both.

    Both run ``warmup`` times untimed first (imports, caches, lazily built validators).
    """
    policy = gc_policy()
    for _ in range(warmup):
        a()
        check_gc_policy(policy, "A (warm-up)")
        b()
        check_gc_policy(policy, "B (warm-up)")
    result = AB([], [])
    for r in range(repeats):
        order = (("A", a), ("B", b)) if r % 2 == 0 else (("B", b), ("A", a))
        for name, fn in order:
            elapsed = cpu_sample(fn, number, keep=keep)
            check_gc_policy(policy, name)
            (result.a if name == "A" else result.b).append(elapsed)
    return result


# -- child processes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildRun:
    """What one child process cost: wall and CPU seconds, peak RSS in bytes, and its output.

    ``maxrss`` is the program's own peak when it ran with ``own_rss=True``; otherwise it is
    ``os.wait4``'s, which on Linux includes the spawning process's RSS (see ``_launch.py``).
    """

    wall_s: float
    cpu_s: float
    maxrss: int
    returncode: int
    stdout: bytes


def _maxrss_bytes(ru_maxrss: int) -> int:
    # Linux reports KiB, macOS bytes.
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


def run_child(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    capture: bool = False,
    stdin: bytes | None = None,
    timeout_s: float = 600.0,
    own_rss: bool = False,
) -> ChildRun:
    """Run ``argv`` to its end; its CPU time comes from ``os.wait4``.

    ``own_rss``: ``argv`` is a Python program (``sys.executable ...`` or a console script),
    run through ``_launch.py`` so that ``maxrss`` is its own peak RSS (Linux), not one that
    includes this process's. Output goes to ``/dev/null`` unless ``capture`` (then it is read
    as it comes, so a large output does not block the child on a full pipe).
    """
    if own_rss:
        with tempfile.NamedTemporaryFile(prefix="rss-", delete=False) as rss_file:
            pass
        program = list(argv[1:] if argv[0] == sys.executable else argv)
        launched = [sys.executable, str(Path(__file__).with_name("_launch.py")), rss_file.name]
        try:
            run = run_child([*launched, "--", *program], env=env, capture=capture,
                            stdin=stdin, timeout_s=timeout_s)  # fmt: skip
            peak = int(Path(rss_file.name).read_text())
        finally:
            os.unlink(rss_file.name)
        return ChildRun(run.wall_s, run.cpu_s, peak, run.returncode, run.stdout)
    full_env = {**os.environ, **(env or {})}
    out = subprocess.PIPE if capture else subprocess.DEVNULL
    chunks: list[bytes] = []
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            env=full_env,
            stdout=out,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stderr=errors,
        )
        if stdin is not None:
            assert proc.stdin is not None
            proc.stdin.write(stdin)
            proc.stdin.close()
        if capture:
            assert proc.stdout is not None
            while chunk := proc.stdout.read(1 << 16):
                chunks.append(chunk)
            proc.stdout.close()
        status, usage = _wait(proc, start + timeout_s, argv)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(argv[:4])} exited {proc.returncode}: {tail}")
    return ChildRun(
        wall,
        usage.ru_utime + usage.ru_stime,
        _maxrss_bytes(usage.ru_maxrss),
        proc.returncode,
        b"".join(chunks),
    )


def _wait(proc: subprocess.Popen[bytes], deadline: float, argv: Sequence[str]) -> tuple[int, Any]:
    """The child's exit status and resource usage (its own, from ``os.wait4``)."""
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return status, usage
        if time.perf_counter() > deadline:
            proc.kill()
            proc.wait()
            raise TimeoutError(f"{' '.join(argv[:4])} ran past its time limit")
        time.sleep(0.002)


def ab_children(
    a: Sequence[str],
    b: Sequence[str],
    *,
    repeats: int,
    env: Mapping[str, str] | None = None,
    warmup: int = 1,
    own_rss: bool = False,
    capture: bool = False,
) -> tuple[list[ChildRun], list[ChildRun]]:
    """Two commands run alternately (the first of each pair alternates), ``repeats`` each."""
    options: dict[str, Any] = {"env": env, "own_rss": own_rss, "capture": capture}
    for _ in range(warmup):
        run_child(a, **options)
        run_child(b, **options)
    runs_a: list[ChildRun] = []
    runs_b: list[ChildRun] = []
    for r in range(repeats):
        if r % 2 == 0:
            runs_a.append(run_child(a, **options))
            runs_b.append(run_child(b, **options))
        else:
            runs_b.append(run_child(b, **options))
            runs_a.append(run_child(a, **options))
    return runs_a, runs_b


def peak_rss_above_baseline(fn: Callable[[], object]) -> int:
    """Peak RSS while ``fn`` runs (its result included) above the RSS just before, in bytes.

    For workloads small next to the interpreter, measured in the child that runs them. Linux
    resets the peak through ``/proc/self/clear_refs``; elsewhere the peak traced by
    ``tracemalloc`` stands in.
    """
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        before = _status_kib("VmRSS")
    except OSError:
        tracemalloc.start()
        try:
            result = fn()
            peak = tracemalloc.get_traced_memory()[1]
            del result
        finally:
            tracemalloc.stop()
        return peak
    result = fn()
    peak = _status_kib("VmHWM")
    del result
    return (peak - before) * 1024


def _status_kib(key: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise OSError(f"no {key} in /proc/self/status")


# -- the fake, out of process ---------------------------------------------------------------------


def rekolabels_command() -> list[str]:
    """How to run the ``rekolabels`` console script of this environment."""
    script = Path(sys.executable).with_name("rekolabels")
    if script.exists():
        return [str(script)]
    found = shutil.which("rekolabels")
    return [found] if found else [sys.executable, "-m", "rekolabels"]


class FakeServer:
    """``rekolabels fake-server`` in a child process on 127.0.0.1, serving synthetic jobs.

    ``args`` are more fake-server flags (e.g. ``["--tps-quota", "30"]``). Use as a context
    manager; ``url`` is its endpoint, ``env`` the environment a child client
    needs (dummy credentials, region), ``client()`` a boto3 client for this process.
    """

    def __init__(
        self,
        jobs: Mapping[str, int],
        *,
        seed: int = 1,
        startup_s: float = 300.0,
        args: Sequence[str] = (),
    ):
        self.jobs = dict(jobs)
        self.seed = seed
        self.startup_s = startup_s
        self.args = list(args)
        self.url = ""
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return dict(DUMMY_ENV)

    def __enter__(self) -> FakeServer:
        argv = [*rekolabels_command(), "fake-server", "--port", "0", "--seed", str(self.seed)]
        for job_id, count in self.jobs.items():
            argv += ["--synthetic", f"{job_id}={count}"]
        argv += self.args
        self._proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **DUMMY_ENV}
        )
        assert self._proc.stdout is not None
        line = _readline_within(self._proc.stdout, self.startup_s)
        if not line.startswith("http://127.0.0.1:"):
            self.__exit__()
            raise RuntimeError(f"fake-server did not start: {line!r}")
        self.url = line
        return self

    def __exit__(self, *_: object) -> None:
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stdout is not None:
                self._proc.stdout.close()
            self._proc = None

    def client(self) -> Any:
        from rekolabels.testing import new_client

        return new_client(endpoint_url=self.url)


def _readline_within(stream: IO[bytes], timeout_s: float) -> str:
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout_s):
            return ""
    return stream.readline().decode().strip()


# -- the machine and the report -------------------------------------------------------------------


def load_average() -> tuple[float, float, float] | None:
    return os.getloadavg() if hasattr(os, "getloadavg") else None


def machine_state() -> dict[str, str]:
    """Python, platform, CPU count, load average and the versions that shape the figures."""
    info = {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
    }
    load = load_average()
    if load is not None:
        info["loadavg"] = " ".join(f"{x:.2f}" for x in load)
    for package in PACKAGES:
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = "not installed"
    return info


def busy_warning() -> str | None:
    """A warning line when the 1-minute load exceeds the CPU count (figures are then noisy)."""
    load = load_average()
    cpus = os.cpu_count() or 1
    if load is not None and load[0] > cpus:
        return (
            f"WARNING: load {load[0]:.2f} on {cpus} CPUs: other processes compete for the cores; "
            "rerun when the machine is quieter before trusting the figures"
        )
    return None


def report(figures: Sequence[Figure], info: Mapping[str, str], title: str) -> Iterator[str]:
    """The printed report: the machine, then every figure with its goal, verdict and spreads."""
    yield title
    yield "  " + ", ".join(f"{k} {v}" for k, v in info.items())
    warning = busy_warning()
    if warning:
        yield "  " + warning
    yield ""
    yield f"{'figure':<10} {'measured':>12}  {'goal':<10} {'':4}  what"
    for f in figures:
        value = "-" if f.value is None else f"{f.value:.3f}{f.unit}"
        yield f"{f.key:<10} {value:>12}  {f.goal:<10} {f.verdict:4}  {f.title}"
        if f.spread is not None:
            yield f"{'':12}spread {f.spread.fmt(unit=f.unit)}"
        for line in f.detail:
            yield f"{'':12}{line}"


def write_json(
    path: Path, figures: Sequence[Figure], info: Mapping[str, str], **extra: Any
) -> None:
    results = {"machine": dict(info), **extra, "figures": [f.as_json() for f in figures]}
    path.write_text(json.dumps(results, indent=1))


def publish(
    figures: Sequence[Figure],
    info: dict[str, str],
    name: str,
    *,
    quick: bool,
    json_path: Path | None,
    **extra: Any,
) -> None:
    """Print the report of a finished run (the load at its end added) and write its JSON."""
    info["loadavg at end"] = machine_state().get("loadavg", "-")
    title = name + (" (--quick: sizes too small, figures meaningless)" if quick else "")
    for line in report(figures, info, title):
        print(line)
    if json_path:
        write_json(json_path, figures, info, **extra)
