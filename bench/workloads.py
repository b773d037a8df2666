"""Workloads that bench/run.py runs in a fresh interpreter each, against the loopback fake.

Usage: ``python bench/workloads.py NAME URL JOB_ID``; prints one JSON object on stdout (except
the ``raw-jsonl`` / ``raw-json`` writers, whose output is the document itself). Each baseline is
what a user writes without rekolabels, in as few lines as boto3 allows. Dummy credentials and
the region come from the environment (``harness.DUMMY_ENV``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from harness import peak_rss_above_baseline


def _boto3_client(url: str) -> Any:
    import boto3
    from botocore.config import Config

    # botocore's retries off on both sides: the fake never throttles here.
    return boto3.client(
        "rekognition", endpoint_url=url, config=Config(retries={"total_max_attempts": 1})
    )


def _rekolabels_client(url: str) -> Any:
    import rekolabels as rl

    return rl.LabelDetectionClient(_boto3_client(url))


def raw_keep(url: str, job_id: str) -> dict[str, Any]:
    """A raw boto3 NextToken loop keeping every label dict (what get_all replaces)."""
    client = _boto3_client(url)
    labels: list[dict[str, Any]] = []
    params: dict[str, Any] = {"JobId": job_id}
    while True:
        page = client.get_label_detection(**params)
        labels.extend(page["Labels"])
        token = page.get("NextToken")
        if not token:
            break
        params["NextToken"] = token
    return {"labels": len(labels)}


def get_all(url: str, job_id: str) -> dict[str, Any]:
    """rekolabels' get_all, the merged response kept until the end."""
    whole = _rekolabels_client(url).get_all(job_id)
    return {"labels": len(whole.labels or ())}


def _peak(work: Callable[[Any, str], object], url: str, job_id: str) -> dict[str, Any]:
    lc = _rekolabels_client(url)
    lc.get_page(job_id, max_results=10)  # warm: imports, validators, connection
    return {"peak_bytes": peak_rss_above_baseline(lambda: work(lc, job_id))}


def _iterate(lc: Any, job_id: str) -> int:
    count = 0
    for _ in lc.iter_labels(job_id):
        count += 1
    return count


def peak_iter(url: str, job_id: str) -> dict[str, Any]:
    """Peak RSS above baseline while iterating every label of the job (P2's A)."""
    return _peak(_iterate, url, job_id)


def peak_page(url: str, job_id: str) -> dict[str, Any]:
    """Peak RSS above baseline while fetching one page of it, kept (P2's B)."""
    return _peak(lambda lc, job: lc.get_page(job), url, job_id)


def raw_jsonl(url: str, job_id: str) -> None:
    """The raw boto3 script the CLI's ``--output jsonl`` is measured against: same lines."""
    client = _boto3_client(url)
    params: dict[str, Any] = {"JobId": job_id}
    while True:
        page = client.get_label_detection(**params)
        for label in page["Labels"]:
            sys.stdout.write(json.dumps(label, ensure_ascii=False, separators=(",", ":")) + "\n")
        token = page.get("NextToken")
        if not token:
            return
        params["NextToken"] = token


def raw_json(url: str, job_id: str) -> None:
    """The raw boto3 script for ``--output json``: the whole job held, then one document, as
    the AWS CLI prints it (indent 4)."""
    client = _boto3_client(url)
    params: dict[str, Any] = {"JobId": job_id}
    labels: list[dict[str, Any]] = []
    first: dict[str, Any] | None = None
    while True:
        page = client.get_label_detection(**params)
        first = first or page
        labels.extend(page["Labels"])
        token = page.get("NextToken")
        if not token:
            break
        params["NextToken"] = token
    skip = ("NextToken", "ResponseMetadata", "Labels")
    document = {**{k: v for k, v in first.items() if k not in skip}, "Labels": labels}
    json.dump(document, sys.stdout, indent=4, ensure_ascii=False)
    sys.stdout.write("\n")


WRITERS: dict[str, Callable[[str, str], None]] = {"raw-jsonl": raw_jsonl, "raw-json": raw_json}

WORKLOADS: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "raw-keep": raw_keep,
    "get-all": get_all,
    "peak-iter": peak_iter,
    "peak-page": peak_page,
}


def main(argv: list[str]) -> int:
    name, url, job_id = argv
    if name in WRITERS:
        WRITERS[name](url, job_id)
    else:
        print(json.dumps(WORKLOADS[name](url, job_id)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
