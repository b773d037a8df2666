"""The base CLI works without rich and matplotlib; what needs them says how to install them.

Absence is simulated for real: the CLI runs in a subprocess whose ``sys.modules`` maps the
extra's package to None, so any import of it fails exactly as if it were not installed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rekolabels.testing import FakeRekognition
from tests.cli_helpers import assert_short_error, clean_env, run
from tests.helpers import DATA

RECORDING = str(DATA / "boto3-2023-grandtour720-timestamps-v3.json")


def without(*packages: str) -> list[str]:
    """A command that runs the CLI with ``packages`` unimportable."""
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in packages)
    code = f"import sys; {blocked}; from rekolabels._cli import main; sys.exit(main(sys.argv[1:]))"
    return [sys.executable, "-c", code]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return clean_env(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def endpoint() -> Iterator[list[str]]:
    with FakeRekognition(seed=1) as fake:
        fake.add_synthetic_job("job-1", detections=300, seed=2)
        yield ["--endpoint-url", fake.serve()]


BARE = without("rich", "matplotlib")


@pytest.mark.parametrize("output", ["json", "jsonl", "csv"])
def test_base_outputs_need_no_extra(output: str, env: dict[str, str], endpoint: list[str]) -> None:
    args = ["get-label-detection", "--job-id", "job-1", "--output", output, *endpoint]
    result = run(args, env, command=BARE)
    assert result.returncode == 0, result.stderr
    assert result.stdout


def test_offline_commands_need_no_extra(env: dict[str, str]) -> None:
    sorted_ = run(["sort", RECORDING, "--by", "NAME"], env, command=BARE)
    assert sorted_.returncode == 0, sorted_.stderr
    aggregated = run(["aggregate", "-"], env, stdin=sorted_.stdout, command=BARE)
    assert aggregated.returncode == 0, aggregated.stderr
    assert json.loads(aggregated.stdout)["GetRequestMetadata"]["AggregateBy"] == "SEGMENTS"


def test_fake_server_needs_no_extra(env: dict[str, str]) -> None:
    result = run(["fake-server", "--help"], env, command=BARE)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summary", RECORDING], "'summary' needs the cli extra: pip install 'rekolabels[cli]'"),
        (["demo"], "'demo' needs the cli extra: pip install 'rekolabels[cli]'"),
        (
            ["get-label-detection", "--job-id", "job-1", "--output", "table"],
            "'--output table' needs the cli extra: pip install 'rekolabels[cli]'",
        ),
        (
            ["timeline", RECORDING, "--out", "t.png"],
            "'timeline' needs the plot extra: pip install 'rekolabels[plot]'",
        ),
    ],
    ids=["summary", "demo", "table", "timeline"],
)
def test_a_missing_extra_is_exit_2_with_the_hint(
    args: list[str], message: str, env: dict[str, str], endpoint: list[str], tmp_path: Path
) -> None:
    online = args[0] == "get-label-detection"
    result = run(args + (endpoint if online else []), env, command=BARE, cwd=tmp_path)
    assert_short_error(result, 2)
    assert result.stderr.strip().splitlines()[-1] == f"rekolabels: error: {message}"
    assert not (tmp_path / "t.png").exists()


def test_demo_without_plot_still_runs(env: dict[str, str], tmp_path: Path) -> None:
    result = run(["demo", "--out", str(tmp_path)], env, command=without("matplotlib"))
    assert result.returncode == 0, result.stderr
    assert "pip install 'rekolabels[plot]'" in result.stdout
    assert not (tmp_path / "timeline.png").exists()
