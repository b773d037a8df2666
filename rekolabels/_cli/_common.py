"""What every command module shares: the command record, the errors that set exit codes, extras,
reading a saved response (JSON, JSON Lines, or a Parquet table), and the argument groups several
commands take.

Imports only the standard library at module level, so ``rekolabels --help`` stays light: boto3,
pydantic, rich and matplotlib are imported inside the functions that use them.
"""

from __future__ import annotations

import argparse
import codecs
import importlib
import json
import logging
import math
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
    "credentials_explained",
    "file_argument",
    "has_extra",
    "job_id",
    "label_client",
    "next_token",
    "page_size",
    "partial_job_warned",
    "positive_int",
    "positive_seconds",
    "read_command",
    "read_response",
    "require_extra",
    "seconds",
    "show_retries",
    "sqs_client",
    "stderr_console",
    "stdout_console",
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
    """What a file (or ``-``, stdin) holds: a saved response, this CLI's JSON Lines, or a
    Parquet table.

    The rule: a JSON document with ``Labels`` or ``JobStatus`` is a GetLabelDetection response
    (as boto3, the AWS CLI or ``get-label-detection --output json`` wrote it); otherwise each
    non-blank line must be one LabelDetection with ``Timestamp`` and ``Label`` (``--output
    jsonl``), read as a response holding only those Labels. Anything else, an empty file, a file
    larger than ``MAX_RESPONSE_BYTES``, JSON nested too deep, or a file that cannot be read is a
    usage error (exit 2), for the offline commands and ``fake-server --job`` alike. JSON Lines
    carry no NextToken: a page of a longer job saved that way cannot be told from a whole job.
    A file starting with Parquet's ``PAR1`` magic (``--output parquet``,
    ``LabelTable.write_parquet``) is read as a table: its rows, and the job-level fields its
    metadata holds; without the ``[arrow]`` extra that is a usage error too.
    """
    from .._errors import ResponseValidationError
    from .._models import GetLabelDetectionResponse

    name = "stdin" if source == "-" else source
    try:
        raw = _read_input(source, name)
        if isinstance(raw, bytes) and raw.startswith(PARQUET_MAGIC):
            return _parquet_response(raw, name)  # its errors are UsageErrors already
        text = raw if isinstance(raw, str) else raw.decode("utf-8")
        del raw
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read {source}: {reason}") from exc
    if not text.strip():
        raise UsageError(f"{name} is empty: {_EXPECTED}")
    try:
        data = json.loads(text)
    except ValueError:
        data = None  # more than one document: JSON Lines, or not JSON at all
    except RecursionError as exc:
        raise UsageError(f"{name} is not JSON: nested too deep") from exc
    try:
        if isinstance(data, dict) and ("Labels" in data or "JobStatus" in data):
            return GetLabelDetectionResponse.from_boto3(data)
        return GetLabelDetectionResponse.from_boto3({"Labels": _json_lines(name, text)})
    except ResponseValidationError as exc:
        raise UsageError(f"{name} is not a GetLabelDetection response: {exc}") from exc


_EXPECTED = (
    "expected a GetLabelDetection response (JSON with Labels or JobStatus) or JSON Lines of "
    "LabelDetection (get-label-detection --output jsonl)"
)


def _read_input(source: str, name: str) -> bytes | str:
    """The bytes of ``source`` (``str`` from a text stdin that is not a real file: tests), read
    in pieces: at most ``MAX_RESPONSE_BYTES``, and no further than the first character when
    that can start neither JSON nor a Parquet file (``/dev/zero``, a binary)."""
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stdin of the caller's (tests): already in memory
            text: str = sys.stdin.read()
            return text
        return _read_bytes(stream, name)
    with open(source, "rb") as file:
        return _read_bytes(file, name)


def _read_bytes(stream: BinaryIO, name: str) -> bytes:
    pieces: list[bytes] = []
    total = 0
    started = False
    held = b""  # the first bytes, while they may yet be Parquet's magic
    while piece := stream.read(1 << 20):
        total += len(piece)
        if total > MAX_RESPONSE_BYTES:
            raise UsageError(f"{name} is larger than {MAX_RESPONSE_BYTES >> 30} GiB")
        if not started:
            piece, held = held + piece, b""
            if not pieces and piece.startswith(PARQUET_MAGIC):
                started = True
            elif not pieces and len(piece) < len(PARQUET_MAGIC) and PARQUET_MAGIC.startswith(piece):
                held = piece  # a pipe gave the first bytes alone: wait for the rest of the magic
                continue
            elif head := piece.lstrip(b" \t\r\n"):
                started = True
                if not head.startswith((b"{", b"\xef\xbb\xbf{")):
                    # Neither a response nor JSON Lines can start so: say now what reading it
                    # all would say (not UTF-8: cannot read; else its first line is no
                    # LabelDetection).
                    codecs.getincrementaldecoder("utf-8")().decode(head[:64], final=False)
                    blank = b"".join(pieces) + piece[: len(piece) - len(head)]
                    line = blank.count(b"\n") + 1
                    raise UsageError(
                        f"{name} line {line} is not a LabelDetection with Timestamp and Label: "
                        f"{_EXPECTED}"
                    )
        pieces.append(piece)
    pieces.append(held)
    return b"".join(pieces)


