"""Write reports/viewer.html: every step of the run, and its loss landscape, in one offline page."""

from __future__ import annotations

from nnreel.records.files import REPORTS, write_lines
from nnreel.records.landscape_file import read_landscape
from nnreel.records.params import read_config
from nnreel.records.run_file import read_run
from nnreel.records.samples import read_samples
from nnreel.stages import run_stage
from nnreel.web import viewer


def main() -> None:
    cfg = read_config()
    run = read_run(cfg)
    samples = read_samples(cfg.data)
    land = read_landscape(cfg, run)
    data = viewer.run_data(run, samples, "run", cfg.viewer.grid_points, land)
    page = viewer.page("nnreel viewer", [data], cfg.video.fps)
    write_lines(REPORTS / "viewer.html", [page])


if __name__ == "__main__":
    run_stage("viewer", main)
