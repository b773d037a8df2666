"""A LabelTable in DuckDB: SQL straight on the Arrow table, no copy."""

# requires: pyarrow, duckdb
import json
from pathlib import Path

import duckdb

import rekolabels as rl

raw = json.loads(Path("tests/data/boto3-2023-grandtour720-timestamps-v3.json").read_text())
tbl = rl.LabelTable.from_labels(rl.GetLabelDetectionResponse.from_boto3(raw))

labels = tbl.arrow  # DuckDB finds the Arrow table by its variable name
vehicles = duckdb.sql(
    "select name, count(*) as samples from labels where list_contains(parents, 'Vehicle') "
    "group by name order by samples desc, name limit 3"
).fetchall()
print(vehicles)
assert vehicles[0] == ("Car", 30)
