"""Every code example in docs/ is a real file; run each one so the docs never rot."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# test_*.py examples are pytest files for users; their own test runs them under pytest.
EXAMPLES = sorted(
    p for p in (ROOT / "docs" / "examples").glob("*.py") if not p.name.startswith("test_")
)


def test_there_are_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(
    path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # An example for an optional extra says so ("# requires: pyarrow, pandas"): skip without it.
    needs = re.search(r"^# requires: (.+)$", path.read_text(encoding="utf-8"), flags=re.M)
    for module in needs.group(1).split(", ") if needs else ():
        pytest.importorskip(module)
    monkeypatch.chdir(ROOT)
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out, f"{path.name} printed nothing"
