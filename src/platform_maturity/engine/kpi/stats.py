"""Descriptive statistics the KPI results carry: n, mean, median, p90, min, max.

Percentiles interpolate linearly between order statistics (NumPy's default "linear"
method), so the median of an even sample is the mean of the two middle values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from platform_maturity.domain.kpi_results import Distribution

SMALL_SAMPLE = 20  # below this a KPI carries a small-sample warning
TINY_SAMPLE = 5


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of already sorted values, linearly interpolated."""
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


def describe(values: Sequence[float] | npt.NDArray[np.float64]) -> Distribution:
    """n, mean (exactly rounded sum), median, p90, min and max of plain numbers or an array."""
    if not len(values):
        return Distribution(n=0)
    ordered: list[float] = (
        np.sort(values).tolist() if isinstance(values, np.ndarray) else sorted(values)
    )
    return Distribution(
        n=len(ordered),
        mean=math.fsum(ordered) / len(ordered),
        median=percentile(ordered, 50),
        p90=percentile(ordered, 90),
        min=ordered[0],
        max=ordered[-1],
    )


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (None without observations)."""
    if total <= 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


def sample_warning(n: int, what: str, wanted: int = SMALL_SAMPLE) -> str | None:
    if n == 0:
        return None
    if n < wanted:
        return f"small sample: {n} {what} (fewer than {wanted}); read the trend, not the number"
    return None
