"""Check the whole config before any stage that owns outputs runs."""

from __future__ import annotations

from pathlib import Path

from nnreel.records.files import read_data_file, write_lines
from nnreel.records.frames import frame_steps
from nnreel.records.params import read_config
from nnreel.stages import run_stage

STAMP = Path("data/config.ok")


def main() -> None:
    cfg = read_config()
    frame_steps(cfg.train.steps, cfg.render.every, cfg.render.max_frames)  # before render runs
    if cfg.data.target == "csv":
        read_data_file(Path(cfg.data.csv))
    # Constant content: a valid change reruns only the stages whose own params changed.
    write_lines(STAMP, ["config ok\n"])


if __name__ == "__main__":
    run_stage("validate", main)
