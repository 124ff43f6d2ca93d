"""Frames as a viewer relies on them: one per rendered step, true to its checkpoint, stable."""

from __future__ import annotations

import io
import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from nnreel.artifacts import read_samples, write_samples
from nnreel.checkpoints import Run, encode_run
from nnreel.config import RenderConfig
from nnreel.data import make_samples
from nnreel.errors import ConfigError
from nnreel.frames import frame_steps
from nnreel.io import CHECKPOINTS, FRAMES, SAMPLES, write_lines
from nnreel.network import Net, init_params
from nnreel.params import read_config
from nnreel.render import FrameRenderer
from nnreel.run_file import read_run
from nnreel.stages import render as render_stage
from nnreel.training import train

Samples = tuple[list[float], list[float]]


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, params: str) -> tuple[Run, Samples]:
    """Samples and a trained run written by the real code under `tmp_path`, then read back."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.yaml").write_text(params)
    cfg = read_config()
    write_samples(SAMPLES, make_samples(cfg.data, None), cfg.data)
    xs, ys = read_samples(cfg.data)
    net = Net(cfg.model.arch)
    init = init_params(net.arch, cfg.seed, cfg.model.init.sigma, cfg.model.init.values)
    steps = train(net, list(init.values()), xs, ys, cfg.train)
    write_lines(CHECKPOINTS, encode_run(net.names, cfg, steps))
    return read_run(cfg), (xs, ys)


def renderer(run: Run, samples: Samples, width: int = 400, height: int = 250) -> FrameRenderer:
    return FrameRenderer(run, samples, range(len(run.steps)), width, height)


def pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB")).astype(int)


@given(st.integers(0, 3000), st.integers(1, 400))
def test_rendered_steps_are_every_kth_plus_the_last(last: int, every: int) -> None:
    steps = frame_steps(last, every, 10**6)
    assert steps[0] == 0 and steps[-1] == last
    assert all(k % every == 0 for k in steps[:-1])
    assert all(0 < b - a <= every for a, b in itertools.pairwise(steps))
    assert len(steps) == 1 + math.ceil(last / every)


@given(st.integers(1, 3000), st.integers(1, 50), st.integers(2, 100))
def test_too_many_frames_names_the_smallest_every_that_fits(
    last: int, every: int, max_frames: int
) -> None:
    assume(len(frame_steps(last, every, 10**6)) > max_frames)
    with pytest.raises(ConfigError, match=r"more than render\.max_frames") as error:
        frame_steps(last, every, max_frames)
    least = int(str(error.value).rsplit(" ", 1)[-1])
    assert len(frame_steps(last, least, max_frames)) <= max_frames
    with pytest.raises(ConfigError):
        frame_steps(last, least - 1, max_frames)


def test_the_stage_writes_one_frame_per_rendered_step_at_the_configured_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = "render: {width: 400, height: 250, every: 2, workers: 1}\ntrain: {steps: 5}\n"
    project(tmp_path, monkeypatch, params)
    render_stage.main()
    names = sorted(p.name for p in FRAMES.iterdir())
    assert names == [f"frame_{k:06d}.png" for k in (0, 2, 4, 5)]
    for name in names:
        with Image.open(FRAMES / name) as image:
            assert image.size == (400, 250)
    assert sorted(p.name for p in (tmp_path / "data").iterdir() if p.name.startswith(".")) == []


def test_too_many_frames_is_an_error_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, monkeypatch, "render: {max_frames: 4}\ntrain: {steps: 9}\n")
    with pytest.raises(ConfigError, match=r"render\.every = 1: would render 10 frames, .*least 3$"):
        render_stage.main()
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [
        "checkpoints.jsonl",
        "samples.json",
    ]


def test_a_failed_render_leaves_the_previous_frames_and_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, "train: {steps: 3}\n")
    FRAMES.mkdir()
    (FRAMES / "frame_000000.png").write_bytes(b"old")
    with pytest.raises(IndexError):  # step 9 is past the run's end: fails after frame 0
        render_stage.write_frames(FRAMES, run, samples, [0, 9], RenderConfig(workers=1))
    assert (FRAMES / "frame_000000.png").read_bytes() == b"old"
    assert sorted(p.name for p in (tmp_path / "data").iterdir() if p.name.startswith(".")) == []


def test_frame_k_shows_the_curves_loss_and_parameters_of_checkpoint_k(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, "train: {steps: 40}\n")
    r = renderer(run, samples, 800, 500)
    net = Net(r.net.arch)
    for k in (0, 17, 40):
        png = r.render(k)
        state = run.steps[k]
        grid = list(r.prediction.get_xdata())
        assert len(grid) >= 100
        assert grid[0] < min(samples[0]) and grid[-1] > max(samples[0])
        preds, contributions = net.predict(state.params, grid)
        assert list(r.prediction.get_ydata()) == preds
        assert [list(line.get_ydata()) for line in r.contributions] == contributions
        assert f"step {k} of 40" in r.title.get_text()
        assert f"SSR = {state.loss:.6g}" in r.title.get_text()
        values = " ".join(text.get_text() for text in r.values)
        for name, value in zip(run.names, state.params, strict=True):
            assert f"{name} = {value:.4g}" in values
        x, y = grid[120], preds[120]
        px, py = r.curves_ax.transData.transform((x, y))
        row, col = round(500 - py), round(px)
        near = pixels(png)[row - 2 : row + 3, col - 2 : col + 3].reshape(-1, 3)
        assert any(red > 200 and green < 80 and blue > 200 for red, green, blue in near)


def test_axes_stay_fixed_from_frame_to_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, "train: {steps: 30}\n")
    r = renderer(run, samples)

    def limits() -> list[tuple[float, ...]]:
        return [(*ax.get_xlim(), *ax.get_ylim(), *ax.get_position().bounds) for ax in r.fig.axes]

    before = limits()
    for k in (0, 30, 11):
        r.render(k)
        assert limits() == before


def test_frames_are_byte_identical_whatever_the_rendering_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, "train: {steps: 10}\n")
    first = renderer(run, samples).render(7)
    other = renderer(run, samples)
    other.render(10)
    assert other.render(7) == first
    assert first.startswith(b"\x89PNG") and b"tEXt" not in first and b"iTXt" not in first
    assert other.render(3) != first


@pytest.mark.slow
def test_two_workers_write_the_same_bytes_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, "train: {steps: 60}\n")
    steps = frame_steps(60, 1, 100)
    frames = {}
    for workers in (1, 2):
        out = tmp_path / f"frames{workers}"
        cfg = RenderConfig(width=400, height=250, workers=workers)
        render_stage.write_frames(out, run, samples, steps, cfg)
        frames[workers] = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(frames[1]) == 61
    assert frames[1] == frames[2]


def test_a_diverged_runs_last_frame_says_where_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = "model: {activation: identity}\ntrain: {lr: 1.0, steps: 50}\n"
    run, samples = project(tmp_path, monkeypatch, params)
    assert run.diverged is not None
    r = renderer(run, samples, 800, 500)
    last = run.steps[-1].step

    def red_pixels(png: bytes) -> int:
        rgb = pixels(png)
        return int(((rgb[..., 0] > 200) & (rgb[..., 1] < 60) & (rgb[..., 2] < 60)).sum())

    assert red_pixels(r.render(0)) == 0
    assert not r.divergence.get_visible()
    assert red_pixels(r.render(last)) > 50
    assert r.divergence.get_visible()
    assert r.divergence.get_text().startswith(f"diverged at step {run.diverged['step']}: ")
    assert run.diverged["reason"] in r.divergence.get_text()


@pytest.mark.parametrize(
    ("hidden", "output_bias", "gradient_titles"),
    [
        ([6], True, [f"∂SSR/∂{p}{j}" for j in range(1, 7) for p in ("iw", "b", "ow")]),
        ([12], False, [f"∂SSR/∂{kind} (all neurons)" for kind in ("iw", "b", "ow")]),
        ([3, 2], False, [f"∂SSR/∂{n}" for n in (["w2_1_1", "w2_1_2", "w2_1_3", "b2_1", "ow1"])]
         + [f"∂SSR/∂{n}" for n in (["w2_2_1", "w2_2_2", "w2_2_3", "b2_2", "ow2"])]),
    ],
)  # fmt: skip
def test_every_gradient_panel_is_titled_with_its_parameter(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    hidden: list[int],
    output_bias: bool,
    gradient_titles: list[str],
) -> None:
    params = f"model: {{hidden: {hidden}, output_bias: {str(output_bias).lower()}}}\n"
    run, samples = project(tmp_path, monkeypatch, params + "train: {steps: 3}\n")
    r = renderer(run, samples)
    titles = [ax.get_title() for ax in r.fig.axes[2:]]  # after the curves and the legend
    expected = ["SSR", *gradient_titles]
    if output_bias:
        expected.insert(0, "∂SSR/∂ob")
    assert sorted(titles) == sorted(expected)
    r.update(run.steps[-1].step)
    values = " ".join(text.get_text() for text in r.values)
    assert all(f"{name} = " in values for name in run.names)


def ink_columns(image: np.ndarray, rows: slice) -> tuple[int, int]:
    """First and last column with dark pixels in the given rows."""
    dark = np.nonzero((image[rows].sum(axis=2) < 3 * 128).any(axis=0))[0]
    return int(dark[0]), int(dark[-1])


def test_the_typed_title_spans_what_matplotlib_measures_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, "train: {steps: 40}\n")
    r = renderer(run, samples, 800, 500)
    first, later = pixels(r.render(0)), pixels(r.render(40))
    top = slice(0, int(500 - r.curves_ax.bbox.y1))  # the rows above the curves
    assert not np.array_equal(first[top], later[top])  # the title shows each step's loss
    left, right = ink_columns(later, top)
    renderer_: Any = FigureCanvasAgg(r.fig).get_renderer()  # type: ignore[no-untyped-call]
    expected = r.title.get_window_extent(renderer_)  # matplotlib's own layout of the title
    assert abs((right - left) - expected.width) <= 0.05 * expected.width
    assert abs((left + right) / 2 - (expected.x0 + expected.x1) / 2) <= 4
