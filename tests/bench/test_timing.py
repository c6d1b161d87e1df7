import time

import pytest

from bench.timing import measure, measure_pair, peak_memory_kb


def test_measure_runs_warmup_then_timed_runs_then_memory():
    calls = []

    timing = measure(lambda: calls.append(1), warmup=3, runs=20, queries=False)

    assert len(calls) == 3 + 20 + 1
    assert timing.runs == 20 and timing.warmup == 3
    assert 0 <= timing.min_ms <= timing.median_ms <= timing.p95_ms <= timing.max_ms
    assert timing.queries is None
    assert timing.mem_peak_kb is not None


def test_peak_memory_is_what_the_call_allocated_even_if_freed():
    def allocate_and_free():
        block = bytearray(4 * 1024 * 1024)
        return len(block)

    kb, result = peak_memory_kb(allocate_and_free)

    assert result == 4 * 1024 * 1024
    assert 4096 <= kb < 4096 + 512


def test_a_failed_check_stops_the_measurement():
    def check(result):
        if result != "ok":
            raise AssertionError("wrong answer")

    with pytest.raises(AssertionError):
        measure(lambda: "not ok", warmup=1, runs=20, check=check, queries=False)


def test_figures_leave_out_what_was_not_measured():
    timing = measure(lambda: None, warmup=0, runs=1, queries=False, memory=False)

    assert set(timing.figures()) == {"median_ms", "p95_ms"}


def test_a_pair_is_timed_in_alternation_then_counted_and_weighed():
    calls = []

    timed, floor = measure_pair(
        lambda: calls.append("call"),
        lambda: calls.append("floor"),
        warmup=2,
        runs=5,
        queries=False,
    )

    # The warm-up and timed runs alternate; then one more of each for its peak memory.
    assert calls == ["call", "floor"] * (2 + 5 + 1)
    assert timed.runs == floor.runs == 5
    assert timed.queries is None and floor.queries is None
    assert timed.mem_peak_kb is not None and floor.mem_peak_kb is not None


def test_a_pair_shares_the_load_of_the_machine():
    """A load that comes and goes slows both sides of a pair alike, where two measurements
    one after the other would each see a different machine."""
    state = {"n": 0}

    def drifting(extra: float):
        def call():
            state["n"] += 1
            # The machine gets busy after the 8th pair: 12 of each side's 20 samples are slowed
            # (not half: a median then falls inside a group, not between two).
            busy = 0.004 if state["n"] > 16 else 0.0
            deadline = time.perf_counter() + extra + busy
            while time.perf_counter() < deadline:
                pass

        return call

    timed, floor = measure_pair(drifting(0.004), drifting(0.002), warmup=0, runs=20, queries=False)

    # 8 ms over 6 ms; timed one after the other, 4 ms over 6 ms.
    assert 1.15 < timed.median_ms / floor.median_ms < 1.7


def test_a_pair_stops_at_a_failed_check():
    def check(result):
        if result != "ok":
            raise AssertionError("wrong answer")

    with pytest.raises(AssertionError):
        measure_pair(lambda: "not ok", lambda: None, warmup=0, runs=3, check=check, queries=False)
