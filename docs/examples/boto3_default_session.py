"""The two lines for plain boto3: register on boto3's default session, then page or wait."""

import boto3

import rekolabels as rl

rl.register_botocore_data()  # first: boto3's default session, the one boto3.client() uses
client = boto3.client("rekognition", region_name="us-east-1")

paginator = client.get_paginator("get_label_detection")  # and the seven other Video Gets
waiter = client.get_waiter("label_detection_complete")
assert all(client.can_paginate(name) for name in ("get_face_search", "get_text_detection"))
print(type(paginator).__name__, "and", type(waiter).__name__)
