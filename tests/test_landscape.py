"""The loss landscape: exact values on the grid, planes, the 1-D tangent, shared planes."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from nnreel.config.schema import LandscapeConfig, parse_config
from nnreel.core import landscape as L
from nnreel.core.network import Net
from nnreel.core.run import Run, Step
from nnreel.errors import ConfigError
from nnreel.pictures.frame import FrameRenderer
from nnreel.pictures.landscape_panel import draw_landscape, loss_ticks, tick_text
from nnreel.records.checkpoints import encode_run
from nnreel.records.faithfulness import faithfulness
from nnreel.records.files import ArtifactError, read_artifact
from nnreel.records.landscape_file import from_json, read_landscape, to_json, write_landscape
from nnreel.records.samples import write_samples
from nnreel.runs.compare_landscape import sharing_problem, write_shared_landscape
from tests.conftest import Samples, reference_samples
from tests.repo import trained_run

ALL_BUT_OB = ["iw1", "b1", "ow1", "iw2", "b2", "ow2"]
DEEP = {
    "model": {"hidden": [64, 64], "activation": "tanh", "output_bias": True, "init": {"sigma": 0.3}}
}


def trained(raw: dict[str, Any], samples: Samples | None = None) -> tuple[Run, Samples]:
    """A run made by the real training code, read back through its checkpoints file."""
    return trained_run(parse_config(raw), samples or reference_samples())


def theta_at(land: L.Landscape, coords: list[float]) -> list[float]:
    """θ at display coordinates, from the recorded plane, in plain Python."""
    theta = list(land.origin)
    for c, d, off in zip(coords, land.directions, land.offsets, strict=True):
        theta = [t + (c - off) * di for t, di in zip(theta, d, strict=True)]
    return theta


def check_grid_is_the_training_loss(land: L.Landscape, run: Run, samples: Samples) -> None:
    """A sample of grid points, evaluated again by Net.loss_and_grad."""
    net, rng = Net(run.config.model.arch), random.Random(5)
    rows, cols = len(land.loss), len(land.axes[0])
    corners = [(0, 0), (rows - 1, cols - 1)]
    for j, i in [*corners, *((rng.randrange(rows), rng.randrange(cols)) for _ in range(25))]:
        coords = [land.axes[0][i], *([land.axes[1][j]] if rows > 1 else [])]
        expected, _ = net.loss_and_grad(theta_at(land, coords), *samples, run.config.train.loss)
        assert land.loss[j][i] == expected, (j, i)  # the same operations in the same order


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"train": {"loss": "mse", "optimizer": "adam", "lr": 0.05, "steps": 60}},
        {
            "model": {"hidden": [3, 2], "activation": "relu", "output_bias": True},
            "train": {"steps": 40},
        },
        {"model": {"activation": "sigmoid"}, "train": {"steps": 40}},
        {"model": {"activation": "identity"}, "train": {"steps": 40, "lr": 0.001}},
        {"model": {"output_bias": True}, "train": {"frozen": ALL_BUT_OB, "steps": 40}},
    ],
)
def test_grid_values_are_the_training_loss_at_their_theta(raw: dict[str, Any]) -> None:
    run, samples = trained(raw)
    land = L.run_landscape(run, samples, LandscapeConfig(resolution=21))
    check_grid_is_the_training_loss(land, run, samples)


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"model": {"hidden": [3, 2], "activation": "tanh", "output_bias": True}},
        {"model": {"hidden": [4], "activation": "relu"}, "train": {"loss": "mse"}},
        {"model": {"activation": "sigmoid"}},
    ],
)
def test_the_surface_at_each_recorded_theta_is_its_recorded_loss_bit_for_bit(
    raw: dict[str, Any],
) -> None:
    run, samples = trained({**raw, "train": {"steps": 30, **raw.get("train", {})}})
    thetas = np.array([s.params for s in run.steps])
    net = Net(run.config.model.arch)
    values = L.batch_loss(net, thetas, samples, run.config.train.loss).tolist()
    assert values == [s.loss for s in run.steps]


def check_path_in_plane_and_grid(land: L.Landscape, run: Run) -> None:
    (t,) = land.tracks
    assert t.residual == [0.0] * len(run.steps)
    for axis, coords in zip(land.axes, t.coords, strict=True):
        assert axis[0] < min(coords) and max(coords) < axis[-1]
    names = [run.names.index(n) for n in land.labels]
    for k, s in enumerate(run.steps):  # the picture reads in the parameters' own values
        for a, i in enumerate(names):
            assert math.isclose(t.coords[a][k], s.params[i], rel_tol=1e-12, abs_tol=1e-12)


def test_named_axes_hold_the_path_exactly_when_only_they_train() -> None:
    run, samples = trained({"train": {"frozen": ["iw1", "b1", "ow1", "b2"], "steps": 80}})
    land = L.run_landscape(run, samples, LandscapeConfig(plane="params", axes=["ow2", "iw2"]))
    assert (land.mode, land.labels) == ("params", ["ow2", "iw2"])
    check_path_in_plane_and_grid(land, run)
    assert L.max_residual(land) == 0.0 and L.explained(land) == 1.0


def test_auto_with_two_trainable_parameters_uses_their_axes() -> None:
    run, samples = trained({"train": {"frozen": ["iw1", "b1", "iw2", "b2"], "steps": 80}})
    land = L.run_landscape(run, samples, LandscapeConfig())
    assert (land.mode, land.labels) == ("params", ["ow1", "ow2"])
    check_path_in_plane_and_grid(land, run)


def test_named_axes_of_a_run_that_moves_elsewhere_report_the_residual() -> None:
    run, samples = trained({"train": {"steps": 50}})
    land = L.run_landscape(run, samples, LandscapeConfig(plane="params", axes=["ow1", "ow2"]))
    P = np.array([s.params for s in run.steps])
    others = [i for i, n in enumerate(run.names) if n not in ("ow1", "ow2")]
    expected = np.linalg.norm(P[:, others] - P[-1, others], axis=1)
    assert np.allclose(land.tracks[0].residual, expected, rtol=1e-12, atol=1e-15)
    assert L.max_residual(land) > 0.1 and L.explained(land) < 1.0


def test_one_trainable_parameter_draws_the_curve_with_the_recorded_slope() -> None:
    raw = {"model": {"output_bias": True}, "train": {"frozen": ALL_BUT_OB, "steps": 60}}
    run, samples = trained(raw)
    land = L.run_landscape(run, samples, LandscapeConfig(resolution=2001))
    assert (land.mode, land.labels, len(land.loss)) == ("curve", ["ob"], 1)
    (t,) = land.tracks
    ob = run.names.index("ob")
    assert t.slope == [s.grads[ob] for s in run.steps]
    assert t.residual == [0.0] * len(run.steps)
    grid, curve = land.axes[0], land.loss[0]
    h = grid[1] - grid[0]
    for k in (0, 10, 60):
        x = run.steps[k].params[ob]
        i = min(range(1, len(grid) - 1), key=lambda i: abs(grid[i] - x))
        drawn = (curve[i + 1] - curve[i - 1]) / (2 * h)  # central difference of the curve
        # the loss is quadratic in ob: its slope is linear, so the difference is exact there
        at_grid = t.slope[k] + (grid[i] - x) * 2 * len(samples[0])
        assert math.isclose(drawn, at_grid, rel_tol=1e-6, abs_tol=1e-6), k
        d, n = grid[i] - x, len(samples[0])
        assert math.isclose(curve[i], t.loss[k] + t.slope[k] * d + n * d * d, rel_tol=1e-9)


def test_the_tangent_slope_is_a_central_difference_of_a_curved_loss() -> None:
    raw = {"train": {"frozen": ["iw1", "b1", "ow1", "iw2", "ow2"], "steps": 30}}
    run, samples = trained(raw)  # only b2 trains; the loss is not quadratic in a bias
    land = L.run_landscape(run, samples, LandscapeConfig(resolution=4001))
    (t,) = land.tracks
    grid, curve = land.axes[0], land.loss[0]
    for k in (0, 15, 30):
        x = t.coords[0][k]
        i = min(range(1, len(grid) - 1), key=lambda i: abs(grid[i] - x))
        drawn = (curve[i + 1] - curve[i - 1]) / (grid[i + 1] - grid[i - 1])
        assert abs(grid[i] - x) <= grid[1] - grid[0]
        assert math.isclose(drawn, t.slope[k], rel_tol=2e-3, abs_tol=2e-3), (k, drawn, t.slope[k])


@pytest.mark.parametrize(
    "raw",
    [{}, {"train": {"optimizer": "adam", "lr": 0.05}}, {"model": {"hidden": [6]}}],
)
def test_pca_directions_are_orthonormal_and_explain_descending_shares(raw: dict[str, Any]) -> None:
    run, samples = trained(raw)
    land = L.run_landscape(run, samples, LandscapeConfig(resolution=11))
    assert land.mode == "pca"
    D = np.array(land.directions)
    assert np.allclose(D @ D.T, np.eye(2), atol=1e-12)
    (t,) = land.tracks
    assert all(0.0 <= e <= 1.0 for e in t.explained)
    assert t.explained[0] >= t.explained[1] and sum(t.explained) <= 1.0 + 1e-12
    # the shares are those of an independent eigen-decomposition of the path's scatter
    X = np.array([s.params for s in run.steps]) - run.steps[-1].params
    eig = np.sort(np.linalg.eigvalsh(X.T @ X))[::-1]
    assert np.allclose(t.explained, eig[:2] / eig.sum(), rtol=1e-9)
    assert math.isclose(L.explained(land), sum(t.explained), rel_tol=1e-9)
    # the residual is each step's distance from the plane through the last step
    proj = X @ D.T
    assert np.allclose(t.residual, np.linalg.norm(X - proj @ D, axis=1), atol=1e-12)
    # the start lies on the positive side of both directions: the sign is fixed
    assert t.coords[0][0] > 0 and t.coords[1][0] >= 0


def test_the_deep_64x64_net_gets_its_exact_grid() -> None:
    run, samples = trained({**DEEP, "train": {"steps": 20, "lr": 0.001}})
    assert len(run.names) == 64 + 64 + 64 * 64 + 64 + 64 + 1
    land = L.run_landscape(run, samples, LandscapeConfig(resolution=31))
    assert land.mode == "pca" and len(land.loss) == 31
    check_grid_is_the_training_loss(land, run, samples)


@pytest.mark.parametrize(
    ("raw", "mode"),
    [
        ({"train": {"lr": 1.2}}, "pca"),  # diverges at step 1: the plane borrows the descent
        ({"model": {"output_bias": True}, "train": {"frozen": ALL_BUT_OB, "lr": 0.09}}, "curve"),
        (
            {
                "model": {"output_bias": True},
                "train": {"frozen": ALL_BUT_OB[:2] + ALL_BUT_OB[3:5], "lr": 0.08},
            },
            "pca",
        ),
    ],
)
def test_a_diverged_run_is_clipped_and_its_grid_is_finite(raw: dict[str, Any], mode: str) -> None:
    run, samples = trained(raw)
    assert run.diverged is not None
    land = L.run_landscape(run, samples, LandscapeConfig(resolution=21))
    assert land.mode == mode
    (t,) = land.tracks
    diverged = run.diverged.step
    assert t.steps == [s.step for s in run.steps if s.step < diverged]
    assert t.diverged_step == diverged
    assert all(math.isfinite(v) for row in land.loss for v in row)
    D = np.array(land.directions)
    assert np.allclose(D @ D.T, np.eye(len(D)), atol=1e-12)
    for axis, coords in zip(land.axes, t.coords, strict=True):
        assert axis[0] < min(coords) and max(coords) < axis[-1]
    check_grid_is_the_training_loss(land, run, samples)
    json.dumps(to_json(land), allow_nan=False)


def test_a_grid_far_out_stays_finite() -> None:
    run, samples = trained({"train": {"steps": 5}})
    land = L.run_landscape(run, samples, LandscapeConfig(resolution=5, margin=10.0))
    net = Net(run.config.model.arch)
    thetas = np.array([[1e200] * len(run.names)])
    assert not np.isfinite(L.batch_loss(net, thetas, samples, "ssr")).all()
    far = L.surface(
        net, (thetas[0], np.eye(len(run.names))[:2], np.zeros(2)), np.zeros((1, 2)), samples, "ssr"
    )
    assert np.isfinite(far).all()
    assert all(math.isfinite(v) for row in land.loss for v in row)


def straight_run(start: list[float], end: list[float], n: int) -> Run:
    """A hand-made run moving in a straight line from `start` to `end`."""
    steps = [
        Step(
            k, 1.0, [a + (b - a) * k / (n - 1) for a, b in zip(start, end, strict=True)], [0.0] * 6
        )
        for k in range(n)
    ]
    cfg = parse_config({})
    return Run(Net(cfg.model.arch).names, cfg, steps, None)


def test_a_shared_plane_holds_both_main_directions() -> None:
    end = [1.0, -1.0, 2.0, 0.5, 0.0, 1.0]
    a = straight_run([3.0, -1.0, 2.0, 0.5, 0.0, 1.0], end, 20)  # along iw1
    b = straight_run([1.0, -1.0, 2.0, 0.5, 0.0, -2.0], end, 30)  # along ow2
    samples = reference_samples()
    land = L.shared_landscape({"a": (a, samples), "b": (b, samples)}, LandscapeConfig(resolution=5))
    D = np.array(land.directions)
    for axis in (0, 5):
        e = np.eye(6)[axis]
        assert math.isclose(float(np.linalg.norm(D @ e)), 1.0, rel_tol=1e-12)
    assert [t.label for t in land.tracks] == ["a", "b"]
    assert [t.in_plane for t in land.tracks] == [pytest.approx(1.0, abs=1e-12)] * 2
    assert L.max_residual(land) < 1e-12


def test_a_shared_plane_of_adam_and_gd_reports_each_runs_share() -> None:
    gd, samples = trained({})  # the default run and conf/train/adam.yaml
    adam, _ = trained({"train": {"optimizer": "adam", "lr": 0.05}})
    runs = {"gd": (gd, samples), "adam": (adam, samples)}
    assert sharing_problem(runs) is None
    land = L.shared_landscape(runs, LandscapeConfig(resolution=21))
    D = np.array(land.directions)
    assert np.allclose(D @ D.T, np.eye(2), atol=1e-12)
    for t, run in zip(land.tracks, (gd, adam), strict=True):
        own = L.run_landscape(run, samples, LandscapeConfig(resolution=3))
        main = np.array(own.directions[0])  # the run's own first principal direction
        assert float(np.linalg.norm(D @ main)) > 0.95, t.label
        assert t.in_plane > 0.9, t.label
        X = np.array([s.params for s in run.steps]) - run.steps[-1].params
        share = float(((X @ D.T) ** 2).sum() / (X * X).sum())
        assert math.isclose(t.in_plane, share, rel_tol=1e-9), t.label
        for axis, coords in zip(land.axes, t.coords, strict=True):
            assert axis[0] < min(coords) and max(coords) < axis[-1]
    check_grid_is_the_training_loss(land, gd, samples)


@pytest.mark.parametrize(
    ("other", "what"),
    [
        ({"model": {"hidden": [3]}}, "architectures"),
        ({"train": {"loss": "mse"}}, "losses"),
    ],
)
def test_runs_that_cannot_share_a_plane_get_one_line(other: dict[str, Any], what: str) -> None:
    a, samples = trained({"train": {"steps": 5}})
    b, _ = trained({**other, "train": {"steps": 5, **other.get("train", {})}})
    problem = sharing_problem({"a": (a, samples), "b": (b, samples)})
    assert problem == f"a and b have different {what}, so no surface is shared"
    xs, ys = samples
    moved = sharing_problem({"a": (a, samples), "c": (a, (xs, [y + 1 for y in ys]))})
    assert moved == "a and c have different samples, so no surface is shared"


def test_json_round_trip_and_damage_is_named() -> None:
    run, samples = trained({"train": {"steps": 10}})
    land = L.run_landscape(run, samples, LandscapeConfig(resolution=7))
    value = json.loads(json.dumps(to_json(land)))
    assert from_json(value) == land
    value["loss"] = value["loss"][:-1]
    with pytest.raises(ValueError, match="does not match its axes"):
        from_json(value)
    with pytest.raises(ValueError, match="not an nnreel landscape"):
        from_json({"format": "x"})


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"landscape": {"plane": "tsne"}}, "landscape.plane"),
        ({"landscape": {"resolution": 2}}, "landscape.resolution"),
        ({"landscape": {"margin": -0.1}}, "landscape.margin"),
        ({"landscape": {"plane": "params", "axes": ["ob"]}}, "landscape.axes"),
        ({"landscape": {"plane": "params", "axes": ["iw1", "iw1"]}}, "landscape.axes"),
        ({"landscape": {"plane": "params", "axes": ["iw1", "zz"]}}, "landscape.axes"),
        ({"render": {"landscape": "yes"}}, "render.landscape"),
    ],
)
def test_bad_landscape_values_name_the_key(raw: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{key} = "):
        parse_config(raw)


def stage_project(tmp_path: Path, run_raw: dict[str, Any], params: str) -> Path:
    """A project whose samples and checkpoints params.yaml (`params` plus `run_raw`) made."""
    run, samples = trained(run_raw)
    made_by = "".join(f"{key}: {json.dumps(value)}\n" for key, value in run_raw.items())
    (tmp_path / "params.yaml").write_text(params + made_by)
    write_samples(tmp_path / "data/samples.json", samples, run.config.data)
    lines = encode_run(run.names, run.config, run.steps)
    (tmp_path / "data/checkpoints.jsonl").write_text("".join(lines))
    return tmp_path


def landscape_stage(cwd: Path) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "nnreel.stages.landscape"]
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_stage_writes_the_same_bytes_twice(tmp_path: Path) -> None:
    cwd = stage_project(tmp_path, {"train": {"steps": 100}}, "landscape: {resolution: 41}\n")
    out = cwd / "data/landscape.json"
    assert landscape_stage(cwd).returncode == 0
    first = out.read_bytes()
    out.unlink()
    assert landscape_stage(cwd).returncode == 0
    assert out.read_bytes() == first
    assert len(json.loads(first)["loss"]) == 41


def test_the_stage_names_a_bad_axis_in_one_line(tmp_path: Path) -> None:
    params = "landscape: {plane: params, axes: [iw1, ob]}\n"
    cwd = stage_project(tmp_path, {"train": {"steps": 3}}, params)
    result = landscape_stage(cwd)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("nnreel landscape: error: landscape.axes = 'ob': unknown parameter")
    assert not (cwd / "data/landscape.json").exists()


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"model": {"output_bias": True}, "train": {"frozen": ALL_BUT_OB, "steps": 30}},
        {"train": {"lr": 1.2}},
    ],
)
@pytest.mark.parametrize("scale", [0.5, 1.3])
def test_the_panel_keeps_every_animated_point_inside_its_axes(
    raw: dict[str, Any], scale: float
) -> None:
    run, samples = trained(raw)
    land = L.run_landscape(run, samples, LandscapeConfig(resolution=21))
    fig = Figure(figsize=(6.4, 4.0), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    panel = draw_landscape(ax, land, scale)
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    for k in (0, run.steps[-1].step // 2, run.steps[-1].step):
        panel.update(k)
        for artist in panel.artists:
            if hasattr(artist, "get_xydata"):
                xy = artist.get_xydata()
                assert len(xy) and (x0 <= xy[:, 0]).all() and (xy[:, 0] <= x1).all()
                assert (y0 <= xy[:, 1]).all() and (xy[:, 1] <= y1).all()


def test_compare_draws_runs_of_one_kind_on_one_surface_and_names_a_mismatch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gd, samples = trained({"train": {"steps": 30}})
    adam, _ = trained({"train": {"optimizer": "adam", "lr": 0.05, "steps": 30}})
    write_shared_landscape({"gd": (gd, samples), "adam": (adam, samples)}, tmp_path)
    assert (tmp_path / "landscape.png").read_bytes().startswith(b"\x89PNG")
    assert capsys.readouterr().out == ""
    wide, _ = trained({"model": {"hidden": [3]}, "train": {"steps": 5}})
    write_shared_landscape({"gd": (gd, samples), "wide": (wide, samples)}, tmp_path / "x")
    assert capsys.readouterr().out.splitlines() == [
        "nnreel compare: no shared landscape: gd and wide have different architectures, "
        "so no surface is shared"
    ]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "missing"),
        ("{", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ('{"format": "other"}', "not an nnreel landscape (expected format nnreel-landscape/1)"),
    ],
)
def test_a_damaged_landscape_file_names_itself_and_the_fix(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    path = tmp_path / "landscape.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ArtifactError) as info:
        read_artifact(path, "landscape", from_json)
    assert str(info.value) == f"{path}: {problem} (rebuild it with: dvc repro -f landscape)"


def test_colour_bar_ticks_are_round_losses_inside_the_range() -> None:
    for lo, hi in [(0.3, 1.5), (0.61, 0.82), (-3.0, 4.0), (2.0, 2.01)]:
        ticks = loss_ticks(lo, hi)
        assert len(ticks) >= 3 and all(lo <= t <= hi for t in ticks), (lo, hi)
    assert [tick_text(10**t) for t in loss_ticks(0.3, 1.5)] == ["2", "5", "10", "20"]
    assert tick_text(1e4) == "1e4" and tick_text(0.05) == "0.05"


def two_peaks(x: float, y: float) -> float:
    """log10 of a loss with its lowest point at (-0.5, 0.5) and its highest at (0.5, -0.5)."""
    return (
        1
        - 2 * math.exp(-((x + 0.5) ** 2 + (y - 0.5) ** 2) / 0.08)
        + 2 * math.exp(-((x - 0.5) ** 2 + (y + 0.5) ** 2) / 0.08)
    )


def test_the_surface_at_its_lowest_and_highest_cells_has_the_colour_bars_ends() -> None:
    grid = [-1 + i / 20 for i in range(41)]
    loss = [[10 ** two_peaks(x, y) for x in grid] for y in grid]  # loss[j][i] at (x_i, y_j)
    path = [[-0.9, -0.85, -0.8], [-0.9, -0.88, -0.85]]  # in a corner, clear of both
    t = L.Track("", [0, 1, 2], path, [1.0] * 3, [0.0] * 3, [0.9, 0.1], 1.0, [], None)
    plane = ([0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])
    land = L.Landscape("params", ["a", "b"], *plane, [grid, grid], loss, [t])
    fig = Figure(figsize=(6.4, 4.0), dpi=100, layout="constrained")
    canvas: Any = FigureCanvasAgg(fig)  # Agg's calls are untyped
    ax = fig.add_subplot()
    draw_landscape(ax, land)
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())[..., :3].astype(int)
    (bar,) = ax.child_axes

    def pixel(transform: Any, xy: list[float], up: int = 0) -> np.ndarray:
        """The colour drawn at `xy` in `transform`'s coordinates, `up` pixels above it."""
        column, row = transform.transform(xy)
        colour: np.ndarray = image[len(image) - int(row) - up, int(column)]
        return colour

    cells = [
        (v, x, y) for row, y in zip(loss, grid, strict=True) for v, x in zip(row, grid, strict=True)
    ]
    (_, *lowest), (_, *highest) = min(cells), max(cells)  # [x, y] of each
    bottom, top = pixel(bar.transAxes, [0.5, 0.0], 3), pixel(bar.transAxes, [0.5, 1.0], -3)
    assert np.abs(bottom - top).max() > 100  # the bar's ends differ plainly
    assert np.abs(pixel(ax.transData, lowest) - bottom).max() <= 2
    assert np.abs(pixel(ax.transData, highest) - top).max() <= 2


