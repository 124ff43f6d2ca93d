"""Frames as a viewer relies on them: one per rendered step, true to its checkpoint, stable."""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image
from zlib_ng import zlib_ng

from nnreel.config.schema import Config, LandscapeConfig, ModelConfig, RenderConfig, TrainConfig
from nnreel.core.data import make_samples
from nnreel.core.landscape import run_landscape
from nnreel.core.limits import curve_limits, dense_grid, history_limits
from nnreel.core.network import Net
from nnreel.core.run import Run, Step
from nnreel.core.training import seeded_training
from nnreel.errors import ConfigError
from nnreel.pictures.frame import FrameRenderer
from nnreel.pictures.png import encode_png
from nnreel.pictures.style import DIVERGED
from nnreel.records.checkpoints import encode_run
from nnreel.records.files import CHECKPOINTS, FRAMES, PREVIEW, SAMPLES, write_lines
from nnreel.records.frames import frame_steps
from nnreel.records.params import read_config
from nnreel.records.run_file import read_run
from nnreel.records.samples import read_samples, write_samples
from nnreel.stages import render as render_stage
from tests.conftest import reference_samples
from tests.repo import composed_conf_text, trained_run

Samples = tuple[list[float], list[float]]


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, params: str) -> tuple[Run, Samples]:
    """Samples and a trained run written by the real code under `tmp_path`, then read back."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.yaml").write_text(params)
    cfg = read_config()
    write_samples(SAMPLES, make_samples(cfg.data, None), cfg.data)
    xs, ys = read_samples(cfg.data)
    net, steps = seeded_training(cfg, xs, ys)
    write_lines(CHECKPOINTS, encode_run(net.names, cfg, steps))
    return read_run(cfg), (xs, ys)


def renderer(run: Run, samples: Samples, width: int = 400, height: int = 250) -> FrameRenderer:
    return FrameRenderer(run, samples, width, height)


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
    """And the GIF's own frames: video.gif_frames of them, drawn video.gif_width wide or, if
    that is smaller, as small as a frame can be (200 px a side)."""
    params = "render: {width: 400, height: 250, every: 2, workers: 1}\ntrain: {steps: 5}\n"
    project(tmp_path, monkeypatch, params + "video: {gif_width: 160, gif_frames: 3}\n")
    render_stage.main()
    for folder, steps, size in (
        (FRAMES, (0, 2, 4, 5), (400, 250)),
        (PREVIEW, (0, 4, 5), (320, 200)),
    ):
        names = sorted(p.name for p in folder.iterdir())
        assert names == [f"frame_{k:06d}.png" for k in steps]
        for name in names:
            with Image.open(folder / name) as image:
                assert image.size == size
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
    r = renderer(run, samples, 1600, 1000)
    net = Net(r.scene.net.arch)
    for k in (0, 17, 40):
        png = r.render(k)
        state = run.steps[k]
        grid = list(r.fit.prediction.get_xdata())
        assert len(grid) >= 100
        assert grid[0] < min(samples[0]) and grid[-1] > max(samples[0])
        preds, contributions = net.predict(state.params, grid)
        lo, hi = r.fit.ax.get_ylim()
        assert list(r.fit.prediction.get_ydata()) == [min(max(p, lo), hi) for p in preds]
        assert [list(line.get_ydata()) for line in r.fit.contributions] == [
            [min(max(c, lo), hi) for c in cs] for cs in contributions
        ]
        title = " ".join(r.title.text.get_text().split())  # as read, whatever the padding
        assert f"step {k} of 40 SSR = {state.loss:.6g} lr = 0.01" == title
        values = " ".join(text.get_text() for text, _ in r.values.texts)
        for name, value in zip(run.names, state.params, strict=True):
            assert f"{name} = {value:.4g}" in values
        x, y = grid[120], preds[120]
        px, py = r.fit.ax.transData.transform((x, y))
        row, col = round(1000 - py), round(px)
        near = pixels(png)[row - 3 : row + 4, col - 3 : col + 4].reshape(-1, 3)
        assert any(red > 200 and green < 150 and blue > 200 for red, green, blue in near)


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


@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 2**32 - 1), st.integers(1, 256))
def test_a_png_decodes_to_the_pixels_it_was_given(h: int, w: int, seed: int, colours: int) -> None:
    rng = np.random.default_rng(seed)
    rgba = rng.integers(0, colours, (h, w, 4), dtype=np.uint8)
    with Image.open(io.BytesIO(encode_png(rgba))) as image:
        assert image.mode == "RGBA" and np.array_equal(np.asarray(image), rgba)


@pytest.fixture(scope="module")
def default_frames() -> dict[tuple[int, int], tuple[bytes, np.ndarray]]:
    """Step 300 of the default run, as a PNG and as the canvas's pixels, at two sizes."""
    cfg = Config()
    run, samples = trained_run(cfg, make_samples(cfg.data))
    land = run_landscape(run, samples, cfg.landscape)
    made = {}
    for size in ((1600, 1000), (640, 400)):
        r = FrameRenderer(run, samples, *size, land=land)
        png = r.render(300)
        made[size] = png, np.asarray(r.canvas.buffer_rgba()).copy()
    return made


