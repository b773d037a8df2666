"""What every command module shares: the command record, the errors that set exit codes, extras,
reading a saved response (JSON, or a Parquet table), and the argument groups several commands
take.

Imports only the standard library at module level, so ``rekolabels --help`` stays light: boto3,
pydantic, rich and matplotlib are imported inside the functions that use them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from rich.console import Console

    from .._client import LabelDetectionClient
    from .._models import GetLabelDetectionResponse

__all__ = [
    "MAX_RESPONSE_BYTES",
    "PARQUET_MAGIC",
    "PROG",
    "Command",
    "CommandFailed",
    "UsageError",
    "aws_arguments",
    "file_argument",
    "has_extra",
    "label_client",
    "positive_int",
    "read_response",
    "require_extra",
    "show_retries",
    "stderr_console",
]

PROG = "rekolabels"
MAX_RESPONSE_BYTES = 2 << 30
"""The largest saved response a command reads (2 GiB: about 3M detections as the CLI writes
them, indented); a larger input, or one that never ends (``/dev/zero``), is a usage error."""


@dataclass(frozen=True)
class Command:
    """One subcommand: its name and help, a function adding its arguments, and the function
    that runs it and returns the exit code."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """The command line asks for something impossible: exit 2, with the usage line."""


class CommandFailed(Exception):
    """The command could not do its work for a reason outside rekolabels' errors: exit 1."""


# The package each optional extra installs; imported only by the commands that need it.
_EXTRAS = {"cli": "rich", "plot": "matplotlib", "arrow": "pyarrow"}
PARQUET_MAGIC = b"PAR1"
"""How a Parquet file starts: the offline commands read one as a LabelTable."""


def has_extra(extra: str) -> bool:
    """Whether the package of optional extra ``extra`` (``"cli"``, ``"plot"``, ``"arrow"``)
    imports."""
    try:
        importlib.import_module(_EXTRAS[extra])
    except ImportError:
        return False
    return True


def require_extra(extra: str, what: str) -> None:
    """UsageError with the install hint when ``what`` needs an extra that is not installed."""
    if not has_extra(extra):
        raise UsageError(f"{what} needs the {extra} extra: pip install 'rekolabels[{extra}]'")


