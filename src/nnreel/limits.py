"""Axis limits from every step of a run: pure arithmetic, shared by the frames and the viewer."""

from __future__ import annotations

import math
from collections.abc import Sequence

from nnreel.checkpoints import Run
from nnreel.network import Net, Samples

GRID_POINTS = 200
LIMIT_POINTS = 50  # grid points per step when the curves' range is taken over every step
Peers = Sequence[tuple[Run, Samples]]  # runs whose values the axes must hold too


def dense_grid(xs: Sequence[float], n: int = GRID_POINTS) -> list[float]:
    """`n` evenly spaced points over the samples' x range, widened by 5% on each side."""
    lo, hi = min(xs), max(xs)
    margin = 0.05 * (hi - lo) or 0.5
    lo, hi = lo - margin, hi + margin
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


def padded(lo: float, hi: float, pad: float = 0.06) -> tuple[float, float]:
    """[lo, hi] widened by `pad` of its span; a point becomes a small interval."""
    span = hi - lo or abs(hi) or 1.0
    return lo - pad * span, hi + pad * span


def curve_limits(runs: Peers, grid: Sequence[float]) -> tuple[float, float]:
    """y-limits holding the samples and every curve at every step of `runs`; when the 5% most
    extreme steps would dwarf the rest, they leave the panel (marked at its edge)."""
    coarse = grid[:: max(1, len(grid) // LIMIT_POINTS)]
    ys = [y for _, (_, run_ys) in runs for y in run_ys]
    lows, highs = [], []
    for run, _ in runs:
        net = Net(run.config.model.arch)
        for step in run.steps:
            preds, contributions = net.predict(step.params, coarse)
            values = [v for v in [*preds, *(c for cs in contributions for c in cs)]]
            values = [v for v in values if math.isfinite(v)] or [0.0]
            lows.append(min(values))
            highs.append(max(values))
    lo, hi = min(*lows, *ys), max(*highs, *ys)
    lows.sort()
    highs.sort()
    tail = len(lows) // 20
    robust_lo, robust_hi = min(lows[tail], *ys), max(highs[-1 - tail], *ys)
    if hi - lo > 2 * (robust_hi - robust_lo):
        lo, hi = robust_lo, robust_hi
    return padded(lo, hi)
