"""Catch what you act on; everything rekolabels raises is a RekolabelsError."""

import logging

import rekolabels as rl
from rekolabels.testing import FakeRekognition

log = logging.getLogger("my-pipeline")
fake = FakeRekognition()
fake.add_synthetic_job("job-1", detections=300)
fake.inject(["ThrottlingException"] * 3)  # throttled on every call of the budget
lc = rl.LabelDetectionClient(fake.client, retry=rl.RetryPolicy(max_attempts=3, initial_backoff_s=0))

caught = {}
for job_id in ("job-1", "no-such-job"):
    try:
        whole = lc.get_all(job_id)
    except rl.ThrottledError as exc:
        print(f"{job_id}: still throttled: {exc.code} (request id {exc.request_id})")
        caught[job_id] = exc
    except rl.JobNotFoundError as exc:
        print(f"{job_id}: no such job ({exc.code}, HTTP {exc.http_status})")
        caught[job_id] = exc
    except rl.RekolabelsError as exc:  # anything else: service, job, timeout, unreadable
        log.error("reading %s failed: %s", job_id, exc)

assert caught["job-1"].code == "ThrottlingException"
assert caught["job-1"].request_id
assert caught["no-such-job"].http_status == 400
assert isinstance(caught["no-such-job"], rl.ServiceError)  # both are ServiceErrors
