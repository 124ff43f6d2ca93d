"""Frame rendering: nnreel's renderer beside a naive one that rebuilds the figure per frame.

    python benchmarks/bench_render.py

All rows render frames of the default run (2 softplus neurons, 600 steps) at 1600x1000
pixels as PNG. The naive row does what the reference notebook does for every frame: a new
16x10-inch figure, subplots, plot, tight_layout, savefig, close (here the same curves and
histories as nnreel's frame, each drawn in full). The other rows run the render stage's
own code, writing the frames into a temporary directory, on one and on two worker
processes, worker start-up included. Times are wall-clock (time.perf_counter).
"""

from __future__ import annotations

import io
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nnreel.checkpoints import Run
from nnreel.config import Config, RenderConfig
from nnreel.data import make_samples
from nnreel.frames import frame_steps
from nnreel.network import Net, init_params, neuron_params
from nnreel.render import dense_grid
from nnreel.stages.render import write_frames
from nnreel.training import train

NAIVE_FRAMES = 10
FAST_FRAMES = 601
WIDTH, HEIGHT = 1600, 1000
Samples = tuple[list[float], list[float]]


def default_run() -> tuple[Run, Samples]:
    """The default config's run and samples, computed in memory."""
    cfg = Config()
    samples = make_samples(cfg.data, None)
    net = Net(cfg.model.arch)
    init = init_params(net.arch, cfg.seed, cfg.model.init.sigma)
    steps = list(train(net, list(init.values()), *samples, cfg.train))
    return Run(net.names, cfg, steps, None), samples


def naive_frame(run: Run, samples: Samples, k: int) -> bytes:
    """One frame the notebook's way: everything rebuilt and laid out again."""
    net = Net(run.config.model.arch)
    grid = dense_grid(samples[0])
    preds, contributions = net.predict(run.steps[k].params, grid)
    fig = Figure(figsize=(WIDTH / 100, HEIGHT / 100), dpi=100)
    FigureCanvasAgg(fig)
    fig.suptitle(f"Step {k}")
    gs = fig.add_gridspec(3, 4)
    ax = fig.add_subplot(gs[0:2, :])
    ax.plot(*samples, "ko")
    for c in contributions:
        ax.plot(grid, c)
    ax.plot(grid, preds, "m")
    ax.legend(["samples", *(f"neuron {j + 1}" for j in range(len(contributions))), "prediction"])
    history = run.steps[: k + 1]
    loss_ax = fig.add_subplot(gs[2, 0])
    loss_ax.set_title("SSR")
    loss_ax.plot([s.loss for s in history], "m")
    at = {name: i for i, name in enumerate(net.names)}
    names = [name for group in neuron_params(net.arch) for name in group]
    inner = gs[2, 1:].subgridspec(2, 3)
    for i, name in enumerate(names):
        panel = fig.add_subplot(inner[i // 3, i % 3])
        panel.set_title(f"d SSR / d {name}")
        panel.plot([s.grads[at[name]] for s in history])
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def fps(frames: int, seconds: float) -> float:
    return frames / seconds


def time_naive(run: Run, samples: Samples, steps: Sequence[int]) -> float:
    start = time.perf_counter()
    for k in steps:
        naive_frame(run, samples, k)
    return fps(len(steps), time.perf_counter() - start)


def time_stage(run: Run, samples: Samples, steps: Sequence[int], workers: int) -> float:
    cfg = RenderConfig(width=WIDTH, height=HEIGHT, workers=workers)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_frames(Path(tmp) / "frames", run, samples, steps, cfg)
        return fps(len(steps), time.perf_counter() - start)


def main() -> None:
    run, samples = default_run()
    steps = frame_steps(run.steps[-1].step, 1, 5000)[:FAST_FRAMES]
    print(f"python {platform.python_version()}, matplotlib {matplotlib.__version__}, ", end="")
    print(f"{os.cpu_count()} CPUs; {WIDTH}x{HEIGHT} PNG frames of the default run")
    naive = time_naive(run, samples, steps[:: len(steps) // NAIVE_FRAMES][:NAIVE_FRAMES])
    print(f"naive (rebuild + tight_layout), {NAIVE_FRAMES} frames: {naive:8.2f} frames/s")
    one = time_stage(run, samples, steps, 1)
    print(f"nnreel, 1 worker, {len(steps)} frames:      {one:8.2f} frames/s")
    two = time_stage(run, samples, steps, 2)
    print(f"nnreel, 2 workers, {len(steps)} frames:     {two:8.2f} frames/s")
    print(f"nnreel 1 worker / naive:   {one / naive:6.1f}x")
    print(f"nnreel 2 workers / 1 worker: {two / one:4.2f}x")


if __name__ == "__main__":
    main()
