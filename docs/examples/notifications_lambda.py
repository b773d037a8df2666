"""Lambda functions that read every finished job: fed by the SNS topic, or by an SQS queue."""

import json

import rekolabels as rl
from rekolabels.testing import FakeRekognition

fake = FakeRekognition()
lc = rl.LabelDetectionClient(fake.client)  # in Lambda: rl.LabelDetectionClient()


def on_sns(event, context):
    """Subscribed to the topic: every record is one notification."""
    for note in rl.VideoJobNotification.from_lambda_event(event):
        if note.status == rl.NotificationStatus.SUCCEEDED:
            names = sorted({d.name for d in lc.iter_labels(note.job_id)})
            print(f"{note.video.s3_object_name}: {names}")
        else:
            print(f"{note.video.s3_object_name}: {note.status}")


def on_sqs(event, context):
    """Fed by a queue (ReportBatchItemFailures on): only the records that failed come back."""
    failures = []
    for record in event["Records"]:
        try:
            note = rl.VideoJobNotification.from_sqs_body(record["body"])
            print(note.job_id, note.status, len(lc.get_all(note.job_id).labels or []), "labels")
        except rl.RekolabelsError as exc:  # not a notification, or the job cannot be read
            print("will retry", record["messageId"], type(exc).__name__)
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


if __name__ == "__main__":
    # Two finished jobs, and what their notifications look like on the way in.
    labels = [{"Timestamp": 0, "Label": {"Name": "Car", "Confidence": 97.5}}]
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": labels})
    message = {
        "JobId": "job-1",
        "Status": "SUCCEEDED",
        "API": "StartLabelDetection",
        "Timestamp": 1715673931512,
        "Video": {"S3ObjectName": "street.mp4", "S3Bucket": "videos"},
    }
    failed = {**message, "JobId": "job-2", "Status": "FAILED"}
    envelope = {
        "Type": "Notification",
        "TopicArn": "arn:aws:sns:...",
        "Message": json.dumps(message),
    }

    sns_event = {
        "Records": [
            {"EventSource": "aws:sns", "Sns": {"Message": json.dumps(m)}} for m in (message, failed)
        ]
    }
    on_sns(sns_event, None)

    sqs_event = {
        "Records": [
            {"messageId": "m-1", "eventSource": "aws:sqs", "body": json.dumps(envelope)},
            {"messageId": "m-2", "eventSource": "aws:sqs", "body": json.dumps(message)},  # raw
            {"messageId": "m-3", "eventSource": "aws:sqs", "body": "not a notification"},
        ]
    }
    assert on_sqs(sqs_event, None) == {"batchItemFailures": [{"itemIdentifier": "m-3"}]}
