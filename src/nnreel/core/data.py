"""Training samples: the reference targets, inline points, and CSV text."""

from __future__ import annotations

import math
import random

from nnreel.config.schema import DataConfig
from nnreel.core.network import Samples, softplus
from nnreel.errors import DataError


def grid(n: int, x_max: float) -> list[float]:
    """x_k = x_max·(k+1)/n for k = 0..n-1."""
    return [x_max * (k + 1) / n for k in range(n)]


def softplus_sine(n: int, x_max: float) -> Samples:
    """The reference target: y = softplus(2·sin(πx))."""
    xs = grid(n, x_max)
    return xs, [softplus(2.0 * math.sin(math.pi * x)) for x in xs]


def fib_valley(n: int, x_max: float) -> Samples:
    """A valley whose walls follow the Fibonacci numbers: down by 2·F, back up by 3·F."""
    if n < 4 or n % 2:
        raise DataError(f"fib_valley needs an even number of samples >= 4, got {n}")
    fib = [0, 1]
    while len(fib) < n // 2:
        fib.append(fib[-2] + fib[-1])
    raw = [-2 * f for f in fib] + [-3 * f for f in reversed(fib)]
    return grid(n, x_max), [(v + 2 / fib[-1]) / n for v in raw]


def parse_csv(text: str, source: str) -> Samples:
    """x,y rows (an optional header first); DataError names the line and the problem."""
    rows = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)]
    rows = [(n, line) for n, line in rows if line and not line.startswith("#")]
    if rows and not _is_numeric_row(rows[0][1]):
        rows = rows[1:]  # the header
    xs: list[float] = []
    ys: list[float] = []
    first_seen: dict[float, int] = {}
    for n, line in rows:
        cells = line.split(",")
        if len(cells) != 2:
            raise DataError(f"{source}:{n}: expected 2 columns x,y, got {len(cells)}: {line!r}")
        if not _is_numeric_row(line):
            raise DataError(f"{source}:{n}: not a number in {line!r}")
        x, y = float(cells[0]), float(cells[1])
        if not (math.isfinite(x) and math.isfinite(y)):
            raise DataError(f"{source}:{n}: values must be finite, got {line!r}")
        if x in first_seen:
            raise DataError(f"{source}:{n}: duplicate x = {x!r} (first on line {first_seen[x]})")
        first_seen[x] = n
        xs.append(x)
        ys.append(y)
    if len(xs) < 2:
        raise DataError(f"{source}: expected at least 2 data rows x,y, found {len(xs)}")
    return xs, ys


def _is_numeric_row(line: str) -> bool:
    try:
        [float(cell) for cell in line.split(",")]
    except ValueError:
        return False
    return True


def add_noise(ys: list[float], sigma: float, seed: int) -> list[float]:
    """Labels plus gauss(0, sigma) noise from their own generator."""
    if sigma == 0:
        return list(ys)
    rng = random.Random(seed)
    return [y + rng.gauss(0.0, sigma) for y in ys]


def make_samples(cfg: DataConfig, csv_text: str | None = None) -> Samples:
    """The samples `cfg` describes; `csv_text` is the CSV file's content for target csv."""
    if cfg.target == "softplus_sine":
        xs, ys = softplus_sine(cfg.n_samples, cfg.x_max)
    elif cfg.target == "fib_valley":
        xs, ys = fib_valley(cfg.n_samples, cfg.x_max)
    elif cfg.target == "points":
        xs, ys = list(cfg.points.x), list(cfg.points.y)
    else:
        if csv_text is None:
            raise DataError(f"{cfg.csv}: no CSV text given")
        xs, ys = parse_csv(csv_text, cfg.csv)
    return xs, add_noise(ys, cfg.noise, cfg.noise_seed)
