"""Write reports/metrics.json, reports/history.tsv and reports/report.md with its images."""

from __future__ import annotations

from nnreel import landscape, metrics
from nnreel.artifacts import read_samples
from nnreel.frames import checked_frames
from nnreel.io import (
    FRAMES,
    REPORTS,
    copy_file,
    save_png,
    write_json,
    write_lines,
)
from nnreel.landscape_file import read_landscape
from nnreel.landscape_plot import landscape_figure
from nnreel.params import read_config
from nnreel.render import fit_figure, loss_figure
from nnreel.run_file import read_run
from nnreel.stages import run_stage


def main() -> None:
    cfg = read_config()
    run = read_run(cfg)
    samples = read_samples(cfg.data)
    frames = checked_frames(FRAMES, cfg.render.every, (cfg.render.width, cfg.render.height))
    land = read_landscape(cfg, run)
    m = metrics.metrics(run, samples, len(frames), (cfg.video.fps, cfg.video.hold_last_s))
    m |= landscape.summary(land)
    write_json(REPORTS / "metrics.json", m)
    write_lines(REPORTS / "history.tsv", metrics.history_lines(run))
    write_lines(REPORTS / "paths.tsv", metrics.path_lines(run))
    save_png(loss_figure(run), REPORTS / "loss.png")
    save_png(fit_figure(run, samples, cfg.report.grid_points), REPORTS / "fit.png")
    save_png(landscape_figure(land), REPORTS / "landscape.png")
    copy_file(frames[0], REPORTS / "first_frame.png")
    copy_file(frames[-1], REPORTS / "final_frame.png")
    page = metrics.report_markdown(run, cfg.data.target, len(samples[0]), m, cfg.video.gif)
    write_lines(REPORTS / "report.md", [page, "\n", landscape.report_section(land), "\n"])


if __name__ == "__main__":
    run_stage("report", main)
