"""Train the network and write one checkpoint record per step."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

from tqdm import tqdm

from nnreel.artifacts import read_samples
from nnreel.checkpoints import Step, encode_run
from nnreel.io import CHECKPOINTS, write_lines
from nnreel.network import Net, init_params
from nnreel.params import read_config
from nnreel.stages import run_stage
from nnreel.training import train


def main() -> None:
    cfg = read_config()
    xs, ys = read_samples(cfg.data)
    net, init = Net(cfg.model.arch), cfg.model.init
    theta = list(init_params(net.arch, cfg.seed, init.sigma, init.values).values())
    last: list[Step] = []

    def remember_last(steps: Iterable[Step]) -> Iterator[Step]:
        for s in steps:
            last[:] = [s]
            yield s

    steps = train(net, theta, xs, ys, cfg.train)
    bar = tqdm(steps, total=cfg.train.steps + 1, desc="train", unit="step", disable=None)
    write_lines(CHECKPOINTS, encode_run(net.names, cfg, remember_last(bar)))
    if last[0].diverged:
        print(f"nnreel train: diverged at step {last[0].step}: {last[0].diverged}", file=sys.stderr)


if __name__ == "__main__":
    run_stage("train", main)
