"""An SQS worker: read every job whose completion notification reaches the queue.

moto stands in for SNS and SQS here, and the fake Rekognition on loopback HTTP for Rekognition;
with AWS, pass your queue's URL, build the clients from your environment and drop mock_aws.
"""

import boto3
from moto import mock_aws

import rekolabels as rl
from rekolabels.testing import FakeRekognition, new_client

fake = FakeRekognition()
lc = rl.LabelDetectionClient(
    new_client(endpoint_url=fake.serve())
)  # AWS: rl.LabelDetectionClient()


def work(queue_url, sqs, idle_timeout_s=None):
    """Handle each notification; a crash here leaves its message on the queue, for a retry."""
    done = []
    for note in rl.iter_notifications(queue_url, sqs_client=sqs, idle_timeout_s=idle_timeout_s):
        if note.status != rl.NotificationStatus.SUCCEEDED:
            print(f"{note.job_id}: {note.status}")
            continue
        whole = lc.get_all(note.job_id)
        print(f"{note.job_id}: {len(whole.labels or [])} labels in {note.video.s3_object_name}")
        done.append(note.job_id)
    return done


if __name__ == "__main__":
    with fake, mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        topic_arn = sns.create_topic(Name="AmazonRekognition-jobs")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="rekognition-jobs")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
        sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"]
        )

        # Two jobs whose completion messages the fake publishes, as Rekognition would.
        fake.publish_to(sns)
        fake.configure_start(detections=300, in_progress_polls=0)
        channel = {
            "SNSTopicArn": topic_arn,
            "RoleArn": "arn:aws:iam::123456789012:role/RekognitionPublishes",
        }
        jobs = [
            fake.client.start_label_detection(
                Video={"S3Object": {"Bucket": "videos", "Name": name}}, NotificationChannel=channel
            )["JobId"]
            for name in ("street.mp4", "tennis.mov")
        ]
        sqs.send_message(QueueUrl=queue_url, MessageBody="not a notification")  # logged, left

        # A real worker runs without idle_timeout_s; here, stop once the queue stays empty.
        assert sorted(work(queue_url, sqs, idle_timeout_s=2)) == sorted(jobs)
