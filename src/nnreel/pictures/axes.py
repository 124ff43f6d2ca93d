"""Axes that hold every value of a run: loss axes, log or linear, and history axes."""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

from nnreel.core.limits import padded
from nnreel.pictures.style import pt


def log_scale(losses: Sequence[float]) -> bool:
    """Whether a loss history spans a decade or more, and so reads better on a log scale."""
    return min(losses) > 0 and max(losses) >= 10 * min(losses)


def log_ticks(lo: float, hi: float) -> list[float]:
    """Ticks for a log axis over [lo, hi]: 1-2-5 per decade when few decades, else decades;
    always three or more inside a span of at least a decade."""
    subs = (1, 2, 5) if hi / lo < 1000 else (1,)
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    ticks = [m * 10.0**e for e in range(first, last + 1) for m in subs]
    return [t for t in ticks if lo <= t <= hi]


def loss_axis(ax: Axes, losses: Sequence[float]) -> None:
    """A loss axis holding every value: log (with readable ticks) once it spans a decade."""
    if log_scale(losses):
        lo, hi = min(losses) / 1.3, max(losses) * 1.3
        ax.set_yscale("log")
        ax.set_ylim(lo, hi)
        ax.yaxis.set_major_locator(FixedLocator(log_ticks(lo, hi)))
        ax.yaxis.set_minor_locator(NullLocator())
    else:
        ax.set_ylim(*padded(min(losses), max(losses)))
        ax.yaxis.set_major_locator(MaxNLocator(3))
    ax.yaxis.set_major_formatter(FuncFormatter(compact))


def history_axis(ax: Axes, lo: float, hi: float) -> None:
    """A linear y-axis over [lo, hi] with three or so round, labelled ticks."""
    ax.set_ylim(lo, hi)
    ax.yaxis.set_major_locator(MaxNLocator(3))
    ax.yaxis.set_major_formatter(FuncFormatter(compact))


def compact(v: float, _pos: object = None) -> str:
    """A tick label of at most 3 significant digits."""
    return f"{v:.3g}"


def frame_ticks(ax: Axes, scale: float) -> None:
    """Tick labels and marks of a frame's panel at the frame's font `scale`."""
    ax.tick_params(labelsize=pt(9, scale), length=3 * scale, pad=2 * scale)
    for axis in (ax.xaxis, ax.yaxis):
        axis.get_offset_text().set_fontsize(pt(9, scale))
