"""Evaluate the exact loss on a plane through the training path: data/landscape.json."""

from __future__ import annotations

from nnreel.core import landscape
from nnreel.records.landscape_file import write_landscape
from nnreel.records.params import read_config
from nnreel.records.run_file import read_run
from nnreel.records.samples import read_samples
from nnreel.stages import run_stage


def main() -> None:
    cfg = read_config()
    land = landscape.run_landscape(read_run(cfg), read_samples(cfg.data), cfg.landscape)
    write_landscape(land, cfg)


if __name__ == "__main__":
    run_stage("landscape", main)
