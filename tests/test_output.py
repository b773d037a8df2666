"""csv output is RFC 4180 and its list cells split back into exactly the names they came from.

The reader is the one docs/examples/csv_lists.py shows users (``split_names``).
"""

from __future__ import annotations

import csv
import io
import runpy
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import rekolabels as rl
from rekolabels._output import CSV_HEADER, list_cell, write_csv

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "csv_lists.py"
split_names: Any = runpy.run_path(str(EXAMPLE))["split_names"]


def detection(
    name: str, parents: list[str], ms: int = 0, aliases: list[str] | None = None
) -> rl.LabelDetection:
    label = {"Name": name, "Parents": [{"Name": p} for p in parents]}
    if aliases is not None:
        label["Aliases"] = [{"Name": a} for a in aliases]
    return rl.LabelDetection.model_validate({"Timestamp": ms, "Label": label})


def read_back(labels: list[rl.LabelDetection]) -> tuple[str, list[list[str]]]:
    out = io.StringIO(newline="")
    write_csv(labels, out)
    text = out.getvalue()
    return text, list(csv.reader(io.StringIO(text, newline="")))


def test_a_carriage_return_in_a_name_stays_inside_its_record() -> None:
    # On the old writer (lineterminator "\n"), the bare "\r" split the row: 13 labels, 14 rows.
    labels = [detection(f"label {i}" + ("\rsplit" if i == 6 else ""), ["p"], i) for i in range(13)]
    text, rows = read_back(labels)
    assert len(rows) == 14  # the header and 13 records
    assert all(len(row) == len(CSV_HEADER) for row in rows)
    assert rows[7][1] == "label 6\rsplit"
    assert [row[3] for row in rows[1:]] == ["p"] * 13  # no column shifted
    assert text.count("\r\n") == 14  # RFC 4180 record ends
    assert '"label 6\rsplit"' in text


def test_lists_that_differ_give_different_cells() -> None:
    first, second = detection("x", ["a|b", "c,d"]), detection("x", ["a", "b", "c,d"])
    assert list_cell(first.label.parents if first.label else None) == "a\\|b|c,d"
    assert list_cell(second.label.parents if second.label else None) == "a|b|c,d"
    _, rows = read_back([first, second])
    assert split_names(rows[1][3]) == ["a|b", "c,d"]
    assert split_names(rows[2][3]) == ["a", "b", "c,d"]


def test_backslashes_are_escaped_too() -> None:
    _, rows = read_back([detection("x", ["\\", "a\\|b", "\\\\"])])
    assert rows[1][3] == "\\\\|a\\\\\\|b|\\\\\\\\"
    assert split_names(rows[1][3]) == ["\\", "a\\|b", "\\\\"]


# Names made of the characters that matter most, and of anything at all.
tricky = st.text(alphabet=st.sampled_from("a|\\,\"\r\n '"), max_size=6)
names = st.one_of(tricky, st.text(max_size=8))
# One empty name and no names both give an empty cell (AWS never sends an empty name).
name_lists = st.lists(names, max_size=4).filter(lambda ns: ns != [""])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(names, name_lists, name_lists), min_size=1, max_size=5))
def test_every_record_and_list_cell_reads_back_as_written(
    rows_in: list[tuple[str, list[str], list[str]]],
) -> None:
    labels = [detection(name, parents, i, aliases) for i, (name, parents, aliases) in
              enumerate(rows_in)]  # fmt: skip
    _, rows = read_back(labels)
    assert len(rows) == len(labels) + 1
    for row, (name, parents, aliases) in zip(rows[1:], rows_in, strict=True):
        assert len(row) == len(CSV_HEADER)
        assert row[1] == name
        assert split_names(row[3]) == parents
        assert split_names(row[5]) == aliases
