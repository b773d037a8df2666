"""Re-sort and re-aggregate a fetched job locally, without calling AWS again."""

import json
from pathlib import Path

import rekolabels as rl

# A complete job fetched once with SortBy=TIMESTAMP (recorded from AWS).
raw = json.loads(Path("tests/data/boto3-2023-grandtour720-timestamps-v3.json").read_text())
job = rl.GetLabelDetectionResponse.from_boto3(raw)

# The same job as if it had been asked for with SortBy=NAME...
by_name = rl.resort(job, "NAME")
print(by_name.to_boto3()["GetRequestMetadata"])  # {"SortBy": "NAME", ...}
assert by_name.to_boto3()["GetRequestMetadata"]["SortBy"] == "NAME"
first = (by_name.labels or [])[0]
print(f"first by name: {first.name} at {first.timestamp} ms")
assert first.name == min(str(d.name) for d in job.labels or [])

# ...and with AggregateBy=SEGMENTS (SortBy kept: TIMESTAMP here).
segments = rl.reaggregate(job)
print(f"{len(job.labels or [])} detections -> {len(segments.labels or [])} segments")
assert (len(job.labels or []), len(segments.labels or [])) == (855, 208)
sedans = [seg for seg in segments.labels or [] if seg.name == "Sedan"]
for seg in sedans:
    print(f"Sedan {seg.start_timestamp_millis}-{seg.end_timestamp_millis} ms")
assert [(s.start_timestamp_millis, s.end_timestamp_millis) for s in sedans][:3] == [
    (1501, 1501),
    (2502, 4004),
    (5005, 7007),
]

# Back to TIMESTAMP order: exactly the order AWS returned.
assert rl.resort(by_name, "TIMESTAMP").to_boto3() == raw

# Bridge a label missing from one sample. Samples here are 500 or 501 ms apart, so the two
# detections around one missing sample are 1001 ms apart: max_gap_ms=1000 would bridge nothing.
bridged = rl.aggregate_segments(job.labels or [], max_gap_ms=1100)
print(f"with max_gap_ms=1100: {len(bridged)} segments")
assert len(bridged) == 200  # fewer segments: gaps of one missing sample are bridged

# The result is a response boto3 users can save and read again.
assert rl.GetLabelDetectionResponse.from_boto3(segments.to_boto3()) == segments
