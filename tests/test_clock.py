"""rekolabels.testing.FakeClock: sleeping advances its time, nothing really sleeps."""

from __future__ import annotations

import time

import pytest

import rekolabels as rl
from rekolabels.testing import FakeClock, FakeRekognition


def test_sleeping_advances_the_time_at_once() -> None:
    clock = FakeClock(start=5.0)
    assert clock.monotonic() == 5.0
    started = time.monotonic()
    clock.sleep(3600)
    clock.sleep(0.25)
    assert time.monotonic() - started < 1
    assert clock.monotonic() == 3605.25
    assert clock.sleeps == [3600, 0.25]


def test_advance_moves_time_without_a_sleep() -> None:
    clock = FakeClock()
    clock.advance(7)
    assert clock.monotonic() == 1007.0
    assert clock.sleeps == []


@pytest.mark.parametrize("method", ["sleep", "advance"])
def test_time_never_goes_back(method: str) -> None:
    clock = FakeClock()
    with pytest.raises(ValueError, match="-1"):
        getattr(clock, method)(-1)
    assert clock.monotonic() == 1000.0


def test_a_client_waits_on_it_in_no_time() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=5, in_progress_polls=10)
    clock = FakeClock()
    lc = rl.LabelDetectionClient(fake.client, clock=clock)
    started = time.monotonic()
    done = lc.wait_for_job("job-1", timeout_s=3600, poll_interval_s=60)
    assert time.monotonic() - started < 10
    assert done.job_status == "SUCCEEDED"
    assert clock.sleeps == [60] * 10
    assert clock.monotonic() == 1000.0 + 600