@pytest.mark.parametrize("size", [(1600, 1000), (640, 400)])
def test_a_frame_decodes_to_exactly_the_pixels_the_renderer_drew(
    default_frames: dict[tuple[int, int], tuple[bytes, np.ndarray]], size: tuple[int, int]
) -> None:
    png, canvas = default_frames[size]
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == size and np.array_equal(np.asarray(image.convert("RGBA")), canvas)


@pytest.mark.parametrize("size", [(1600, 1000), (640, 400)])
def test_a_frame_takes_at_most_four_fifths_of_the_fastest_deflate(
    default_frames: dict[tuple[int, int], tuple[bytes, np.ndarray]], size: tuple[int, int]
) -> None:
    png, canvas = default_frames[size]
    h, w, _ = canvas.shape
    rows = np.zeros((h, 1 + 4 * w), np.uint8)  # filter 0 on every row, then the RGBA bytes
    rows[:, 1:] = canvas.reshape(h, 4 * w)
    plain = len(zlib_ng.compress(rows.data, 1))
    assert len(png) <= 0.8 * plain


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


def test_a_diverged_runs_last_frame_says_where_and_why_beside_the_data(
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

    before = red_pixels(r.render(0))  # the loss panel's title: it ends above its start
    assert not r.values.divergence.get_visible()
    assert red_pixels(r.render(last)) > before + 50
    assert r.values.divergence.get_visible()
    notice = " ".join(r.values.divergence.get_text().split())
    assert notice.startswith(f"diverged at step {run.diverged.step}: ")
    assert run.diverged.reason in notice
    assert f"step {last} of 50 (stopped at {last})" in " ".join(r.title.text.get_text().split())
    box = r.values.divergence.get_window_extent(r.canvas.get_renderer())
    assert not box.overlaps(r.fit.ax.bbox)  # the notice covers no data


def gradient_titles(r: FrameRenderer) -> list[str]:
    return [ax.get_title() for ax in r.fig.axes[3:]]  # after the curves, legend and loss


@pytest.mark.parametrize(
    ("hidden", "output_bias", "titles"),
    [
        ([6], True, [f"{p}{j}" for j in range(1, 7) for p in ("iw", "ow", "b")] + ["ob"]),
        ([12], False, ["iw1…iw12", "ow1…ow12", "b1…b12"]),
        ([3, 2], False, ["iw1", "b1", "iw2", "b2", "iw3", "b3",
                         "w2_1_1", "w2_1_2", "w2_1_3", "ow1", "b2_1",
                         "w2_2_1", "w2_2_2", "w2_2_3", "ow2", "b2_2"]),
    ],
)  # fmt: skip
def test_every_trained_parameter_has_a_gradient_panel_in_draw_order(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    hidden: list[int],
    output_bias: bool,
    titles: list[str],
) -> None:
    params = f"model: {{hidden: {hidden}, output_bias: {str(output_bias).lower()}}}\n"
    run, samples = project(tmp_path, monkeypatch, params + "train: {steps: 3}\n")
    r = renderer(run, samples, 1600, 1000)
    assert r.fig.axes[2].get_title().startswith("SSR")
    assert gradient_titles(r) == [f"∂SSR/∂{t}" for t in titles]
    r.update(run.steps[-1].step)
    values = " ".join(text.get_text() for text, _ in r.values.texts)
    shown = [name for name in run.names if f"{name} = " in values]
    assert shown == run.names[: len(shown)]  # in draw order, the rest counted
    more = [t.get_text() for t in r.fig.axes[1].texts if t.get_text().startswith("… and ")]
    assert more == (
        [] if len(shown) == len(run.names) else [f"… and {len(run.names) - len(shown)} more"]
    )


PRESETS = {
    "default": "",
    "deep": "model: {hidden: [4, 4], activation: tanh, output_bias: true, init: {sigma: 1.0}}\n",
    "wide": "model: {hidden: [6], output_bias: true, init: {sigma: 1.0}}\n",
    "ob lesson": composed_conf_text(["experiment=ob_lesson"]),
    "big": "model: {hidden: [20, 20]}\ntrain: {steps: 5}\n",
}
SIZES = [(640, 400), (800, 500), (1600, 1000)]


Rendered = Callable[[str, tuple[int, int]], tuple[Run, FrameRenderer]]


@pytest.fixture(scope="module")
def preset_renderer(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """A preset's run (60 steps unless it says) and its renderer at a size, made once per
    module: a renderer at 1600 x 1000 takes about a second to lay out."""
    made: dict[tuple[str, tuple[int, int]], tuple[Run, FrameRenderer]] = {}

    def get(preset: str, size: tuple[int, int]) -> tuple[Run, FrameRenderer]:
        if (preset, size) not in made:
            params = tmp_path_factory.mktemp("preset") / "params.yaml"
            steps = "" if "train:" in PRESETS[preset] else "train: {steps: 60}\n"
            params.write_text(PRESETS[preset] + steps)
            cfg = read_config(params)
            run, samples = trained_run(cfg, make_samples(cfg.data))
            made[preset, size] = run, FrameRenderer(run, samples, *size)
        return made[preset, size]

    return get


def drawn(artist: Any) -> np.ndarray:
    """The y values a line or a set of dots is drawn at."""
    if isinstance(artist, Line2D):
        return np.ravel(artist.get_ydata())
    return np.asarray(artist.get_offsets())[:, 1]


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("size", SIZES)
def test_every_value_of_every_history_is_on_its_panel_and_every_trained_parameter_shown(
    preset_renderer: Rendered, preset: str, size: tuple[int, int]
) -> None:
    """A healthy run's histories fit their panels whole; a diverged one's (the big preset's)
    leave them only after its start, and the current value then stands at the panel's edge."""
    run, r = preset_renderer(preset, size)
    trained = [n for n in run.names if n not in run.config.train.frozen]
    shown = sorted(n for _, names in r.histories.groups for n in names)
    assert shown == sorted(trained)
    notes = {note.axes: note for note, *_ in r.histories.outside}
    for k in (0, run.steps[-1].step // 2, run.steps[-1].step):
        r.update(k)
        for line, history in [*r.histories.tracks, *r.histories.marks]:
            assert line.axes is not None
            lo, hi = line.axes.get_ylim()
            assert lo < history[0].min() and history[0].max() < hi
            if run.diverged is None:
                assert lo < history.min() and history.max() < hi  # the whole history fits
            current = drawn(line)[-history[k].size :]
            if not all(lo < y < hi for y in current):
                assert notes[line.axes].get_text().startswith(("↑", "↓"))


def x_height_px(text: Any) -> float:
    """The height of a lowercase x in `text`'s font, measured from the glyph's outline."""
    from matplotlib.textpath import TextPath

    size = text.get_fontsize()
    outline = TextPath((0, 0), "x", size=size, prop=text.get_fontproperties())
    return float(outline.get_extents().height) * 100 / 72  # points to pixels at 100 dpi


@pytest.mark.parametrize("preset", ["default", "ob lesson", "big"])
def test_no_text_is_smaller_than_8_pixels_of_x_height_at_640_by_400(
    preset_renderer: Rendered, preset: str
) -> None:
    run, r = preset_renderer(preset, (640, 400))
    r.render(run.steps[-1].step)
    texts = [t for t in r.fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
    assert len(texts) > 10
    assert min(x_height_px(t) for t in texts) >= 8.0


def wcag_contrast(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


@pytest.mark.parametrize("n", [2, 8, 9, 64])
def test_neuron_colours_stand_3_to_1_against_white_and_differ(n: int) -> None:
    from matplotlib.colors import to_rgb

    from nnreel.pictures.style import neuron_colours

    colours = [to_rgb(c) for c in neuron_colours(n)]
    assert all(wcag_contrast(c) >= 3.0 for c in colours)
    assert len(set(colours)) == n


def test_a_log_loss_axis_has_three_or_more_labelled_ticks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, PRESETS["wide"] + "train: {steps: 60}\n")
    losses = [s.loss for s in run.steps]
    assert max(losses) > 10 * min(losses)
    from nnreel.pictures.report_figures import loss_figure

    for ax in (renderer(run, samples).fig.axes[2], loss_figure(run).axes[0]):
        assert ax.get_yscale() == "log"
        lo, hi = ax.get_ylim()
        assert lo <= min(losses) and max(losses) <= hi
        shown = [t for t in ax.get_yticks() if lo <= t <= hi]
        labels = [ax.yaxis.get_major_formatter()(t, i) for i, t in enumerate(shown)]
        assert len([label for label in labels if label]) >= 3


def test_samples_are_drawn_over_the_curves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run, samples = project(tmp_path, monkeypatch, "train: {steps: 5}\n")
    r = renderer(run, samples, 800, 500)
    image = pixels(r.render(5))
    for x, y in zip(*samples, strict=True):
        px, py = r.fit.ax.transData.transform((x, y))
        assert image[round(500 - py), round(px)].max() < 60  # black, whatever is under it


def test_a_neuron_equal_to_the_prediction_still_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, "model: {hidden: [1]}\ntrain: {steps: 5}\n")
    r = renderer(run, samples, 800, 500)
    image = pixels(r.render(5))
    grid, ys = r.fit.contributions[0].get_xdata(), r.fit.contributions[0].get_ydata()
    assert list(ys) == list(r.fit.prediction.get_ydata())
    px, py = r.fit.ax.transData.transform((grid[77], ys[77]))
    red, green, blue = image[round(500 - py), round(px)]
    assert blue > red and blue > green  # the neuron's own blue, on the prediction's magenta


def test_frozen_parameters_have_no_panel_and_are_marked_in_the_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, PRESETS["ob lesson"])
    r = renderer(run, samples, 1600, 1000)
    assert gradient_titles(r) == ["∂SSR/∂ob"]
    side = [line for t in r.fig.axes[1].texts for line in t.get_text().splitlines()]
    frozen_at = side.index("frozen:")
    assert all(any(f"{n} = " in t for t in side[frozen_at:]) for n in run.config.train.frozen)
    assert not any("ob = " in t for t in side[frozen_at:])
    assert [rows for _, rows in r.values.texts] == [[["ob"]]]


def test_limits_come_from_every_step_not_the_rendered_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(
        tmp_path, monkeypatch, "data: {target: fib_valley}\ntrain: {steps: 100}\n"
    )
    last = {}
    for every in (1, 50):
        out = tmp_path / f"every{every}"
        cfg = RenderConfig(width=400, height=250, workers=1, every=every)
        render_stage.write_frames(out, run, samples, frame_steps(100, every, 200), cfg)
        last[every] = (out / "frame_000100.png").read_bytes()
    assert last[1] == last[50]


def softplus_curves(theta: dict[str, float], xs: list[float]) -> list[float]:
    """Every value of the prediction and of each neuron's ow_j·softplus(iw_j·x + b_j) at
    `xs`, for the two-neuron network, written out by hand."""
    neurons = [
        [theta[f"ow{j}"] * math.log1p(math.exp(theta[f"iw{j}"] * x + theta[f"b{j}"])) for x in xs]
        for j in (1, 2)
    ]
    return [*(a + b for a, b in zip(*neurons, strict=True)), *neurons[0], *neurons[1]]


def test_one_far_out_step_leaves_the_fit_limits_but_step_0_and_the_samples_stay() -> None:
    xs, ys = reference_samples()
    samples = (xs, [y + 10.0 for y in ys])  # above every curve but the far-out step's
    n, outlier = 30, 17  # the 5% most extreme steps are one step
    thetas = [{"iw1": 1.0, "b1": 0.0, "ow1": -6.0, "iw2": -1.0, "b2": 0.0, "ow2": -3.0}]
    for k in range(1, n):  # step 0 lies well below the rest, which rise steadily
        t = (k - 1) / (n - 2)
        thetas.append({**thetas[0], "ow1": -1.0 + 2.0 * t, "ow2": -0.5 + t})
    thetas[outlier] = {**thetas[outlier], "ow1": 1e6, "ow2": 1e6}
    model = ModelConfig()
    names = Net(model.arch).names
    steps = [
        Step(k, 0.0, [theta[name] for name in names], [0.0] * len(names))
        for k, theta in enumerate(thetas)
    ]
    run = Run(names, Config(model=model, train=TrainConfig(steps=n - 1)), steps, None)
    grid = dense_grid(xs)
    lo, hi = curve_limits([(run, samples)], grid)
    assert max(softplus_curves(thetas[outlier], grid)) > hi  # the outlier leaves the panel
    kept = [
        v for k, theta in enumerate(thetas) if k != outlier for v in softplus_curves(theta, grid)
    ]
    assert lo <= min(kept) and max(kept) <= hi  # step 0, with the lowest curves, among them
    assert min(softplus_curves(thetas[0], grid)) < min(softplus_curves(thetas[1], grid)) - 5
    assert lo <= min(samples[1]) and max(samples[1]) <= hi
    assert hi - lo < 100  # so the rest fill the panel


def landscape_of(run: Run, samples: Samples) -> Any:
    return run_landscape(run, samples, LandscapeConfig(resolution=21))


def test_the_landscape_panel_follows_the_path_beside_a_larger_fit_and_overlaps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, "train: {steps: 40}\n")
    land = landscape_of(run, samples)
    r = FrameRenderer(run, samples, 1600, 1000, land=land)
    assert r.landscape is not None
    ax = r.landscape.ax
    renderer_ = r.canvas.get_renderer()
    panel = ax.get_tightbbox(renderer_)  # with its colour bar, labels and title
    assert ax.bbox.width * ax.bbox.height < r.fit.ax.bbox.width * r.fit.ax.bbox.height
    for other in (r.fit.ax, r.values.legend.axes):
        box = other.get_tightbbox(renderer_)
        assert panel is not None and box is not None and not panel.overlaps(box)
    (track,) = land.tracks
    dots = [a for a in r.landscape.artists if isinstance(a, Line2D) and a.get_linestyle() == "None"]
    for k in (0, 17, 40):
        r.render(k)
        assert [tuple(np.ravel(d.get_xydata())) for d in dots] == [
            (track.coords[0][k], track.coords[1][k])
        ]
    again = FrameRenderer(run, samples, 1600, 1000, land=land)
    assert again.render(17) == r.render(17)


def test_frames_too_small_for_the_landscape_leave_it_to_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, "train: {steps: 5}\n")
    land = landscape_of(run, samples)
    assert FrameRenderer(run, samples, 640, 400, land=land).landscape is None
    assert FrameRenderer(run, samples, 800, 500, land=land).landscape


