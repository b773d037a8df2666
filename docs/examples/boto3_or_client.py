"""Where a plain boto3 paginator and LabelDetectionClient part ways: the checks."""

import boto3

import rekolabels as rl
from rekolabels.testing import FakeRekognition

session = boto3.Session(
    aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
)
rl.register_botocore_data(session)
client = session.client("rekognition")
fake = FakeRekognition()
fake.add_synthetic_job("job-1", detections=2345)
fake.add_job("busy", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=100)
fake.attach(client)
paginator = client.get_paginator("get_label_detection")
lc = rl.LabelDetectionClient(client, retry=rl.RetryPolicy(initial_backoff_s=0.01))

# A job still running: the paginator reads one page with no labels and says nothing.
assert paginator.paginate(JobId="busy").build_full_result()["Labels"] == []
try:
    lc.get_all("busy")
    raise AssertionError("an unfinished job must raise")
except rl.JobInProgressError as e:
    print("LabelDetectionClient:", e)

# A page cut short on the wire: botocore reads it as an empty page, so the paginator stops there.
fake.inject([None, "truncated"])
cut = paginator.paginate(JobId="job-1").build_full_result()
assert len(cut["Labels"]) == 1000  # of 2345, and no error
fake.inject([None, "truncated"])
whole = lc.get_all("job-1")  # the unreadable page is retried
assert len(whole.labels) == 2345
print("paginator:", len(cut["Labels"]), "labels; LabelDetectionClient:", len(whole.labels))
