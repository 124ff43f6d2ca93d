"""Assemble the rendered frames into reports/training.mp4, and the preview's own frames into
reports/preview/training.gif.

The preview has a folder of its own: DVC needs every declared output to exist, and the
folder is left empty when video.gif is false.
"""

from __future__ import annotations

import errno
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import imageio_ffmpeg
from tqdm import tqdm

from nnreel.pictures import video
from nnreel.records.files import FRAMES, PREVIEW, REPORTS, scratch_dir
from nnreel.records.frames import (
    checked_frames,
    checked_preview,
    frame_step,
    hold_frames,
    preview_size,
    preview_steps,
)
from nnreel.records.params import read_config
from nnreel.stages import run_stage

MP4 = REPORTS / "training.mp4"
GIF = REPORTS / "preview" / "training.gif"


def run_ffmpeg(args: list[str], bar: tqdm[Any] | None = None) -> None:
    """Run ffmpeg, counting the frames it writes on `bar`; its failure is our bug, so it
    raises with ffmpeg's own message."""
    progress = ["-progress", "pipe:1", "-nostats"] if bar is not None else []
    with subprocess.Popen(
        [*args[:1], *progress, *args[1:]], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as ffmpeg:
        assert ffmpeg.stdout is not None and ffmpeg.stderr is not None
        for line in ffmpeg.stdout:
            if bar is not None and line.startswith("frame="):
                bar.update(int(line[6:]) - bar.n)
        stderr = ffmpeg.stderr.read()
    if ffmpeg.returncode != 0 and os.strerror(errno.ENOSPC) in stderr:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # run_stage says it in one line
    if ffmpeg.returncode != 0:
        raise RuntimeError(f"ffmpeg exited with {ffmpeg.returncode}:\n{stderr}")


def make_mp4(frames: Path, tmp: Path, fps: int, hold_last_s: float, n: int) -> Path:
    """The film of the `n` checked frames in `frames`, encoded into the temporary directory
    `tmp`, with a progress bar."""
    out = tmp / "training.mp4"
    hold = hold_frames(fps, hold_last_s)
    with tqdm(total=n + hold, desc="video", unit="frame", disable=None) as bar:
        run_ffmpeg(video.mp4_args(imageio_ffmpeg.get_ffmpeg_exe(), frames, out, fps, hold), bar)
    return out


def make_gif(paths: list[Path], tmp: Path, width: int, hold_last_s: float) -> Path:
    """The preview of its own frames, `width` pixels wide, encoded into the directory `tmp`."""
    concat, out = tmp / "gif.ffconcat", tmp / "training.gif"
    concat.write_text(video.concat_list(paths), encoding="utf-8")
    delay = video.gif_delay_cs(len(paths))
    hold = video.gif_hold_frames(hold_last_s, delay)
    run_ffmpeg(video.gif_args(imageio_ffmpeg.get_ffmpeg_exe(), concat, out, width, delay, hold))
    return out


def main() -> None:
    cfg = read_config()
    v = cfg.video
    r = cfg.render
    paths = checked_frames(FRAMES, r.every, (r.width, r.height))
    size = preview_size(r.width, r.height, v.gif_width)
    steps = [frame_step(p.name) or 0 for p in paths]
    preview = checked_preview(PREVIEW, preview_steps(steps, v.gif_frames) if v.gif else [], size)
    GIF.parent.mkdir(parents=True, exist_ok=True)
    # Both films are made in a hidden directory, then renamed into place together; an error
    # or Ctrl-C removes it and leaves the old outputs alone. It lies inside the preview's
    # folder, an output, so that what a run killed outright leaves there is cleared by the
    # next `dvc repro` even when DVC restores the outputs from its run cache instead of
    # running this stage (which would clear it too: its name is fixed).
    with scratch_dir(GIF.parent / ".video.tmp") as tmp, ThreadPoolExecutor(2) as pool:
        made = {MP4: pool.submit(make_mp4, FRAMES, tmp, v.fps, v.hold_last_s, len(paths))}
        if v.gif:  # MP4 and GIF at once, one ffmpeg each
            made[GIF] = pool.submit(make_gif, preview, tmp, v.gif_width, v.hold_last_s)
        done = {out: future.result() for out, future in made.items()}  # all, or raise
        for out, made_file in done.items():
            os.replace(made_file, out)
    if not v.gif:
        GIF.unlink(missing_ok=True)  # a stale preview would not match the film


if __name__ == "__main__":
    run_stage("video", main)
