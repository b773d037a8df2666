"""The ``rekolabels`` command line.

``COMMANDS`` is the one table of subcommands, in ``--help`` order; each row names the functions
of a command module (``_online``: calls Rekognition; ``_offline``: reads a saved response;
``_local``: runs the fake here). The modules import ``_common`` only, never this package, so
imports go one way. ``main`` is the one place that turns outcomes into exit codes:

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
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from . import _local, _offline, _online
from ._common import PROG, Command, CommandFailed, UsageError

__all__ = ["COMMANDS", "Command", "CommandFailed", "UsageError", "build_parser", "main"]

COMMANDS: tuple[Command, ...] = (
    Command(
        "get-label-detection",
        "read a job's labels, following every page (json, jsonl, csv, table)",
        _online.get_arguments,
        _online.get_label_detection,
    ),
    Command(
        "wait",
        "wait until a job has SUCCEEDED (exit 1 if it failed or timed out)",
        _online.wait_arguments,
        _online.wait,
    ),
    Command(
        "sort",
        "re-sort a saved response (writes response JSON)",
        _offline.sort_arguments,
        _offline.sort,
    ),
    Command(
        "aggregate",
        "turn a saved TIMESTAMPS response into SEGMENTS (writes response JSON)",
        _offline.aggregate_arguments,
        _offline.aggregate,
    ),
    Command(
        "summary",
        "ranked per-label table of a saved response (cli extra)",
        _offline.summary_arguments,
        _offline.summary,
    ),
    Command(
        "timeline",
        "draw a saved response's labels over time (plot extra)",
        _offline.timeline_arguments,
        _offline.timeline,
    ),
    Command(
        "fake-server",
        "serve a fake Rekognition on http://127.0.0.1 until interrupted",
        _local.fake_server_arguments,
        _local.fake_server,
    ),
    Command(
        "demo",
        "the whole SDK against a fake Rekognition on loopback (cli extra)",
        _local.demo_arguments,
        _local.demo,
    ),
    Command(
        "botocore-data-path",
        "print the folder to put in AWS_DATA_PATH (boto3/AWS CLI paginators and waiter)",
        _local.botocore_data_path_arguments,
        _local.botocore_data_path,
    ),
)


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
    """The whole command line: global options, then one subparser per row of ``COMMANDS``."""
    from .. import __version__

    parser = _Parser(prog=PROG, description="Amazon Rekognition Video label detection results.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for cmd in COMMANDS:
        sub = subparsers.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        # Also accepted after the subcommand; SUPPRESS keeps a global --debug from being reset.
        sub.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
        )
        cmd.add_arguments(sub)
        sub.set_defaults(_run=cmd.run, _parser=sub)
    return parser


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
        import logging

        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(f"{PROG}: %(levelname)s: %(message)s"))
        logger = logging.getLogger("rekolabels")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    # Only now: the library's errors import botocore, which --help does not need.
    from .._errors import InvalidArgumentError, RekolabelsError

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
