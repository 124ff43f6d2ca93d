"""Train the network and write one checkpoint record per step."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable, Iterator

from tqdm import tqdm

from nnreel.checkpoints import Step, encode_run
from nnreel.io import CHECKPOINTS, read_config, read_samples, write_lines
from nnreel.network import Net, init_params
from nnreel.stages import run_stage
from nnreel.training import train


def main() -> None:
    cfg = read_config()
    xs, ys = read_samples()
    net = Net(cfg.model.arch)
    init = init_params(net.arch, cfg.seed, cfg.model.init.sigma, cfg.model.init.values)
    theta = [init[name] for name in net.names]
    made_by = {
        "seed": cfg.seed,
        "model": dataclasses.asdict(cfg.model),
        "train": dataclasses.asdict(cfg.train),
    }
    last: list[Step] = []

    def remember_last(steps: Iterable[Step]) -> Iterator[Step]:
        for s in steps:
            last[:] = [s]
            yield s

    steps = train(net, theta, xs, ys, cfg.train)
    bar = tqdm(steps, total=cfg.train.steps + 1, desc="train", unit="step", disable=None)
    write_lines(CHECKPOINTS, encode_run(net.names, made_by, remember_last(bar)))
    end = last[0]
    if end.diverged:
        print(f"nnreel train: diverged at step {end.step}: {end.diverged}", file=sys.stderr)


if __name__ == "__main__":
    run_stage("train", main)
