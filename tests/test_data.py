"""Sample generation and CSV parsing."""

from __future__ import annotations

import pytest

from nnreel.config.schema import DataConfig, Points
from nnreel.core.data import add_noise, fib_valley, make_samples, parse_csv
from nnreel.errors import DataError
from tests.conftest import Samples


def test_default_samples_are_the_reference_samples(samples: Samples) -> None:
    xs, ys = make_samples(DataConfig())
    assert xs == pytest.approx(samples[0], rel=1e-15)
    assert ys == pytest.approx(samples[1], rel=1e-14)


def test_fib_valley_matches_the_reference_for_12_samples() -> None:
    xs, ys = fib_valley(12, 2.0)
    fib = [0, 1, 1, 2, 3, 5]
    raw = [-2 * f for f in fib] + [-3 * f for f in reversed(fib)]
    assert ys == [(v + 2 / 5) / 12 for v in raw]
    assert xs == pytest.approx([(k + 1) / 6 for k in range(12)])


@pytest.mark.parametrize("n", [4, 6, 20])
def test_fib_valley_has_n_samples_with_its_minimum_at_the_wall_between_halves(n: int) -> None:
    _, ys = fib_valley(n, 2.0)
    assert len(ys) == n
    assert ys.index(min(ys)) == n // 2


@pytest.mark.parametrize("n", [3, 5, 2])
def test_fib_valley_rejects_odd_or_tiny_n(n: int) -> None:
    with pytest.raises(DataError, match="even"):
        fib_valley(n, 2.0)


def test_points_target_uses_the_inline_lists() -> None:
    cfg = DataConfig(target="points", points=Points(x=[0.0, 1.0], y=[2.0, 3.0]))
    assert make_samples(cfg) == ([0.0, 1.0], [2.0, 3.0])


def test_noise_has_its_own_seed_and_leaves_x_alone() -> None:
    ys = [0.0] * 5
    assert add_noise(ys, 0.1, 1) == add_noise(ys, 0.1, 1) != add_noise(ys, 0.1, 2)
    assert add_noise(ys, 0.0, 1) == ys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x,y\n0,1\n2,3\n", ([0.0, 2.0], [1.0, 3.0])),
        ("0,1\r\n2,3\r\n", ([0.0, 2.0], [1.0, 3.0])),
        ("# comment\nx,y\n\n0.5, 1e-3\n1,2\n", ([0.5, 1.0], [0.001, 2.0])),
    ],
)
def test_csv_accepts_sensible_files(text: str, expected: tuple[list[float], list[float]]) -> None:
    assert parse_csv(text, "d.csv") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least 2 data rows"),
        ("x,y\n", "at least 2 data rows"),
        ("x,y\n1,2\n", "at least 2 data rows"),
        ("x,y\n1,2\n3,abc\n", "d.csv:3: not a number"),
        ("x,y\n1,2\n3,nan\n", "d.csv:3: values must be finite"),
        ("x,y\n1,2\ninf,1\n", "d.csv:3: values must be finite"),
        ("x,y\n1,2\n1,3\n", "d.csv:3: duplicate x"),
        ("x,y\n1,2,3\n", "d.csv:2: expected 2 columns"),
    ],
)
def test_csv_rejects_bad_files_with_line_and_reason(text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        parse_csv(text, "d.csv")
