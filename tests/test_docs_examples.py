"""Every code example in docs/ is a real file; run each one so the docs never rot."""

from __future__ import annotations

import ast
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


ALL_EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.py"))
PAGES = sorted((ROOT / "docs").glob("*.md"))


@pytest.mark.parametrize("path", ALL_EXAMPLES, ids=lambda p: p.name)
def test_example_asserts_what_it_shows(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert any(isinstance(node, ast.Assert) for node in ast.walk(tree)), path.name


def test_every_example_is_included_by_a_page() -> None:
    included = {
        match
        for page in PAGES
        for match in re.findall(r'^--8<-- "(docs/examples/[^"]+)"$', page.read_text(), re.M)
    }
    assert {f"docs/examples/{p.name}" for p in ALL_EXAMPLES} <= included


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_snippet_lines_are_well_formed(page: Path) -> None:
    # `ruff format` once turned every `--8<-- "file"` into `--8 < --"file"`: a page showing
    # that line instead of the example, with mkdocs none the wiser.
    for line in page.read_text(encoding="utf-8").splitlines():
        if "8<" in line or "8 <" in line:
            assert re.fullmatch(r'--8<-- "[^"]+"', line), f"{page.name}: {line!r}"
