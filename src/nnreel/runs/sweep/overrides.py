"""A point's overrides, `key=value` as the plan writes them: the one reading of them that the
plan, the results and the figures share."""

from __future__ import annotations

import math
from collections.abc import Sequence


def split(override: str) -> tuple[str, str]:
    """The key and the value of `override`, the value as written (it may hold '=')."""
    key, value = str(override).split("=", 1)
    return key, value


def key_of(override: str) -> str:
    return split(override)[0]


def value_of(overrides: Sequence[str], key: str) -> str:
    """The value `overrides` set for `key`, as written in the override."""
    for o in overrides:
        k, v = split(o)
        if k == key:
            return v
    raise KeyError(key)


def number(value: str) -> float | None:
    """A value as a finite number, or None if it is none."""
    try:
        x = float(value)
    except ValueError:
        return None
    return x if math.isfinite(x) else None
