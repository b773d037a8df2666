"""The shared token bucket's arithmetic, on a FakeClock: burst, pace, AIMD, the quota envelope."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rekolabels._bucket import CLIMB_PER_S, CUT_EVERY_S, MIN_RATE, TokenBucket
from rekolabels.testing import FakeClock


def _until(rate: float, climb: float, tokens: float) -> float:
    """When a rate climbing from ``rate`` by ``climb`` per second has brought ``tokens`` (by
    bisection: a check independent of the bucket's closed form)."""
    lo, hi = 0.0, 1e6
    for _ in range(200):
        mid = (lo + hi) / 2
        if rate * mid + climb * mid * mid / 2 < tokens:
            lo = mid
        else:
            hi = mid
    return hi


def test_a_full_bucket_gives_half_a_second_at_once_then_one_token_per_period() -> None:
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(30, clock=clock)
    assert bucket.burst == 15
    times = [bucket.take() for _ in range(45)]
    assert times[:15] == [0.0] * 15
    # Reservations: the k-th token past the burst is usable k / tps later, in order.
    assert times[15:] == pytest.approx([k / 30 for k in range(1, 31)])


def test_the_burst_is_at_least_one_token_and_at_most_a_second() -> None:
    assert TokenBucket(0.5, clock=FakeClock()).burst == 1.0
    assert TokenBucket(4, clock=FakeClock(), burst=4).burst == 4
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(4, clock=FakeClock(), burst=5)
    for tps in (0, -1, math.inf, math.nan):
        with pytest.raises(ValueError, match="tps"):
            TokenBucket(tps, clock=FakeClock())


def test_refill_is_capped_at_the_burst() -> None:
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(10, clock=clock)
    for _ in range(5):
        bucket.take()
    clock.advance(3600)
    assert [bucket.take() for _ in range(6)] == [3600.0] * 5 + [pytest.approx(3600.1)]


def test_a_token_given_back_is_the_next_one_out() -> None:
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(10, clock=clock, burst=1)
    assert bucket.take() == 0.0
    assert bucket.take() == pytest.approx(0.1)
    bucket.give_back()  # its caller stopped waiting
    assert bucket.take() == pytest.approx(0.1)


def test_a_throttle_empties_the_bucket_and_halves_the_rate_once_a_second() -> None:
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(20, clock=clock)
    bucket.throttled()
    assert bucket.rate == 10
    # Calls in flight come back throttled too: within CUT_EVERY_S they cut nothing more.
    bucket.throttled()
    clock.advance(CUT_EVERY_S / 2)
    bucket.throttled()
    # Climbing back by CLIMB_PER_S of the rate it was cut from (20) per second.
    assert bucket.rate == pytest.approx(10 + 20 * CLIMB_PER_S * CUT_EVERY_S / 2)
    # Empty: the next token comes when the climbing rate has paid for one.
    now = clock.monotonic()
    assert bucket.take() == pytest.approx(now + _until(bucket.rate, 20 * CLIMB_PER_S, 1.0))
    clock.advance(CUT_EVERY_S / 2)
    rate = bucket.rate
    bucket.throttled()
    assert bucket.rate == pytest.approx(rate / 2)


def test_the_rate_climbs_back_linearly_to_tps() -> None:
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(8, clock=clock)
    bucket.throttled()
    assert bucket.rate == 4
    clock.advance(1.0)
    assert bucket.rate == pytest.approx(4 + 8 * CLIMB_PER_S)
    clock.advance(10.0)
    assert bucket.rate == 8


def test_tokens_while_climbing_are_the_integral_of_the_rate() -> None:
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(10, clock=clock, burst=10)
    bucket.throttled()  # rate 5, level 0
    clock.advance(0.5)
    # 0.5 s climbing from 5 at 2.5 per second: 2.5 + 0.3125 tokens.
    assert [bucket.take() for _ in range(2)] == [0.5, 0.5]
    assert bucket.take() == pytest.approx(0.5 + _until(6.25, 2.5, 1 - 0.8125))
    # Past the climb, the rest of the interval comes at tps.
    clock2 = FakeClock(start=0.0)
    bucket2 = TokenBucket(10, clock=clock2, burst=10)
    bucket2.throttled()
    clock2.advance(2.1)  # 2 s climbing (15 tokens), 0.1 s at 10: 16 in all, capped at 10
    assert bucket2.rate == 10
    assert [bucket2.take() for _ in range(10)] == [2.1] * 10


def test_throttled_every_second_the_rate_comes_down_to_the_floor() -> None:
    """A tps far above the real quota: the climb is relative to the rate that failed, so each
    round ends lower (3/4 of the one before) and the rate reaches the floor, never below."""
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(100, clock=clock)
    before_cuts = []
    for _ in range(40):
        before_cuts.append(bucket.rate)
        bucket.throttled()
        clock.advance(CUT_EVERY_S)
    assert before_cuts[1] == pytest.approx(75)
    assert before_cuts[2] == pytest.approx(75 * 0.75)
    assert all(b <= a for a, b in itertools.pairwise(before_cuts))
    clock.advance(0)
    bucket.throttled()
    assert bucket.rate == MIN_RATE
    slow = TokenBucket(0.05, clock=FakeClock())
    slow.throttled()
    assert slow.rate == 0.05  # a tps below the floor is the floor


# One step of a random run: take a token, let time pass, or a throttle comes back.
_steps = st.lists(
    st.one_of(
        st.just(("take", 0.0)),
        st.tuples(st.just("advance"), st.floats(0.0, 3.0)),
        st.just(("throttled", 0.0)),
    ),
    max_size=200,
)


@settings(max_examples=150, deadline=None)
@given(tps=st.floats(0.5, 200.0), steps=_steps)
def test_no_window_ever_gets_more_than_the_burst_plus_tps_times_its_length(
    tps: float, steps: list[tuple[str, float]]
) -> None:
    """The quota's envelope: whatever the throttles and the timing, the tokens usable in any
    window [a, b] are at most burst + tps * (b - a), and each token is usable no earlier than
    it was asked for, in the order asked."""
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(tps, clock=clock)
    granted: list[float] = []
    for op, dt in steps:
        if op == "take":
            now = clock.monotonic()
            at = bucket.take()
            assert at >= now
            granted.append(at)
        elif op == "advance":
            clock.advance(dt)
        else:
            bucket.throttled()
        assert bucket.min_rate <= bucket.rate <= tps
    assert granted == sorted(granted)
    for i in range(len(granted)):
        for j in range(i, len(granted)):
            count = j - i + 1
            assert count <= bucket.burst + tps * (granted[j] - granted[i]) + 1e-6


@settings(max_examples=50, deadline=None)
@given(tps=st.floats(0.5, 200.0), n=st.integers(1, 300))
def test_without_throttles_n_tokens_take_exactly_the_time_the_quota_allows(
    tps: float, n: int
) -> None:
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(tps, clock=clock)
    last = max(bucket.take() for _ in range(n))
    assert last == pytest.approx(max(0.0, n - bucket.burst) / tps, abs=1e-9)
