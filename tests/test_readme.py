"""The README's promises: its ```python examples run, and its field table matches the models.

Blocks fenced as ```python run here (from the repo root); blocks that need AWS are fenced ```py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

import rekolabels as rl

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.M | re.S)


def test_readme_has_python_examples() -> None:
    assert BLOCKS


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})


def test_field_table_matches_the_models() -> None:
    rows = re.findall(r"^\| `(\w+)` \| (`.*)\|$", README, flags=re.M)
    table = {model: re.findall(r"`(\w+)` = `(\w+)`", cells) for model, cells in rows}
    models = {
        name: obj
        for name in rl.__all__
        if isinstance(obj := getattr(rl, name), type) and issubclass(obj, BaseModel)
    }
    assert set(table) == set(models)
    for name, model in models.items():
        assert table[name] == [(f, info.alias) for f, info in model.model_fields.items()], name


def test_install_commands_install_something_that_exists() -> None:
    """Until rekolabels is on an index, each install command names a path: the checkout, a wheel."""
    pages = [README] + [(ROOT / "docs" / n).read_text(encoding="utf-8")
                        for n in ("getting-started.md", "cli.md")]  # fmt: skip
    commands = [
        command.split()
        for page in pages
        for block in re.findall(r"^```(?:bash|console)\n(.*?)^```", page, flags=re.M | re.S)
        for line in block.splitlines()
        for command in line.split("#")[0].split("&&")
        if "pip install" in command
    ]
    assert commands
    for words in commands:
        targets = [w.strip("'\"") for w in words[words.index("install") + 1 :]]
        targets = [t for t in targets if not t.startswith("-") and t != "constraints.txt"]
        assert targets, words
        for target in targets:
            assert target.startswith((".", "./")), f"{' '.join(words)}: not on any index yet"
