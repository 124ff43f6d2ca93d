"""Picking a few of many: the frames a preview shows, the steps a comparison draws, the rows
a long path's principal directions come from."""

from __future__ import annotations


def evenly_spread(count: int, k: int) -> list[int]:
    """k indices into range(count), evenly spread, the first and the last included.

    Index i is i·(count-1)/(k-1) rounded half up, in exact integer arithmetic; for k > count
    some indices repeat.
    """
    if k == 1:
        return [0]
    return [(2 * i * (count - 1) + k - 1) // (2 * (k - 1)) for i in range(k)]
