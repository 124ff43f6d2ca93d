"""Axis limits from every step of a run: pure arithmetic, shared by the frames and the viewer."""

from __future__ import annotations

import math
from collections.abc import Sequence

from nnreel.core.network import Net, Samples
from nnreel.core.run import Run

GRID_POINTS = 200
LIMIT_POINTS = 50  # grid points per step when the curves' range is taken over every step
Peers = Sequence[tuple[Run, Samples]]  # runs whose values the axes must hold too
Limits = tuple[float, float]


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


def healthy(run: Run) -> int:
    """How many of the run's steps come before it diverged: all of them if it did not."""
    return len(run.steps) - (run.diverged is not None)


def curve_extremes(run: Run, xs: Sequence[float]) -> list[tuple[float, float]]:
    """The lowest and highest finite value of any curve, at each step of the run."""
    net = Net(run.config.model.arch)
    out = []
    for step in run.steps:
        preds, contributions = net.predict(step.params, xs)
        curves = [*preds, *(c for cs in contributions for c in cs)]
        values = [v for v in curves if math.isfinite(v)] or [0.0]
        out.append((min(values), max(values)))
    return out


def curve_limits(runs: Peers, grid: Sequence[float]) -> Limits:
    """y-limits holding the samples and every curve at every step of `runs`; when the 5% most
    extreme steps, or a divergence, would dwarf the rest, they leave the panel (marked at its
    edge). The samples and each run's first curves always stay."""
    coarse = grid[:: max(1, len(grid) // LIMIT_POINTS)]
    ys = [y for _, (_, run_ys) in runs for y in run_ys]
    every = [curve_extremes(run, coarse) for run, _ in runs]
    typical = [e for (run, _), ex in zip(runs, every, strict=True) for e in ex[: healthy(run)]]
    firsts = [v for ex in every for v in ex[0]]
    lows, highs = sorted(low for low, _ in typical), sorted(high for _, high in typical)
    tail = len(lows) // 20
    robust_lo = min(*lows[tail : tail + 1], *ys, *firsts)
    robust_hi = max(*highs[::-1][tail : tail + 1], *ys, *firsts)
    lo = min(*ys, *(low for ex in every for low, _ in ex))
    hi = max(*ys, *(high for ex in every for _, high in ex))
    if hi - lo > 2 * (robust_hi - robust_lo):
        lo, hi = robust_lo, robust_hi
    return padded(lo, hi)


SPIKES = 0.02  # the share of a history at each end that may be isolated spikes
DWARF = 4  # spikes leave a history panel only when they would make it this many times taller


def quantile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values, interpolated between neighbours."""
    pos = (len(ordered) - 1) * q
    i = math.floor(pos)
    if i + 1 >= len(ordered):
        return ordered[i]
    return ordered[i] + (pos - i) * (ordered[i + 1] - ordered[i])


def run_in(history: Sequence[float], lo: float, hi: float) -> Sequence[float]:
    """The first values of a history while they lie beyond [lo, hi] on one side and head
    steadily toward it: training settling in, which a panel shows in full however far it
    starts. The first value is always one of them, so step 0 is always on its panel."""
    above = bool(history) and history[0] > hi

    def gap(v: float) -> float:  # how far outside the range, on the start's side
        return v - hi if above else lo - v

    k = 0
    while k < len(history) and math.isfinite(history[k]) and gap(history[k]) > 0:
        if k and gap(history[k]) > gap(history[k - 1]):
            break  # turned away
        k += 1
    return history[:k]


def history_limits(histories: Sequence[Sequence[float]], typical: Sequence[int]) -> Limits:
    """y-limits of a history panel: linear, over every value, unless isolated spikes or a
    divergence would make the rest DWARF times flatter; then those leave the panel (marked at
    its edge). Spikes are judged on each history's first `typical` values (those before its run
    diverged); a steady run-in from the first step always stays on the panel."""
    values = [v for h in histories for v in h if math.isfinite(v)] or [0.0]
    judged = sorted(
        v for h, n in zip(histories, typical, strict=True) for v in h[:n] if math.isfinite(v)
    ) or sorted(values)
    lo, hi = quantile(judged, SPIKES), quantile(judged, 1 - SPIKES)
    starts = [
        v
        for h, n in zip(histories, typical, strict=True)
        for v in run_in(h[:n], lo, hi)
        if math.isfinite(v)
    ]
    lo, hi = min(lo, *starts, hi), max(hi, *starts, lo)
    if max(values) - min(values) <= DWARF * (hi - lo):
        lo, hi = min(values), max(values)
    wide = padded(lo, hi)
    return wide if all(map(math.isfinite, wide)) else (lo, hi)  # no room to pad near overflow
