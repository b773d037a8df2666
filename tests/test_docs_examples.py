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


def test_every_example_is_shown_by_a_page() -> None:
    """Each example is pulled into a page by a snippet line that pymdownx really reads."""
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    for path in (ROOT / "docs" / "examples").glob("*.py"):
        assert f'--8<-- "docs/examples/{path.name}"' in pages, path.name
    assert "--8 <" not in pages  # a snippet line mangled by a code formatter
