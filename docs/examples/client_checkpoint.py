"""Checkpoint at page boundaries and resume after a crash, losing and repeating nothing."""

import rekolabels as rl
from rekolabels.testing import FakeRekognition

fake = FakeRekognition()
fake.add_synthetic_job("job-1", detections=2345)
lc = rl.LabelDetectionClient(fake.client)

checkpoint: str | None = None  # keep this somewhere durable (a file, a database row)
handled = 0
seen: list[rl.LabelDetection] = []
for page in lc.iter_pages("job-1", max_results=500):
    seen += page.labels or []  # handle the page...
    handled += len(page.labels or [])
    checkpoint = page.next_token  # ...then store where to continue
    if handled >= 1000:
        break  # pretend the process died here

# Later, in a new process: continue after the last page handled.
for page in lc.iter_pages("job-1", max_results=500, next_token=checkpoint):
    seen += page.labels or []
    handled += len(page.labels or [])
    checkpoint = page.next_token
print(f"handled {handled} labels; checkpoint now {checkpoint}")
assert seen == list(lc.iter_labels("job-1"))  # every label once, in order: nothing lost
assert checkpoint is None  # the last page has no NextToken
