"""Three ways to build a LabelDetectionClient (building one sends no request)."""

import boto3
from botocore.config import Config

import rekolabels as rl

# From the environment (region, credentials, profile), with botocore's retries off:
# rekolabels alone retries. Here the region is given so the example runs anywhere.
lc = rl.LabelDetectionClient.from_session(region_name="eu-west-1")

# A boto3 client you configured is used as is. Turn its retries off to keep one retry owner,
# or its budget and rekolabels' multiply.
mine = boto3.client(
    "rekognition", region_name="eu-west-1", config=Config(retries={"total_max_attempts": 1})
)
lc = rl.LabelDetectionClient(mine, retry=rl.RetryPolicy(max_attempts=5))

# From a session: a named profile, a local endpoint, your own timeouts.
session = boto3.Session(region_name="us-east-1")
lc = rl.LabelDetectionClient.from_session(
    session, endpoint_url="http://127.0.0.1:4566", config=Config(read_timeout=30)
)
print(lc)
assert lc.client.meta.region_name == "us-east-1"
assert lc.client.meta.endpoint_url == "http://127.0.0.1:4566"
assert lc.retry == rl.RetryPolicy()  # the default policy: 8 attempts
