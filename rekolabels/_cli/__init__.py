"""The ``rekolabels`` command line.

``COMMANDS`` is the one table of subcommands, in ``--help`` order; each row names the functions
of a command module (``_online``: calls Rekognition; ``_export``: many jobs into a dataset;
``_offline``: reads a saved response; ``_local``: runs the fake here). The modules import
``_common`` only, never this package, so imports go one way. ``main`` is the one place that
turns outcomes into exit codes:

- 0: done.
- 1: any RekolabelsError (service, job, timeout, unreadable response), ``CommandFailed``, an
  output that cannot be written (no space left, a closed or read-only stdout), or any
  unexpected exception.
- 2: usage: a bad flag or value (argparse, or the library's InvalidArgumentError, so flags are
  checked by the same eager validation as the API), or ``UsageError`` from a command
  (unreadable file, missing extra, an AWS configuration that cannot work).
- 130: interrupted (SIGINT). 141: the reader of stdout went away (a broken pipe): silent.

Errors name what the user typed (a flag, or the environment variable a value came from), never
a Python parameter: flags are checked by argparse types in ``_common`` first.

Errors print at most two lines on stderr (the usage line for usage errors, then
``rekolabels: error: ...``); ``--debug`` prints the traceback before them, and never changes
the exit code. A character the output encoding cannot hold is escaped (``\\xe9``; JSON output
uses its own ``\\u00e9`` escapes), never fatal.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, NoReturn

from . import _export, _local, _offline, _online
from ._common import PROG, Command, CommandFailed, UsageError

__all__ = ["COMMANDS", "Command", "CommandFailed", "UsageError", "build_parser", "main"]

COMMANDS: tuple[Command, ...] = (
    Command(
        "get-label-detection",
        "read a job's labels, following every page (json, jsonl, csv, table, parquet)",
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
        "export",
        "export many jobs into a Parquet/JSON Lines dataset, under your account's quota",
        _export.export_arguments,
        _export.export,
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
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(f"{PROG}: %(levelname)s: %(message)s"))
        logger = logging.getLogger("rekolabels")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        print(f"{PROG}: error: standard output is closed", file=sys.stderr)
        return 1
    # Only now: the library's errors import botocore, which --help does not need.
    from .._errors import InvalidArgumentError, RekolabelsError

    with _escaping_unencodable(sys.stdout):
        try:
            code: int = args._run(args)
            sys.stdout.flush()  # a write error surfaces here, not at interpreter exit
        except (UsageError, InvalidArgumentError) as exc:
            _report(args, exc, usage=True)
            return 2
        except (RekolabelsError, CommandFailed) as exc:
            _report(args, exc)
            return 1
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, and keep Python's exit-time flush
            # of stdout from failing again.
            _discard_stdout()
            return 141
        except OSError as exc:
            _discard_stdout()
            _report(args, exc, message=f"cannot write the output: {exc.strerror or exc}")
            return 1
        except Exception as exc:  # a bug, or something nobody foresaw: still two lines
            _discard_stdout()
            _report(args, exc, message=f"unexpected {type(exc).__name__}: {exc}")
            return 1
    return code


def _report(
    args: argparse.Namespace, exc: BaseException, *, usage: bool = False, message: str = ""
) -> None:
    """The error in at most two lines (usage, then the error); the traceback first with --debug."""
    if args.debug:
        traceback.print_exception(exc, file=sys.stderr)
    if usage:
        args._parser.print_usage(sys.stderr)
    text = message or str(exc)
    if not args.debug and message.startswith("unexpected"):
        text += " (--debug shows the traceback)"
    # One line, whatever the message holds (pydantic's are multi-line).
    print(f"{PROG}: error: {' '.join(text.split())}", file=sys.stderr)


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that Python's exit-time flush of what is still buffered
    cannot fail (and print) again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests), or closed
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


@contextmanager
def _escaping_unencodable(stream: Any) -> Iterator[None]:
    """While inside, characters ``stream``'s encoding cannot hold are written as backslash
    escapes instead of raising UnicodeEncodeError (``PYTHONIOENCODING=ascii``, a C locale)."""
    errors = getattr(stream, "errors", None)
    if errors != "strict" or not hasattr(stream, "reconfigure"):
        yield
        return
    stream.reconfigure(errors="backslashreplace")
    try:
        yield
    finally:
        with suppress(Exception):  # the stream may have failed and be unusable by now
            stream.reconfigure(errors=errors)
