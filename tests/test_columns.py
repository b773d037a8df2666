"""The columnar kernels (``rekolabels._columns``): the schema, detections in and out, sort order.

The whole-table behaviour is proven against the model path in tests/test_table.py and
tests/test_table_property.py; these pin the module's own contracts.
"""

from __future__ import annotations

import pytest

import rekolabels as rl

pytest.importorskip("pyarrow")

from rekolabels import _columns
from rekolabels._output import CSV_HEADER

from .helpers import load

GRANDTOUR = "boto3-2023-grandtour720-timestamps-v3.json"


def detections() -> list[rl.LabelDetection]:
    labels = rl.GetLabelDetectionResponse.from_boto3(load(GRANDTOUR)).labels
    assert labels is not None
    return labels


def test_the_schema_is_named_like_the_csv_header_and_every_column_is_nullable() -> None:
    assert tuple(_columns.SCHEMA.names) == CSV_HEADER
    assert all(field.nullable for field in _columns.SCHEMA)


def test_detections_round_trip_through_columns() -> None:
    labels = detections()
    table = _columns.from_detections(labels)
    assert table.schema == _columns.SCHEMA
    assert table.num_rows == len(labels) == 855
    assert _columns.to_detections(table) == labels


def test_check_schema_refuses_another_table() -> None:
    table = _columns.from_detections(detections()[:3])
    assert _columns.check_schema(table).num_rows == 3
    with pytest.raises(rl.InvalidArgumentError, match="LabelTable schema"):
        _columns.check_schema(table.drop_columns(["name"]))


@pytest.mark.parametrize("by_name", [False, True], ids=["TIMESTAMP", "NAME"])
def test_sort_indices_give_sort_labels_order(by_name: bool) -> None:
    labels = detections()[::-1]
    order = _columns.sort_indices(_columns.from_detections(labels), by_name).to_pylist()
    expected = rl.sort_labels(labels, "NAME" if by_name else "TIMESTAMP")
    assert [labels[i] for i in order] == expected
