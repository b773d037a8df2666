"""A LabelTable in pandas."""

# requires: pyarrow, pandas
import json
from pathlib import Path

import rekolabels as rl

raw = json.loads(Path("tests/data/boto3-2023-grandtour720-timestamps-v3.json").read_text())
tbl = rl.LabelTable.from_labels(rl.GetLabelDetectionResponse.from_boto3(raw))

df = tbl.arrow.to_pandas()
cars = df[df["name"] == "Car"]
print(cars[["timestamp_ms", "confidence"]].head(3))
assert len(cars) == 30
