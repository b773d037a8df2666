"""FakeRekognition: test code that calls GetLabelDetection, offline, through real boto3."""

from rekolabels.testing import FakeRekognition

fake = FakeRekognition(seed=0)
fake.add_synthetic_job("job-1", detections=25)
fake.add_job("job-2", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1)


def count_labels(client, job_id):  # the code under test: a plain boto3 NextToken loop
    total, kwargs = 0, {"JobId": job_id, "MaxResults": 10}
    while True:
        page = client.get_label_detection(**kwargs)
        total += len(page["Labels"])
        if "NextToken" not in page:
            return total
        kwargs["NextToken"] = page["NextToken"]


assert count_labels(fake.client, "job-1") == 25
assert [r.get("MaxResults") for r in fake.requests] == [10, 10, 10]

fake.inject(["ThrottlingException", None])  # next call throttled, the one after served
try:
    fake.client.get_label_detection(JobId="job-1")
except fake.client.exceptions.ThrottlingException:
    print("throttled as AWS would:", fake.client.get_label_detection(JobId="job-1")["JobStatus"])
else:
    raise AssertionError("the injected ThrottlingException reaches boto3's caller")

statuses = [fake.client.get_label_detection(JobId="job-2")["JobStatus"] for _ in range(2)]
print(*statuses, sep="\n")
assert statuses == ["IN_PROGRESS", "SUCCEEDED"]
