"""The fake's in-process transport (testing/_transport): botocore's before-send, first."""

from __future__ import annotations

from typing import Any

import pytest

import rekolabels as rl
from rekolabels.testing import FakeRekognition, http_response, new_client


def test_attach_a_client_the_user_built() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=3)
    client = new_client(region_name="eu-west-1")
    fake.attach(client)
    assert len(client.get_label_detection(JobId="job-1")["Labels"]) == 3


def test_the_fake_answers_first_inside_moto_mock_aws() -> None:
    # Users mix moto (S3, SNS, SQS) with the fake; moto's own before-send handler would answer
    # Rekognition calls with NotImplementedError if it ran first.
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        fake = FakeRekognition()
        fake.add_synthetic_job("job-1", detections=30)
        lc = rl.LabelDetectionClient(fake.client, retry=rl.RetryPolicy(max_attempts=1))
        assert len(list(lc.iter_labels("job-1", max_results=7))) == 30
        # A client of the user's, made inside the mock (moto's handler is registered on it).
        mine = new_client(endpoint_url="https://rekognition.example.invalid")
        fake.attach(mine)
        started = mine.start_label_detection(
            Video={"S3Object": {"Bucket": "bucket", "Name": "v.mp4"}}
        )
        assert len(started["JobId"]) == 64
        mine.close()
        fake.close()


def test_the_fake_s_answer_wins_over_a_handler_registered_before_it() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=3)
    client = new_client(endpoint_url="https://rekognition.example.invalid")

    def other(**_: Any) -> Any:
        return http_response(200, b'{"JobStatus": "FAILED", "StatusMessage": "not the fake"}')

    client.meta.events.register("before-send.rekognition", other)
    fake.attach(client)
    assert client.get_label_detection(JobId="job-1")["JobStatus"] == "SUCCEEDED"


def test_fake_client_is_on_an_endpoint_that_never_resolves() -> None:
    fake = FakeRekognition()
    assert fake.client.meta.endpoint_url == "https://rekognition.fake.invalid"
