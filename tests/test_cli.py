"""The command line's entry point (_cli/__init__): the command table, parsing, exit codes and
error lines, ``--debug``, ``--help`` and ``--version``, in-process with ``main(argv)``; and the
console scripts, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

import rekolabels as rl
from rekolabels._cli import main

from .cli_helpers import keep_logger

RECORDED = "boto3-2023-grandtour720-timestamps-v3.json"


def stderr_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nope"],
        ["fake-server", "--port", "70000"],
        ["fake-server", "--job", "no-equals-sign"],
        ["fake-server", "--job", "bad id=x.json"],
        ["fake-server", "--synthetic", "job=many"],
        ["fake-server", "--throttle-rate", "1.5"],
        ["fake-server", "--job", "job-1=does/not/exist.json"],
    ],
)
def test_usage_errors_exit_2_in_two_lines(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 2
    assert lines[0].startswith("usage: rekolabels")
    assert lines[1].startswith("rekolabels: error: ")


def test_debug_prints_the_traceback_and_keeps_exit_2(
    tmp_path: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    keep_logger(request)
    missing = f"job-1={tmp_path / 'missing.json'}"
    for argv in (["--debug", "fake-server", "--job", missing],
                 ["fake-server", "--job", missing, "--debug"]):  # fmt: skip
        assert main(argv) == 2  # was 1: --debug re-raised the usage error
        err = capsys.readouterr().err
        assert err.startswith("Traceback")
        assert "UsageError" in err
        assert err.splitlines()[-1].startswith("rekolabels: error: cannot read")


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert rl.__version__ in capsys.readouterr().out
    assert main(["fake-server", "--help"]) == 0
    assert "--throttle-rate" in capsys.readouterr().out


def test_entry_points_are_declared() -> None:
    from importlib.metadata import entry_points

    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("rekolabels") == "rekolabels._cli:main"
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("rekolabels") == "rekolabels.testing._pytest_plugin"


def test_one_table_names_each_command_once_in_help_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rekolabels._cli import COMMANDS

    names = [cmd.name for cmd in COMMANDS]
    assert len(set(names)) == len(names)
    assert names == [
        "get-label-detection", "wait", "export", "sort", "aggregate", "summary", "timeline",
        "fake-server", "demo", "botocore-data-path",
    ]  # fmt: skip
    assert main(["--help"]) == 0
    shown = capsys.readouterr().out
    listed = [line.split()[0] for line in shown.splitlines() if line.startswith("    ")]
    assert [name for name in listed if name in names] == names
