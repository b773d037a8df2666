"""Shared test helpers: recorded data and real boto3 clients whose socket is replaced."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rekolabels.testing import http_response, new_client

DATA = Path(__file__).parent / "data"

RECORDINGS = sorted(p.name for p in DATA.glob("*.json"))
AWS_RECORDINGS = [
    "awscli-2019-samplevideo-inprogress-v2.json",
    "awscli-2019-samplevideo-succeeded-v2.json",
    "boto3-2023-grandtour720-timestamps-v3.json",
    "boto3-2024-kfir-tennis-page1-maxresults1-v3.json",
    "saved-2022-page1-nexttoken-v2.json",
]


def load(name: str) -> Any:
    """A response from tests/data, as the JSON it was saved as."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def wire_body(response: dict[str, Any]) -> bytes:
    """The body AWS would send for a boto3 response dict (botocore adds ResponseMetadata)."""
    return json.dumps({k: v for k, v in response.items() if k != "ResponseMetadata"}).encode()


def via_boto3(body: bytes, status: int = 200) -> dict[str, Any]:
    """Send one GetLabelDetection through a real boto3 client that gets ``body`` back."""
    client = new_client()
    request_id = "11111111-2222-3333-4444-555555555555"

    def answer(**_: Any) -> Any:
        return http_response(status, body, {"x-amzn-RequestId": request_id})

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    result: dict[str, Any] = dict(client.get_label_detection(JobId="job-1"))
    return result