def _json_lines(name: str, text: str) -> list[object]:
    """Each non-blank line of ``text``: a JSON object with Timestamp and Label, else UsageError."""
    labels: list[object] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            item = None
        if not (isinstance(item, dict) and "Timestamp" in item and "Label" in item):
            raise UsageError(
                f"{name} line {number} is not a LabelDetection with Timestamp and Label: "
                f"{_EXPECTED}"
            )
        labels.append(item)
    return labels


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
        help="a saved GetLabelDetection response (JSON), get-label-detection's JSON Lines or "
        "Parquet (--output parquet); - for stdin",
    )


@contextmanager
def partial_job_warned(source: str, what: str) -> Iterator[None]:
    """Say once, in the command line's words, that ``source`` is one page of a longer job.

    The library's PartialJobWarning speaks Python (``get_all``); here it becomes one
    ``rekolabels: warning:`` line naming the file and the command that saves a whole job.
    Other warnings pass through untouched.
    """
    import warnings

    from .._errors import PartialJobWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PartialJobWarning)
        yield
    partial = False
    for warning in caught:
        if issubclass(warning.category, PartialJobWarning):
            partial = True
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    if partial:
        name = "stdin" if source == "-" else source
        print(
            f"{PROG}: warning: {name} is one page of a longer job (it has a NextToken): {what} "
            "covers this page only; save the whole job with `rekolabels get-label-detection "
            "--job-id ID` (it follows every page)",
            file=sys.stderr,
        )


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(text)


# argparse types for the values the library checks too: checked here first, so that an error
# names the flag the user typed (argparse says "argument --job-id: ..."), not a Python parameter.


def job_id(text: str) -> str:
    """argparse type: a JobId the service model allows."""
    from .._client import check_job_id

    try:
        return check_job_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("job_id ")) from None


def page_size(text: str) -> int:
    """argparse type: --max-results, 1-1000 (what one page of GetLabelDetection can hold)."""
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 1000, got {text!r}")
    return int(text)


def next_token(text: str) -> str:
    """argparse type: a NextToken, 1-255 characters as the service model says."""
    if not 1 <= len(text) <= 255:
        raise argparse.ArgumentTypeError(f"must be 1-255 characters, got {len(text)}")
    return text


def seconds(text: str) -> float:
    """argparse type: a finite number of seconds >= 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, got {text!r}")
    return value


def positive_seconds(text: str) -> float:
    """argparse type: a finite number of seconds > 0."""
    value = seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text!r}")
    return value


def aws_arguments(parser: argparse.ArgumentParser) -> None:
    """The connection flags of the commands that call Rekognition, as the AWS CLI names them."""
    group = parser.add_argument_group("AWS options")
    group.add_argument("--region", metavar="R", help="AWS region (default: your configuration)")
    group.add_argument("--profile", metavar="P", help="named profile from your AWS configuration")
    group.add_argument(
        "--endpoint-url", metavar="URL", help="call this endpoint instead of AWS's (e.g. the fake)"
    )
    group.add_argument(
        "--no-sign-request",
        action="store_true",
        help="do not sign requests: no credentials are looked up (for endpoints such as the fake)",
    )
    group.add_argument(
        "--verbose", action="store_true", help="print each retry on stderr as it happens"
    )


_NO_REGION = (
    "no AWS region: pass --region R, or set AWS_DEFAULT_REGION or a region in your AWS "
    "configuration"
)


def label_client(
    args: argparse.Namespace, *, connections: int | None = None
) -> LabelDetectionClient:
    """The client ``aws_arguments`` describe; a configuration that cannot work is a UsageError
    naming what the user typed: ``--region``, ``--profile``, ``--endpoint-url``, or the
    environment variable the value came from. ``connections``: the size of its connection
    pool, for commands that call from many threads (boto3 keeps 10)."""
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import NoRegionError, ProfileNotFound

    from .._client import LabelDetectionClient
    from .._errors import InvalidArgumentError

    config = Config(signature_version=UNSIGNED) if args.no_sign_request else None
    if connections is not None:
        pool = Config(max_pool_connections=connections)
        config = pool if config is None else config.merge(pool)
    try:
        return LabelDetectionClient.from_session(
            region_name=args.region,
            profile_name=args.profile,
            endpoint_url=args.endpoint_url,
            config=config,
        )
    except InvalidArgumentError as exc:
        cause = exc.__cause__
        if isinstance(cause, ProfileNotFound):
            raise UsageError(_no_such_profile(args.profile)) from exc
        if isinstance(cause, NoRegionError):
            raise UsageError(_NO_REGION) from exc
        if str(exc).startswith("endpoint_url:"):
            raise UsageError(f"--endpoint-url {str(exc).removeprefix('endpoint_url:')}") from exc
        raise UsageError(str(exc)) from exc


def sqs_client(args: argparse.Namespace) -> Any:
    """An SQS client for the same --profile, --region and --no-sign-request, botocore retries
    off (rekolabels retries). Its endpoint is botocore's choice: AWS's, or
    ``AWS_ENDPOINT_URL_SQS`` (or ``AWS_ENDPOINT_URL``, or the profile's ``endpoint_url``);
    --endpoint-url is Rekognition's."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, NoRegionError, ProfileNotFound

    config = Config(retries={"total_max_attempts": 1})
    if args.no_sign_request:
        config = config.merge(Config(signature_version=UNSIGNED))
    try:
        session = boto3.Session(profile_name=args.profile)
        return session.client("sqs", region_name=args.region, config=config)
    except ProfileNotFound as exc:
        raise UsageError(_no_such_profile(args.profile)) from exc
    except NoRegionError as exc:
        raise UsageError(_NO_REGION) from exc
    except (BotoCoreError, ValueError) as exc:  # a malformed endpoint URL in the environment
        raise UsageError(str(exc)) from exc


def _no_such_profile(flag_value: str | None) -> str:
    """Where the missing profile's name came from: the flag, or the variable botocore read."""
    import os

    if flag_value is not None:
        return f"--profile {flag_value}: no such profile in your AWS configuration"
    for variable in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):  # botocore's order of precedence
        if os.environ.get(variable):
            return (
                f"{variable}={os.environ[variable]} names no profile in your AWS configuration: "
                f"unset {variable} or pass --profile P"
            )
    return "the AWS profile your configuration names does not exist"


