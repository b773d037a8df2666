"""Test a wait without waiting: a FakeClock's sleeps advance its time at once."""

import rekolabels as rl
from rekolabels.testing import FakeClock, FakeRekognition

fake = FakeRekognition()
fake.add_synthetic_job("job-1", detections=10, in_progress_polls=3)
clock = FakeClock()
lc = rl.LabelDetectionClient(fake.client, clock=clock)

done = lc.wait_for_job("job-1", timeout_s=900, poll_interval_s=60)
assert done.job_status == rl.VideoJobStatus.SUCCEEDED
assert clock.sleeps == [60, 60, 60]  # three polls IN_PROGRESS, three minutes of fake time
print(done.job_status, "after", clock.sleeps)