def test_the_render_stage_draws_the_landscape_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nnreel.stages import landscape as landscape_stage

    params = "render: {width: 800, height: 500, every: 5, workers: 1}\ntrain: {steps: 5}\n"
    project(tmp_path, monkeypatch, params + "landscape: {resolution: 11}\n")
    landscape_stage.main()
    render_stage.main()
    with_panel = (FRAMES / "frame_000005.png").read_bytes()
    (tmp_path / "data/landscape.json").unlink()  # not read when the switch is off
    (tmp_path / "params.yaml").write_text(
        params.replace("workers: 1", "workers: 1, landscape: false")
        + "landscape: {resolution: 11}\n"
    )
    render_stage.main()
    assert (FRAMES / "frame_000005.png").read_bytes() != with_panel


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
    top = slice(0, int(500 - r.fit.ax.bbox.y1))  # the rows above the curves
    assert not np.array_equal(first[top], later[top])  # the title shows each step's loss
    left, right = ink_columns(later, top)
    expected = r.title.text.get_window_extent(r.canvas.get_renderer())  # matplotlib's own layout
    assert abs((right - left) - expected.width) <= 0.05 * expected.width
    assert abs((left + right) / 2 - (expected.x0 + expected.x1) / 2) <= 4


def test_typed_characters_are_evenly_spaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, samples = project(tmp_path, monkeypatch, "train: {steps: 3}\n")
    r = renderer(run, samples, 800, 500)
    r.title.text.set_text("0" * 30)  # 30 identical glyphs: their left edges must be equally apart
    image = pixels(r.png())
    top = slice(0, int(500 - r.fit.ax.bbox.y1))
    dark = (image[top].sum(axis=2) < 3 * 128).any(axis=0)
    starts = [i for i in range(1, len(dark)) if dark[i] and not dark[i - 1]]
    gaps = {b - a for a, b in itertools.pairwise(starts)}
    assert len(starts) == 30 and len(gaps) == 1


