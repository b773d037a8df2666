"""What the command modules share (_cli/_common): reading a saved response, the optional
extras and their install hints, argument types, the client flags; in-process with ``main``.

A missing extra is simulated for real: its package maps to None in ``sys.modules``, so any
import of it fails as if it were not installed. One run goes end to end in a process of its own,
which also proves that nothing imports rich or matplotlib at module level.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import rekolabels as rl
from rekolabels._cli import UsageError, main
from rekolabels._cli._common import (
    has_extra,
    label_client,
    positive_int,
    read_response,
    require_extra,
)
from rekolabels.testing import FakeRekognition
from tests.cli_helpers import clean_env, offline_aws, run
from tests.helpers import DATA, load

RECORDING = str(DATA / "boto3-2023-grandtour720-timestamps-v3.json")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[list[str]]:
    with FakeRekognition(seed=1) as fake:
        fake.add_synthetic_job("job-1", detections=300, seed=2)
        yield ["--endpoint-url", fake.serve()]


def without(monkeypatch: pytest.MonkeyPatch, *packages: str) -> None:
    for package in packages:
        monkeypatch.setitem(sys.modules, package, None)


# -- reading a saved response ------------------------------------------------------------------


def test_read_response_reads_a_file_and_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    from_file = read_response(RECORDING)
    assert from_file.to_boto3() == load("boto3-2023-grandtour720-timestamps-v3.json")
    monkeypatch.setattr("sys.stdin", io.StringIO(Path(RECORDING).read_text()))
    assert read_response("-") == from_file


def test_a_json_file_nested_too_deep_is_a_usage_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"Labels": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(UsageError, match="nested too deep"):  # was a bare RecursionError
        read_response(str(deep))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "cannot read"),
        (b"\xff\xfe", "cannot read"),
        ("{not json", "line 1 is not a LabelDetection with Timestamp and Label"),
        ("[1, 2]", "line 1 is not a LabelDetection with Timestamp and Label"),
        ('{"JobStatus": 5}', "is not a GetLabelDetection response"),
    ],
    ids=["missing", "not-utf8", "not-json", "not-an-object", "wrong-types"],
)
def test_read_response_errors_are_usage_errors(
    text: str | bytes | None, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "saved.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text)
    with pytest.raises(UsageError, match=message):
        read_response(str(path))


# -- extras ------------------------------------------------------------------------------------


def test_has_extra_sees_a_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    without(monkeypatch, "matplotlib")
    assert not has_extra("plot")
    with pytest.raises(UsageError, match=r"pip install 'rekolabels\[plot\]'"):
        require_extra("plot", "'timeline'")


def test_base_outputs_need_no_extra_end_to_end(endpoint: list[str], tmp_path: Path) -> None:
    blocked = "sys.modules['rich'] = sys.modules['matplotlib'] = None"
    code = f"import sys; {blocked}; from rekolabels._cli import main; sys.exit(main(sys.argv[1:]))"
    args = ["get-label-detection", "--job-id", "job-1", "--output", "csv", *endpoint]
    result = run(args, clean_env(tmp_path), command=[sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 301


@pytest.mark.parametrize("output", ["json", "jsonl", "csv"])
def test_base_outputs_need_no_extra(
    output: str,
    endpoint: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    offline_aws(monkeypatch, tmp_path)
    without(monkeypatch, "rich", "matplotlib")
    assert main(["get-label-detection", "--job-id", "job-1", "--output", output, *endpoint]) == 0
    assert capsys.readouterr().out


def test_offline_commands_need_no_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without(monkeypatch, "rich", "matplotlib")
    assert main(["sort", RECORDING, "--by", "NAME"]) == 0
    sorted_ = capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(sorted_))
    assert main(["aggregate", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["GetRequestMetadata"]["AggregateBy"] == "SEGMENTS"


def test_fake_server_needs_no_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without(monkeypatch, "rich", "matplotlib")
    assert main(["fake-server", "--help"]) == 0
    assert "--throttle-rate" in capsys.readouterr().out


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
    args: list[str],
    message: str,
    endpoint: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    offline_aws(monkeypatch, tmp_path)
    monkeypatch.chdir(tmp_path)
    without(monkeypatch, "rich", "matplotlib")
    online = args[0] == "get-label-detection"
    assert main(args + (endpoint if online else [])) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("usage: rekolabels")
    assert lines[-1] == f"rekolabels: error: {message}"
    assert not (tmp_path / "t.png").exists()


def test_demo_without_plot_still_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("rich")
    without(monkeypatch, "matplotlib")
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert "pip install 'rekolabels[plot]'" in capsys.readouterr().out
    assert not (tmp_path / "timeline.png").exists()


# -- argument types and the client flags -------------------------------------------------------


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "x", ""])
def test_positive_int_refuses(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="whole number >= 1"):
        positive_int(text)


def test_positive_int_takes_whole_numbers() -> None:
    assert positive_int("7") == 7


def test_label_client_turns_a_bad_configuration_into_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    offline_aws(monkeypatch, tmp_path)
    args = argparse.Namespace(
        region=None, profile="no-such-profile", endpoint_url=None, no_sign_request=False
    )
    with pytest.raises(UsageError, match="no-such-profile"):
        label_client(args)
    args = argparse.Namespace(
        region="eu-west-1", profile=None, endpoint_url="http://x", no_sign_request=False
    )
    assert isinstance(label_client(args), rl.LabelDetectionClient)


def test_an_unknown_profile_is_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    offline_aws(monkeypatch, tmp_path)
    assert main(["get-label-detection", "--job-id", "job-1", "--profile", "nope"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("rekolabels: error: ")
    assert "nope" in lines[1]
