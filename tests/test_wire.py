"""rekolabels.testing's socket replacement: new_client() and http_response()."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import rekolabels as rl
from rekolabels._retry import NO_BOTOCORE_RETRIES
from rekolabels.testing import FakeRekognition, http_response, new_client


def option(client: Any, name: str) -> Any:
    return getattr(client.meta.config, name)


def test_new_client_has_dummy_credentials_and_botocore_retries_off() -> None:
    client = new_client()
    signed: list[str] = []

    def answer(request: Any, **_: Any) -> Any:
        signed.append(request.headers["Authorization"].decode())
        return http_response(200, b'{"JobStatus": "SUCCEEDED"}')

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    client.get_label_detection(JobId="job-1")
    assert "Credential=AKIAREKOLABELSTESTING/" in signed[0]
    assert option(client, "retries")["total_max_attempts"] == 1
    assert option_of(NO_BOTOCORE_RETRIES, "retries")["total_max_attempts"] == 1
    assert client.meta.region_name == "us-east-1"


def option_of(config: Config, name: str) -> Any:
    return getattr(config, name)


def test_new_client_merges_a_config_over_retries_off() -> None:
    client = new_client(region_name="eu-west-1", config=Config(read_timeout=3))
    assert option(client, "read_timeout") == 3
    assert option(client, "retries")["total_max_attempts"] == 1
    assert client.meta.region_name == "eu-west-1"


def test_http_response_is_parsed_as_if_off_the_wire() -> None:
    client = new_client()
    body = json.dumps({"JobStatus": "SUCCEEDED", "Labels": []}).encode()

    def answer(**_: Any) -> Any:
        return http_response(200, body, {"x-amzn-RequestId": "rid-7"})

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    got = client.get_label_detection(JobId="job-1")
    assert got["JobStatus"] == "SUCCEEDED"
    assert got["ResponseMetadata"]["RequestId"] == "rid-7"
    assert got["ResponseMetadata"]["HTTPHeaders"]["content-length"] == str(len(body))


def test_http_response_errors_are_client_errors() -> None:
    client = new_client()
    body = json.dumps({"__type": "AccessDeniedException", "message": "no"}).encode()

    def answer(**_: Any) -> Any:
        return http_response(400, body)

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    with pytest.raises(ClientError) as info:
        client.get_label_detection(JobId="job-1")
    assert info.value.response["Error"]["Code"] == "AccessDeniedException"


@pytest.fixture
def hostile_aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every AWS setting a stale shell can hold, each one wrong for a test client.

    The config and credentials files are not even INI: botocore raises ConfigParseError the
    moment it opens either one.
    """
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    for name in ("config", "credentials"):
        (home / ".aws" / name).write_text("[[[ not an INI file\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_PROFILE", "nosuch")
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "nosuch")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://endpoint.invalid")
    monkeypatch.setenv("AWS_ENDPOINT_URL_REKOGNITION", "http://rekognition.invalid")
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMTHEENVIRONMENT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "from-the-environment")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "from-the-environment")
    return home


@pytest.fixture
def clean_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty HOME and no AWS_* variable."""
    import os

    home = tmp_path / "empty-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)


def test_new_client_ignores_every_aws_setting(hostile_aws_config: Path) -> None:
    client = new_client()
    assert client.meta.region_name == "us-east-1"
    assert client.meta.endpoint_url == "https://rekognition.us-east-1.amazonaws.com"
    # botocore-stubs' Config declares no option attributes; botocore sets each in __init__.
    retries: Mapping[str, object] = client.meta.config.retries or {}  # type: ignore[attr-defined]
    assert retries.get("total_max_attempts") == 1
    assert retries.get("mode") != "adaptive"
    sent: list[Any] = []

    def answer(request: Any, **_: Any) -> Any:
        sent.append(request)
        return http_response(200, b'{"JobStatus": "SUCCEEDED"}')

    client.meta.events.register("before-send.rekognition", answer)
    client.get_label_detection(JobId="job-1")
    (request,) = sent  # one attempt: AWS_MAX_ATTEMPTS is not read either
    assert "Credential=AKIAREKOLABELSTESTING/" in request.headers["Authorization"].decode()
    assert "X-Amz-Security-Token" not in request.headers


def test_new_client_takes_what_it_is_given(hostile_aws_config: Path) -> None:
    client = new_client(region_name="ap-south-1", endpoint_url="http://127.0.0.1:9")
    assert client.meta.region_name == "ap-south-1"
    assert client.meta.endpoint_url == "http://127.0.0.1:9"


@pytest.mark.usefixtures("hostile_aws_config")
def test_fake_client_and_loopback_work_whatever_the_environment_says() -> None:
    with FakeRekognition() as fake:
        fake.add_synthetic_job("job-1", detections=25)
        fake.inject(["ThrottlingException"])
        lc = rl.LabelDetectionClient(fake.client, retry=rl.RetryPolicy(initial_backoff_s=0))
        assert len(lc.get_all("job-1", max_results=10).labels or []) == 25
        url = fake.serve()
        over_http = rl.LabelDetectionClient(new_client(endpoint_url=url))
        assert len(over_http.get_all("job-1").labels or []) == 25


@pytest.mark.usefixtures("clean_machine")
def test_new_client_on_a_clean_machine() -> None:
    with FakeRekognition() as fake:
        fake.add_synthetic_job("job-1", detections=3)
        assert len(fake.client.get_label_detection(JobId="job-1")["Labels"]) == 3
        assert new_client().meta.region_name == "us-east-1"
