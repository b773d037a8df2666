"""A LabelTable in polars."""

# requires: pyarrow, polars
import json
from pathlib import Path

import polars as pl

import rekolabels as rl

raw = json.loads(Path("tests/data/boto3-2023-grandtour720-timestamps-v3.json").read_text())
tbl = rl.LabelTable.from_labels(rl.GetLabelDetectionResponse.from_boto3(raw))

df = pl.from_arrow(tbl.arrow)
per_name = df.group_by("name").agg(pl.len().alias("samples")).sort("samples", descending=True)
print(per_name.head(3))
assert per_name.filter(pl.col("name") == "Car")["samples"].item() == 30
