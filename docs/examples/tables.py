"""A job as a LabelTable: the model path's answers, from Arrow columns."""

# requires: pyarrow
import json
import tempfile
from pathlib import Path

import pyarrow.compute as pc

import rekolabels as rl

raw = json.loads(Path("tests/data/boto3-2023-grandtour720-timestamps-v3.json").read_text())
job = rl.GetLabelDetectionResponse.from_boto3(raw)

tbl = rl.LabelTable.from_labels(job)
print(len(tbl), "rows;", tbl.job.video_metadata.frame_rate, "fps")  # job-level fields

# The model path's results, exactly: same order, same segments, same summary.
segments = tbl.aggregate(max_gap_ms=1000)
assert segments.labels() == rl.aggregate_segments(job.labels, max_gap_ms=1000)
summary = tbl.summarize()  # a pyarrow.Table with LabelSummary's fields
for row in summary.select(["name", "screen_time_ms", "segments"]).to_pylist()[:3]:
    print(row)
assert summary.column("name").to_pylist() == [s.name for s in rl.summarize_labels(job)]

# Filter with pyarrow, after aggregating the whole job; a filtered table is a LabelTable again.
cars = rl.LabelTable(segments.arrow.filter(pc.field("name") == "Car"), segments.job)
print(len(cars), "Car segment(s)")

# Parquet keeps the rows and, in the file's metadata, the job-level fields.
with tempfile.TemporaryDirectory() as tmp:
    tbl.write_parquet(Path(tmp) / "labels.parquet")
    back = rl.LabelTable.read_parquet(Path(tmp) / "labels.parquet")
assert back.arrow.equals(tbl.arrow)
assert back.job == tbl.job
