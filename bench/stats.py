"""Summaries of samples: percentiles by linear interpolation, as numpy's default does."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (0.5 = median) of the values; NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(milliseconds: Sequence[float]) -> dict[str, float]:
    """Mean, p50 and p99 of latencies in milliseconds, and how many there were."""
    return {
        "count": len(milliseconds),
        "mean_ms": sum(milliseconds) / len(milliseconds) if milliseconds else math.nan,
        "p50_ms": percentile(milliseconds, 0.5),
        "p99_ms": percentile(milliseconds, 0.99),
    }
