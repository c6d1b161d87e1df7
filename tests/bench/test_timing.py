import pytest

from bench.timing import measure, peak_memory_kb


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
