"""When is a car on screen? Sampling period, screen time and filters on a recorded job."""

import json
from pathlib import Path

import rekolabels as rl

# A complete job (a single page of a longer one would summarise that page only).
raw = json.loads(Path("tests/data/boto3-2023-grandtour720-timestamps-v3.json").read_text())
page = rl.GetLabelDetectionResponse.from_boto3(raw)
labels = page.labels or []

print("sampling period:", rl.sampling_period_ms(labels), "ms")

# Most screen time first.
for summary in rl.summarize_labels(labels)[:5]:
    print(
        f"{summary.name:<15} {summary.screen_time_ms:>6} ms on screen in "
        f"{summary.segments} segment(s), {summary.samples} samples, "
        f"max confidence {summary.max_confidence:.1f}"
    )

# Aggregate the whole job first, then filter: filtering first would thin the sample grid.
segments = rl.aggregate_segments(labels)
for seg in rl.filter_labels(segments, names="Sports Car"):
    print(f"Sports Car from {seg.start_timestamp_millis} to {seg.end_timestamp_millis} ms")

# Every vehicle: the label Vehicle itself or any label with Vehicle among its Parents.
vehicles = rl.filter_labels(segments, ancestor="Vehicle", min_confidence=90)
print("vehicles seen:", ", ".join(sorted({str(seg.name) for seg in vehicles})))