def test_named_axes_the_trained_run_lacks_are_a_config_error() -> None:
    run, samples = trained({"train": {"steps": 3}})
    with pytest.raises(ConfigError, match=r"^landscape.axes = 'ob': not a parameter"):
        L.run_landscape(run, samples, LandscapeConfig(plane="params", axes=["iw1", "ob"]))


def test_a_path_of_one_step_says_what_its_plane_is_and_that_its_share_is_undefined() -> None:
    run, samples = trained({"model": {"hidden": [16]}, "train": {"steps": 30}})
    assert run.diverged is not None and run.diverged.step == 1
    land = L.run_landscape(run, samples, LandscapeConfig(resolution=21))
    assert land.labels[0] == "descent"
    said = faithfulness(land)
    assert "diverged at step 1" in said and "undefined" in said
    assert "descent direction" in said and f"`{land.labels[1]}`" in said
    assert "residual 0" not in said
    assert L.summary(land) == {"landscape_explained": None, "landscape_max_residual": None}
    frame = FrameRenderer(run, samples, 1600, 1000, land=land)
    assert frame.landscape is not None
    texts = [a for a in frame.landscape.artists if isinstance(a, Text)]
    past = [a for a in texts if "path shown to step 0" in a.get_text()]
    assert len(past) == 1
    frame.update(0)
    assert not past[0].get_visible()
    frame.update(1)  # the point stays at step 0: the frame says why
    assert past[0].get_visible()


