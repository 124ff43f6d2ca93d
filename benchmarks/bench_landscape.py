"""The landscape stage on the default run at 101 x 101, against its 2 s goal on one core.

The default run (600 steps of the reference network) is trained and written to a temporary
project; then `python -m nnreel.stages.landscape` runs there as DVC runs it, a fresh process
with one BLAS thread, and its wall time is the best of a few runs (the machine may be busy).
For scale, in one process: the core `landscape()` (plane, path and vectorised grid) against
the same grid evaluated point by point with Net.loss_and_grad.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nnreel.config.schema import Config, LandscapeConfig, ModelConfig, TrainConfig
from nnreel.core.data import softplus_sine
from nnreel.core.landscape import run_landscape
from nnreel.core.network import Net, init_params
from nnreel.core.training import seeded_training, train
from nnreel.records.checkpoints import decode_run, encode_run
from nnreel.records.files import write_lines
from nnreel.records.run_file import read_run
from nnreel.records.samples import write_samples

GOAL_S = 2.0
ONE_CORE = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def project(tmp: Path) -> None:
    cfg = Config()
    samples = softplus_sine(cfg.data.n_samples, cfg.data.x_max)
    write_samples(tmp / "data/samples.json", samples, cfg.data)
    net, steps = seeded_training(cfg, *samples)
    lines = encode_run(net.names, cfg, steps)
    write_lines(tmp / "data/checkpoints.jsonl", lines)
    (tmp / "params.yaml").write_text("landscape: {resolution: 101}\n")


def stage_seconds(tmp: Path, repeats: int) -> float:
    env = {**os.environ, **ONE_CORE}
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nnreel.stages.landscape"], cwd=tmp, env=env, check=True
        )
        best = min(best, time.perf_counter() - start)
    return best


def in_process_seconds(tmp: Path) -> tuple[float, float]:
    """`landscape()` at 101 x 101, and the same grid with one Net.loss_and_grad per point."""
    cwd = Path.cwd()
    os.chdir(tmp)
    try:
        run = read_run(Config())
    finally:
        os.chdir(cwd)
    samples = softplus_sine(12, 2.0)
    start = time.perf_counter()
    land = run_landscape(run, samples, LandscapeConfig(resolution=101))
    core = time.perf_counter() - start
    net = Net(run.config.model.arch)
    start = time.perf_counter()
    for v in land.axes[1]:
        for u in land.axes[0]:
            theta = [
                o + u * a + v * b for o, a, b in zip(land.origin, *land.directions, strict=True)
            ]
            net.loss_and_grad(theta, *samples)
    return core, time.perf_counter() - start


def deep_seconds() -> tuple[int, float]:
    """landscape() for a 1 → 64 → 64 → 1 tanh net (20 steps) at 101 x 101, in process."""
    cfg = Config(
        model=ModelConfig(hidden=[64, 64], activation="tanh", output_bias=True),
        train=TrainConfig(steps=20, lr=0.001),
    )
    net = Net(cfg.model.arch)
    theta = list(init_params(net.arch, cfg.seed, 0.3).values())
    samples = softplus_sine(12, 2.0)
    run = decode_run(list(encode_run(net.names, cfg, train(net, theta, *samples, cfg.train))))
    start = time.perf_counter()
    run_landscape(run, samples, LandscapeConfig(resolution=101))
    return len(net.names), time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        project(tmp)
        stage = stage_seconds(tmp, 5)
        core, pointwise = in_process_seconds(tmp)
    n_params, deep = deep_seconds()
    verdict = "met" if stage <= GOAL_S else "NOT met"
    print("nnreel landscape stage — default run (600 steps), 101 x 101 grid, one BLAS thread")
    print(
        f"  whole stage (process start to landscape.json): {stage:6.2f} s  "
        f"(goal <= {GOAL_S:g} s: {verdict})"
    )
    print(f"  landscape() in process:                          {core:6.2f} s")
    print(f"  the grid point by point with Net.loss_and_grad:  {pointwise:6.2f} s")
    print(f"  ratio, point by point / landscape():            {pointwise / core:6.1f}x")
    print(f"64 x 64 tanh net ({n_params} parameters), 101 x 101 grid, in process")
    print(
        f"  landscape():                                     {deep:6.2f} s"
        f"  ({101 * 101 / deep:,.0f} forward passes/s)"
    )


if __name__ == "__main__":
    main()
