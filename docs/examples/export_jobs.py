"""Export a fleet of jobs into a dataset, against a fake Rekognition metering an account quota."""

import tempfile
from pathlib import Path

import rekolabels as rl
from rekolabels.testing import FakeRekognition

videos = [f"video-{n}" for n in range(6)]
with FakeRekognition() as fake, tempfile.TemporaryDirectory() as tmp:
    for n, job_id in enumerate(videos):
        fake.add_synthetic_job(job_id, detections=2500, seed=n)  # 3 pages of 1,000 each
    fake.quota(tps=20)  # the account's GetLabelDetection quota: 20 calls a second, all jobs
    lc = rl.LabelDetectionClient(fake.client)
    out = Path(tmp) / "dataset"

    # Four jobs at a time, every call taking a token from one bucket of 20 a second.
    report = rl.export_jobs(videos, out, client=lc, format="jsonl", concurrency=4, tps=20)
    print(f"{len(report.done)} jobs, {report.pages} pages, {report.labels:,} labels, "
          f"{report.throttled} throttled")  # fmt: skip
    assert report.done == videos
    assert report.labels == 6 * 2500
    assert report.throttled == 0  # paced at the quota: never throttled

    # One Hive partition per job; files starting with "_" are not data to any engine.
    for path in sorted((out / "job_id=video-0").iterdir()):
        print(path.relative_to(out))

    # Run again: every job is finished with the same options, so nothing is read or written.
    again = rl.export_jobs(videos, out, client=lc, format="jsonl", tps=20)
    print("skipped:", len(again.skipped), "read:", again.pages)
    assert again.skipped == videos
    assert again.pages == 0
