"""Which steps get a frame, what a frame file is called, and the checks a folder of frames
must pass before it is encoded or reported."""

from __future__ import annotations

import math
import re
from pathlib import Path

from nnreel.config.schema import MIN_FRAME_SIDE
from nnreel.core.indices import evenly_spread
from nnreel.errors import ConfigError, StaleError
from nnreel.records.files import ArtifactError

FRAME_NAME = re.compile(r"frame_(\d{6})\.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_HEADER_BYTES = 24  # signature, IHDR length and type, width, height
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the IEND chunk every complete PNG ends with


def every_kth(last: int, k: int) -> list[int]:
    """Steps 0, k, 2k, … below `last`, then `last` itself: the steps that get a frame."""
    return [*range(0, last, k), last]


def frame_steps(last: int, every: int, max_frames: int) -> list[int]:
    """The steps that get a frame; ConfigError if they are more than `max_frames`."""
    steps = every_kth(last, every)
    if len(steps) > max_frames:
        least = math.ceil(last / (max_frames - 1))
        raise ConfigError(
            "render.every",
            every,
            f"would render {len(steps)} frames, more than render.max_frames={max_frames}; "
            f"raise render.every to at least {least}",
        )
    return steps


def preview_steps(steps: list[int], n: int) -> list[int]:
    """The rendered steps the GIF preview shows: n of them, spread evenly."""
    return [steps[i] for i in evenly_spread(len(steps), min(n, len(steps)))]


def preview_size(width: int, height: int, gif_width: int) -> tuple[int, int]:
    """The size the GIF's frames are drawn at, in the film's proportions: `gif_width` wide, so
    its text is as legible as the film's; but no larger than the film, and no smaller than
    the least frame the renderer draws. ffmpeg scales what is left to `gif_width`."""
    scale = min(1.0, max(gif_width / width, MIN_FRAME_SIDE / width, MIN_FRAME_SIDE / height))
    return round(width * scale), round(height * scale)


def hold_frames(fps: int, hold_last_s: float) -> int:
    """How many copies of the last frame end the MP4."""
    return round(hold_last_s * fps)


def video_seconds(n_frames: int, fps: int, hold_last_s: float) -> float:
    """Length of the MP4 in seconds."""
    return (n_frames + hold_frames(fps, hold_last_s)) / fps


def frame_name(step: int) -> str:
    return f"frame_{step:06d}.png"


def frame_step(name: str) -> int | None:
    """The step in a frame file name `frame_NNNNNN.png`, or None for any other name."""
    match = FRAME_NAME.fullmatch(name)
    return int(match.group(1)) if match else None


def png_size(header: bytes) -> tuple[int, int] | None:
    """(width, height) from the first 24 bytes of a PNG file, or None if it is not a PNG."""
    if len(header) < PNG_HEADER_BYTES or not header.startswith(PNG_SIGNATURE):
        return None
    if header[12:16] != b"IHDR":
        return None
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def png_complete(trailer: bytes) -> bool:
    """Whether the last 12 bytes of a PNG file are its IEND chunk (a cut-off file's are not)."""
    return trailer == PNG_END


def frame_size(path: Path) -> tuple[int, int]:
    """A frame file's size from its header; ArtifactError if it is not a whole frame PNG."""
    if frame_step(path.name) is None:
        raise ArtifactError(path, "not a frame name (expected frame_NNNNNN.png)", "render")
    try:
        with path.open("rb") as f:
            size = png_size(f.read(PNG_HEADER_BYTES))
            f.seek(max(0, path.stat().st_size - len(PNG_END)))
            complete = png_complete(f.read())
    except OSError as e:
        raise ArtifactError(path, f"unreadable ({e.strerror})", "render") from None
    if size is None:
        raise ArtifactError(path, "not a PNG image", "render")
    if not complete:
        raise ArtifactError(path, "cut off (no PNG end chunk)", "render")
    return size


def checked_frames(folder: Path, every: int, size: tuple[int, int]) -> list[Path]:
    """The frame files in step order; ArtifactError naming the first stray, damaged, misfit,
    missing or unexpected one, StaleError if they were not rendered `size` pixels large."""
    if not folder.is_dir():
        raise ArtifactError(folder, "missing", "render")
    paths = sorted(folder.glob("*.png"))
    if not paths:
        raise ArtifactError(folder, "holds no frames", "render")
    sizes = [frame_size(p) for p in paths]
    for path, found in zip(paths, sizes, strict=True):
        if found != sizes[0]:
            problem = "is {}x{} pixels, not {}x{} like the first frame".format(*found, *sizes[0])
            raise ArtifactError(path, problem, "render")
    _check_size(paths[0], sizes[0], size, "render.width x render.height")
    _check_steps(paths, every)
    return paths


def _check_size(path: Path, found: tuple[int, int], size: tuple[int, int], key: str) -> None:
    """StaleError if the frame `path`, `found` pixels large, was not drawn `size` large."""
    if found != size:
        made, now = ("{}x{}".format(*s) for s in (found, size))
        raise StaleError(path, key, made, now)


def checked_preview(folder: Path, steps: list[int], size: tuple[int, int]) -> list[Path]:
    """The GIF's frame files, one for each of `steps`; ArtifactError naming the first missing,
    unexpected or damaged one, StaleError if they were not drawn `size` pixels large."""
    paths = sorted(folder.glob("*.png")) if folder.is_dir() else []
    expected = [folder / frame_name(k) for k in steps]
    stray = sorted(set(paths) ^ set(expected))
    if stray:
        problem = "missing" if stray[0] in expected else "unexpected"
        raise ArtifactError(stray[0], f"{problem} (a frame of the GIF preview)", "render")
    for path in paths:
        _check_size(path, frame_size(path), size, "video.gif_width")
    return paths


def _check_steps(paths: list[Path], every: int) -> None:
    """ArtifactError naming the first frame missing from (or extra to) the render.every steps."""
    steps = [frame_step(p.name) or 0 for p in paths]
    expected = every_kth(steps[-1], every)
    for problem, odd in (
        ("missing", set(expected) - set(steps)),
        ("unexpected", set(steps) - set(expected)),
    ):
        if odd:
            path = paths[0].with_name(frame_name(min(odd)))
            raise ArtifactError(path, f"{problem} (render.every is {every})", "render")
