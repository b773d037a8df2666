"""Plain boto3 waits for a label detection job with the LabelDetectionComplete waiter."""

import boto3
from botocore.exceptions import WaiterError

import rekolabels as rl
from rekolabels.testing import FakeRekognition

session = boto3.Session(
    aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
)
rl.register_botocore_data(session)
client = session.client("rekognition")
fake = FakeRekognition()
fake.add_synthetic_job("done", detections=100)
fake.add_job("slow", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=2)
fake.add_job("broken", {"JobStatus": "FAILED", "StatusMessage": "Unable to access the video"})
fake.attach(client)

waiter = client.get_waiter("label_detection_complete")
# Against AWS keep the defaults (a poll every 10 s, an hour in all); the fake needs no patience.
fast = {"Delay": 0.01, "MaxAttempts": 5}
waiter.wait(JobId="done", MaxResults=1, WaiterConfig=fast)  # MaxResults=1: a light poll
waiter.wait(JobId="slow", MaxResults=1, WaiterConfig=fast)  # two IN_PROGRESS polls, then done
assert len(fake.requests) == 1 + 3
try:
    waiter.wait(JobId="broken", MaxResults=1, WaiterConfig=fast)
except WaiterError as e:
    last = e.last_response  # the response that decided
else:
    raise AssertionError("a FAILED job must fail the wait")
assert last["JobStatus"] == "FAILED"
print("FAILED:", last["StatusMessage"])