def read_response(source: str) -> GetLabelDetectionResponse:
    """A saved response (a file, or ``-`` for stdin), as written by boto3 or by this CLI.

    JSON (a response, as boto3 or ``--output json`` wrote it), or a Parquet file (told by its
    ``PAR1`` magic) written by ``--output parquet`` or ``LabelTable.write_parquet``: its rows
    and the job-level fields in its metadata, as a response. A file that cannot be read, that
    is larger than ``MAX_RESPONSE_BYTES`` or that holds no GetLabelDetection response, is a
    usage error (exit 2), for the offline commands and ``fake-server --job`` alike; so is a
    Parquet file without the ``[arrow]`` extra.
    """
    from .._errors import ResponseValidationError
    from .._models import GetLabelDetectionResponse

    name = "stdin" if source == "-" else source
    try:
        data = _read_bytes(source, name)
        if isinstance(data, bytes) and data.startswith(PARQUET_MAGIC):
            text = None
        else:
            text = data if isinstance(data, str) else data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read {source}: {reason}") from exc
    if text is None:
        return _parquet_response(data, name)
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError) as exc:  # not JSON, or nested too deep for Python
        raise UsageError(f"{name} is not JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise UsageError(f"{name} is not a GetLabelDetection response: not a JSON object")
    try:
        return GetLabelDetectionResponse.from_boto3(parsed)
    except ResponseValidationError as exc:
        raise UsageError(f"{name} is not a GetLabelDetection response: {exc}") from exc


def _read_bytes(source: str, name: str) -> Any:
    """The bytes of ``source`` (``str`` from a text stdin that is not a real file: tests), read
    in pieces: at most ``MAX_RESPONSE_BYTES``, and no further than the first character when
    that can start neither a JSON object nor a Parquet file (``/dev/zero``, a binary)."""
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stdin of the caller's (tests): already in memory
            return sys.stdin.read()
        return _read_input(stream, name)
    with open(source, "rb") as file:
        return _read_input(file, name)


def _read_input(stream: BinaryIO, name: str) -> bytes:
    pieces: list[bytes] = []
    total = 0
    started = False
    while piece := stream.read(1 << 20):
        total += len(piece)
        if total > MAX_RESPONSE_BYTES:
            raise UsageError(f"{name} is larger than {MAX_RESPONSE_BYTES >> 30} GiB")
        if not started:
            head = b"".join([*pieces, piece])
            if head.startswith(PARQUET_MAGIC):
                started = True
            elif len(head) < len(PARQUET_MAGIC) and PARQUET_MAGIC.startswith(head):
                pass  # a pipe gave the first bytes alone: wait for the rest of the magic
            elif stripped := head.lstrip(b" \t\r\n"):
                started = True
                if not stripped.startswith((b"{", b"\xef\xbb\xbf{")):
                    raise UsageError(
                        f"{name} is not a GetLabelDetection response: not a JSON object"
                    )
        pieces.append(piece)
    return b"".join(pieces)


def _parquet_response(data: bytes, name: str) -> GetLabelDetectionResponse:
    """The response a Parquet table holds: its job-level fields and its rows as models."""
    require_extra("arrow", f"reading the Parquet file {name}")
    import pyarrow as pa

    from .._errors import InvalidArgumentError
    from .._models import GetLabelDetectionResponse
    from .._table import LabelTable

    try:
        table = LabelTable.read_parquet(pa.BufferReader(data))
    except (pa.ArrowException, OSError, InvalidArgumentError) as exc:  # pyarrow's IO errors
        raise UsageError(f"{name} is not a Parquet file of rekolabels' table: {exc}") from exc
    job = table.job
    fields = {field: getattr(job, field) for field in job.model_fields_set}
    fields["labels"] = table.labels()
    return GetLabelDetectionResponse.model_construct(
        _fields_set=set(fields), **fields, **(job.model_extra or {})
    )


def file_argument(parser: argparse.ArgumentParser) -> None:
    """The positional FILE of the offline commands."""
    parser.add_argument(
        "file",
        metavar="FILE",
        help="a saved GetLabelDetection response (JSON, or Parquet from --output parquet), "
        "or - for stdin",
    )


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(text)


def aws_arguments(parser: argparse.ArgumentParser) -> None:
    """--region, --profile and --endpoint-url, for the commands that call Rekognition."""
    group = parser.add_argument_group("AWS options")
    group.add_argument("--region", metavar="R", help="AWS region (default: your configuration)")
    group.add_argument("--profile", metavar="P", help="named profile from your AWS configuration")
    group.add_argument(
        "--endpoint-url", metavar="URL", help="call this endpoint instead of AWS's (e.g. the fake)"
    )


def label_client(args: argparse.Namespace) -> LabelDetectionClient:
    """The client ``aws_arguments`` describe; a configuration that cannot work is a UsageError."""
    from botocore.exceptions import BotoCoreError

    from .._client import LabelDetectionClient

    try:
        return LabelDetectionClient.from_session(
            region_name=args.region, profile_name=args.profile, endpoint_url=args.endpoint_url
        )
    except (BotoCoreError, ValueError) as exc:  # unknown profile, no region, bad endpoint URL
        raise UsageError(str(exc)) from exc


def stderr_console() -> Console | None:
    """A rich console on stderr when stderr is a terminal and rich is installed, else None."""
    if not sys.stderr.isatty() or not has_extra("cli"):
        return None
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def show_retries(console: Console | None) -> Iterator[None]:
    """While inside, retries appear on ``console`` (if any; ``--debug`` shows them anyway)."""
    if console is None or logging.getLogger("rekolabels").isEnabledFor(logging.DEBUG):
        yield
        return
    from .._console import retries_shown

    with retries_shown(console):
        yield
