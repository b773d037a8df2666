"""Checkpoint at page boundaries and resume after a crash, losing and repeating nothing."""

import rekolabels as rl
from rekolabels.testing import FakeRekognition

fake = FakeRekognition()
fake.add_synthetic_job("job-1", detections=2345)
lc = rl.LabelDetectionClient(fake.client)

checkpoint: str | None = None  # keep this somewhere durable (a file, a database row)
handled = 0
for page in lc.iter_pages("job-1", max_results=500):
    handled += len(page.labels or [])  # handle the page...
    checkpoint = page.next_token  # ...then store where to continue
    if handled >= 1000:
        break  # pretend the process died here

# Later, in a new process: continue after the last page handled.
for page in lc.iter_pages("job-1", max_results=500, next_token=checkpoint):
    handled += len(page.labels or [])
    checkpoint = page.next_token
print(f"handled {handled} labels; checkpoint now {checkpoint}")
