"""Writers for the CLI's output formats: json, jsonl, csv (standard library) and table (rich).

json and jsonl keep the AWS member names, so their output is what boto3 returned and can be read
again with ``GetLabelDetectionResponse.from_boto3`` (or by ``rekolabels sort``/``aggregate``).
csv is flat, one row per LabelDetection, for spreadsheets and pandas: RFC 4180 records (``\r\n``
line ends; a field holding ``\r``, ``\n``, ``,`` or ``"`` is quoted), so a name can hold anything.
A list cell joins names with ``|``; a ``|`` or ``\\`` inside a name is escaped with a backslash,
so every cell splits back into exactly the names it was made from (docs/examples/csv_lists.py).
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ._models import GetLabelDetectionResponse, LabelDetection
from ._transform import _is_segment

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "CSV_HEADER",
    "csv_row",
    "list_cell",
    "response_json",
    "write_csv",
    "write_json",
    "write_jsonl",
    "write_table",
]

CSV_HEADER = (
    "timestamp_ms",
    "name",
    "confidence",
    "parents",
    "categories",
    "aliases",
    "instances",
    "start_ms",
    "end_ms",
    "duration_ms",
)
_LIST_SEPARATOR = "|"
_ESCAPE = str.maketrans({"\\": "\\\\", "|": "\\|"})


def response_json(response: GetLabelDetectionResponse) -> dict[str, Any]:
    """The response as the AWS CLI prints it: AWS names, without botocore's ResponseMetadata."""
    data = response.to_boto3()
    data.pop("ResponseMetadata", None)
    return data


def _holds_unicode(out: TextIO) -> bool:
    """Whether ``out`` can take any character: if not (``PYTHONIOENCODING=ascii``, a C locale),
    JSON is written with its own ``\\uXXXX`` escapes, which read back as the same text."""
    encoding = getattr(out, "encoding", None)
    if not encoding:  # StringIO and friends hold str
        return True
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-16", "utf-32", "utf-8-sig")
    except LookupError:
        return False


def write_json(response: GetLabelDetectionResponse, out: TextIO) -> None:
    """One response document, indented like the AWS CLI's ``--output json``."""
    json.dump(response_json(response), out, indent=4, ensure_ascii=not _holds_unicode(out))
    out.write("\n")


def write_jsonl(labels: Iterable[LabelDetection], out: TextIO) -> None:
    """One LabelDetection per line, AWS names: greppable, streamable, ``jq -c`` friendly."""
    ascii_only = not _holds_unicode(out)
    for det in labels:
        out.write(json.dumps(det.to_boto3(), ensure_ascii=ascii_only, separators=(",", ":")))
        out.write("\n")


def _names(items: Sequence[Any] | None, separator: str = ", ") -> str:
    """Names for people (the table): joined, not escaped."""
    return separator.join(str(item.name) for item in items or () if item.name is not None)


def list_cell(items: Sequence[Any] | None) -> str:
    """The names of ``items`` as one csv cell: ``|``-joined, each ``|`` and ``\\`` escaped."""
    return _LIST_SEPARATOR.join(
        str(item.name).translate(_ESCAPE) for item in items or () if item.name is not None
    )


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def csv_row(det: LabelDetection) -> list[str]:
    """The csv cells of one LabelDetection; an absent value is an empty cell."""
    label = det.label
    instances = label.instances if label is not None else None
    return [
        _cell(det.timestamp),
        _cell(det.name),
        _cell(det.confidence),
        list_cell(label.parents) if label is not None else "",
        list_cell(label.categories) if label is not None else "",
        list_cell(label.aliases) if label is not None else "",
        "" if instances is None else str(len(instances)),
        _cell(det.start_timestamp_millis),
        _cell(det.end_timestamp_millis),
        _cell(det.duration_millis),
    ]


def write_csv(labels: Iterable[LabelDetection], out: TextIO, *, header: bool = True) -> None:
    """A header (unless ``header=False``, to continue a file) and one row per LabelDetection.

    RFC 4180: ``\r\n`` after every record, and any field holding ``\r``, ``\n``, ``,`` or ``"``
    quoted (the ``\r`` too: with a ``\n`` line end, Python's csv would leave it bare).
    """
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(CSV_HEADER)
    for det in labels:
        writer.writerow(csv_row(det))


def _ms(value: int | None) -> str:
    return "" if value is None else f"{value / 1000:.3f}"


def write_table(response: GetLabelDetectionResponse, console: Console) -> None:
    """A rich table of the labels, with segment columns when the response holds segments."""
    from rich.table import Table
    from rich.text import Text

    labels = response.labels or []
    segments = any(_is_segment(det) for det in labels)
    title = f"Job {response.job_id or '?'}: {len(labels)} labels ({response.job_status or '?'})"
    table = Table(title=title, header_style="bold", expand=False)
    table.add_column("Time (s)", justify="right")
    if segments:
        table.add_column("End (s)", justify="right")
        table.add_column("Duration (s)", justify="right")
    table.add_column("Label")
    table.add_column("Confidence", justify="right")
    table.add_column("Parents")
    table.add_column("Categories")
    if not segments:
        table.add_column("Instances", justify="right")
    for det in labels:
        label = det.label
        row = [_ms(det.timestamp)]
        if segments:
            row += [_ms(det.end_timestamp_millis), _ms(det.duration_millis)]
        row += [
            _cell(det.name),
            "" if det.confidence is None else f"{det.confidence:.2f}",
            _names(label.parents) if label else "",
            _names(label.categories) if label else "",
        ]
        if not segments:
            instances = label.instances if label is not None else None
            row.append("" if instances is None else str(len(instances)))
        table.add_row(*map(Text, row))  # Text: AWS names are not markup
    console.print(table)