def test_runs_compared_side_by_side_share_every_axis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("slow", "fast"):
        (tmp_path / name).mkdir()
    slow, _ = project(tmp_path / "slow", monkeypatch, "train: {steps: 20}\n")
    fast, samples = project(tmp_path / "fast", monkeypatch, "train: {steps: 30, lr: 0.05}\n")
    a = FrameRenderer(slow, samples, 800, 500, label="slow", peers=[(fast, samples)])
    b = FrameRenderer(fast, samples, 800, 500, label="fast", peers=[(slow, samples)])
    for ax_a, ax_b in zip(a.fig.axes, b.fig.axes, strict=True):
        assert ax_a.get_title() == ax_b.get_title() or "best at step" in ax_a.get_title()
        assert ax_a.get_xlim() == ax_b.get_xlim() and ax_a.get_ylim() == ax_b.get_ylim()
    alone = FrameRenderer(slow, samples, 800, 500)
    assert alone.fig.axes[2].get_ylim() != a.fig.axes[2].get_ylim()  # the loss axis is shared


def read_off(ax: Any, pixel_y: float) -> float:
    """The value a reader reads at a height: by the straight line through the two labelled
    ticks nearest it, as printed."""

    def number(label: Text) -> float:
        return float(label.get_text().replace("\N{MINUS SIGN}", "-"))

    ticks = sorted(
        (float(ax.transData.transform((0, t))[1]), number(label))
        for t, label in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
        if label.get_text() and ax.get_ylim()[0] <= t <= ax.get_ylim()[1]
    )
    assert len(ticks) >= 2
    (p0, v0), (p1, v1) = sorted(ticks, key=lambda pv: abs(pv[0] - pixel_y))[:2]
    return v0 + (pixel_y - p0) * (v1 - v0) / (p1 - p0)


