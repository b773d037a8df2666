"""When is a car on screen? Sampling period, screen time and filters on a recorded job."""

import json
from pathlib import Path

import rekolabels as rl

# A complete job (a single page of a longer one would summarise that page only).
raw = json.loads(Path("tests/data/boto3-2023-grandtour720-timestamps-v3.json").read_text())
page = rl.GetLabelDetectionResponse.from_boto3(raw)
labels = page.labels or []

print("sampling period:", rl.sampling_period_ms(labels), "ms")
assert rl.sampling_period_ms(labels) == 500

# Most screen time first.
summaries = rl.summarize_labels(labels)
assert summaries[0].screen_time_ms >= summaries[-1].screen_time_ms
for summary in summaries[:5]:
    print(
        f"{summary.name:<15} {summary.screen_time_ms:>6} ms on screen in "
        f"{summary.segments} segment(s), {summary.samples} samples, "
        f"max confidence {summary.max_confidence:.1f}"
    )

# Aggregate the whole job first, then filter: filtering first would thin the sample grid.
segments = rl.aggregate_segments(labels)
sports_cars = rl.filter_labels(segments, names="Sports Car")
for seg in sports_cars:
    print(f"Sports Car from {seg.start_timestamp_millis} to {seg.end_timestamp_millis} ms")
assert [(s.start_timestamp_millis, s.end_timestamp_millis) for s in sports_cars] == [
    (500, 2002),
    (5505, 7507),
    (10010, 13013),
]

# Every vehicle: the label Vehicle itself or any label with Vehicle among its Parents.
vehicles = rl.filter_labels(segments, ancestor="Vehicle", min_confidence=90)
print("vehicles seen:", ", ".join(sorted({str(seg.name) for seg in vehicles})))
assert all(
    seg.name == "Vehicle" or "Vehicle" in {p.name for p in seg.label.parents or []}
    for seg in vehicles
    if seg.label is not None
)
