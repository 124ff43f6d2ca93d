"""Train the network and write one checkpoint record per step."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

from tqdm import tqdm

from nnreel.core.run import Step
from nnreel.core.training import seeded_training
from nnreel.records.checkpoints import encode_run
from nnreel.records.files import CHECKPOINTS, write_lines
from nnreel.records.params import read_config
from nnreel.records.samples import read_samples
from nnreel.stages import run_stage


def main() -> None:
    cfg = read_config()
    xs, ys = read_samples(cfg.data)
    net, steps = seeded_training(cfg, xs, ys)
    last: list[Step] = []

    def remember_last(steps: Iterable[Step]) -> Iterator[Step]:
        for s in steps:
            last[:] = [s]
            yield s

    bar = tqdm(steps, total=cfg.train.steps + 1, desc="train", unit="step", disable=None)
    write_lines(CHECKPOINTS, encode_run(net.names, cfg, remember_last(bar)))
    if last[0].diverged:
        print(f"nnreel train: diverged at step {last[0].step}: {last[0].diverged}", file=sys.stderr)


if __name__ == "__main__":
    run_stage("train", main)
