"""Write reports/metrics.json, reports/history.tsv and reports/report.md with its images."""

from __future__ import annotations

from nnreel.core import landscape, metrics
from nnreel.pictures.landscape_panel import landscape_figure
from nnreel.pictures.png import save_png
from nnreel.pictures.report_figures import fit_figure, loss_figure
from nnreel.records import report
from nnreel.records.files import (
    FRAMES,
    REPORTS,
    copy_file,
    write_json,
    write_lines,
)
from nnreel.records.frames import checked_frames, video_seconds
from nnreel.records.landscape_file import read_landscape
from nnreel.records.params import read_config
from nnreel.records.run_file import read_run
from nnreel.records.samples import read_samples
from nnreel.stages import run_stage


def main() -> None:
    cfg = read_config()
    run = read_run(cfg)
    samples = read_samples(cfg.data)
    frames = checked_frames(FRAMES, cfg.render.every, (cfg.render.width, cfg.render.height))
    land = read_landscape(cfg, run)
    seconds = video_seconds(len(frames), cfg.video.fps, cfg.video.hold_last_s)
    m = metrics.run_metrics(run, samples, len(frames), seconds)
    m |= landscape.summary(land)
    write_json(REPORTS / "metrics.json", m)
    write_lines(REPORTS / "history.tsv", report.history_lines(run))
    write_lines(REPORTS / "paths.tsv", report.path_lines(run))
    save_png(loss_figure(run), REPORTS / "loss.png")
    save_png(fit_figure(run, samples, cfg.report.grid_points), REPORTS / "fit.png")
    save_png(landscape_figure(land), REPORTS / "landscape.png")
    copy_file(frames[0], REPORTS / "first_frame.png")
    copy_file(frames[-1], REPORTS / "final_frame.png")
    page = report.report_markdown(run, cfg.data.target, len(samples[0]), m, cfg.video.gif)
    write_lines(REPORTS / "report.md", [page, "\n", report.report_section(land), "\n"])


if __name__ == "__main__":
    run_stage("report", main)
