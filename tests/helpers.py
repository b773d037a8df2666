"""Shared test helpers: recorded data and real boto3 clients whose socket is replaced."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import rekolabels as rl
from rekolabels.testing import FakeClock, FakeRekognition, http_response, new_client

DATA = Path(__file__).parent / "data"

RECORDINGS = sorted(p.name for p in DATA.glob("*.json"))
AWS_RECORDINGS = [
    "awscli-2019-samplevideo-inprogress-v2.json",
    "awscli-2019-samplevideo-succeeded-v2.json",
    "boto3-2023-grandtour720-timestamps-v3.json",
    "boto3-2024-kfir-tennis-page1-maxresults1-v3.json",
    "saved-2022-page1-nexttoken-v2.json",
]


# Faults the retry policy rides out, as FakeRekognition.inject spells them (timeouts aside: over
# HTTP each costs a read timeout, so the suites that want them add them).
RETRYABLE_FAULTS = [
    "ThrottlingException",
    "ThrottlingException:400",
    "ProvisionedThroughputExceededException",
    "InternalServerError",
    "InternalServerError:503",
    "connection",
    "truncated",
]


def read_all(client: Any, job_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every page of a job as boto3 returns them, following NextToken (at most 1000 pages)."""
    pages = []
    params: dict[str, Any] = {"JobId": job_id, **kwargs}
    for _ in range(1000):
        page = client.get_label_detection(**params)
        pages.append(dict(page))
        if "NextToken" not in page:
            return pages
        params["NextToken"] = page["NextToken"]
    raise AssertionError("more than 1000 pages")


def run_in_threads(
    work: Callable[[str], None], job_ids: Iterable[str], *, timeout_s: float = 60.0
) -> None:
    """Run ``work(job_id)`` on a thread per job; fail, never hang, if one does not finish."""
    threads = [threading.Thread(target=work, args=(job_id,), daemon=True) for job_id in job_ids]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout_s
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"still running after {timeout_s} s: {stuck}"


def load(name: str) -> Any:
    """A response from tests/data, as the JSON it was saved as."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def wire_body(response: dict[str, Any]) -> bytes:
    """The body AWS would send for a boto3 response dict (botocore adds ResponseMetadata)."""
    return json.dumps({k: v for k, v in response.items() if k != "ResponseMetadata"}).encode()


def via_boto3(body: bytes, status: int = 200) -> dict[str, Any]:
    """Send one GetLabelDetection through a real boto3 client that gets ``body`` back."""
    client = new_client()
    request_id = "11111111-2222-3333-4444-555555555555"

    def answer(**_: Any) -> Any:
        return http_response(status, body, {"x-amzn-RequestId": request_id})

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    result: dict[str, Any] = dict(client.get_label_detection(JobId="job-1"))
    return result


# -- a LabelDetectionClient under test, on the fake ------------------------------------------------

NO_WAIT = rl.RetryPolicy(initial_backoff_s=0, max_backoff_s=0)
# The dummy credentials of rekolabels.testing.new_client: never in a log, an error or a repr.
SECRETS = ("AKIAREKOLABELSTESTING", "rekolabels-testing-not-a-secret")


def option(client: Any, name: str) -> Any:
    """A botocore Config option of ``client`` (the stubs do not declare them as attributes)."""
    return getattr(client.meta.config, name)


def labels_of(n: int) -> list[dict[str, Any]]:
    """n distinct detections in TIMESTAMP order."""
    return [
        {"Timestamp": (i // 3) * 500, "Label": {"Name": f"L{i:05d}", "Confidence": 90.0}}
        for i in range(n)
    ]


def job(n: int) -> dict[str, Any]:
    """A recorded response's job-level fields with ``labels_of(n)``."""
    return {**load("boto3-2023-grandtour720-timestamps-v3.json"), "Labels": labels_of(n)}


def make(
    n: int = 2345, *, policy: rl.RetryPolicy = NO_WAIT, clock: FakeClock | None = None
) -> tuple[FakeRekognition, rl.LabelDetectionClient]:
    """A fake holding ``job-1`` of ``n`` labels, and a client on it."""
    fake = FakeRekognition()
    fake.add_job("job-1", job(n))
    return fake, rl.LabelDetectionClient(fake.client, retry=policy, clock=clock)