@contextmanager
def credentials_explained() -> Iterator[None]:
    """A request that finds no credentials says how to give some, or to need none."""
    from botocore.exceptions import NoCredentialsError

    from .._errors import RekolabelsError

    try:
        yield
    except RekolabelsError as exc:
        if isinstance(exc.__cause__, NoCredentialsError):
            raise CommandFailed(
                "no AWS credentials found: configure some (aws configure, AWS_PROFILE, "
                "AWS_ACCESS_KEY_ID) or, for an endpoint that needs none such as the fake, pass "
                "--no-sign-request"
            ) from exc
        raise


def read_command(url: str, job_id: str) -> str:
    """The get-label-detection command that reads ``job_id`` from a fake at ``url``, printed by
    ``fake-server`` and the demo: it works as printed on a machine with no AWS configuration
    (a table when the cli extra is installed)."""
    command = (
        f"{PROG} get-label-detection --job-id {job_id} --endpoint-url {url} "
        "--region us-east-1 --no-sign-request"
    )
    return f"{command} --output table" if has_extra("cli") else command


def stdout_console(**options: Any) -> Console:
    """A rich console on stdout (``options`` as for rich's Console; ``file`` defaults to
    stdout) that ends the command like every other output when the reader goes away (``|
    head``: exit 141, in ``main``), where rich's own handling would exit 1."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return _Console(**{**options, "file": _InPieces(options.get("file") or sys.stdout)})


class _InPieces:
    """A text file whose writes reach it in pieces of at most 8 KiB, as the other outputs' do.

    rich writes a whole table in one call; a pipe may accept part of one big write and report
    success, so a reader that went away would go unnoticed. Anything else is the file's own.
    """

    _PIECE = 8192

    def __init__(self, file: Any) -> None:
        self._file = file

    def write(self, text: str) -> int:
        for start in range(0, len(text), self._PIECE):
            self._file.write(text[start : start + self._PIECE])
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def stderr_console() -> Console | None:
    """A rich console on stderr when stderr is a terminal and rich is installed, else None."""
    if not sys.stderr.isatty() or not has_extra("cli"):
        return None
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def show_retries(console: Console | None, *, verbose: bool = False) -> Iterator[None]:
    """While inside, each retry appears as it happens: on ``console`` (a terminal) if there is
    one, else with ``verbose`` as a ``rekolabels: retry:`` line on stderr. ``--debug`` shows
    them anyway."""
    logger = logging.getLogger("rekolabels")
    if logger.isEnabledFor(logging.DEBUG):
        yield
        return
    if console is not None:
        from .._console import retries_shown

        with retries_shown(console):
            yield
        return
    if not verbose:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(f"{PROG}: retry: %(message)s"))
    from .._console import retries_to

    with retries_to(handler):
        yield
