"""The timeline picture (_timeline): one row per label, a bar per segment; needs matplotlib."""

from __future__ import annotations

from pathlib import Path

import pytest

import rekolabels as rl
from rekolabels._timeline import _category, render_timeline

pytest.importorskip("matplotlib")
PIL = pytest.importorskip("PIL.Image")


def summary(name: str, spans: tuple[tuple[int, int], ...], *categories: str) -> rl.LabelSummary:
    return rl.LabelSummary(
        name=name,
        first_seen_ms=spans[0][0],
        last_seen_ms=spans[-1][1],
        samples=None,
        segments=len(spans),
        screen_time_ms=sum(end - start for start, end in spans),
        max_confidence=None,
        mean_confidence=None,
        spans=spans,
        categories=categories,
    )


def size(path: Path) -> tuple[int, int]:
    with PIL.open(path) as image:
        width, height = image.size
    return width, height


def test_a_row_is_coloured_by_its_label_s_first_category() -> None:
    assert _category(summary("Car", ((0, 500),), "Vehicles and Automotive", "Other")) == (
        "Vehicles and Automotive"
    )
    assert _category(summary("Blur", ((0, 500),))) is None


def test_more_rows_make_a_taller_picture_of_the_same_width(tmp_path: Path) -> None:
    rows = [
        summary("Car", ((0, 1000), (3000, 5000)), "Vehicles and Automotive"),
        summary("Person", ((500, 500),), "Person Description"),
        summary("Blur", ((0, 9000),)),
    ]
    one, three = tmp_path / "one.png", tmp_path / "three.png"
    render_timeline(rows[:1], one, period_ms=500, duration_ms=10_000, title="t")
    render_timeline(rows, three, period_ms=500, duration_ms=10_000, title="t", subtitle="s")
    (w1, h1), (w3, h3) = size(one), size(three)
    assert w1 == w3
    assert h3 > h1


def test_a_long_video_and_no_rows_still_draw(tmp_path: Path) -> None:
    out = tmp_path / "long.png"
    render_timeline([], out, period_ms=0, duration_ms=3_600_000, title="nothing")
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
