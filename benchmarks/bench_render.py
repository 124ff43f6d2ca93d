"""Frame rendering: nnreel's renderer beside the reference notebook's own per-frame procedure.

    python benchmarks/bench_render.py

Every row renders frames of the default run (2 softplus neurons, 600 steps) at 1600x1000
pixels. The notebook row does for every frame what the reference notebook does: a new
16x10-inch pyplot figure with a suptitle and a 4x4 GridSpec, the samples, both neurons and
the prediction at the 12 sample points, seven history panels of everything so far,
tight_layout, savefig to JPEG and close. The other rows run the render stage's own code,
writing PNG frames into a temporary directory, on one and on two worker processes, worker
start-up included. Times are wall-clock (time.perf_counter).
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt

from nnreel.config.schema import Config, LandscapeConfig, RenderConfig
from nnreel.core.data import make_samples
from nnreel.core.landscape import Landscape, run_landscape
from nnreel.core.network import Net
from nnreel.core.run import Run
from nnreel.core.training import seeded_training
from nnreel.records.frames import frame_steps
from nnreel.stages.render import write_frames

NOTEBOOK_FRAMES = 20
FAST_FRAMES = 601
WIDTH, HEIGHT = 1600, 1000
Samples = tuple[list[float], list[float]]


def default_run() -> tuple[Run, Samples]:
    """The default config's run and samples, computed in memory."""
    cfg = Config()
    samples = make_samples(cfg.data, None)
    net, steps = seeded_training(cfg, *samples)
    return Run(net.names, cfg, list(steps), None), samples


def notebook_frame(run: Run, samples: Samples, k: int, out: Path) -> None:
    """One frame the reference notebook's way: everything rebuilt and laid out again."""
    net = Net(run.config.model.arch)
    xs, ys = samples
    preds, (n1, n2) = net.predict(run.steps[k].params, xs)
    fig = plt.figure(figsize=(16.0, 10.0))
    fig.suptitle(f"Step {k}")
    gs = fig.add_gridspec(4, 4)
    ax0 = fig.add_subplot(gs[0:2, :])
    ax0.set_title("actual vs predicted")
    ax0.set_ylim(-3, 3)
    ax0.plot(xs, ys, "ko")
    ax0.plot(xs, n1, "c")
    ax0.plot(xs, n2, "y")
    ax0.plot(xs, preds, "m")
    ax0.legend(["actual", "neuron 1", "neuron 2", "predicted"])
    history = run.steps[: k + 1]
    at = {name: i for i, name in enumerate(net.names)}
    panels = [(gs[2, 0], "SSR P", [s.loss for s in history], "m")]
    for row, (colour, j) in enumerate((("c", 1), ("y", 2)), start=2):
        for col, kind in enumerate(("iw", "b", "ow"), start=1):
            grads = [s.grads[at[f"{kind}{j}"]] for s in history]
            panels.append((gs[row, col], f"d SSR P/ d {kind}{j}", grads, colour))
    for spec, title, values, colour in panels:
        ax = fig.add_subplot(spec)
        ax.set_title(title)
        ax.plot(values, colour)
    plt.tight_layout()
    plt.savefig(out / f"img_1{k:03}_02.jpg")
    plt.close()


def fps(frames: int, seconds: float) -> float:
    return frames / seconds


def time_notebook(run: Run, samples: Samples, steps: Sequence[int]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        notebook_frame(run, samples, steps[0], Path(tmp))  # pyplot's first figure sets up fonts
        start = time.perf_counter()
        for k in steps:
            notebook_frame(run, samples, k, Path(tmp))
        return fps(len(steps), time.perf_counter() - start)


def time_stage(
    run: Run, samples: Samples, steps: Sequence[int], workers: int, land: Landscape | None
) -> float:
    cfg = RenderConfig(width=WIDTH, height=HEIGHT, workers=workers)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_frames(Path(tmp) / "frames", run, samples, steps, cfg, land)
        return fps(len(steps), time.perf_counter() - start)


def main() -> None:
    run, samples = default_run()
    land = run_landscape(run, samples, LandscapeConfig())
    steps = frame_steps(run.steps[-1].step, 1, 5000)[:FAST_FRAMES]
    print(f"python {platform.python_version()}, matplotlib {matplotlib.__version__}, ", end="")
    print(f"{os.cpu_count()} CPUs; {WIDTH}x{HEIGHT} frames of the default run")
    picks = steps[:: len(steps) // NOTEBOOK_FRAMES][:NOTEBOOK_FRAMES]
    notebook = time_notebook(run, samples, picks)
    print(f"reference notebook's procedure, {len(picks)} frames: {notebook:8.2f} frames/s")
    rows = {}
    for name, workers, panel in (
        ("1 worker, landscape panel", 1, land),
        ("1 worker, no landscape", 1, None),
        ("2 workers, landscape panel", 2, land),
    ):
        rows[name] = time_stage(run, samples, steps, workers, panel)
        print(f"nnreel, {name}, {len(steps)} frames: {rows[name]:8.2f} frames/s")
    for name in ("1 worker, landscape panel", "1 worker, no landscape"):
        print(f"nnreel {name} / notebook: {rows[name] / notebook:6.1f}x  (goal: >= 50x)")
    two = rows["2 workers, landscape panel"] / rows["1 worker, landscape panel"]
    print(f"nnreel 2 workers / 1 worker: {two:5.2f}x")


if __name__ == "__main__":
    main()
