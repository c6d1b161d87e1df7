"""Percentiles and summaries of timing samples (seconds in, milliseconds out)."""

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0 to 100) with linear interpolation between closest ranks (numpy's
    default), so p95 of 20 runs is not simply the slowest run. None for no values."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, not {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize_ms(samples_s: Sequence[float]) -> dict[str, float | int | None]:
    """Median, p95, p99, min and max of durations given in seconds, in milliseconds."""

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 3)

    return {
        "n": len(samples_s),
        "median_ms": ms(statistics.median(samples_s)) if samples_s else None,
        "p50_ms": ms(percentile(samples_s, 50)),
        "p95_ms": ms(percentile(samples_s, 95)),
        "p99_ms": ms(percentile(samples_s, 99)),
        "min_ms": ms(min(samples_s)) if samples_s else None,
        "max_ms": ms(max(samples_s)) if samples_s else None,
    }
