"""The ``rekolabels`` command line.

One argparse parser; each subcommand registers itself with ``@command`` (name, help, a function
that adds its arguments) on the function that runs it. ``main`` is the one place that turns
outcomes into exit codes:

- 0: done.
- 1: any RekolabelsError (service, job, timeout, unreadable response) or ``CommandFailed``.
- 2: usage: a bad flag or value (argparse, or the library's InvalidArgumentError, so flags are
  checked by the same eager validation as the API), or ``UsageError`` from a command
  (unreadable file, missing extra).

Errors print at most two lines on stderr (the usage line for usage errors, then
``rekolabels: error: ...``); ``--debug`` lets the traceback through instead.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from . import __version__
from ._errors import InvalidArgumentError, RekolabelsError, ResponseValidationError
from ._models import GetLabelDetectionResponse

__all__ = [
    "CommandFailed",
    "UsageError",
    "command",
    "has_extra",
    "main",
    "read_response",
    "require_extra",
]

PROG = "rekolabels"

Run = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """The command line asks for something impossible: exit 2, with the usage line."""


class CommandFailed(Exception):
    """The command could not do its work for a reason outside rekolabels' errors: exit 1."""


@dataclass(frozen=True)
class _Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Run


_COMMANDS: dict[str, _Command] = {}


def command(
    name: str, help: str, add_arguments: Callable[[argparse.ArgumentParser], None]
) -> Callable[[Run], Run]:
    """Register the decorated function as subcommand ``name``; it returns the exit code."""

    def register(run: Run) -> Run:
        if name in _COMMANDS:
            raise ValueError(f"subcommand {name!r} is already registered")
        _COMMANDS[name] = _Command(name, help, add_arguments, run)
        return run

    return register


# The package each optional extra installs; imported only by the commands that need it.
_EXTRAS = {"cli": "rich", "plot": "matplotlib"}
# Order of the subcommands in --help (registration order otherwise).
_ORDER = (
    "get-label-detection", "wait", "sort", "aggregate", "summary", "timeline",
    "fake-server", "demo",
)  # fmt: skip


def has_extra(extra: str) -> bool:
    """Whether the package of optional extra ``extra`` (``"cli"``, ``"plot"``) imports."""
    try:
        importlib.import_module(_EXTRAS[extra])
    except ImportError:
        return False
    return True


def require_extra(extra: str, what: str) -> None:
    """UsageError with the install hint when ``what`` needs an extra that is not installed."""
    if not has_extra(extra):
        raise UsageError(f"{what} needs the {extra} extra: pip install 'rekolabels[{extra}]'")


class _Parser(argparse.ArgumentParser):
    """argparse, but every usage error says ``rekolabels: error:`` and returns to ``main``."""

    def print_usage(self, file: Any = None) -> None:
        """The usage on one line, whatever the terminal width: errors stay two lines."""
        print(" ".join(self.format_usage().split()), file=file or sys.stdout)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{PROG}: error: {message}", file=sys.stderr)
        raise _UsageExit


