"""Wait for one job on a queue subscribed to its SNS topic, instead of polling every 5 s.

The fake Rekognition publishes the completion message to moto's SNS (``fake.publish_to``), and
a real SNS -> SQS subscription delivers it; ``fake.client`` works inside ``mock_aws``.
"""

import boto3
from moto import mock_aws

import rekolabels as rl
from rekolabels.testing import FakeRekognition

with mock_aws(), FakeRekognition() as fake:
    sns = boto3.client("sns", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    topic_arn = sns.create_topic(Name="AmazonRekognition-jobs")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="rekognition-jobs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])

    fake.publish_to(sns)  # jobs started with a NotificationChannel publish when they finish
    fake.configure_start(detections=120, in_progress_polls=0, in_progress_s=1.0)
    job_id = fake.client.start_label_detection(
        Video={"S3Object": {"Bucket": "videos", "Name": "street.mp4"}},
        NotificationChannel={
            "SNSTopicArn": topic_arn,
            "RoleArn": "arn:aws:iam::123456789012:role/RekognitionPublishes",
        },
    )["JobId"]

    lc = rl.LabelDetectionClient(fake.client)  # with AWS: rl.LabelDetectionClient()
    done = lc.wait_for_job(job_id, timeout_s=60, queue_url=queue_url, sqs_client=sqs)
    calls = sum(body.get("JobId") == job_id for body in fake.requests)
    print(done.job_status, "after", calls, "GetLabelDetection calls")
    assert (done.job_status, calls) == ("SUCCEEDED", 2)  # one poll at the start, one to confirm
    print(len(lc.get_all(job_id).labels or []), "labels")
