"""Retries: throttling and dropped connections are retried; the log says why."""

import logging

import rekolabels as rl
from rekolabels.testing import FakeRekognition

logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")

fake = FakeRekognition()
fake.add_synthetic_job("job-1", detections=1500)
# The next three calls fail; each is retried with the same NextToken.
fake.inject(["ThrottlingException", "connection", "truncated"])
lc = rl.LabelDetectionClient(
    fake.client, retry=rl.RetryPolicy(max_attempts=5, initial_backoff_s=0.01, max_backoff_s=0.1)
)
count = sum(1 for _ in lc.iter_labels("job-1"))
print(count, "labels after", fake.request_count, "calls")
assert count == 1500  # every label once, in order: the retries lost and repeated nothing
assert fake.request_count == 5  # 2 pages of 1000 + 3 retries

# Exhausted: still throttled after max_attempts calls.
fake.inject(["ThrottlingException"] * 5)
try:
    lc.get_page("job-1")
except rl.ThrottledError as exc:
    print(f"gave up: {exc.code}, HTTP {exc.http_status}, request id {exc.request_id}")
assert len(fake.requests) == 5 + 5  # exactly max_attempts calls for that page

# Not retried: the answer would not change.
try:
    lc.get_page("no-such-job")
except rl.JobNotFoundError as exc:
    print("not found:", exc.code)
assert len(fake.requests) == 5 + 5 + 1  # never retried
