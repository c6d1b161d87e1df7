import pytest

from bench.stats import percentile, summarize_ms


def test_percentile_interpolates_between_closest_ranks():
    values = [1.0, 2.0, 3.0, 4.0]

    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 2.5
    assert percentile(values, 100) == 4.0
    assert percentile(values, 95) == pytest.approx(3.85)


def test_percentile_ignores_input_order():
    assert percentile([5, 1, 4, 2, 3], 50) == 3


def test_p95_of_twenty_runs_is_not_the_slowest_run():
    runs = [float(n) for n in range(1, 21)]

    assert percentile(runs, 95) == pytest.approx(19.05)


def test_percentile_of_nothing_is_none_and_bad_p_is_refused():
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_is_in_milliseconds():
    summary = summarize_ms([0.001, 0.002, 0.003])

    assert summary == {
        "n": 3,
        "median_ms": 2.0,
        "p50_ms": 2.0,
        "p95_ms": 2.9,
        "p99_ms": 2.98,
        "min_ms": 1.0,
        "max_ms": 3.0,
    }


def test_summary_of_no_samples_has_no_figures():
    assert summarize_ms([])["median_ms"] is None
