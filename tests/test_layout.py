"""Tests mirror the package: every module of rekolabels has its test module.

``rekolabels/_x.py`` is tested in ``tests/test_x.py``, ``rekolabels/_cli/_x.py`` in
``tests/test_cli_x.py``, ``rekolabels/testing/_x.py`` in ``tests/test_x.py`` or
``tests/test_fake_x.py`` (the fake's concerns); a package's ``__init__`` in
``tests/test_<package>.py``. The few exceptions are listed with where their tests are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import rekolabels

ROOT = Path(rekolabels.__file__).parent
TESTS = Path(__file__).parent
ELSEWHERE = {
    "rekolabels": "test_exported_members.py",  # __all__ and what each name is
    "rekolabels.__main__": "test_cli_local.py",  # fake-server runs as `python -m rekolabels`
    "rekolabels.testing": "test_exported_members.py",
}


def modules() -> list[str]:
    names = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def candidates(module: str) -> list[str]:
    """The test modules that may hold ``module``'s tests, by the rule above."""
    if module in ELSEWHERE:
        return [ELSEWHERE[module]]
    parts = module.split(".")[1:]
    last = parts[-1].lstrip("_")
    if parts[:1] == ["_cli"]:
        return [f"test_cli_{last}.py"] if len(parts) > 1 else ["test_cli.py"]
    if parts[:1] == ["testing"]:
        return [f"test_{last}.py", f"test_fake_{last}.py"]
    return [f"test_{last}.py"]


def test_the_rule() -> None:
    assert candidates("rekolabels._client") == ["test_client.py"]
    assert candidates("rekolabels._cli") == ["test_cli.py"]
    assert candidates("rekolabels._cli._online") == ["test_cli_online.py"]
    assert candidates("rekolabels.testing._faults") == ["test_faults.py", "test_fake_faults.py"]


@pytest.mark.parametrize("module", modules())
def test_every_module_has_its_test_module(module: str) -> None:
    wanted = candidates(module)
    assert any((TESTS / name).is_file() for name in wanted), f"{module}: no {' or '.join(wanted)}"
