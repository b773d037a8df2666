"""``rekolabels demo``: the whole SDK against the fake on loopback, in a few seconds.

No AWS account and no network: the fake serves on 127.0.0.1, the boto3 client has dummy
credentials (the user's are never read), and everything else is the real code path: boto3's
StartLabelDetection, ``wait_for_job``, and every page read over HTTP through
``LabelDetectionClient`` while the fake throttles, with each retry printed as it happens.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from ._cli._common import read_command
from ._client import LabelDetectionClient, merge_pages
from ._console import retries_shown
from ._models import GetLabelDetectionResponse
from ._retry import RetryPolicy
from .testing import FakeRekognition, new_client

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["run_demo"]

_BUCKET = "rekolabels-demo"
_VIDEO = "city-walk.mp4"
_DETECTIONS = 2345
_PAGE_SIZE = 400
# Throttling as AWS sends it (500 and 400 flavours), one cut body, and a burst on one page.
_FAULTS = [
    None, "ThrottlingException", None, "ThrottlingException:400", "ThrottlingException",
    None, "truncated", None, "ProvisionedThroughputExceededException", None,
]  # fmt: skip
# Short waits keep the demo quick; the shape (exponential, full jitter, capped) is the default.
_RETRY = RetryPolicy(max_attempts=6, initial_backoff_s=0.05, max_backoff_s=0.4)
_NEXT_PORT = 8000
"""The port of the fake-server the demo's closing lines suggest (the docs' examples use it)."""


def run_demo(console: Console, out_dir: Path, *, draw: bool) -> GetLabelDetectionResponse:
    """Run the demo, printing to ``console``; write ``out_dir/timeline.png`` if ``draw``."""
    from ._report import print_summary, write_timeline

    started = time.monotonic()
    console.rule("[bold]rekolabels demo")
    console.print("A fake Rekognition Video on loopback: no AWS account, no network.\n")
    with FakeRekognition(seed=7) as fake:
        fake.configure_start(detections=_DETECTIONS, in_progress_polls=2)
        url = fake.serve(port=0)
        console.print(f"[bold]1.[/] Fake Rekognition listening on [cyan]{url}[/]")

        boto3_client = new_client(endpoint_url=url)
        started_job = boto3_client.start_label_detection(
            Video={"S3Object": {"Bucket": _BUCKET, "Name": _VIDEO}}, MinConfidence=50.0
        )
        job_id = started_job["JobId"]
        console.print(
            f"[bold]2.[/] boto3 StartLabelDetection on s3://{_BUCKET}/{_VIDEO}\n"
            f"    JobId [cyan]{job_id[:16]}…[/]"
        )

        lc = LabelDetectionClient(boto3_client, retry=_RETRY)
        with console.status("Waiting for the job…"):
            done = lc.wait_for_job(job_id, timeout_s=20.0, poll_interval_s=0.2)
        console.print(f"[bold]3.[/] wait_for_job: [green]{done.job_status}[/]")

        console.print(
            f"[bold]4.[/] Reading every page ({_PAGE_SIZE} labels each) over HTTP, "
            "while the fake throttles:"
        )
        fake.inject(_FAULTS)
        pages: list[GetLabelDetectionResponse] = []
        total = 0
        with retries_shown(console, indent="    "):
            for page in lc.iter_pages(job_id, max_results=_PAGE_SIZE):
                pages.append(page)
                total += len(page.labels or [])
                console.print(
                    f"    page {len(pages)}: {len(page.labels or [])} labels "
                    f"[dim](total {total})[/]",
                    highlight=False,
                )
        # What the fake served, not what was scheduled: the two agree only if every call came.
        faults = sum(n for kind, n in fake.fault_counts.items() if kind != "latency")
        console.print(
            f"    [green]✓[/] {len(pages)} pages, {total} labels; {faults} injected faults "
            "retried,\n      nothing lost, nothing repeated\n"
        )

    whole = merge_pages(pages)
    console.print("[bold]5.[/] Per-label summary (segments and estimated screen time):")
    print_summary(whole, console, top=15)
    if draw:
        out = out_dir / "timeline.png"
        rows = write_timeline(whole, out, top=20)
        console.print(f"[bold]6.[/] Timeline of the top {rows} labels: [cyan]{out}[/]")
    else:
        console.print(
            "[bold]6.[/] No timeline: it needs the plot extra:\n"
            "    pip install 'rekolabels\\[plot]'",
            highlight=False,
        )
    console.print(
        f"\nDone in {time.monotonic() - started:.1f} s. Server closed.\n"
        f"Next, in one terminal:  [bold]rekolabels fake-server --port {_NEXT_PORT} "
        "--synthetic job-1=2345[/]\n"
        f"in another:  [bold]{read_command(f'http://127.0.0.1:{_NEXT_PORT}', 'job-1')}[/]",
        highlight=False,
        soft_wrap=True,  # a command to copy stays on one line, whatever the terminal width
    )
    return whole
