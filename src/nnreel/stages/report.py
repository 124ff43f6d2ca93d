"""Write reports/metrics.json, reports/history.tsv and reports/report.md with its images."""

from __future__ import annotations

import shutil
from pathlib import Path

from matplotlib.figure import Figure

from nnreel import metrics
from nnreel.checkpoints import Run
from nnreel.config import Config
from nnreel.errors import ConfigError
from nnreel.io import (
    CHECKPOINTS,
    FRAMES,
    REPORTS,
    ArtifactError,
    atomic_path,
    read_config,
    read_run,
    read_samples,
    write_json,
    write_lines,
)
from nnreel.network import Net
from nnreel.stages import run_stage

LOG_SPAN = 100.0  # plot the loss on a log scale when it spans more than two decades


def loss_figure(run: Run, loss: str) -> Figure:
    """The loss per step, with the best step marked."""
    steps = [s.step for s in run.steps]
    losses = [s.loss for s in run.steps]
    best = min(range(len(losses)), key=losses.__getitem__)
    fig = Figure(figsize=(8, 4.5), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(steps, losses, color="tab:blue")
    ax.plot([steps[best]], [losses[best]], "o", color="tab:red", label=f"best, step {steps[best]}")
    if min(losses) > 0 and max(losses) / min(losses) > LOG_SPAN:
        ax.set_yscale("log")
    ax.set(xlabel="step", ylabel=loss, title=f"{loss} per step")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def fit_figure(net: Net, run: Run, samples: tuple[list[float], list[float]], n: int) -> Figure:
    """The initial and final fitted curves on a dense grid, and the samples as black dots."""
    xs, ys = samples
    lo, hi = min(xs), max(xs)
    grid = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    fig = Figure(figsize=(8, 4.5), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    for s, style in ((run.steps[0], ":"), (run.steps[-1], "-")):
        ax.plot(
            grid, net.predict(s.params, grid)[0], style, color="tab:blue", label=f"step {s.step}"
        )
    ax.plot(xs, ys, "o", color="black", label="samples")
    ax.set(xlabel="x", ylabel="y", title="fitted curve")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def save_png(fig: Figure, path: Path) -> None:
    """Save without the Software tag, so the same figure gives the same bytes."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None})


def copy_file(source: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def frame_files(frames: Path = FRAMES) -> list[Path]:
    """The rendered frames in step order; ArtifactError if there are none."""
    paths = sorted(frames.glob("*.png"))
    if not paths:
        raise ArtifactError(frames, "missing or holds no frames", "render")
    return paths


def run_and_net(run: Run) -> tuple[Config, Net]:
    """The config recorded in the run and its network; ArtifactError if they don't fit."""
    if "model" not in run.config or "train" not in run.config:
        raise ArtifactError(CHECKPOINTS, "the header records no model and train config", "train")
    try:
        trained = metrics.trained_config(run)
    except ConfigError as e:
        raise ArtifactError(CHECKPOINTS, f"header config: {e}", "train") from None
    net = Net(trained.model.arch)
    if net.names != run.names:
        raise ArtifactError(CHECKPOINTS, "parameter names do not fit the model config", "train")
    return trained, net


def main() -> None:
    cfg = read_config()
    run = read_run()
    samples = read_samples()
    frames = frame_files()
    trained, net = run_and_net(run)
    loss = trained.train.loss
    m = metrics.metrics(
        run, net, samples, loss, len(frames), (cfg.video.fps, cfg.video.hold_last_s)
    )
    write_json(REPORTS / "metrics.json", m)
    write_lines(REPORTS / "history.tsv", metrics.history_lines(run))
    save_png(loss_figure(run, loss), REPORTS / "loss.png")
    save_png(fit_figure(net, run, samples, cfg.report.grid_points), REPORTS / "fit.png")
    copy_file(frames[0], REPORTS / "first_frame.png")
    copy_file(frames[-1], REPORTS / "final_frame.png")
    page = metrics.report_markdown(trained, cfg.data.target, len(samples[0]), m, run, cfg.video.gif)
    write_lines(REPORTS / "report.md", [page])


if __name__ == "__main__":
    run_stage("report", main)
