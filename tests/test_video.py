"""The video stage: exact frame counts, even sizes, H.264 yuv420p, same bytes every run."""

from __future__ import annotations

import errno
import itertools
import json
import math
import re
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnreel.core.indices import evenly_spread
from nnreel.errors import StaleError
from nnreel.pictures import video
from nnreel.records.files import PREVIEW, ArtifactError
from nnreel.records.frames import (
    every_kth,
    frame_name,
    preview_size,
    preview_steps,
    video_seconds,
)
from nnreel.stages import video as stage

SHADES = [20, 200, 60, 240, 100, 0, 160, 40, 220, 80]  # neighbours differ a lot


SIZE = (400, 300)  # small frames render.width and render.height allow, 4:3


def write_params(
    path: Path, every: int = 1, size: tuple[int, int] = SIZE, **video_cfg: Any
) -> None:
    """params.yaml (JSON is YAML) with the given render.every, frame size and video keys."""
    render = {"every": every, "width": size[0], "height": size[1]}
    path.write_text(json.dumps({"render": render, "video": video_cfg}), "utf-8")


def make_frames(
    steps: list[int], size: tuple[int, int] = SIZE, frames: Path = Path("data/frames")
) -> list[int]:
    """Solid grey frames data/frames/frame_{step}.png; returns each frame's shade."""
    frames.mkdir(parents=True, exist_ok=True)
    shades = [SHADES[i % len(SHADES)] for i in range(len(steps))]
    width, height = size
    for step, shade in zip(steps, shades, strict=True):
        pixels = np.full((height, width, 3), shade, dtype=np.uint8)
        iio.imwrite(frames / frame_name(step), pixels)
    return shades


def decode(path: Path) -> tuple[str, tuple[int, int], list[float]]:
    """The MP4's video stream line, its size, and each decoded frame's mean grey level."""
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    probe = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(path)], capture_output=True, text=True
    )
    (stream,) = [line for line in probe.stderr.splitlines() if "Video:" in line]
    found = re.search(r" (\d+)x(\d+)[ ,]", stream)
    assert found
    width, height = int(found[1]), int(found[2])
    raw = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True,
        check=True,
    ).stdout
    n = width * height
    assert len(raw) % n == 0
    means = [float(np.frombuffer(raw[i : i + n], np.uint8).mean()) for i in range(0, len(raw), n)]
    return stream, (width, height), means


def gif_frames(path: Path) -> np.ndarray[Any, Any]:
    return np.asarray(iio.imread(path, index=None))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.slow
def test_mp4_has_each_frame_once_in_order_then_the_hold(project: Path) -> None:
    write_params(project / "params.yaml", fps=10, hold_last_s=0.5, gif=False)
    shades = make_frames(list(range(7)))
    stage.main()
    stream, size, means = decode(project / "reports/training.mp4")
    assert "Video: h264" in stream
    assert "yuv420p(" in stream
    assert size == SIZE
    assert len(means) == 7 + 5
    expected = shades + [shades[-1]] * 5
    assert all(abs(m - e) < 6 for m, e in zip(means, expected, strict=True)), means
    assert not (project / "reports/preview/training.gif").exists()


@pytest.mark.slow
def test_sparse_steps_odd_size_and_gif(project: Path) -> None:
    size = (201, 203)
    write_params(project / "params.yaml", 5, size, fps=30, hold_last_s=0.0, gif_frames=3)
    steps = [0, 5, 10, 15, 17]
    make_frames(steps, size)
    width = 800  # video.gif_width default
    assert preview_steps(steps, 3) == [0, 10, 17]
    picked = make_frames([0, 10, 17], preview_size(*size, width), PREVIEW)
    stage.main()
    _, size, means = decode(project / "reports/training.mp4")
    assert size == (202, 204)
    assert len(means) == len(steps)
    gif = gif_frames(project / "reports/preview/training.gif")
    assert gif.shape[0] == 3
    assert gif.shape[2] == width
    assert [round(float(f.mean())) for f in gif] == pytest.approx(picked, abs=6)


