"""Figures of a whole sweep: final loss over the grid, and every point's final frame."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.image
import numpy as np
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure

from nnreel.pictures.axes import log_scale
from nnreel.pictures.style import DPI
from nnreel.runs.sweep.overrides import number, value_of

DIVERGED = "tab:red"
MISSING = "0.55"


@dataclass(frozen=True)
class Point:
    """A planned point and what arrived of it: status is ok, missing or why it failed."""

    name: str
    overrides: list[str]
    status: str
    metrics: dict[str, Any]  # reports/metrics.json of the point; {} unless it arrived
    frame: bytes  # its final frame, a PNG; b"" unless it arrived


def plain(text: str) -> str:
    """`text` as matplotlib draws it, character for character: a pair of '$' would start
    mathtext, which fails on most text."""
    return text.replace("$", r"\$")


def as_text(keys: Sequence[str], points: Sequence[Point]) -> tuple[list[str], list[Point]]:
    """`keys` and `points` with every name, override and status drawn as plain text."""
    shown = [
        Point(
            plain(pt.name), [plain(o) for o in pt.overrides], plain(pt.status), pt.metrics, pt.frame
        )
        for pt in points
    ]
    return [plain(k) for k in keys], shown


def levels(points: Sequence[Point], key: str) -> list[str]:
    """The values `key` takes, in grid order."""
    return list(dict.fromkeys(value_of(pt.overrides, key) for pt in points))


def numeric(values: Sequence[str]) -> bool:
    return all(number(v) is not None for v in values)


def final(pt: Point) -> float | None:
    """The final loss of an arrived point that did not diverge."""
    if pt.status != "ok" or pt.metrics.get("diverged"):
        return None
    loss = pt.metrics.get("final_loss")
    return float(loss) if loss is not None and math.isfinite(loss) else None


def series_label(pt: Point, keys: Sequence[str]) -> str:
    return " ".join(f"{k}={value_of(pt.overrides, k)}" for k in keys) or "final loss"


def lines_panel(ax: Any, keys: Sequence[str], points: Sequence[Point]) -> None:
    """Final loss against the first key, one line per value of the other keys."""
    first, rest = keys[0], list(keys[1:])
    xs = levels(points, first)
    pos = {v: (float(v) if numeric(xs) else float(i)) for i, v in enumerate(xs)}
    losses = [x for pt in points if (x := final(pt)) is not None]
    series: dict[str, list[Point]] = {}
    for pt in points:
        series.setdefault(series_label(pt, rest), []).append(pt)
    for name, pts in series.items():
        ys = [final(pt) for pt in pts]
        ax.plot(
            [pos[value_of(pt.overrides, first)] for pt in pts],
            [np.nan if y is None else y for y in ys],
            marker="o",
            label=name,
        )
    if losses and log_scale(losses):
        ax.set_yscale("log")
    if numeric(xs) and log_scale(list(pos.values())):  # lr grids are spaced by factors
        ax.set_xscale("log")
    ax.set_xticks([pos[v] for v in xs], xs)
    ax.minorticks_off()
    edge_marks(ax, first, points, pos)
    ax.set_xlabel(first)
    ax.set_ylabel("final loss")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", title=" ".join(rest) if rest else None)


def edge_marks(ax: Any, first: str, points: Sequence[Point], pos: dict[str, float]) -> None:
    """Diverged points at the top edge and missing ones at the bottom, never off the panel."""
    top = [pt for pt in points if pt.status == "ok" and pt.metrics.get("diverged")]
    lost = [pt for pt in points if pt.status != "ok"]
    for pts, y, marker, colour, text in (
        (top, 1.0, "^", DIVERGED, "diverged"),
        (lost, 0.0, "v", MISSING, "missing or failed"),
    ):
        if pts:
            ax.plot(
                [pos[value_of(pt.overrides, first)] for pt in pts],
                [y] * len(pts),
                marker,
                color=colour,
                markersize=10,
                clip_on=False,
                transform=ax.get_xaxis_transform(),
                label=f"{text} ({len(pts)})",
            )


def heatmap_panel(fig: Figure, ax: Any, keys: Sequence[str], points: Sequence[Point]) -> None:
    """Final loss over two numeric keys, darker is lower; diverged and missing cells say so."""
    xs, ys = levels(points, keys[0]), levels(points, keys[1])
    grid = np.full((len(ys), len(xs)), np.nan)

    def cell(pt: Point) -> tuple[int, int]:
        return ys.index(value_of(pt.overrides, keys[1])), xs.index(value_of(pt.overrides, keys[0]))

    for pt in points:
        loss = final(pt)
        if loss is not None:
            grid[cell(pt)] = loss
    losses = [float(x) for x in grid.flat if not math.isnan(x)]
    norm = LogNorm() if losses and log_scale(losses) else Normalize()
    image = ax.imshow(grid, cmap="viridis", norm=norm, aspect="auto", origin="lower")
    ax.set_facecolor("0.9")  # cells without a loss
    fig.colorbar(image, ax=ax, label="final loss (darker is lower)")
    for pt in points:
        i, j = cell(pt)
        loss = final(pt)
        if pt.status != "ok":
            text, colour = pt.status.split(" ")[0], "black"
        elif loss is None:
            text, colour = f"diverged\nstep {pt.metrics.get('diverged_step')}", DIVERGED
        else:
            r, g, b, _ = image.cmap(image.norm(loss))
            dark = 0.3 * r + 0.6 * g + 0.1 * b < 0.5
            text, colour = f"{loss:.4g}", "white" if dark else "black"
        ax.text(j, i, text, ha="center", va="center", fontsize=9, color=colour)
    ax.set_xticks(range(len(xs)), xs)
    ax.set_yticks(range(len(ys)), ys)
    ax.set_xlabel(keys[0])
    ax.set_ylabel(keys[1])


def sweep_figure(keys: Sequence[str], points: Sequence[Point]) -> Figure:
    """Final loss against the first swept key, and a heatmap when two numeric keys form a grid."""
    keys, points = as_text(keys, points)
    keys = keys or ["point"]
    if keys == ["point"]:
        points = [
            Point(pt.name, [*pt.overrides, f"point={pt.name}"], pt.status, pt.metrics, pt.frame)
            for pt in points
        ]
    heat = len(keys) == 2 and all(numeric(levels(points, k)) for k in keys)
    fig = Figure(figsize=(13 if heat else 7, 5), dpi=DPI, layout="constrained")
    axes = fig.subplots(1, 2 if heat else 1, squeeze=False)[0]
    lines_panel(axes[0], keys, points)
    if heat:
        heatmap_panel(fig, axes[1], keys, points)
    ok = sum(pt.status == "ok" for pt in points)
    diverged = sum(pt.status == "ok" and final(pt) is None for pt in points)
    fig.suptitle(f"Final loss: {ok} of {len(points)} points arrived, {diverged} diverged")
    return fig


def outcome(pt: Point) -> str:
    """The final loss, or the step it diverged at, as a tile's title says it."""
    if pt.status != "ok":
        return ""
    if pt.metrics.get("diverged"):
        return f"diverged at step {pt.metrics.get('diverged_step')}"
    return f"final loss {pt.metrics['final_loss']:.4g}"


