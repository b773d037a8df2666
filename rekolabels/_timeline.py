"""The timeline picture: one row per label, a bar per segment on the video's time axis.

matplotlib is imported here only (the ``plot`` extra), and only through ``Figure`` and the Agg
canvas: no pyplot, so no global state, no GUI backend and no display needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._analytics import LabelSummary

__all__ = ["render_timeline"]

# Inches: a row must hold a readable label name; the frame holds title, axis and legend.
_ROW_HEIGHT_IN = 0.34
_FRAME_HEIGHT_IN = 1.9
_WIDTH_IN = 12.0
_DPI = 120
# Qualitative colours (matplotlib's tab10), one per category in order of first appearance.
_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
_NO_CATEGORY = "#4c72b0"


def _category(row: LabelSummary) -> str | None:
    """The category a row is coloured by: the label's first."""
    return row.categories[0] if row.categories else None


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def render_timeline(
    rows: Sequence[LabelSummary],
    out: Path,
    *,
    period_ms: int,
    duration_ms: int | None,
    title: str,
    subtitle: str = "",
) -> None:
    """Draw ``rows`` (top row first: one label's spans, coloured by its first category) to the
    PNG ``out``.

    Each segment's bar is ``end - start + period_ms`` wide: a sample stands for one sampling
    period, so a label seen in a single sample still gets a visible bar.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    categories = list(dict.fromkeys(c for row in rows if (c := _category(row))))
    colours = {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(categories)}
    end_ms = max((end for row in rows for _, end in row.spans), default=0) + period_ms
    axis_end_s = max(duration_ms or 0, end_ms) / 1000 or 1.0

    height = _FRAME_HEIGHT_IN + _ROW_HEIGHT_IN * max(len(rows), 1) + (0.35 if categories else 0)
    fig = Figure(figsize=(_WIDTH_IN, height), dpi=_DPI, layout="constrained")
    ax = fig.add_subplot()
    for y, row in enumerate(rows):
        if y % 2 == 0:
            ax.axhspan(y - 0.5, y + 0.5, color="#f4f4f4", zorder=0, linewidth=0)
        bars = [(start / 1000, (end - start + period_ms) / 1000) for start, end in row.spans]
        colour = colours.get(_category(row) or "", _NO_CATEGORY)
        ax.broken_barh(bars, (y - 0.32, 0.64), facecolors=colour, linewidth=0, zorder=2)

    if not rows:
        ax.text(0.5, 0.5, "no labels", transform=ax.transAxes, ha="center", color="#555555")
    ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)
    ax.set_yticks(range(len(rows)), [row.name for row in rows], fontsize=9)
    right = ax.secondary_yaxis("right")
    right.set_yticks(
        range(len(rows)), [f"{row.screen_time_ms / 1000:.1f} s" for row in rows], fontsize=8
    )
    right.tick_params(length=0, colors="#555555")
    right.spines["right"].set_visible(False)
    right.set_ylabel("estimated screen time", color="#555555", fontsize=8)
    ax.tick_params(axis="y", length=0)

    ax.set_xlim(0, axis_end_s)
    ax.set_xlabel("video time (s)" + (" — m:ss" if axis_end_s >= 120 else ""))
    if axis_end_s >= 120:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _clock(x)))
    ax.grid(axis="x", color="#cccccc", linewidth=0.6, zorder=1)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)

    fig.suptitle(title, fontsize=13, fontweight="bold", x=0.01, ha="left")
    if subtitle:
        ax.set_title(subtitle, fontsize=9, color="#555555", loc="left")
    if categories:
        fig.legend(
            handles=[Patch(color=colours[name], label=name) for name in categories],
            loc="outside lower center",
            ncols=min(len(categories), 4),
            fontsize=8,
            frameon=False,
        )
    fig.savefig(out, format="png")
