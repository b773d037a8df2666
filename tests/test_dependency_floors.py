"""The floors pyproject.toml declares are the versions constraints-floor.txt installs (the venv
scripts/check runs the suite in a second time), and that venv differs from the pinned one only
in the runtime dependencies and what their floors force."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = {"boto3", "botocore", "pydantic", "tenacity"}
# Pinned lower in the floor venv because a runtime floor requires it, not by choice.
FORCED = {"s3transfer": "boto3 1.35.16 wants <0.11", "pydantic-core": "pydantic 2.11.0 pins it"}


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / name).read_text().splitlines():
        match = re.match(r"([A-Za-z0-9_.-]+)==([^ ;]+)", line)
        if match:
            found[match[1].lower().replace("_", "-")] = match[2]
    return found


def runtime_requirements() -> list[Requirement]:
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)^\]", text, flags=re.M | re.S)
    assert block is not None
    return [Requirement(r) for r in re.findall(r'"([^"]+)"', block[1])]


def test_every_runtime_floor_is_what_constraints_floor_installs() -> None:
    floor = pins("constraints-floor.txt")
    runtime = runtime_requirements()
    assert {r.name for r in runtime} == RUNTIME
    for req in runtime:
        lows = [Version(s.version) for s in req.specifier if s.operator == ">="]
        assert len(lows) == 1, req
        assert Version(floor[req.name]) == lows[0], f"{req.name}: floor {lows[0]}"


def test_the_known_floors_hold() -> None:
    # botocore's before-parse event (the fast path) is in 1.35.16, not 1.35.15; tenacity's
    # RetryCallState.upcoming_sleep (the wait deadline) first appears in 8.3.0; pydantic's
    # validate_by_name / validate_by_alias config first appears in 2.11.
    floor = pins("constraints-floor.txt")
    assert Version(floor["botocore"]) >= Version("1.35.16")
    assert Version(floor["boto3"]) >= Version("1.35.16")
    assert Version(floor["tenacity"]) >= Version("8.3")
    assert Version(floor["pydantic"]) >= Version("2.11")


def test_everything_else_is_at_its_usual_pin() -> None:
    usual, floor = pins("constraints.txt"), pins("constraints-floor.txt")
    assert set(usual) == set(floor)
    differ = {name for name in usual if usual[name] != floor[name]}
    assert differ <= RUNTIME | set(FORCED), differ
