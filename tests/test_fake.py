"""FakeRekognition, driven through a real boto3 client (its socket replaced in-process)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import rekolabels as rl
from rekolabels.testing import FakeRekognition, new_client

from .helpers import load, read_all, run_in_threads


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


def test_seeded_fakes_are_deterministic() -> None:
    def run(seed: int) -> list[Any]:
        fake = FakeRekognition(seed=seed)
        fake.add_synthetic_job("job-1", detections=50)
        return [(p.get("NextToken"), p["ResponseMetadata"]["RequestId"]) for p in
                read_all(fake.client, "job-1", MaxResults=10)]  # fmt: skip

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
    assert {p["JobId"] for p in read_all(fake.client, "job-1", MaxResults=300)} == {"job-1"}
    assert fake.client.get_label_detection(JobId="model")["JobId"] == "model"
    # So the client, which refuses a page of another job, reads it.
    assert len(rl.LabelDetectionClient(fake.client).get_all("job-1").labels or []) == len(
        recorded["Labels"]
    )


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
def test_names_without_utf8_are_served_json_escaped(order: dict[str, Any]) -> None:
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


@pytest.mark.parametrize("as_model", [False, True], ids=["dict", "model"])
def test_one_page_of_a_longer_job_is_refused(as_model: bool) -> None:
    page = load("saved-2022-page1-nexttoken-v2.json")
    assert page["NextToken"]
    response = rl.GetLabelDetectionResponse.from_boto3(page) if as_model else page
    fake = FakeRekognition()
    with pytest.raises(rl.InvalidArgumentError, match=r"^response is one page of a longer job"):
        fake.add_job("job-1", response)
    with pytest.raises(rl.InvalidArgumentError, match="NextToken"):
        fake.configure_start(response=response)
    # Without its NextToken the page is a job of its own, served whole.
    fake.add_job("job-1", {k: v for k, v in page.items() if k != "NextToken"})
    assert [len(p["Labels"]) for p in read_all(fake.client, "job-1")] == [len(page["Labels"])]


def test_synthetic_jobs_of_one_size_and_seed_are_served_alike_each_as_itself() -> None:
    """A hundred synthetic jobs of one size and seed share their labels in the fake's memory;
    each still answers with its own JobId, and other sizes or seeds with other labels."""
    fake = FakeRekognition()
    for job_id in ("job-1", "job-2"):
        fake.add_synthetic_job(job_id, detections=40, seed=3)
    fake.add_synthetic_job("job-3", detections=40, seed=4)
    fake.add_synthetic_job("job-4", detections=41, seed=3)
    lc = rl.LabelDetectionClient(fake.client)
    pages = {job_id: lc.get_all(job_id) for job_id in ("job-1", "job-2", "job-3", "job-4")}
    assert {job_id: page.job_id for job_id, page in pages.items()} == {
        job_id: job_id for job_id in pages
    }
    assert pages["job-1"].labels == pages["job-2"].labels
    assert pages["job-1"].labels != pages["job-3"].labels
    assert len(pages["job-4"].labels or []) == 41
    # Served as a lone job would be (request ids aside).
    alone = FakeRekognition()
    alone.add_synthetic_job("job-2", detections=40, seed=3)
    lone = rl.LabelDetectionClient(alone.client).get_all("job-2").to_boto3()
    shared = pages["job-2"].to_boto3()
    del lone["ResponseMetadata"], shared["ResponseMetadata"]
    assert lone == shared
