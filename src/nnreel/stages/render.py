"""Render one PNG frame per rendered step, in parallel worker processes, and the GIF
preview's frames at the GIF's own size, so that its text stays as legible as the film's."""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from nnreel.config.schema import RenderConfig
from nnreel.core.landscape import Landscape
from nnreel.core.network import Samples
from nnreel.core.run import Run
from nnreel.pictures.frame import FrameRenderer, landscape_fits
from nnreel.records.files import FRAMES, PREVIEW, atomic_dir
from nnreel.records.frames import frame_name, frame_steps, preview_size, preview_steps
from nnreel.records.landscape_file import read_landscape
from nnreel.records.params import read_config
from nnreel.records.run_file import read_run
from nnreel.records.samples import read_samples
from nnreel.stages import run_stage

BATCH = 25  # frames per task: small enough for a lively progress bar and even load


def frame_path(out: Path, step: int) -> Path:
    return out / frame_name(step)


class Worker:
    """A renderer and the directory its frames go to; one per worker process."""

    current: Worker | None = None  # this process's worker, made once by `start`

    def __init__(
        self, out: Path, run: Run, samples: Samples, land: Landscape | None, cfg: RenderConfig
    ) -> None:
        self.out = out
        self.renderer = FrameRenderer(run, samples, cfg.width, cfg.height, land=land)

    def write(self, steps: Sequence[int]) -> int:
        """Render and write the frames of `steps`, one at a time; how many were written."""
        for k in steps:
            frame_path(self.out, k).write_bytes(self.renderer.render(k))
        return len(steps)


PR_SET_PDEATHSIG = 1  # from linux/prctl.h


def exit_with_parent() -> None:
    """End this worker as soon as its parent is gone, even if it was killed outright."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)


def start(out: Path, run: Run, samples: Samples, land: Landscape | None, cfg: RenderConfig) -> None:
    """Pool initializer: Ctrl-C is the parent's to handle; a dead parent ends this worker (on
    Linux the kernel kills it at once; a thread waiting for the parent covers the rest); build
    this process's figure once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    threading.Thread(target=exit_with_parent, daemon=True).start()
    Worker.current = Worker(out, run, samples, land, cfg)


def write_batch(steps: Sequence[int]) -> int:
    assert Worker.current is not None
    return Worker.current.write(steps)


def render_into(
    out: Path,
    run: Run,
    samples: Samples,
    steps: Sequence[int],
    cfg: RenderConfig,
    land: Landscape | None,
) -> None:
    """Frames of `steps` into the existing directory `out`, on cfg.workers processes."""
    batches = [steps[i : i + BATCH] for i in range(0, len(steps), BATCH)]
    workers = min(cfg.workers or os.cpu_count() or 1, len(batches))
    args = (out, run, samples, land, cfg)
    if workers == 0:
        return
    if workers == 1:
        worker = Worker(*args)
        with tqdm(total=len(steps), desc="render", unit="frame", disable=None) as bar:
            for batch in batches:
                bar.update(worker.write(batch))
        return
    # Forked workers start without importing anything again. The pool is made before the
    # progress bar, whose monitor thread must not be running when the process forks.
    with multiprocessing.get_context("fork").Pool(workers, start, args) as pool:
        done = pool.imap_unordered(write_batch, batches)
        with tqdm(total=len(steps), desc="render", unit="frame", disable=None) as bar:
            for count in done:
                bar.update(count)


def write_frames(
    out: Path,
    run: Run,
    samples: Samples,
    steps: Sequence[int],
    cfg: RenderConfig,
    land: Landscape | None = None,
) -> None:
    """Render into a temporary sibling of `out` and rename it into place only when complete."""
    with atomic_dir(out) as tmp:
        render_into(tmp, run, samples, steps, cfg, land)


def main() -> None:
    config = read_config()
    cfg = config.render
    run = read_run(config)
    samples = read_samples(config.data)
    steps = frame_steps(run.steps[-1].step, cfg.every, cfg.max_frames)
    v = config.video
    width, height = preview_size(cfg.width, cfg.height, v.gif_width)
    small = replace(cfg, width=width, height=height)
    room = {c: cfg.landscape and landscape_fits(c.width, c.height) for c in (cfg, small)}
    land = read_landscape(config, run) if any(room.values()) else None
    write_frames(FRAMES, run, samples, steps, cfg, land if room[cfg] else None)
    preview = preview_steps(steps, v.gif_frames) if v.gif else []
    write_frames(PREVIEW, run, samples, preview, small, land if room[small] else None)


if __name__ == "__main__":
    run_stage("render", main)
