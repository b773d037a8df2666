"""Writers for the CLI's output formats: json, jsonl, csv (standard library) and table (rich).

json and jsonl keep the AWS member names, so their output is what boto3 returned and can be read
again with ``GetLabelDetectionResponse.from_boto3`` (or by ``rekolabels sort``/``aggregate``).
csv is flat, one row per LabelDetection, for spreadsheets and pandas: RFC 4180 records (``\r\n``
line ends; a field holding ``\r``, ``\n``, ``,`` or ``"`` is quoted), so a name can hold anything.
A list cell joins names with ``|``; a ``|`` or ``\\`` inside a name is escaped with a backslash,
so every cell splits back into exactly the names it was made from (docs/examples/csv_lists.py).

Labels are written by pydantic-core's serializer (Rust, straight from the models to JSON text,
one page at a time): the JSON values are those of ``json.dumps(det.to_boto3())``; the text can
differ only in how a float is spelled (``7.4e-05`` is written ``0.000074``). Labels the
serializer cannot write (a name holding a lone surrogate) are written by ``json.dumps``.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from pydantic_core import PydanticSerializationError

from ._models import GetLabelDetectionResponse, LabelDetection
from ._transform import _is_segment

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "CSV_HEADER",
    "JsonDocument",
    "csv_row",
    "jsonl_text",
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


_TO_JSON = LabelDetection.__pydantic_serializer__.to_json


def _labels_json(
    labels: Sequence[LabelDetection],
    *,
    indent: int | None,
    separator: str,
    null_free: bool,
    ascii_only: bool,
) -> str:
    """The labels as ``json.dumps(det.to_boto3(), indent=indent)`` writes each, joined.

    ``null_free``: no field of the labels was set to None, as for every page the client
    returns (botocore drops nulls; the wire validator refuses them). Then leaving out the
    None fields writes exactly what leaving out the unset ones (to_boto3) writes, without
    building each model's fields set (left for first use: see ``_models``).
    """
    try:
        options: dict[str, Any] = {"ensure_ascii": True} if ascii_only else {}
        chunks = [
            _TO_JSON(
                det,
                indent=indent,
                by_alias=True,
                exclude_unset=not null_free,
                exclude_none=null_free,
                **options,
            )
            for det in labels
        ]
        return separator.encode().join(chunks).decode()  # one decode per page, not per label
    except (PydanticSerializationError, UnicodeError, TypeError):
        # TypeError: a pydantic-core too old for ensure_ascii.
        separators = (",", ":") if indent is None else None
        return separator.join(
            json.dumps(
                det.to_boto3(), indent=indent, ensure_ascii=ascii_only, separators=separators
            )
            for det in labels
        )


def jsonl_text(
    labels: Sequence[LabelDetection], *, null_free: bool = False, ascii_only: bool = False
) -> str:
    """The jsonl lines of a page's labels, each ending with a newline."""
    if not labels:
        return ""
    text = _labels_json(
        labels, indent=None, separator="\n", null_free=null_free, ascii_only=ascii_only
    )
    return text + "\n"


def write_jsonl(labels: Sequence[LabelDetection], out: TextIO, *, null_free: bool = False) -> None:
    """One LabelDetection per line, AWS names: greppable, streamable, ``jq -c`` friendly."""
    out.write(jsonl_text(labels, null_free=null_free, ascii_only=not _holds_unicode(out)))


class JsonDocument:
    """``--output json`` of a whole job, written as the pages arrive: memory is one page.

    The document is the one ``write_json(merge_pages(pages))`` writes, same keys in the same
    order, indented alike: the first page's fields (but NextToken and ResponseMetadata), Labels
    concatenated. Its head is written with the first page, each page's labels as they come, its
    tail by ``close()``; a failure in between leaves the document incomplete.
    """

    _LABEL_INDENT = "\n" + " " * 8  # a label's lines inside the top-level "Labels" array

    def __init__(self, out: TextIO, *, null_free: bool = False) -> None:
        self._out = out
        self._null_free = null_free
        self._ascii_only = not _holds_unicode(out)
        self._tail: str | None = None
        self._labels = 0

    def add(self, page: GetLabelDetectionResponse) -> None:
        """Write ``page``'s labels (and, for the first page, the document's head)."""
        if self._tail is None:
            self._start(page)
        labels = page.labels or []
        if not labels:
            return
        # Joined by ",\n", then every line indented: the separators' newlines included.
        text = _labels_json(
            labels, indent=4, separator=",\n", null_free=self._null_free,
            ascii_only=self._ascii_only,
        )  # fmt: skip
        text = text.replace("\n", self._LABEL_INDENT)
        lead = "" if self._labels == 0 else ","
        self._out.write(lead + self._LABEL_INDENT + text)
        self._labels += len(labels)

    def close(self) -> None:
        """Write the document's tail (after the last page)."""
        if self._tail is None:
            raise ValueError("no page was added")
        self._out.write(("" if self._labels == 0 else "\n    ") + self._tail)

    def _start(self, first: GetLabelDetectionResponse) -> None:
        from ._client import merge_pages

        shell = merge_pages([first.model_copy(update={"labels": []})])
        # JSON strings hold no raw newline and "Labels" is a field, not an extra: this is the
        # one place the empty top-level array is written.
        text = json.dumps(response_json(shell), indent=4, ensure_ascii=self._ascii_only)
        head, empty, tail = text.partition('\n    "Labels": []')
        assert empty, "merge_pages always sets Labels"
        self._out.write(head + '\n    "Labels": [')
        self._tail = "]" + tail + "\n"


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
