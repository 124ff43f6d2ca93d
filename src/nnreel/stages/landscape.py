"""Evaluate the exact loss on a plane through the training path: data/landscape.json."""

from __future__ import annotations

from nnreel import landscape
from nnreel.io import LANDSCAPE, read_config, read_run, read_samples, write_json
from nnreel.stages import run_stage


def main() -> None:
    cfg = read_config()
    land = landscape.landscape(read_run(), read_samples(), cfg.landscape)
    write_json(LANDSCAPE, landscape.to_json(land))


if __name__ == "__main__":
    run_stage("landscape", main)
