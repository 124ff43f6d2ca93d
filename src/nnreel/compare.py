"""Compare two to four experiments from their stored outputs, without retraining.

    python -m nnreel.compare <exp-or-rev> <exp-or-rev> [...] [--out compare] [--frames 300] [--html]

Checkpoints and samples are read at each revision through `dvc.api` (from the DVC cache or
a remote), rendered side by side, and encoded into compare/compare.mp4 together with a
combined loss plot compare/loss.png. With --html, compare/viewer.html instead: the runs in
one offline page under one slider.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import dvc.api
import imageio_ffmpeg
from matplotlib.figure import Figure

from nnreel import video, viewer
from nnreel.checkpoints import Run, decode_run, every_kth
from nnreel.config import ViewerConfig
from nnreel.errors import CheckpointError, UserError
from nnreel.io import atomic_path, package_text, save_png, write_lines
from nnreel.network import Samples
from nnreel.render import DPI, FrameRenderer, log_scale

PANEL = (800, 500)  # pixels of each experiment's frames


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


def render_frames(run: Run, samples: Samples, steps: list[int], out: Path, label: str) -> None:
    """frame_000000.png … for `steps`; steps past the run's end repeat its last frame."""
    last = run.steps[-1].step
    own = [min(k, last) for k in steps]
    renderer = FrameRenderer(run, samples, sorted(set(own)), *PANEL, label=label)
    png = b""
    for i, k in enumerate(own):
        if i == 0 or k != own[i - 1]:
            png = renderer.render(k)
        (out / f"frame_{i:06d}.png").write_bytes(png)


def stack_filter(n: int) -> str:
    """ffmpeg filter placing n inputs side by side (2 or 3) or in a 2x2 grid (4)."""
    inputs = "".join(f"[{i}:v]" for i in range(n))
    if n == 4:
        return f"{inputs}xstack=inputs=4:layout=0_0|w0_0|0_h0|w0_h0[v]"
    return f"{inputs}hstack=inputs={n}[v]"


def encode(dirs: list[Path], out: Path, fps: int) -> None:
    args = [imageio_ffmpeg.get_ffmpeg_exe(), *video.QUIET]
    for d in dirs:
        args += ["-framerate", str(fps), "-i", str(d / "frame_%06d.png")]
    args += ["-filter_complex", stack_filter(len(dirs)), "-map", "[v]"]
    args += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-threads", "1", *video.BITEXACT]
    with atomic_path(out) as tmp:
        subprocess.run([*args, "-f", "mp4", str(tmp)], check=True)


def loss_plot(runs: dict[str, Run], out: Path) -> None:
    fig = Figure(figsize=(9, 5), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    for name, run in runs.items():
        ax.plot([s.step for s in run.steps], [s.loss for s in run.steps], label=name)
    if log_scale([s.loss for run in runs.values() for s in run.steps]):
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend()
    ax.grid(alpha=0.3)
    save_png(fig, out)


def at_least(least: int) -> Callable[[str], int]:
    """An argparse type: an integer >= `least`."""

    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < least:
            raise argparse.ArgumentTypeError(f"expected an integer >= {least}, got {text!r}")
        return int(text)

    return parse


def write_viewer(runs: dict[str, tuple[Run, Samples]], out: Path, fps: int) -> None:
    script, style = package_text("web/viewer.js"), package_text("web/viewer.css")
    page = viewer.compare_page(runs, fps, ViewerConfig().grid_points, script, style)
    write_lines(out, [page])
    print(f"wrote {out}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m nnreel.compare", description=__doc__.split("\n")[0]
    )
    parser.add_argument("revs", nargs="+", help="2 to 4 experiment names or git revisions")
    parser.add_argument("--out", type=Path, default=Path("compare"))
    parser.add_argument("--frames", type=at_least(2), default=300, help="frames of the video")
    parser.add_argument("--fps", type=at_least(1), default=30)
    parser.add_argument("--html", action="store_true", help="write viewer.html, not the video")
    args = parser.parse_args(argv)
    if not 2 <= len(args.revs) <= 4:
        parser.error("give 2 to 4 experiments")
    runs = {rev: load(rev) for rev in args.revs}
    if args.html:
        write_viewer(runs, args.out / "viewer.html", args.fps)
        return
    last = max(run.steps[-1].step for run, _ in runs.values())
    steps = every_kth(last, max(1, math.ceil(last / (args.frames - 1))))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        dirs = []
        for i, (rev, (run, samples)) in enumerate(runs.items()):
            dirs.append(Path(tmp) / str(i))
            dirs[-1].mkdir()
            render_frames(run, samples, steps, dirs[-1], rev)
        encode(dirs, args.out / "compare.mp4", args.fps)
    loss_plot({rev: run for rev, (run, _) in runs.items()}, args.out / "loss.png")
    print(f"wrote {args.out / 'compare.mp4'} and {args.out / 'loss.png'}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except UserError as e:
        print(f"nnreel compare: error: {e}", file=sys.stderr)
        sys.exit(2)
