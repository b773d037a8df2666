"""User code that passes ``mypy --strict``: AWS strings and enum members alike."""

from __future__ import annotations

from typing import Literal

import rekolabels as rl


def read(lc: rl.LabelDetectionClient, page: rl.GetLabelDetectionResponse) -> int:
    order: Literal["NAME", "TIMESTAMP"] = "NAME"
    count = sum(1 for _ in lc.iter_labels("job-1", sort_by="NAME", aggregate_by="SEGMENTS"))
    lc.get_all("job-1", sort_by=rl.LabelDetectionSortBy.TIMESTAMP, aggregate_by=None)
    lc.get_page("job-1", aggregate_by=rl.LabelDetectionAggregateBy.TIMESTAMPS)
    by_name = rl.resort(page, order)
    labels = rl.sort_labels(by_name.labels or [], rl.LabelDetectionSortBy.NAME)
    label = rl.Label(name="Car", confidence=99.5)
    return count + len(labels) + len(label.name or "")
