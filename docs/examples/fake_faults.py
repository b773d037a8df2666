"""Prove your reader survives faults: a schedule per call, or seeded random rates."""

import rekolabels as rl
from rekolabels.testing import FakeRekognition

fake = FakeRekognition(seed=7)
fake.add_synthetic_job("job-1", detections=2345)
no_wait = rl.RetryPolicy(max_attempts=4, initial_backoff_s=0, max_backoff_s=0)
lc = rl.LabelDetectionClient(fake.client, retry=no_wait)

# One entry per coming call: three failures, then the first page; the rest are served.
fake.inject(["ThrottlingException", "connection", "truncated", None])
assert len(list(lc.iter_labels("job-1"))) == 2345
print("schedule:", fake.fault_counts, "in", fake.request_count, "calls")
assert fake.fault_counts == {"ThrottlingException": 1, "connection": 1, "truncated": 1}
assert fake.request_count == 6  # 3 failures + 3 pages of 1000

# Beyond the budget: a typed error, never a silent partial result.
fake.inject(["InternalServerError"] * 4)
gave_up = None
try:
    list(lc.iter_labels("job-1"))
except rl.InternalServiceError as exc:
    print("gave up:", exc.code, exc.http_status)
    gave_up = (exc.code, exc.http_status)
assert gave_up == ("InternalServerError", 500)  # 4 failures exhaust max_attempts=4

# Random faults, the same ones on every run for the same seed.
fake.fault_rate(throttling=0.2, provisioned=0.05, drop=0.05, truncated=0.05)
patient = rl.RetryPolicy(max_attempts=20, initial_backoff_s=0, max_backoff_s=0)
lc = rl.LabelDetectionClient(fake.client, retry=patient)
assert len(list(lc.iter_labels("job-1", max_results=100))) == 2345
print("rates:", fake.fault_counts)
assert fake.fault_counts["ThrottlingException"] > 1
fake.close()
