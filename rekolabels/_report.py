"""What the CLI shows about a whole job: the per-label summary table and the timeline picture.

Both present ``summarize_labels``' results (same segments, sampling period and ranking). A saved
SEGMENTS response is shown as is: its sampling period is unknown, so a segment counts for its
DurationMillis alone.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._analytics import LabelSummary, sampling_period_ms, summarize_labels
from ._models import GetLabelDetectionResponse, LabelDetectionAggregateBy
from ._timeline import render_timeline
from ._transform import _aggregate_by

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "SUMMARY_COLUMNS",
    "print_summary",
    "shown_period_ms",
    "write_summary_csv",
    "write_summary_json",
    "write_timeline",
]

SUMMARY_COLUMNS = tuple(f.name for f in fields(LabelSummary))
"""``summary --output json|csv``: LabelSummary's fields, in order (as ``tbl.summarize()``)."""


def shown_period_ms(response: GetLabelDetectionResponse) -> int:
    """The sampling period the summary and the picture count each sample for: the public
    ``sampling_period_ms``, but 0 where that is unknown (fewer than two samples) and for a
    SEGMENTS response (whose period is unknown, and which ``sampling_period_ms`` refuses)."""
    if _aggregate_by(response) == LabelDetectionAggregateBy.SEGMENTS:
        return 0
    return sampling_period_ms(response) or 0


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.1f}"


def _video_name(response: GetLabelDetectionResponse) -> str | None:
    s3 = response.video.s3_object if response.video is not None else None
    return s3.name if s3 is not None else None


def print_summary(
    response: GetLabelDetectionResponse,
    console: Console,
    *,
    top: int | None = None,
) -> None:
    """The ranked per-label table: first/last seen, segments, screen time, max confidence."""
    from rich.table import Table
    from rich.text import Text

    period = shown_period_ms(response)
    stats = summarize_labels(response)
    shown = stats[:top] if top is not None else stats
    video = _video_name(response) or "video"
    duration = response.video_metadata.duration_millis if response.video_metadata else None
    title = f"{video}: {len(stats)} labels in {len(response.labels or [])} detections"
    job = response.job_id or "?"
    caption = f"times in seconds · job {job if len(job) <= 24 else job[:16] + '…'}"
    if duration is not None:
        caption += f" · {_seconds(duration)} s of video"
    caption += f" · sampled every ~{period} ms" if period else ""
    if len(shown) < len(stats):
        caption += f" · top {len(shown)} by screen time"
    # Category last, and only where there is room: the numbers matter more on 80 columns.
    wide = console.width >= 110
    table = Table(title=title, caption=caption, header_style="bold")
    table.add_column("#", justify="right", style="dim")
    table.add_column("Label", no_wrap=True)
    for header in ("First", "Last", "Segs", "Screen"):
        table.add_column(header, justify="right", no_wrap=True)
    if duration:
        table.add_column("Share", justify="right", no_wrap=True)
    table.add_column("Max %", justify="right", no_wrap=True)
    if wide:
        table.add_column("Category", no_wrap=True)
    for rank, row in enumerate(shown, 1):
        cells = [
            str(rank),
            row.name,
            _seconds(row.first_seen_ms),
            _seconds(row.last_seen_ms),
            str(row.segments),
            _seconds(row.screen_time_ms),
        ]
        if duration:
            cells.append(f"{min(row.screen_time_ms / duration, 1.0):.0%}")
        cells.append("" if row.max_confidence is None else f"{row.max_confidence:.2f}")
        if wide:
            cells.append(row.categories[0] if row.categories else "")
        table.add_row(*map(Text, cells))  # Text: AWS names are not markup
    console.print(table)


def write_timeline(response: GetLabelDetectionResponse, out: Path, *, top: int = 20) -> int:
    """Draw the top ``top`` labels by screen time to the PNG ``out``; return the rows drawn."""
    period = shown_period_ms(response)
    stats = summarize_labels(response)
    rows = stats[:top]
    video = _video_name(response)
    title = f"Labels over time: {video}" if video else "Labels over time"
    parts = [
        f"job {response.job_id}" if response.job_id else "",
        f"top {len(rows)} of {len(stats)} labels by estimated screen time",
    ]
    if period:
        parts.append(f"sampled every ~{period} ms")
    render_timeline(
        rows,
        out,
        period_ms=period,
        duration_ms=response.video_metadata.duration_millis if response.video_metadata else None,
        title=title,
        subtitle=" · ".join(p for p in parts if p),
    )
    return len(rows)


def write_summary_json(stats: Iterable[LabelSummary], out: TextIO) -> None:
    """A JSON array, one object per label: LabelSummary's fields (spans as [start, end])."""
    rows: list[dict[str, Any]] = [asdict(row) for row in stats]
    json.dump(rows, out, indent=4, ensure_ascii=False)
    out.write("\n")


def write_summary_csv(stats: Iterable[LabelSummary], out: TextIO) -> None:
    """RFC 4180 CSV, one row per label: LabelSummary's fields. Lists are joined with ``|``
    (a ``|`` or ``\\`` inside a name escaped with a backslash); a span is ``start-end``;
    an absent value is an empty cell."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SUMMARY_COLUMNS)
    for row in stats:
        cells: list[str] = []
        for name in SUMMARY_COLUMNS:
            value = getattr(row, name)
            if name == "spans":
                cells.append("|".join(f"{start}-{end}" for start, end in value))
            elif name == "categories":
                cells.append("|".join(_escaped(category) for category in value))
            else:
                cells.append("" if value is None else str(value))
        writer.writerow(cells)


def _escaped(name: str) -> str:
    return name.replace("\\", "\\\\").replace("|", "\\|")