def test_the_curve_marks_where_the_path_starts_and_ends_and_nothing_piles_up() -> None:
    """The lesson settles by step 15 of 600: no faint dot per step piles up where it settles."""
    run, samples = trained({"model": {"output_bias": True}, "train": {"frozen": ALL_BUT_OB}})
    land = L.run_landscape(run, samples, LandscapeConfig(resolution=41))
    ax = Figure().add_subplot()
    panel = draw_landscape(ax, land)
    static = [line for line in ax.lines if line not in panel.artists]
    marked = [line for line in static if line.get_marker() not in (None, "None", "")]
    (x,) = land.tracks[0].coords
    ends = [(x[0], land.tracks[0].loss[0]), (x[-1], land.tracks[0].loss[-1])]
    points = [np.asarray(line.get_xydata()) for line in marked]
    assert all(len(p) == 1 for p in points)
    assert sorted(tuple(p[0]) for p in points) == sorted(ends)


def test_identical_runs_in_a_comparison_say_so_and_both_show() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_rgb

    from nnreel.runs.compare import loss_figure
    from nnreel.web.viewer import identical

    a, samples = trained({"train": {"steps": 20}})
    b, _ = trained({"train": {"steps": 20, "lr": 0.02}})
    runs = {"a": (a, samples), "b": (b, samples), "c": (a, samples)}
    twins = identical(runs)
    assert twins == {"c": "a"}
    fig = loss_figure({name: run for name, (run, _) in runs.items()}, twins)
    legend = fig.axes[0].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["a", "b", "c (= a, identical)"]
    canvas: Any = FigureCanvasAgg(fig)  # Agg's calls are untyped
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3].astype(int)
    for line in fig.axes[0].lines:  # each run's colour shows, c's dashes over a's line
        colour = np.array([round(255 * c) for c in to_rgb(line.get_color())])
        assert (np.abs(rgb - colour).sum(axis=-1) < 30).sum() > 200, line.get_label()


