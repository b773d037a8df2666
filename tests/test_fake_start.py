"""StartLabelDetection in the fake: validation, idempotency, job life cycle."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

import rekolabels as rl
from rekolabels.testing import FakeRekognition

from .helpers import load

if TYPE_CHECKING:
    from types_boto3_rekognition.type_defs import VideoTypeDef

VIDEO: VideoTypeDef = {"S3Object": {"Bucket": "my-bucket", "Name": "videos/cars.mp4"}}


def start(fake: FakeRekognition, **params: Any) -> str:
    job_id: str = fake.client.start_label_detection(**{"Video": VIDEO, **params})["JobId"]
    return job_id


def status(fake: FakeRekognition, job_id: str) -> str:
    result: str = fake.client.get_label_detection(JobId=job_id)["JobStatus"]
    return result


def test_started_job_runs_then_succeeds_with_synthetic_labels() -> None:
    fake = FakeRekognition()
    fake.configure_start(detections=1500, in_progress_polls=2)
    job_id = start(fake, JobTag="nightly", MinConfidence=0)
    assert len(job_id) == 64
    assert int(job_id, 16) >= 0
    assert [status(fake, job_id) for _ in range(3)] == ["IN_PROGRESS", "IN_PROGRESS", "SUCCEEDED"]
    first = fake.client.get_label_detection(JobId=job_id)
    assert len(first["Labels"]) == 1000
    assert first["JobTag"] == "nightly"
    assert first["Video"] == VIDEO
    assert first["JobId"] == job_id
    rest = fake.client.get_label_detection(JobId=job_id, NextToken=first["NextToken"])
    assert len(rest["Labels"]) == 500
    assert "NextToken" not in rest
    rl.GetLabelDetectionResponse.from_boto3(first)


def test_in_progress_for_a_while() -> None:
    fake = FakeRekognition()
    fake.configure_start(detections=5, in_progress_polls=0, in_progress_s=0.2)
    job_id = start(fake)
    assert status(fake, job_id) == "IN_PROGRESS"
    time.sleep(0.25)
    assert status(fake, job_id) == "SUCCEEDED"


def test_failed_jobs_when_asked() -> None:
    fake = FakeRekognition()
    fake.configure_start(failed="Unable to access the video.", in_progress_polls=1)
    job_id = start(fake)
    assert status(fake, job_id) == "IN_PROGRESS"
    page = fake.client.get_label_detection(JobId=job_id)
    assert page["JobStatus"] == "FAILED"
    assert page["StatusMessage"] == "Unable to access the video."
    assert "VideoMetadata" not in page


def test_started_job_serves_a_given_response_filtered_by_min_confidence() -> None:
    fake = FakeRekognition()
    recorded = load("boto3-2023-grandtour720-timestamps-v3.json")
    fake.configure_start(response=recorded, in_progress_polls=0)
    page = fake.client.get_label_detection(JobId=start(fake, MinConfidence=90))
    expected = [d for d in recorded["Labels"] if d["Label"]["Confidence"] >= 90]
    assert page["Labels"] == expected
    assert page["VideoMetadata"] == recorded["VideoMetadata"]


def test_same_video_same_labels_and_seeded_job_ids() -> None:
    def run(seed: int) -> tuple[str, list[Any]]:
        fake = FakeRekognition(seed=seed)
        fake.configure_start(detections=50, in_progress_polls=0)
        job_id = start(fake)
        return job_id, fake.client.get_label_detection(JobId=job_id)["Labels"]

    assert run(1) == run(1)
    assert run(1)[0] != run(2)[0]
    fake = FakeRekognition()
    fake.configure_start(detections=50, in_progress_polls=0)
    one, two = start(fake), start(fake)
    assert one != two
    labels = [fake.client.get_label_detection(JobId=j)["Labels"] for j in (one, two)]
    assert labels[0] == labels[1]


def test_client_request_token_is_idempotent() -> None:
    fake = FakeRekognition()
    job_id = start(fake, ClientRequestToken="run-42")
    assert start(fake, ClientRequestToken="run-42") == job_id
    assert start(fake, ClientRequestToken="run-43") != job_id
    with pytest.raises(ClientError) as info:
        start(fake, ClientRequestToken="run-42", JobTag="other")
    assert info.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"Video": {}},
        {"Video": {"S3Object": {"Bucket": "my-bucket"}}},
        {"Video": {"S3Object": {"Name": "x.mp4"}}},
        {"Video": {"S3Object": {"Bucket": "", "Name": "x.mp4"}}},
        {"Video": VIDEO, "ClientRequestToken": "not valid!"},
        {"Video": VIDEO, "MinConfidence": 101},
        {"Video": VIDEO, "MinConfidence": "high"},
        {"Video": VIDEO, "JobTag": "no spaces"},
    ],
)
def test_invalid_parameters_like_aws(params: dict[str, Any]) -> None:
    # The service checks what a client without parameter validation would let through.
    reply = FakeRekognition().handle("StartLabelDetection", params)
    assert reply.status == 400
    assert json.loads(reply.body)["__type"] == "InvalidParameterException"


def test_start_over_http() -> None:
    from rekolabels.testing import new_client

    with FakeRekognition() as fake:
        fake.configure_start(detections=10, in_progress_polls=1)
        client = new_client(endpoint_url=fake.serve())
        try:
            job_id = client.start_label_detection(Video=VIDEO)["JobId"]
            assert client.get_label_detection(JobId=job_id)["JobStatus"] == "IN_PROGRESS"
            assert len(client.get_label_detection(JobId=job_id)["Labels"]) == 10
        finally:
            client.close()


def test_configure_start_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        FakeRekognition().configure_start(in_progress_polls=-1)
