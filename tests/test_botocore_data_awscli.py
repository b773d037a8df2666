"""The acceptance test: the AWS CLI v1, in a venv of its own, with ``AWS_DATA_PATH`` set to
rekolabels' data, follows every page through ``rekolabels fake-server`` and waits on jobs.

The same venv holds botocore at rekolabels' floor, which must load the data too.
"""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import requires
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

import rekolabels as rl
from rekolabels.testing import new_client

from .cli_helpers import DUMMY_SECRET, clean_env, new_venv

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
FAILED_JOB = HERE / "data" / "made-failed.json"
DETECTIONS = 2345  # three pages of the fake's default 1000


def botocore_floor() -> str:
    """The lowest botocore rekolabels' metadata allows (``botocore>=X``)."""
    for line in requires("rekolabels") or []:
        requirement = Requirement(line)
        if requirement.name == "botocore" and requirement.marker is None:
            (floor,) = [s.version for s in requirement.specifier if s.operator == ">="]
            return floor
    raise AssertionError("rekolabels does not require botocore")


@pytest.fixture(scope="session")
def outside_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the AWS CLI v1 and the floor botocore, built once per test session."""
    venv = tmp_path_factory.mktemp("awscli") / "venv"
    new_venv(venv, "-c", str(HERE / "awscli-constraints.txt"), "awscli",
             f"botocore=={botocore_floor()}")  # fmt: skip
    return venv


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``rekolabels fake-server`` (the installed console script) with a big and a FAILED job."""
    command = [str(Path(sys.executable).parent / "rekolabels"), "fake-server", "--port", "0"]
    command += ["--synthetic", f"big={DETECTIONS}", "--job", f"failed={FAILED_JOB}"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            with selectors.DefaultSelector() as selector:
                selector.register(proc.stdout, selectors.EVENT_READ)
                assert selector.select(30), "fake-server printed no URL in 30 s"
            yield proc.stdout.readline().strip()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Dummy credentials, empty config files, a HOME of its own, and the data path."""
    (tmp_path / "config").write_text("")
    (tmp_path / "credentials").write_text("")
    return {
        **clean_env(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "HOME": str(tmp_path),
        "AWS_DATA_PATH": rl.botocore_data_path(),
    }


def aws(venv: Path, url: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(venv / "bin" / "aws"), "rekognition", *args, "--endpoint-url", url,
         "--region", "us-east-1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert DUMMY_SECRET not in result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def every_label(server: str) -> list[dict[str, Any]]:
    client = new_client(endpoint_url=server)
    try:
        labels: list[dict[str, Any]] = (
            rl.LabelDetectionClient(client).get_all("big").to_boto3()["Labels"]
        )
    finally:
        client.close()
    assert len(labels) == DETECTIONS
    return labels


@pytest.mark.parametrize("page_size", [None, "400"], ids=["default-pages", "page-size-400"])
def test_get_label_detection_follows_every_page(
    outside_venv: Path,
    server: str,
    env: dict[str, str],
    every_label: list[dict[str, Any]],
    page_size: str | None,
) -> None:
    extra = ["--page-size", page_size] if page_size else []
    result = aws(outside_venv, server, env, "get-label-detection", "--job-id", "big", *extra)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["Labels"] == every_label
    assert "NextToken" not in output
    assert output["JobStatus"] == "SUCCEEDED"


def test_max_items_then_starting_token_resumes(
    outside_venv: Path, server: str, env: dict[str, str], every_label: list[dict[str, Any]]
) -> None:
    command = ["get-label-detection", "--job-id", "big", "--page-size", "400"]
    first = aws(outside_venv, server, env, *command, "--max-items", "1500")
    assert first.returncode == 0, first.stderr
    head = json.loads(first.stdout)
    assert len(head["Labels"]) == 1500
    rest = aws(outside_venv, server, env, *command, "--starting-token", head["NextToken"])
    assert rest.returncode == 0, rest.stderr
    tail = json.loads(rest.stdout)
    assert "NextToken" not in tail
    assert head["Labels"] + tail["Labels"] == every_label


def test_without_the_data_path_the_cli_reads_one_page(
    outside_venv: Path, server: str, env: dict[str, str]
) -> None:
    """The control: the AWS CLI's own botocore does not paginate GetLabelDetection."""
    del env["AWS_DATA_PATH"]
    result = aws(outside_venv, server, env, "get-label-detection", "--job-id", "big")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert len(output["Labels"]) == 1000
    assert "NextToken" in output
    waiting = aws(outside_venv, server, env, "wait", "label-detection-complete", "--job-id", "big")
    assert waiting.returncode == 2
    assert "Invalid choice" in waiting.stderr


def test_wait_succeeds_on_a_succeeded_job(
    outside_venv: Path, server: str, env: dict[str, str]
) -> None:
    result = aws(outside_venv, server, env, "wait", "label-detection-complete", "--job-id", "big")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_wait_fails_on_a_failed_job(outside_venv: Path, server: str, env: dict[str, str]) -> None:
    result = aws(
        outside_venv, server, env, "wait", "label-detection-complete", "--job-id", "failed"
    )
    assert result.returncode == 255
    assert "Waiter LabelDetectionComplete failed" in result.stderr
    assert "terminal failure state" in result.stderr


FLOOR_CHECK = """
import json, sys
import botocore
from botocore.loaders import create_loader
from botocore.paginate import PaginatorModel
from botocore.waiter import WaiterModel

loader = create_loader(sys.argv[1])
version = loader.determine_latest_version("rekognition", "service-2")
pages = loader.load_service_model("rekognition", "paginators-1", version)
waiters = loader.load_service_model("rekognition", "waiters-2", version)
model = PaginatorModel(pages)
print(json.dumps({
    "botocore": botocore.__version__,
    "result_keys": {op: model.get_paginator(op)["result_key"] for op in sys.argv[2:]},
    "list_faces": "ListFaces" in pages["pagination"],
    "waiter": WaiterModel(waiters).get_waiter("LabelDetectionComplete").operation,
}))
"""


def test_the_floor_botocore_loads_the_data(outside_venv: Path, tmp_path: Path) -> None:
    (path,) = Path(rl.botocore_data_path()).glob("rekognition/*/paginators-1.sdk-extras.json")
    ours = json.loads(path.read_text(encoding="utf-8"))["merge"]["pagination"]
    result = subprocess.run(
        [str(outside_venv / "bin" / "python"), "-c", FLOOR_CHECK, rl.botocore_data_path(),
         *ours],
        capture_output=True,
        text=True,
        env=clean_env(tmp_path),
        timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert Version(loaded["botocore"]) == Version(botocore_floor())
    assert loaded["result_keys"] == {op: p["result_key"] for op, p in ours.items()}
    assert loaded["list_faces"] is True
    assert loaded["waiter"] == "GetLabelDetection"
