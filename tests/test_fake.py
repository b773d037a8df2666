"""FakeRekognition, driven through a real boto3 client (its socket replaced in-process)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

import rekolabels as rl
from rekolabels.testing import FakeRekognition, new_client

from .helpers import load, run_in_threads


def read_all(fake: FakeRekognition, job_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    pages = []
    params: dict[str, Any] = {"JobId": job_id, **kwargs}
    while True:
        page = fake.client.get_label_detection(**params)
        pages.append(dict(page))
        if "NextToken" not in page:
            return pages
        params["NextToken"] = page["NextToken"]


def test_pages_every_label_once_with_metadata_on_every_page() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=2345)
    pages = read_all(fake, "job-1")
    assert [len(p["Labels"]) for p in pages] == [1000, 1000, 345]
    for page in pages:
        assert page["JobStatus"] == "SUCCEEDED"
        assert "VideoMetadata" in page
        assert page["GetRequestMetadata"] == {"SortBy": "TIMESTAMP", "AggregateBy": "TIMESTAMPS"}
    stamps = [d["Timestamp"] for p in pages for d in p["Labels"]]
    assert stamps == sorted(stamps)


def test_max_results_is_capped_at_1000() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=1500)
    page = fake.client.get_label_detection(JobId="job-1", MaxResults=5000)
    assert len(page["Labels"]) == 1000


def test_serves_a_recorded_response_and_echoes_sort_and_aggregate() -> None:
    fake = FakeRekognition()
    recorded = load("awscli-2019-samplevideo-succeeded-v2.json")
    fake.add_job("job-1", recorded)
    assert [d for p in read_all(fake, "job-1", MaxResults=7) for d in p["Labels"]] == (
        recorded["Labels"]
    )
    pages = read_all(fake, "job-1", MaxResults=7, SortBy="NAME", AggregateBy="SEGMENTS")
    # SortBy/AggregateBy are answered with rekolabels' own transforms.
    models = [rl.LabelDetection.model_validate(d) for d in recorded["Labels"]]
    segments = rl.sort_labels(rl.aggregate_segments(models), "NAME")
    assert [d for p in pages for d in p["Labels"]] == [d.to_boto3() for d in segments]
    assert pages[0]["GetRequestMetadata"] == {"SortBy": "NAME", "AggregateBy": "SEGMENTS"}


@pytest.mark.parametrize(
    "token",
    ["forged", "", "x" * 100, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "é"],
)
def test_forged_tokens_are_rejected(token: str) -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=20)
    with pytest.raises(ClientError) as info:
        fake.client.get_label_detection(JobId="job-1", NextToken=token)
    assert info.value.response["Error"]["Code"] == "InvalidPaginationTokenException"


def test_tokens_are_bound_to_job_and_request_shape() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=20)
    fake.add_synthetic_job("job-2", detections=20)
    token = fake.client.get_label_detection(JobId="job-1", MaxResults=5)["NextToken"]
    for params in ({"JobId": "job-2"}, {"JobId": "job-1", "SortBy": "NAME"}):
        with pytest.raises(ClientError) as info:
            fake.client.get_label_detection(NextToken=token, **params)
        assert info.value.response["Error"]["Code"] == "InvalidPaginationTokenException"
    other = FakeRekognition(seed=1)
    other.add_synthetic_job("job-1", detections=20)
    with pytest.raises(ClientError):
        other.client.get_label_detection(JobId="job-1", NextToken=token)


def test_unknown_job_is_resource_not_found_with_request_id() -> None:
    fake = FakeRekognition()
    with pytest.raises(ClientError) as info:
        fake.client.get_label_detection(JobId="nope")
    response = info.value.response
    assert response["Error"]["Code"] == "ResourceNotFoundException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["RequestId"]


def test_in_progress_then_served_and_failed_jobs() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("done", detections=3)
    fake.add_job("slow", load("made-v2-timestamps.json"), in_progress_polls=2)
    fake.add_job("bad", load("made-failed.json"))
    statuses = [fake.client.get_label_detection(JobId="slow")["JobStatus"] for _ in range(3)]
    assert statuses == ["IN_PROGRESS", "IN_PROGRESS", "SUCCEEDED"]
    failed = fake.client.get_label_detection(JobId="bad")
    assert failed["JobStatus"] == "FAILED"
    assert failed["StatusMessage"].startswith("Unable to access")
    assert "VideoMetadata" not in failed


@pytest.mark.parametrize(
    ("fault", "code", "status"),
    [
        ("ThrottlingException", "ThrottlingException", 500),
        ("ThrottlingException:400", "ThrottlingException", 400),
        ("ProvisionedThroughputExceededException", "ProvisionedThroughputExceededException", 400),
        ("InternalServerError", "InternalServerError", 500),
        ("InternalServerError:503", "InternalServerError", 503),
        ("AccessDeniedException", "AccessDeniedException", 400),
    ],
)
def test_injected_errors_are_aws_shaped(fault: str, code: str, status: int) -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=3)
    fake.inject([fault])
    with pytest.raises(ClientError) as info:
        fake.client.get_label_detection(JobId="job-1")
    assert info.value.response["Error"]["Code"] == code
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert fake.client.get_label_detection(JobId="job-1")["JobStatus"] == "SUCCEEDED"


def test_transport_faults_and_truncated_body() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=3)
    fake.inject(["connection", "timeout", "truncated", None])
    with pytest.raises(ConnectionClosedError):
        fake.client.get_label_detection(JobId="job-1")
    with pytest.raises(ReadTimeoutError):
        fake.client.get_label_detection(JobId="job-1")
    # botocore turns a cut 200 body into a dict holding only ResponseMetadata.
    assert set(fake.client.get_label_detection(JobId="job-1")) == {"ResponseMetadata"}
    assert fake.client.get_label_detection(JobId="job-1")["JobStatus"] == "SUCCEEDED"
    assert len(fake.requests) == 4


@pytest.mark.parametrize("entry", ["Nope", "ThrottlingException:4000", "truncated:400"])
def test_inject_rejects_unknown_faults(entry: str) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        FakeRekognition().inject([entry])


def test_handle_is_the_transport_neutral_protocol() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=3)
    reply = fake.handle("GetLabelDetection", {"JobId": "job-1", "MaxResults": 2})
    assert reply.status == 200
    assert reply.fault is None
    assert len(json.loads(reply.body)["Labels"]) == 2
    assert reply.headers["x-amzn-RequestId"]
    unknown = fake.handle("DetectFaces", {})
    assert json.loads(unknown.body)["__type"] == "UnknownOperationException"
    assert fake.requests == [{"JobId": "job-1", "MaxResults": 2}, {}]


def test_attach_a_client_the_user_built() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=3)
    client = new_client(region_name="eu-west-1")
    fake.attach(client)
    assert len(client.get_label_detection(JobId="job-1")["Labels"]) == 3


def test_seeded_fakes_are_deterministic() -> None:
    def run(seed: int) -> list[Any]:
        fake = FakeRekognition(seed=seed)
        fake.add_synthetic_job("job-1", detections=50)
        return [(p.get("NextToken"), p["ResponseMetadata"]["RequestId"]) for p in
                read_all(fake, "job-1", MaxResults=10)]  # fmt: skip

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_threads_read_different_jobs_through_one_fake() -> None:
    fake = FakeRekognition()
    for i in range(8):
        fake.add_synthetic_job(f"job-{i}", detections=300 + i, seed=i)
    client = fake.client
    counts: dict[str, int] = {}

    def work(job_id: str) -> None:
        total = 0
        params: dict[str, Any] = {"JobId": job_id, "MaxResults": 37}
        while True:
            page = client.get_label_detection(**params)
            total += len(page["Labels"])
            if "NextToken" not in page:
                break
            params["NextToken"] = page["NextToken"]
        counts[job_id] = total

    run_in_threads(work, [f"job-{i}" for i in range(8)])
    assert counts == {f"job-{i}": 300 + i for i in range(8)}


def test_pages_carry_the_requested_job_id_whatever_the_recording_says() -> None:
    recorded = load("boto3-2023-grandtour720-timestamps-v3.json")
    assert recorded["JobId"] != "job-1"
    fake = FakeRekognition()
    fake.add_job("job-1", recorded)
    fake.add_job("model", rl.GetLabelDetectionResponse.from_boto3(recorded))
    assert {p["JobId"] for p in read_all(fake, "job-1", MaxResults=300)} == {"job-1"}
    assert fake.client.get_label_detection(JobId="model")["JobId"] == "model"
    # So the client, which refuses a page of another job, reads it.
    assert len(rl.LabelDetectionClient(fake.client).get_all("job-1").labels or []) == len(
        recorded["Labels"]
    )


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


def test_requests_keeps_the_last_100_and_request_count_counts_them_all() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=5)
    assert (fake.requests, fake.request_count) == ([], 0)
    for n in range(1, 251):
        fake.client.get_label_detection(JobId="job-1", MaxResults=n)
    assert fake.request_count == 250
    assert [r["MaxResults"] for r in fake.requests] == list(range(151, 251))


SURROGATES = [
    {"Timestamp": 0, "Label": {"Name": "\ud800", "Confidence": 80.0}},
    {"Timestamp": 0, "Label": {"Name": "a", "Confidence": 90.0}},
    {"Timestamp": 500, "Label": {"Name": "\udfff x", "Confidence": 70.0}},
]


@pytest.mark.parametrize("order", [{}, {"SortBy": "NAME"}, {"AggregateBy": "SEGMENTS"}])
def test_names_without_utf8_are_served_json_escaped(order: dict[str, str]) -> None:
    # A lone surrogate raised a bare UnicodeEncodeError in-process and a 500 over HTTP.
    fake = FakeRekognition()
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": SURROGATES})
    in_process = fake.client.get_label_detection(JobId="job-1", **order)["Labels"]
    assert sorted(d["Label"]["Name"] for d in in_process) == ["a", "\ud800", "\udfff x"]
    body = fake.handle("GetLabelDetection", {"JobId": "job-1", **order}).body
    assert b"\\ud800" in body
    with fake:
        client = new_client(endpoint_url=fake.serve())
        assert client.get_label_detection(JobId="job-1", **order)["Labels"] == in_process
        client.close()


def test_timestamps_of_mixed_types_are_served_as_stored() -> None:
    labels = [{"Timestamp": "0", "Label": {"Name": "a"}}, {"Timestamp": 5, "Label": {"Name": "b"}}]
    fake = FakeRekognition()
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": labels})
    assert fake.client.get_label_detection(JobId="job-1")["Labels"] == labels
