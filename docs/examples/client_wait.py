"""Wait for a job to finish, then read it."""

import rekolabels as rl
from rekolabels.testing import FakeRekognition

fake = FakeRekognition()
labels = [{"Timestamp": 0, "Label": {"Name": "Car", "Confidence": 97.5}}]
fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": labels}, in_progress_polls=2)
fake.add_job("job-2", {"JobStatus": "FAILED", "StatusMessage": "Video is corrupt."})
lc = rl.LabelDetectionClient(fake.client)

done = lc.wait_for_job("job-1", timeout_s=60.0, poll_interval_s=0.01)
print(done.job_status, "after", fake.request_count, "polls")
assert done.job_status == rl.VideoJobStatus.SUCCEEDED
assert fake.request_count == 3  # IN_PROGRESS twice, then SUCCEEDED

reason = None
try:
    lc.wait_for_job("job-2", timeout_s=60.0, poll_interval_s=0.01)
except rl.JobFailedError as exc:
    print("failed:", exc.status_message)
    reason = exc.status_message
assert reason == "Video is corrupt."
