"""The service bench's percentile: nearest rank, as its p50/p95/p99 rows report."""

from __future__ import annotations

import pytest

from bench.service import percentile


def test_nearest_rank_of_unsorted_values():
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 51) == 3.0


def test_the_tail_of_a_hundred_values():
    values = [float(n) for n in range(100, 0, -1)]
    assert percentile(values, 95) == 95.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile(values, 0.5) == 1.0


def test_one_value_is_every_percentile():
    assert percentile([7.0], 1) == percentile([7.0], 99) == 7.0


@pytest.mark.parametrize("p", [0, -1, 101])
def test_a_percentile_outside_the_range_is_refused(p):
    with pytest.raises(ValueError, match="p must be"):
        percentile([1.0], p)


def test_no_values_is_refused():
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
