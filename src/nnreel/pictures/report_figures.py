"""The report's figures of a run: its loss per step and its first and final fitted curves."""

from __future__ import annotations

from matplotlib.figure import Figure

from nnreel.core.limits import dense_grid
from nnreel.core.network import Net, Samples
from nnreel.core.run import Run
from nnreel.pictures.axes import loss_axis
from nnreel.pictures.style import DPI


def loss_figure(run: Run) -> Figure:
    """The loss per step, with the best step marked."""
    steps, losses = [s.step for s in run.steps], [s.loss for s in run.steps]
    best = losses.index(min(losses))
    name = run.config.train.loss.upper()
    fig = Figure(figsize=(8, 4.5), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(steps, losses, color="tab:blue")
    ax.plot([steps[best]], [losses[best]], "o", color="tab:red", label=f"best, step {steps[best]}")
    loss_axis(ax, losses)
    ax.set(xlabel="step", ylabel=name, title=f"{name} per step")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def fit_figure(run: Run, samples: Samples, n: int) -> Figure:
    """The first and the final fitted curve on `n` grid points, and the samples."""
    net, grid = Net(run.config.model.arch), dense_grid(samples[0], n)
    fig = Figure(figsize=(8, 4.5), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    for s, style in ((run.steps[0], ":"), (run.steps[-1], "-")):
        ax.plot(
            grid, net.predict(s.params, grid)[0], style, color="tab:blue", label=f"step {s.step}"
        )
    ax.plot(*samples, "o", color="black", label="samples", zorder=3)
    ax.set(xlabel="x", ylabel="y", title="fitted curve")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig
