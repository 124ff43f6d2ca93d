"""Compare two to four experiments from their stored outputs, without retraining.

    nnreel compare <exp-or-rev> <exp-or-rev> [...] [--out compare] [--frames 300] [--html]

Checkpoints and samples are read at each revision through `dvc.api` (from the DVC cache or
a remote), rendered side by side, and encoded into compare/compare.mp4 together with a
combined loss plot compare/loss.png. With --html, compare/viewer.html instead: the runs in
one offline page under one slider.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import dvc.api
import imageio_ffmpeg
from matplotlib.figure import Figure
from tqdm import tqdm

from nnreel.config.schema import ViewerConfig
from nnreel.core.indices import evenly_spread
from nnreel.core.network import Samples
from nnreel.core.run import Run
from nnreel.errors import CheckpointError, UserError, quoted
from nnreel.pictures import video
from nnreel.pictures.axes import loss_axis
from nnreel.pictures.frame import FrameRenderer
from nnreel.pictures.png import save_png
from nnreel.pictures.style import DPI
from nnreel.records.checkpoints import decode_run
from nnreel.records.files import atomic_path, scratch_dir, write_lines
from nnreel.records.frames import frame_name, hold_frames
from nnreel.runs.arguments import at_least
from nnreel.runs.compare_landscape import write_shared_landscape
from nnreel.runs.sweep.figures import plain
from nnreel.stages import run_stage
from nnreel.web import viewer

PANEL = (800, 500)  # pixels of each experiment's frames
OUTPUTS = ("compare.mp4", "loss.png", "landscape.png", "viewer.html")  # all a comparison writes
STAGING = ".unfinished"  # a comparison's folder in --out until it is whole
SUMMARY = __doc__.split("\n")[0]


def load(rev: str) -> tuple[Run, Samples]:
    """The run and samples stored at revision or experiment `rev`."""
    try:
        checkpoints = str(dvc.api.read("data/checkpoints.jsonl", rev=rev, mode="r"))
        samples = json.loads(dvc.api.read("data/samples.json", rev=rev, mode="r"))
        xs, ys = [float(x) for x in samples["x"]], [float(y) for y in samples["y"]]
    except Exception as e:  # dvc raises many kinds for an unknown revision or missing data
        raise UserError(f"{rev}: cannot read its outputs ({type(e).__name__}: {e})") from None
    try:
        return decode_run(checkpoints.splitlines(keepends=True)), (xs, ys)
    except CheckpointError as e:
        raise UserError(f"{rev}: data/checkpoints.jsonl: {e}") from None


def render_frames(runs: dict[str, tuple[Run, Samples]], steps: list[int], dirs: list[Path]) -> None:
    """frame_000000.png … for `steps` into each run's directory, every run on the same axes;
    steps past a run's end repeat its last frame."""
    total = len(runs) * len(steps)
    fit_ylim = None  # the same for every run, since each renderer holds them all: found once
    with tqdm(total=total, desc="compare", unit="frame", disable=None) as bar:
        for (name, (run, samples)), out in zip(runs.items(), dirs, strict=True):
            peers = [other for key, other in runs.items() if key != name]
            renderer = FrameRenderer(
                run, samples, *PANEL, label=name, peers=peers, fit_ylim=fit_ylim
            )
            fit_ylim = (renderer.fit.lo, renderer.fit.hi)
            own = [min(k, run.steps[-1].step) for k in steps]
            png = b""
            for i, k in enumerate(own):
                if i == 0 or k != own[i - 1]:
                    png = renderer.render(k)
                (out / frame_name(i)).write_bytes(png)
                bar.update()


def encode(dirs: list[Path], out: Path, fps: int, hold: int) -> None:
    """The runs' frames side by side as an H.264 MP4 that holds its last frame, encoded as the
    film of one run is."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    with atomic_path(out) as tmp:
        subprocess.run(video.stacked_mp4_args(ffmpeg, dirs, tmp, fps, hold), check=True)


def called(name: str, twins: dict[str, str]) -> str:
    """A run's name in a shared picture, saying which earlier run it is identical to."""
    return f"{name} (= {twins[name]}, identical)" if name in twins else name


