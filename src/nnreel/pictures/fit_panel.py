"""The fit panel: each neuron's contribution and the prediction, over the samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnreel.core.limits import curve_limits, dense_grid
from nnreel.pictures.axes import frame_ticks
from nnreel.pictures.scene import Panel, Scene
from nnreel.pictures.style import COLOURS, DPI, PREDICTION, pt

EDGE_MARK_EVERY = 8  # grid points between the marks of a curve beyond the panel's edge


def neuron_label(j: int, n: int, long: bool = True) -> str:
    """Legend entry of neuron j of n; past 8 neurons, one entry stands for them all."""
    if n <= len(COLOURS):
        return f"neuron {j}: ow{j}·a{j}(x)" if long else f"neuron {j}"
    return (f"neurons 1-{n}: ow·a(x)" if long else f"neurons 1-{n}") if j == 1 else "_nolegend_"


class FitPanel(Panel):
    """Each neuron's contribution and the prediction over a dense grid, with the samples on
    top of them and marks where a curve leaves the panel. `ylim`, if given, are the
    y-limits, already computed for these runs."""

    def __init__(self, scene: Scene, spec: Any, ylim: tuple[float, float] | None) -> None:
        super().__init__(scene)
        self.net = scene.net
        self.grid = dense_grid([x for _, (xs, _) in scene.runs for x in xs])
        self.lo, self.hi = ylim or curve_limits(scene.runs, self.grid)
        self.edge_x = np.asarray(self.grid)[::EDGE_MARK_EVERY]  # where edge marks may stand
        self.ax = ax = scene.fig.add_subplot(spec)
        s = scene.s
        ax.set_xlim(self.grid[0], self.grid[-1])
        ax.set_ylim(self.lo, self.hi)
        ax.axhline(0.0, color="0.85", lw=0.8 * s, zorder=0)
        n = len(scene.colours)
        long_labels = 0.27 * scene.size[0] >= 16 * pt(10, s) * DPI / 72  # fit the side column
        # The prediction goes under the neurons, wider, so a neuron equal to it still shows.
        line = ax.plot([], [], color=PREDICTION, lw=5 * s, alpha=0.7, label="prediction")
        self.prediction = self.animate(line[0])
        self.contributions = [
            self.animate(
                ax.plot([], [], color=c, lw=2 * s, label=neuron_label(j, n, long_labels))[0]
            )
            for j, c in enumerate(scene.colours, start=1)
        ]
        self.edges = [
            self.animate(
                ax.plot([], [], m, color="0.15", ms=7 * s, clip_on=False, in_layout=False)[0]
            )
            for m in ("^", "v")
        ]
        xs, ys = scene.runs[0][1]
        self.animate(ax.plot(xs, ys, "o", color="black", ms=7 * s, label="samples")[0])
        ax.set_xlabel("x", fontsize=pt(11, s))
        ax.set_ylabel("y", fontsize=pt(11, s))
        frame_ticks(ax, s)

    def update(self, k: int) -> None:
        """The curves at step k, cut at the panel's edges, with a mark where one leaves it."""
        preds, contributions = self.net.predict(self.scene.run.steps[k].params, self.grid)
        curves = np.array([preds, *contributions])
        for line, ys in zip([self.prediction, *self.contributions], curves, strict=True):
            line.set_data(self.grid, np.clip(ys, self.lo, self.hi))
        sample = curves[:, ::EDGE_MARK_EVERY]
        for mark, beyond, edge in (
            (self.edges[0], (sample > self.hi).any(axis=0), self.hi),
            (self.edges[1], (sample < self.lo).any(axis=0), self.lo),
        ):
            xs = self.edge_x[beyond]
            mark.set_data(xs, np.full(len(xs), edge))
            mark.set_visible(len(xs) > 0)  # an empty artist still costs a draw
