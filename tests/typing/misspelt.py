"""User code with misspelt values: ``mypy --strict`` rejects every line marked ``# E``.

Checked by tests/test_typing.py, with the configuration docs/typing.md recommends.
"""

from __future__ import annotations

import rekolabels as rl


def read(lc: rl.LabelDetectionClient, page: rl.GetLabelDetectionResponse) -> None:
    lc.iter_labels("job-1", sort_by="NMAE")  # E: sort_by
    lc.get_all("job-1", aggregate_by="SEGMENT")  # E: aggregate_by
    lc.get_page("job-1", sort_by="name")  # E: sort_by (AWS's values are upper case)
    rl.resort(page, "NMAE")  # E: by
    rl.sort_labels(page.labels or [], "TIMESTAMPS")  # E: by (TIMESTAMPS is an AggregateBy)
    rl.Label(name=42)  # E: the pydantic plugin checks model constructors
