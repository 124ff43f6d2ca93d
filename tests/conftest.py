"""Shared fixtures: the reference samples and small runs built with the real code."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.repo import reproduced_repo

REFERENCE_INIT = {
    "iw1": -0.25805695865858497,
    "b1": -2.348949561217586,
    "ow1": 4.554277398725461,
    "iw2": -5.343323947499308,
    "b2": 1.9972768560328862,
    "ow2": 0.8535303422715148,
}
REFERENCE_SSR0 = 5.8334234504800735

Samples = tuple[list[float], list[float]]


def reference_samples() -> Samples:
    """The notebook's samples, computed here independently of nnreel.data."""
    xs = [(k + 1) / 6 for k in range(12)]
    return xs, [math.log(1 + math.exp(2 * math.sin(math.pi * x))) for x in xs]


@pytest.fixture
def samples() -> Samples:
    return reference_samples()


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small film reproduced once per session and committed; tests that change it copy it."""
    return reproduced_repo(tmp_path_factory.mktemp("reproduced"))
