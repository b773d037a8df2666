"""Typed literals: mypy --strict catches a misspelt sort or aggregate value in user code.

tests/typing/ holds the user code: ``misspelt.py`` marks each line mypy must reject with
``# E``; ``correct.py`` must pass. Both are checked with the mypy configuration docs/typing.md
shows (its ``toml`` block, read from the page).
"""

from __future__ import annotations

import re
import subprocess
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import rekolabels as rl

ROOT = Path(__file__).resolve().parent.parent
PROBES = ROOT / "tests" / "typing"


@pytest.fixture(scope="module")
def docs_config(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """mypy options: the configuration docs/typing.md shows, and a cache for this module."""
    pytest.importorskip("mypy")
    doc = (ROOT / "docs" / "typing.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"^```toml\n(.*?)^```", doc, re.M | re.S)
    where = tmp_path_factory.mktemp("mypy")
    (where / "pyproject.toml").write_text(block, encoding="utf-8")
    return ["--config-file", str(where / "pyproject.toml"), "--cache-dir", str(where / "cache")]


def mypy(path: Path, options: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", *options, str(path.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_misspelt_values_fail_mypy_strict(docs_config: list[str]) -> None:
    source = (PROBES / "misspelt.py").read_text(encoding="utf-8").splitlines()
    marked = {n for n, line in enumerate(source, 1) if "  # E:" in line}
    assert len(marked) >= 5
    result = mypy(PROBES / "misspelt.py", docs_config)
    assert result.returncode == 1, result.stdout + result.stderr
    flagged = {
        int(m.group(1))
        for m in re.finditer(r"^tests/typing/misspelt\.py:(\d+): error:", result.stdout, re.M)
    }
    assert flagged == marked, result.stdout


def test_correct_values_pass_mypy_strict(docs_config: list[str]) -> None:
    result = mypy(PROBES / "correct.py", docs_config)
    assert result.returncode == 0, result.stdout + result.stderr


SORT_BY = {m.value for m in rl.LabelDetectionSortBy}
AGGREGATE_BY = {m.value for m in rl.LabelDetectionAggregateBy}


@pytest.mark.parametrize(
    ("function", "parameter", "values", "enum"),
    [
        *[(getattr(rl.LabelDetectionClient, name), "sort_by", SORT_BY, rl.LabelDetectionSortBy)
          for name in ("get_page", "iter_pages", "iter_labels", "get_all")],
        *[(getattr(rl.LabelDetectionClient, name), "aggregate_by", AGGREGATE_BY,
           rl.LabelDetectionAggregateBy)
          for name in ("get_page", "iter_pages", "iter_labels", "get_all")],
        (rl.sort_labels, "by", SORT_BY, rl.LabelDetectionSortBy),
        (rl.resort, "by", SORT_BY, rl.LabelDetectionSortBy),
    ],
    ids=lambda v: getattr(v, "__qualname__", None) if callable(v) else None,
)  # fmt: skip
def test_literals_are_the_enum_values(
    function: Callable[..., Any], parameter: str, values: set[str], enum: type
) -> None:
    hint = typing.get_type_hints(function)[parameter]
    members = typing.get_args(hint)
    (literal,) = [m for m in members if typing.get_origin(m) is typing.Literal]
    assert set(typing.get_args(literal)) == values
    assert enum in members
