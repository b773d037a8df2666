r"""Read `get-label-detection --output csv` back: RFC 4180 records, list cells split on `|`.

Every field holding `\r`, `\n`, `,` or `"` is quoted, so open the file with `newline=""` and any
csv reader gives back each name as it was. In the parents, categories and aliases cells, names
are joined with `|`, and a `|` or `\` inside a name is escaped with a backslash: split on the
bare `|` only, then drop the escaping backslashes.
"""

import csv
import io
import os
import subprocess
import sys

from rekolabels.testing import FakeRekognition


def split_names(cell: str) -> list[str]:
    """The names in a parents/categories/aliases cell, as they were before joining."""
    if not cell:
        return []
    names: list[str] = []
    current: list[str] = []
    chars = iter(cell)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))  # an escaped `|` or `\`: keep it, drop the `\`
        elif char == "|":
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    return names


def label(ms: int, name: str, *parents: str) -> dict[str, object]:
    return {"Timestamp": ms, "Label": {"Name": name, "Parents": [{"Name": p} for p in parents]}}


if __name__ == "__main__":
    job = {
        "JobStatus": "SUCCEEDED",
        "Labels": [
            label(0, "Two\rlines", "a|b", "c,d"),
            label(500, "Three parents", "a", "b", "c,d"),
            label(1000, 'Back\\slash "quoted"', "x\\|y"),
        ],
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-secret"}
    env |= {"AWS_DEFAULT_REGION": "us-east-1"}
    with FakeRekognition() as fake:
        fake.add_job("odd-names", job)
        command = [sys.executable, "-m", "rekolabels", "get-label-detection"]
        command += ["--job-id", "odd-names", "--endpoint-url", fake.serve(), "--output", "csv"]
        out = subprocess.run(command, env=env, capture_output=True, check=True).stdout

    assert out.count(b"\r\n") == 4  # the header and three records, whatever the names hold
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8"), newline="")))
    for row in rows:
        print(repr(row["name"]), repr(row["parents"]), "->", split_names(row["parents"]))
    assert [row["name"] for row in rows] == ["Two\rlines", "Three parents", 'Back\\slash "quoted"']
    assert split_names(rows[0]["parents"]) == ["a|b", "c,d"]
    assert split_names(rows[1]["parents"]) == ["a", "b", "c,d"]
    assert split_names(rows[2]["parents"]) == ["x\\|y"]
