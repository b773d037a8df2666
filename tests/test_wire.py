"""rekolabels.testing's socket replacement: new_client() and http_response()."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from rekolabels._retry import NO_BOTOCORE_RETRIES
from rekolabels.testing import http_response, new_client


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
