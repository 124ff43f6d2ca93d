"""Make the training samples."""

from __future__ import annotations

from pathlib import Path

from nnreel.core.data import make_samples
from nnreel.records.files import SAMPLES, read_data_file
from nnreel.records.params import read_config
from nnreel.records.samples import write_samples
from nnreel.stages import run_stage


def main() -> None:
    cfg = read_config().data
    csv_text = read_data_file(Path(cfg.csv)) if cfg.target == "csv" else None
    write_samples(SAMPLES, make_samples(cfg, csv_text), cfg)


if __name__ == "__main__":
    run_stage("generate", main)
