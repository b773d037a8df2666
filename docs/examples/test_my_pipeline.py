"""A user's test: the code under test pages through the fake with a real boto3 client.

Run it with pytest; the ``rekognition_fake`` fixture comes with rekolabels (no conftest needed).
"""

from collections import Counter

import rekolabels as rl

# A response as boto3 returned it (cut down here; load your own recordings from files).
RECORDED = {
    "JobStatus": "SUCCEEDED",
    "VideoMetadata": {"Codec": "h264", "DurationMillis": 1001, "FrameRate": 23.976},
    "LabelModelVersion": "3.0",
    "Labels": [
        {"Timestamp": 0, "Label": {"Name": "Car", "Confidence": 95.1}},
        {"Timestamp": 0, "Label": {"Name": "Vehicle", "Confidence": 95.1}},
        {"Timestamp": 500, "Label": {"Name": "Car", "Confidence": 93.8}},
        {"Timestamp": 1001, "Label": {"Name": "Person", "Confidence": 88.2}},
    ],
}


def count_labels(boto3_client, job_id):
    """The code under test: how often each label was seen in a job."""
    labels = rl.LabelDetectionClient(boto3_client).iter_labels(job_id, max_results=2)
    return Counter(det.name for det in labels)


def test_my_pipeline(rekognition_fake):
    rekognition_fake.add_job("job-1", RECORDED)
    boto3_client = rekognition_fake.client  # a real boto3 client, answered in-process
    assert count_labels(boto3_client, "job-1") == {"Car": 2, "Vehicle": 1, "Person": 1}
    assert len(rekognition_fake.requests) == 2  # two pages of two labels


def test_my_pipeline_rides_out_throttling(rekognition_fake):
    rekognition_fake.add_synthetic_job("job-2", detections=2345)
    rekognition_fake.inject(["ThrottlingException", None, "InternalServerError"])
    lc = rl.LabelDetectionClient(
        rekognition_fake.client, retry=rl.RetryPolicy(initial_backoff_s=0, max_backoff_s=0)
    )
    assert len(list(lc.iter_labels("job-2"))) == 2345
