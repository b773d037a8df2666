"""A job read straight into a LabelTable: from the response bytes, no model per detection."""

# requires: pyarrow
import json
import tempfile
from pathlib import Path

import rekolabels as rl
from rekolabels.testing import FakeRekognition

# The fake serves a real recording here; with AWS, build the client as usual.
fake = FakeRekognition()
fake.add_job(
    "job-1", json.loads(Path("tests/data/boto3-2023-grandtour720-timestamps-v3.json").read_text())
)
lc = rl.LabelDetectionClient(fake.client)

# Every page, merged: the columnar twin of get_all (same requests, retries and errors).
tbl = lc.get_table("job-1", max_results=300)
print(len(tbl), "rows;", tbl.job.job_status, tbl.job.next_token)  # merged: no NextToken
assert tbl.labels() == lc.get_all("job-1", max_results=300).labels

# One table per page, lazily, for jobs too large to hold: checkpoint on tbl.job.next_token.
checkpoint = None
rows = 0
for part in lc.iter_tables("job-1", max_results=300):
    rows += len(part)  # ... write the part somewhere, then remember where to resume:
    checkpoint = part.job.next_token
    if rows >= 600:
        break
print("stopped after", rows, "rows; resume with", checkpoint is not None)
rest = lc.iter_tables("job-1", max_results=300, next_token=checkpoint)
assert rows + sum(len(part) for part in rest) == len(tbl)  # nothing lost or repeated

# A whole job to Parquet (the CLI does the same, page by page:
# rekolabels get-label-detection --job-id ID --output parquet --out labels.parquet).
with tempfile.TemporaryDirectory() as tmp:
    tbl.write_parquet(Path(tmp) / "labels.parquet")
    back = rl.LabelTable.read_parquet(Path(tmp) / "labels.parquet")
assert back.arrow.equals(tbl.arrow)
print(back.summarize().select(["name", "screen_time_ms"]).to_pylist()[0])
