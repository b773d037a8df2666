"""What the CLI shows about a whole job: the per-label summary table and the timeline's rows.

The numbers are ``summarize_labels``'s (same segments, same ``sampling_period_ms``, same
ranking); this module also keeps each label's segment spans and category, which the timeline
draws. A saved SEGMENTS response is shown as is: its sampling period is unknown, so a segment
counts for its DurationMillis alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ._analytics import sampling_period_ms as _period
from ._models import GetLabelDetectionResponse, LabelDetectionAggregateBy
from ._timeline import TimelineRow, render_timeline
from ._transform import aggregate_segments

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["LabelStats", "label_stats", "print_summary", "sampling_period_ms", "write_timeline"]


@dataclass(frozen=True)
class LabelStats:
    """One label over the whole job."""

    name: str
    category: str | None
    segments: tuple[tuple[int, int], ...]
    """(start_ms, end_ms) of each segment, in time order."""
    screen_time_ms: int
    max_confidence: float | None

    @property
    def first_ms(self) -> int:
        return self.segments[0][0]

    @property
    def last_ms(self) -> int:
        return self.segments[-1][1]


def sampling_period_ms(response: GetLabelDetectionResponse) -> int:
    """The job's sampling period; 0 when unknown (fewer than two samples, or segments)."""
    if _is_segments(response):
        return 0
    return _period(response) or 0


def _is_segments(response: GetLabelDetectionResponse) -> bool:
    metadata = response.get_request_metadata
    if metadata is not None and metadata.aggregate_by == LabelDetectionAggregateBy.SEGMENTS:
        return True
    return any(det.end_timestamp_millis is not None for det in response.labels or ())


def label_stats(
    response: GetLabelDetectionResponse, period_ms: int
) -> list[LabelStats]:
    """Every label of the job, ranked by estimated screen time (then name)."""
    labels = response.labels or []
    segments = labels if _is_segments(response) else aggregate_segments(labels)
    by_name: dict[str, list[tuple[int, int]]] = {}
    confidence: dict[str, float] = {}
    category: dict[str, str | None] = {}
    for seg in segments:
        name = seg.name
        start = seg.start_timestamp_millis
        if start is None:
            start = seg.timestamp
        if name is None or start is None:
            continue
        end = seg.end_timestamp_millis if seg.end_timestamp_millis is not None else start
        by_name.setdefault(name, []).append((start, end))
        if seg.confidence is not None:
            confidence[name] = max(confidence.get(name, seg.confidence), seg.confidence)
        if name not in category:
            cats = seg.label.categories if seg.label is not None else None
            category[name] = cats[0].name if cats else None
    stats = [
        LabelStats(
            name,
            category[name],
            tuple(sorted(spans)),
            sum(end - start + period_ms for start, end in spans),
            confidence.get(name),
        )
        for name, spans in by_name.items()
    ]
    stats.sort(key=lambda s: (-s.screen_time_ms, s.name))
    return stats


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

    period = sampling_period_ms(response)
    stats = label_stats(response, period)
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
            _seconds(row.first_ms),
            _seconds(row.last_ms),
            str(len(row.segments)),
            _seconds(row.screen_time_ms),
        ]
        if duration:
            cells.append(f"{min(row.screen_time_ms / duration, 1.0):.0%}")
        cells.append("" if row.max_confidence is None else f"{row.max_confidence:.2f}")
        if wide:
            cells.append(row.category or "")
        table.add_row(*map(Text, cells))  # Text: AWS names are not markup
    console.print(table)


def write_timeline(response: GetLabelDetectionResponse, out: Path, *, top: int = 20) -> int:
    """Draw the top ``top`` labels by screen time to the PNG ``out``; return the rows drawn."""
    period = sampling_period_ms(response)
    stats = label_stats(response, period)
    rows = [TimelineRow(s.name, s.category, s.segments, s.screen_time_ms) for s in stats[:top]]
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