READABLE = {
    "default": [],
    "points": ["data=points"],
    "40 samples": ["data.n_samples=40", "train.steps=300"],
    "diverged": ["train.lr=0.5", "train.steps=300"],
    "16 neurons": ["model.hidden=[16]", "train.lr=0.0001", "train.steps=100"],
}


@pytest.mark.parametrize("overrides", READABLE.values(), ids=READABLE)
def test_a_reader_reads_each_gradient_off_its_axis_or_its_edge_note(
    tmp_path: Path, overrides: list[str]
) -> None:
    """Every current gradient value, read off its panel through the tick labels, is within 5%
    of the axis's span; one beyond the panel is printed at its edge instead."""
    params = tmp_path / "params.yaml"
    params.write_text(composed_conf_text(overrides))
    cfg = read_config(params)
    run, samples = trained_run(cfg, make_samples(cfg.data))
    r = FrameRenderer(run, samples, 1600, 1000)
    last = run.steps[-1].step
    for k in sorted({0, 1, 5, 20, last // 2, last - 1, last}):
        r.update(k)
        shown: list[tuple[Any, float]] = [
            (line.axes, drawn(line)[-1]) for line, _ in r.histories.tracks[1:]
        ]
        shown += [(dots.axes, y) for dots, _ in r.histories.marks for y in drawn(dots)]
        beyond: dict[Any, list[tuple[float, float]]] = {}  # how far out, the value
        for ax, value in shown:
            lo, hi = ax.get_ylim()
            if lo <= value <= hi:
                y = ax.transData.transform((k, value))[1]
                span = read_off(ax, ax.bbox.y1) - read_off(ax, ax.bbox.y0)
                assert read_off(ax, y) == pytest.approx(value, abs=0.05 * span)
            else:
                beyond.setdefault(ax, []).append((max(value - hi, lo - value), value))
        notes = {note.axes: note.get_text() for note, *_ in r.histories.outside}
        for ax, outside in beyond.items():
            assert f"{max(outside)[1]:.3g}" in notes[ax]  # the furthest out is printed


def test_a_history_panel_keeps_a_steady_run_in_and_drops_isolated_spikes() -> None:
    settling = [21.7 * 0.7**k + 1.4 for k in range(15)] + [1.4 + k * 1e-4 for k in range(585)]
    lo, hi = history_limits([settling], [600])
    assert lo < min(settling) and max(settling) < hi
    spiky = [math.sin(k / 30) for k in range(600)]
    spiky[300] = 97.0
    lo, hi = history_limits([spiky], [600])
    assert -1.2 < lo < -0.9 and 0.9 < hi < 1.5  # ±1 and a margin
    lo, hi = history_limits([[0.5, -3e6]], [1])  # diverged at step 1
    assert -3e6 < lo < 0.5 < hi


def test_the_title_keeps_its_width_and_its_learning_rate_at_every_size(
    preset_renderer: Rendered,
) -> None:
    """Fixed-width fields: the centred title never moves as the digits change; a narrow frame
    gets the terse form, never a title without its learning rate."""
    for size in SIZES:
        run, r = preset_renderer("deep", size)
        titles = [r.title.line(s.step) for s in run.steps]
        assert len({len(t) for t in titles}) == 1
        assert len({len(f"{s.loss:.6g}") for s in run.steps}) > 1  # the digits do change
        assert all("lr" in t and "0.01" in t for t in titles)
    run, r = preset_renderer("deep", (640, 400))
    named = FrameRenderer(run, r.scene.runs[0][1], 640, 400, label="fib_valley (wide, adam) " * 2)
    title = named.title.line(run.steps[-1].step)
    assert title.startswith("fib_valley") and "…" in title and title.endswith("lr 0.01")
    assert len(title) <= 640 / (0.602 * float(named.title.text.get_fontsize()) * 100 / 72)


def test_the_loss_panel_rings_the_best_step_and_flags_a_run_that_ends_worse(
    tmp_path: Path,
) -> None:
    for overrides, worse in ((["train.lr=0.2", "train.steps=300"], True), ([], False)):
        params = tmp_path / "params.yaml"
        params.write_text(composed_conf_text(overrides))
        cfg = read_config(params)
        run, samples = trained_run(cfg, make_samples(cfg.data))
        losses = [s.loss for s in run.steps]
        assert (losses[-1] > losses[0]) == worse and run.diverged is None
        best = losses.index(min(losses))
        ax = FrameRenderer(run, samples, 800, 500).fig.axes[2]
        assert ax.get_title() == ("SSR ends above step 0" if worse else f"SSR, best at step {best}")
        rings = [
            ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_markerfacecolor() == "none"
        ]
        assert [tuple(np.asarray(ln.get_xydata())[0]) for ln in rings] == [(best, min(losses))]
        assert (ax.title.get_color() == DIVERGED) == worse


def test_a_run_in_ends_where_its_run_diverged() -> None:
    """A run that heads toward the rest and then blows up at step 1 is not a run-in."""
    healthy = [math.sin(k / 30) for k in range(600)]
    lo, hi = history_limits([healthy, [-3.0, 9e3]], [600, 1])
    assert lo < -3.0 < 1.0 < hi < 10


@pytest.fixture(scope="module")
def sixteen(tmp_path_factory: pytest.TempPathFactory) -> Callable[[list[str]], FrameRenderer]:
    """A renderer of a 16-neuron run with `overrides`, made once per module and overrides."""
    made: dict[str, FrameRenderer] = {}

    def get(overrides: list[str]) -> FrameRenderer:
        key = " ".join(overrides)
        if key not in made:
            params = tmp_path_factory.mktemp("sixteen") / "params.yaml"
            params.write_text(composed_conf_text(["model.hidden=[16]", *overrides]))
            cfg = read_config(params)
            run, samples = trained_run(cfg, make_samples(cfg.data))
            made[key] = FrameRenderer(run, samples, 1600, 1000)
        return made[key]

    return get


def test_frame_0_of_a_run_that_diverges_at_step_1_shows_step_0_on_its_fit(
    sixteen: Callable[[list[str]], FrameRenderer],
) -> None:
    r = sixteen(["train.steps=30"])
    assert r.scene.run.diverged is not None and r.scene.run.diverged.step == 1
    r.update(0)
    curves = [r.fit.prediction, *r.fit.contributions]
    lo, hi = r.fit.ax.get_ylim()
    first = r.scene.net.predict(r.scene.run.steps[0].params, list(r.fit.grid))
    values = [v for curve in [first[0], *first[1]] for v in curve]
    assert lo < min(values) and max(values) < hi  # every curve of step 0, nothing cut
    assert hi - lo < 2 * (max(values) - min(values))  # and not flattened by step 1
    r.update(1)
    assert any(edge.get_visible() for edge in r.fit.edges)  # step 1 leaves, marked at the edge
    assert all(lo <= y <= hi for line in curves for y in line.get_ydata())


def test_an_overlay_veils_the_future_and_colours_each_current_dot(
    sixteen: Callable[[list[str]], FrameRenderer],
) -> None:
    from matplotlib.colors import to_rgba

    r = sixteen(["train.lr=0.0001", "train.steps=100", "model.init.sigma=0.5"])
    dots, history = r.histories.marks[0]
    assert history.shape[1] == 16
    expected = [to_rgba(c) for c in r.scene.colours]
    assert [tuple(c) for c in dots.get_facecolors()] == expected  # one colour per neuron
    rgb = pixels(r.render(50))
    ax = dots.axes
    (x0, y0), (x1, y1) = ax.transData.transform([(0, ax.get_ylim()[0]), (100, ax.get_ylim()[1])])
    xk = ax.transData.transform((50, 0))[0]
    rows = slice(round(1000 - y1) + 2, round(1000 - y0) - 2)
    past = rgb[rows, round(x0) + 2 : round(xk) - 4].mean()
    future = rgb[rows, round(xk) + 4 : round(x1) - 2].mean()
    assert future > past + 2  # the same faint lines, lighter ahead of the step
