"""The last frame of every preset in conf/, side by side: docs/gallery.png.

    nnreel gallery [--out docs/gallery.png] [--size 800x500] [--frames DIR]

Each preset is composed from conf/ with Hydra as `dvc exp run -S …` would, trained in memory
and its last step rendered. `--frames DIR` also writes each preset's first, middle and last
frame, for looking at them one by one.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

from nnreel.config.compose import compose_params
from nnreel.core.data import make_samples
from nnreel.core.landscape import Landscape, run_landscape
from nnreel.core.network import Samples
from nnreel.core.run import Run
from nnreel.core.training import seeded_training
from nnreel.pictures.frame import FrameRenderer
from nnreel.pictures.png import encode_png
from nnreel.records.checkpoints import decode_run, encode_run
from nnreel.records.files import atomic_path, read_data_file
from nnreel.records.params import read_config

PRESETS: dict[str, list[str]] = {
    "default": [],
    "fib_valley (wide, adam)": ["experiment=fib_valley"],
    "points": ["data=points"],
    "wide": ["model=wide"],
    "deep": ["model=deep"],
    "adam": ["train=adam"],
    "momentum": ["train=momentum"],
    "ob lesson": ["experiment=ob_lesson"],
    "diverged": ["train.lr=2"],
}


def preset_run(
    overrides: list[str], conf: Path = Path("conf")
) -> tuple[Run, Samples, Landscape | None]:
    """The run, samples and (if the frames show it) landscape of conf/ composed with
    `overrides`, computed in memory."""
    with tempfile.TemporaryDirectory() as tmp:
        params = Path(tmp) / "params.yaml"
        compose_params(params, conf, overrides)
        cfg = read_config(params)
    csv = read_data_file(Path(cfg.data.csv)) if cfg.data.target == "csv" else None
    xs, ys = make_samples(cfg.data, csv)
    net, steps = seeded_training(cfg, xs, ys)
    lines = list(encode_run(net.names, cfg, steps))
    run = decode_run(lines)
    land = run_landscape(run, (xs, ys), cfg.landscape) if cfg.render.landscape else None
    return run, (xs, ys), land


def tile(images: list[np.ndarray], columns: int) -> np.ndarray:
    """RGBA images of one size in rows of `columns`, on white."""
    h, w, _ = images[0].shape
    rows = -(-len(images) // columns)
    sheet = np.full((rows * h, columns * w, 4), 255, np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        sheet[r * h : (r + 1) * h, c * w : (c + 1) * w] = image
    return sheet


def frame_size(text: str) -> tuple[int, int]:
    """An argparse type: WIDTHxHEIGHT in pixels."""
    width, _, height = text.partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) and int(height)):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, e.g. 800x500, got {text!r}")
    return int(width), int(height)


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("docs/gallery.png"))
    parser.add_argument(
        "--size", type=frame_size, default="800x500", help="frame size, WIDTHxHEIGHT"
    )
    parser.add_argument("--frames", type=Path, help="also write first, middle and last frames")


def run(args: argparse.Namespace) -> None:
    """The gallery `args` ask for."""
    width, height = args.size
    finals = []
    for name, overrides in PRESETS.items():
        trained, samples, land = preset_run(overrides)
        renderer = FrameRenderer(trained, samples, width, height, label=name, land=land)
        last = trained.steps[-1].step
        for k in (0, last // 2, last) if args.frames else (last,):
            png = renderer.render(k)
            if args.frames:
                args.frames.mkdir(parents=True, exist_ok=True)
                # "fib_valley (wide, adam)" → fib_valley_wide_adam
                slug = "_".join(re.findall(r"[a-z0-9]+", name))
                (args.frames / f"{slug}_{width}x{height}_{k:06d}.png").write_bytes(png)
        finals.append(np.asarray(renderer.canvas.buffer_rgba()).copy())
    with atomic_path(args.out) as tmp:
        tmp.write_bytes(encode_png(tile(finals, 3)))
    print(f"wrote {args.out}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m nnreel.runs.gallery", description=__doc__)
    arguments(parser)
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
