"""Read every label of a job, page by page, through a LabelDetectionClient."""

import rekolabels as rl
from rekolabels.testing import FakeRekognition

# Offline stand-in for Rekognition; with AWS, use rl.LabelDetectionClient() instead.
fake = FakeRekognition()
fake.add_synthetic_job("job-1", detections=2345)
lc = rl.LabelDetectionClient(fake.client)

# Lazy: one page (at most 1000 labels) in memory at a time.
names: set[str] = set()
for detection in lc.iter_labels("job-1", sort_by="TIMESTAMP"):
    if detection.name is not None and detection.confidence and detection.confidence > 90:
        names.add(detection.name)
print("seen with confidence > 90%:", ", ".join(sorted(names)))
assert {"Car", "Person"} <= names

# Or everything at once: one merged response, labels concatenated, no NextToken.
whole = lc.get_all("job-1")
print(whole.job_status, len(whole.labels or []), "NextToken" in whole.to_boto3())
assert len(whole.labels or []) == 2345
assert whole.next_token is None