@pytest.mark.parametrize(
    "cut",
    [
        ["steps", "loss", "residual", "coords"],  # the path stops early, consistently
        ["coords"],
        ["residual"],
    ],
)
def test_a_landscape_file_whose_path_is_cut_short_is_refused(
    tmp_path: Path, cut: list[str]
) -> None:
    raw = {"train": {"steps": 30}, "landscape": {"resolution": 11}}
    cfg = parse_config(raw)
    run, samples = trained(raw)
    path = tmp_path / "landscape.json"
    write_landscape(L.run_landscape(run, samples, cfg.landscape), cfg, path)
    assert read_landscape(cfg, run, path).tracks[0].steps == list(range(31))
    value = json.loads(path.read_text("utf-8"))
    track = value["tracks"][0]
    for key in cut:
        track[key] = [c[:20] for c in track[key]] if key == "coords" else track[key][:20]
    path.write_text(json.dumps(value), "utf-8")
    with pytest.raises(ArtifactError, match=r"\(rebuild it with: dvc repro -f landscape\)$"):
        read_landscape(cfg, run, path)


@pytest.mark.parametrize(
    "cfg",
    [
        LandscapeConfig(resolution=11),
        LandscapeConfig(plane="params", axes=["ow1", "iw2"], resolution=11),
    ],
)
def test_both_axes_get_the_same_span_the_paths_longest_extent_plus_margins(
    cfg: LandscapeConfig,
) -> None:
    run, samples = trained({"train": {"steps": 60}})
    land = L.run_landscape(run, samples, cfg)
    (t,) = land.tracks
    extents = [max(c) - min(c) for c in t.coords]
    assert min(extents) < 0.5 * max(extents)  # a path far longer one way than the other
    width = max(extents) * (1 + 2 * cfg.margin)
    for axis, coords in zip(land.axes, t.coords, strict=True):
        assert math.isclose(axis[-1] - axis[0], width, rel_tol=1e-9)
        assert math.isclose(axis[0] + axis[-1], min(coords) + max(coords), abs_tol=1e-9 * width)