def loss_figure(runs: dict[str, Run], twins: dict[str, str]) -> Figure:
    """Every run's loss per step on one titled, labelled axis; a run identical to an earlier
    one is dashed over it and says so, so both show."""
    fig = Figure(figsize=(9, 5), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    for name, run in runs.items():
        steps, losses = [s.step for s in run.steps], [s.loss for s in run.steps]
        ax.plot(steps, losses, "--" if name in twins else "-", label=called(name, twins))
    loss_axis(ax, [s.loss for run in runs.values() for s in run.steps])
    names = sorted({run.config.train.loss.upper() for run in runs.values()})
    ax.set(xlabel="step", ylabel=" or ".join(names), title=f"{' or '.join(names)} per step")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


def write_viewer(runs: dict[str, tuple[Run, Samples]], out: Path, fps: int) -> None:
    write_lines(out, [viewer.compare_page(runs, fps, ViewerConfig().grid_points)])


def write_film(runs: dict[str, tuple[Run, Samples]], out: Path, args: argparse.Namespace) -> None:
    """The film, the loss plot and, if the runs can share one, the landscape into `out`."""
    runs = {plain(rev): run for rev, run in runs.items()}  # labels drawn as they are typed
    last = max(run.steps[-1].step for run, _ in runs.values())
    with tempfile.TemporaryDirectory() as tmp:
        dirs = [Path(tmp) / str(i) for i in range(len(runs))]
        for d in dirs:
            d.mkdir()
        render_frames(runs, evenly_spread(last + 1, args.frames), dirs)
        hold = hold_frames(args.fps, args.hold)
        encode(dirs, out / "compare.mp4", args.fps, hold)
    twins = viewer.identical(runs)
    save_png(loss_figure({rev: run for rev, (run, _) in runs.items()}, twins), out / "loss.png")
    write_shared_landscape({called(name, twins): pair for name, pair in runs.items()}, out)


def publish(staged: Path, out: Path) -> list[Path]:
    """Move what this comparison wrote into `out`, and remove there what an earlier one wrote
    and this one did not: the folder holds one comparison, whole."""
    written = []
    for name in OUTPUTS:
        if (staged / name).exists():
            os.replace(staged / name, out / name)
            written.append(out / name)
        else:
            (out / name).unlink(missing_ok=True)
    return written


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("revs", nargs="+", help="2 to 4 experiment names or git revisions")
    parser.add_argument("--out", type=Path, default=Path("compare"))
    parser.add_argument("--frames", type=at_least(2), default=300, help="frames of the video")
    parser.add_argument("--fps", type=at_least(1), default=30)
    parser.add_argument("--hold", type=float, default=1.0, help="seconds the last frame holds")
    parser.add_argument("--html", action="store_true", help="write viewer.html, not the video")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """The comparison `args` ask for; `parser` reports bad usage."""
    if not 2 <= len(args.revs) <= 4:
        parser.error("give 2 to 4 experiments")
    twice = [rev for i, rev in enumerate(args.revs) if rev in args.revs[:i]]
    if twice:
        raise UserError(f"{quoted(twice[0])} is given twice: compare 2 to 4 different runs")
    runs = {rev: load(rev) for rev in args.revs}
    args.out.mkdir(parents=True, exist_ok=True)
    with scratch_dir(args.out / STAGING) as tmp:
        if args.html:
            write_viewer(runs, tmp / "viewer.html", args.fps)
        else:
            write_film(runs, tmp, args)
        written = publish(tmp, args.out)
    print("wrote " + " and ".join(map(str, written)))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m nnreel.runs.compare", description=SUMMARY)
    arguments(parser)
    run(parser.parse_args(argv), parser)


if __name__ == "__main__":
    run_stage("compare", lambda: main(sys.argv[1:]))