class _UsageExit(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: global options, then one subparser per registered command."""
    parser = _Parser(prog=PROG, description="Amazon Rekognition Video label detection results.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    ranked = sorted(_COMMANDS.values(), key=lambda c: _rank(c.name))
    for cmd in ranked:
        sub = subparsers.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        # Also accepted after the subcommand; SUPPRESS keeps a global --debug from being reset.
        sub.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
        )
        cmd.add_arguments(sub)
        sub.set_defaults(_run=cmd.run, _parser=sub)
    return parser


def _rank(name: str) -> int:
    return _ORDER.index(name) if name in _ORDER else len(_ORDER)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageExit:
        return 2
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    if args.debug:
        # Retries and other details the library logs, on stderr.
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(f"{PROG}: %(levelname)s: %(message)s"))
        logger = logging.getLogger("rekolabels")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        code: int = args._run(args)
    except (UsageError, InvalidArgumentError) as exc:
        if args.debug:
            raise
        args._parser.print_usage(sys.stderr)
        _error(exc)
        return 2
    except (RekolabelsError, CommandFailed) as exc:
        if args.debug:
            raise
        _error(exc)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python's exit-time flush
        # of stdout from failing again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return code


def _error(exc: BaseException) -> None:
    # One line, whatever the message holds (pydantic's are multi-line).
    print(f"{PROG}: error: {' '.join(str(exc).split())}", file=sys.stderr)


# -- fake-server ------------------------------------------------------------------------------


def _job_id(text: str, value_name: str) -> tuple[str, str]:
    from ._client import check_job_id

    job_id, sep, value = text.partition("=")
    try:
        check_job_id(job_id)
    except (TypeError, ValueError):
        job_id = ""
    if not sep or not job_id or not value:
        raise argparse.ArgumentTypeError(
            f"expected ID={value_name} with ID matching [a-zA-Z0-9_-]{{1,64}}, got {text!r}"
        )
    return job_id, value


def _job_file(text: str) -> tuple[str, str]:
    return _job_id(text, "FILE")


def _synthetic(text: str) -> tuple[str, int]:
    job_id, count = _job_id(text, "N")
    if not count.isdigit():
        raise argparse.ArgumentTypeError(f"expected ID=N with N >= 0, got {text!r}")
    return job_id, int(count)


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a fraction from 0 to 1, got {text!r}")
    return rate


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, got {text!r}")
    return int(text)


def _fake_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=_port, default=0, help="TCP port; 0 picks a free one")
    parser.add_argument(
        "--job",
        type=_job_file,
        action="append",
        default=[],
        metavar="ID=FILE",
        help="serve the GetLabelDetection response saved in FILE as job ID (repeatable)",
    )
    parser.add_argument(
        "--synthetic",
        type=_synthetic,
        action="append",
        default=[],
        metavar="ID=N",
        help="serve a synthetic job ID with N detections (repeatable)",
    )
    parser.add_argument(
        "--throttle-rate",
        type=_rate,
        default=0.0,
        metavar="R",
        help="fraction of requests answered with ThrottlingException",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for tokens, faults and data")


@command(
    "fake-server",
    "serve a fake Rekognition on http://127.0.0.1 until interrupted",
    _fake_server_arguments,
)
def _fake_server(args: argparse.Namespace) -> int:
    from .testing import FakeRekognition

    fake = FakeRekognition(seed=args.seed)
    for job_id, path in args.job:
        fake.add_job(job_id, read_response(path))
    for job_id, count in args.synthetic:
        fake.add_synthetic_job(job_id, detections=count, seed=args.seed)
    fake.fault_rate(throttling=args.throttle_rate)
    stop = threading.Event()
    with fake:
        try:
            url = fake.serve(port=args.port)
        except OSError as exc:
            raise CommandFailed(f"cannot listen on 127.0.0.1:{args.port}: {exc}") from exc
        print(url, flush=True)
        with _stopped_by_signals(stop):
            while not stop.wait(0.5):
                pass
    return 0


def read_response(source: str) -> GetLabelDetectionResponse:
    """A saved response (a file, or ``-`` for stdin), as written by boto3 or by this CLI.

    A file that cannot be read, or that holds no GetLabelDetection response, is a usage error
    (exit 2), for the offline commands and ``fake-server --job`` alike.
    """
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read {source}: {reason}") from exc
    name = "stdin" if source == "-" else source
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{name} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{name} is not a GetLabelDetection response: not a JSON object")
    try:
        return GetLabelDetectionResponse.from_boto3(data)
    except ResponseValidationError as exc:
        raise UsageError(f"{name} is not a GetLabelDetection response: {exc}") from exc


class _stopped_by_signals:
    """Set ``stop`` on SIGINT/SIGTERM while inside; the previous handlers come back after."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signals reach the main thread only; the caller stops us some other way
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)

    def __exit__(self, *_: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


# The other subcommands register themselves on import; last, so ``command`` exists by then.
from . import _cli_commands  # noqa: E402, F401
