"""Plain boto3 pages through a Rekognition Video job once rekolabels' data is registered."""

import boto3

import rekolabels as rl
from rekolabels.testing import FakeRekognition

# Dummy credentials and a fake in place of AWS: it answers in-process and checks none.
session = boto3.Session(
    aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
)
rl.register_botocore_data(session)  # first: before this session makes clients
client = session.client("rekognition")
fake = FakeRekognition()
fake.add_synthetic_job("job-1", detections=2345)
fake.attach(client)

paginator = client.get_paginator("get_label_detection")
pages = list(paginator.paginate(JobId="job-1", PaginationConfig={"PageSize": 500}))
labels = [detection for page in pages for detection in page["Labels"]]
assert [len(page["Labels"]) for page in pages] == [500, 500, 500, 500, 345]
assert "NextToken" not in pages[-1]

merged = paginator.paginate(JobId="job-1").build_full_result()  # every page, one dict
assert merged["Labels"] == labels
assert "NextToken" not in merged
print(len(pages), "pages,", len(labels), "labels; status", merged["JobStatus"])

# MaxItems stops part-way and hands back a resume token; StartingToken continues from it.
first = paginator.paginate(JobId="job-1", PaginationConfig={"MaxItems": 700}).build_full_result()
rest = paginator.paginate(JobId="job-1", PaginationConfig={"StartingToken": first["NextToken"]})
assert first["Labels"] + rest.build_full_result()["Labels"] == labels
print("resumed after", len(first["Labels"]), "labels")