@pytest.mark.slow
def test_gif_holds_the_last_frame(project: Path) -> None:
    write_params(project / "params.yaml", gif_frames=4, gif_width=100, hold_last_s=0.5)
    make_frames(list(range(10)))
    make_frames(preview_steps(list(range(10)), 4), preview_size(*SIZE, 100), PREVIEW)
    stage.main()
    gif = gif_frames(project / "reports/preview/training.gif")
    # 4 frames over the 4 s preview would be 100 cs apart; GIF frames are at most 10 cs
    # apart, so the 0.5 s hold is 50 / 10 = 5 more frames.
    assert gif.shape[0] == 4 + 5
    assert gif.shape[1:3] == (75, 100)


@pytest.mark.slow
def test_mp4_and_gif_are_byte_identical_across_runs(project: Path) -> None:
    write_params(
        project / "params.yaml", 1, (240, 200), fps=30, hold_last_s=0.2, gif_frames=4, gif_width=120
    )
    make_frames(list(range(9)), size=(240, 200))
    make_frames(preview_steps(list(range(9)), 4), preview_size(240, 200, 120), PREVIEW)
    outputs = [project / "reports/training.mp4", project / "reports/preview/training.gif"]
    stage.main()
    first = [p.read_bytes() for p in outputs]
    stage.main()
    assert [p.read_bytes() for p in outputs] == first
    assert b"Lavf" not in first[0]
    assert sorted(p.name for p in (project / "reports").iterdir()) == ["preview", "training.mp4"]
    assert [p.name for p in (project / "reports/preview").iterdir()] == ["training.gif"]


def test_missing_frames_name_the_file_and_the_fix(project: Path) -> None:
    write_params(project / "params.yaml")
    with pytest.raises(ArtifactError, match=r"data/frames: missing .*dvc repro -f render"):
        stage.main()
    Path("data/frames").mkdir(parents=True)
    with pytest.raises(ArtifactError, match="holds no frames"):
        stage.main()


def test_a_gap_in_the_steps_is_reported(project: Path) -> None:
    write_params(project / "params.yaml", every=5)
    make_frames([0, 10, 12])
    with pytest.raises(ArtifactError, match=r"frame_000005\.png: missing"):
        stage.main()
    assert not Path("reports/training.mp4").exists()


def test_a_damaged_frame_is_reported(project: Path) -> None:
    write_params(project / "params.yaml")
    make_frames([0, 1, 2])
    Path("data/frames/frame_000001.png").write_bytes(b"not a png")
    with pytest.raises(ArtifactError, match=r"frame_000001\.png: not a PNG image"):
        stage.main()


def test_frames_of_different_sizes_are_reported(project: Path) -> None:
    write_params(project / "params.yaml")
    make_frames([0, 1])
    make_frames([2], size=(32, 32))
    with pytest.raises(ArtifactError, match=r"frame_000002\.png: is 32x32 pixels, not 400x300"):
        stage.main()


def test_a_cut_off_frame_is_reported(project: Path) -> None:
    write_params(project / "params.yaml")
    make_frames([0, 1, 2])
    frame = Path("data/frames/frame_000002.png")
    frame.write_bytes(frame.read_bytes()[:-5])
    with pytest.raises(ArtifactError, match=r"frame_000002\.png: cut off"):
        stage.main()


@pytest.mark.slow
def test_ffmpeg_failing_keeps_the_old_outputs_and_leaves_no_temp(project: Path) -> None:
    write_params(project / "params.yaml", gif=False)
    make_frames([0, 1, 2])
    stage.main()
    before = Path("reports/training.mp4").read_bytes()
    frame = Path("data/frames/frame_000001.png")
    good = frame.read_bytes()
    frame.write_bytes(good[:41] + b"\xff" * 16 + good[57:])  # garbage inside the image data
    with pytest.raises(RuntimeError, match=r"ffmpeg exited with .*\n.*png"):
        stage.main()
    assert sorted(p.name for p in Path("reports").iterdir()) == ["preview", "training.mp4"]
    assert Path("reports/training.mp4").read_bytes() == before