def decode(png: bytes) -> np.ndarray:
    return np.asarray(matplotlib.image.imread(io.BytesIO(png), format="png"))


def contact_figure(keys: Sequence[str], points: Sequence[Point], tile: float = 3.2) -> Figure:
    """Every point's final frame, a row per value of the first key; near square for one key."""
    keys, points = as_text(keys, points)
    if len(keys) < 2:
        cols = math.ceil(math.sqrt(len(points)))
    else:
        cols = math.ceil(len(points) / len(levels(points, keys[0])))
    rows = math.ceil(len(points) / cols)
    fig = Figure(figsize=(tile * cols, tile * 0.72 * rows), dpi=DPI, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    losses = {pt.name: x for pt in points if (x := final(pt)) is not None}
    best = min(losses, key=losses.__getitem__, default=None)
    for ax, pt in zip(axes.flat, points, strict=False):
        if pt.status == "ok":
            ax.imshow(decode(pt.frame), interpolation="antialiased")
        else:
            ax.set_facecolor("0.9")
            ax.text(0.5, 0.5, pt.status, ha="center", va="center", transform=ax.transAxes)
        diverged = pt.status == "ok" and bool(pt.metrics.get("diverged"))
        colour = DIVERGED if diverged else "tab:green" if pt.name == best else "0.6"
        for spine in ax.spines.values():
            spine.set(color=colour, linewidth=3 if colour != "0.6" else 1)
        note = " (best)" if pt.name == best else ""
        ax.set_title(
            f"{pt.name}{note}  {outcome(pt)}\n{series_label(pt, keys)}",
            fontsize=8,
            color=colour if colour != "0.6" else "black",
        )
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.flat[len(points) :]:
        ax.set_axis_off()
    return fig