def test_concat_list_quotes_awkward_paths_so_ffmpeg_reads_them(tmp_path: Path) -> None:
    folder = tmp_path.resolve() / "it's here"
    folder.mkdir()
    path = folder / "frame_000000.png"
    iio.imwrite(path, np.full((8, 8, 3), 99, np.uint8))
    text = video.concat_list([path])
    # ffconcat quoting: inside single quotes, a quote is closed, escaped and reopened.
    assert text.splitlines() == [
        "ffconcat version 1.0",
        f"file '{folder.parent}/it'\\''s here/frame_000000.png'",
    ]
    concat = tmp_path / "list.ffconcat"
    concat.write_text(text, encoding="utf-8")
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    args = [ffmpeg, "-v", "error", "-f", "concat", "-safe", "0", "-i", str(concat)]
    done = subprocess.run([*args, "-f", "null", "-"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@given(st.integers(1, 3000), st.integers(1, 300))
def test_evenly_spread_rounds_each_even_share_half_up(count: int, k: int) -> None:
    picks = evenly_spread(count, k)
    shares = [Fraction(i * (count - 1), max(1, k - 1)) for i in range(k)]
    assert picks == [math.floor(s + Fraction(1, 2)) for s in shares]
    assert picks[0] == 0
    assert k == 1 or picks[-1] == count - 1
    gaps = [b - a for a, b in itertools.pairwise(picks)]
    assert all(g > 0 for g in gaps) or k > count
    assert not gaps or max(gaps) - min(gaps) <= 1


@given(st.integers(1, 3000), st.integers(2, 200))
def test_the_preview_shows_distinct_steps_from_first_to_last(n: int, k: int) -> None:
    steps = [3 * i for i in range(n)]
    shown = preview_steps(steps, k)
    assert len(shown) == min(n, k) == len(set(shown))
    assert shown[0] == 0 and shown[-1] == steps[-1]


def test_every_kth_step_includes_the_last() -> None:
    assert every_kth(12, 5) == [0, 5, 10, 12]
    assert every_kth(10, 5) == [0, 5, 10]
    assert every_kth(0, 3) == [0]


def test_video_seconds_counts_the_hold() -> None:
    assert video_seconds(601, 30, 1.0) == pytest.approx(631 / 30)


def test_frames_of_another_size_than_params_are_stale(project: Path) -> None:
    write_params(project / "params.yaml", size=(800, 600))
    make_frames([0, 1])
    with pytest.raises(StaleError) as info:
        stage.main()
    assert str(info.value) == (
        "data/frames/frame_000000.png: made with render.width x render.height = '400x300', "
        "but params.yaml has '800x600'; bring it up to date with: dvc repro"
    )
    assert not Path("reports/training.mp4").exists()


def test_a_missing_or_stale_frame_of_the_gif_is_reported(project: Path) -> None:
    write_params(project / "params.yaml", gif_frames=2, gif_width=200)
    make_frames([0, 1, 2])
    with pytest.raises(ArtifactError, match=r"data/preview/frame_000000\.png: missing"):
        stage.main()
    make_frames([0, 2], (320, 240), PREVIEW)
    with pytest.raises(StaleError, match=r"made with video.gif_width = '320x240'"):
        stage.main()
    assert not Path("reports/training.mp4").exists()


def test_ffmpeg_on_a_full_disk_is_the_one_line_a_full_disk_gets() -> None:
    args = [imageio_ffmpeg.get_ffmpeg_exe(), *video.QUIET, "-f", "lavfi", "-i"]
    args += ["color=c=gray:s=64x64:d=2", "-f", "rawvideo", "-y", "/dev/full"]
    with pytest.raises(OSError) as info:
        stage.run_ffmpeg(args)
    assert info.value.errno == errno.ENOSPC
