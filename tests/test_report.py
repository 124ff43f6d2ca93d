"""The report stage: metrics checked by hand, an exact history, a page whose links all work."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any

import imageio.v3 as iio
import numpy as np
import pytest
from ruamel.yaml import YAML

from nnreel.config.schema import Config, DataConfig, ModelConfig, TrainConfig
from nnreel.core import metrics
from nnreel.core.network import Architecture, Net
from nnreel.core.run import Run, Step
from nnreel.core.training import seeded_training
from nnreel.pictures.report_figures import loss_figure
from nnreel.records import report as report_text
from nnreel.records.checkpoints import encode_run
from nnreel.records.files import CHECKPOINTS, FRAMES, SAMPLES, ArtifactError, write_lines
from nnreel.records.frames import frame_name
from nnreel.records.samples import write_samples
from nnreel.stages import landscape as landscape_stage
from nnreel.stages import report
from nnreel.stages import video as video_stage
from nnreel.stages import viewer as viewer_stage
from tests.conftest import reference_samples
from tests.repo import ROOT

REPORTS = Path("reports")
XS, YS = [0.0, 1.0, 2.0, 3.0], [1.0, 1.5, 3.0, 4.0]


def made_by(model: ModelConfig, trained: TrainConfig) -> Config:
    """The config the train stage records in the header."""
    return Config(model=model, train=trained)


def write_inputs(
    model: ModelConfig, trained: TrainConfig, steps: list[Step], samples: tuple[Any, Any]
) -> None:
    """params.yaml, samples, checkpoints, the landscape, three small frames and the GIF's two
    in the current directory."""
    params = {
        "model": dataclasses.asdict(model),
        "train": dataclasses.asdict(trained),
        "render": {"width": 200, "height": 200},
        "video": {"fps": 10, "hold_last_s": 0.5, "gif_width": 100, "gif_frames": 2},
        "report": {"grid_points": 50},
    }
    Path("params.yaml").write_text(json.dumps(params), "utf-8")
    write_samples(SAMPLES, samples, DataConfig())
    names = Net(model.arch).names
    write_lines(CHECKPOINTS, encode_run(names, made_by(model, trained), steps))
    landscape_stage.main()
    for folder, shown in (("frames", [0, 1, 2]), ("preview", [0, 2])):
        Path("data", folder).mkdir(parents=True)
        for step in shown:
            pixels = np.full((200, 200, 3), 80 * step, np.uint8)
            iio.imwrite(Path("data", folder, frame_name(step)), pixels)


def trained_steps(
    model: ModelConfig, cfg: TrainConfig, xs: list[float], ys: list[float]
) -> list[Step]:
    return list(seeded_training(Config(model=model, train=cfg), xs, ys)[1])


def read_metrics() -> dict[str, Any]:
    def refuse(constant: str) -> None:
        raise AssertionError(f"metrics.json holds {constant}")

    value: dict[str, Any] = json.loads(
        (REPORTS / "metrics.json").read_text("utf-8"), parse_constant=refuse
    )
    return value


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_metrics_of_a_hand_made_run(project: Path) -> None:
    model = ModelConfig(hidden=[1], activation="identity", output_bias=True)
    # names iw1, ow1, b1, ob; the final fit is p = 0.5·(2x + 1) + 0.25 = x + 0.75
    final = [2.0, 0.5, 1.0, 0.25]
    steps = [
        Step(0, 3.0, [1.0, 1.0, 0.0, 0.0], [0.1] * 4),
        Step(1, 1.0, [1.5, 0.7, 0.5, 0.1], [0.2] * 4),
        Step(2, 2.0, final, [0.3] * 4),
    ]
    write_inputs(model, TrainConfig(loss="mse"), steps, (XS, YS))
    report.main()
    m = read_metrics()
    residuals = [y - (x + 0.75) for x, y in zip(XS, YS, strict=True)]
    mean = sum(YS) / 4
    sst = sum((y - mean) ** 2 for y in YS)
    assert m["rmse"] == pytest.approx(math.sqrt(sum(r * r for r in residuals) / 4))
    assert m["r2"] == pytest.approx(1 - sum(r * r for r in residuals) / sst)
    assert (m["initial_loss"], m["final_loss"], m["best_loss"], m["best_step"]) == (
        3.0,
        2.0,
        1.0,
        1,
    )
    assert m["loss"] == "mse"
    assert m["steps_run"] == 2
    assert (m["diverged"], m["diverged_step"], m["diverged_reason"]) == (False, None, None)
    assert m["dead_neurons"] == []
    assert m["n_frames"] == 3
    assert m["video_seconds"] == pytest.approx((3 + 5) / 10)


@pytest.mark.parametrize(
    ("activation", "theta"),
    [
        # names iw1, ow1, b1, iw2, ow2, b2; neuron 1 has z = x - 10 < 0 at every sample
        ("relu", [1.0, 1.0, -10.0, 1.0, 1.0, 0.5]),
        # neuron 1 has z = -100, where the sigmoid's slope underflows below 1e-12
        ("sigmoid", [0.0, 1.0, -100.0, 1.0, 1.0, 0.5]),
        ("softplus", [0.0, 1.0, -100.0, 1.0, 1.0, 0.5]),
    ],
)
def test_a_neuron_off_at_every_sample_is_dead(activation: str, theta: list[float]) -> None:
    net = Net(Architecture((2,), activation))
    assert metrics.dead_neurons(net, theta, XS) == [1]
    alive = [*theta[:2], 0.0, *theta[3:]]
    assert metrics.dead_neurons(net, alive, XS) == []


@pytest.mark.parametrize("lr", [10.0, 1e200])
def test_a_diverged_run_reports_its_step_and_stays_valid_json(project: Path, lr: float) -> None:
    model, cfg = ModelConfig(), TrainConfig(lr=lr, steps=50)
    steps = trained_steps(model, cfg, XS, YS)
    assert steps[-1].diverged
    write_inputs(model, cfg, steps, (XS, YS))
    report.main()
    m = read_metrics()
    end = json.loads(CHECKPOINTS.read_text("utf-8").splitlines()[-1])
    assert m["diverged"] is True
    assert m["diverged_step"] == end["diverged"]["step"] == steps[-1].step
    assert m["diverged_reason"] == steps[-1].diverged
    assert m["steps_run"] == steps[-1].step
    assert f"Diverged at step {steps[-1].step}" in (REPORTS / "report.md").read_text("utf-8")


def test_history_has_one_row_per_step_with_exact_floats(project: Path) -> None:
    model, cfg = ModelConfig(hidden=[3]), TrainConfig(steps=10, optimizer="adam", lr=0.1)
    steps = trained_steps(model, cfg, XS, YS)
    write_inputs(model, cfg, steps, (XS, YS))
    report.main()
    header, *rows = [
        line.split("\t") for line in (REPORTS / "history.tsv").read_text("utf-8").splitlines()
    ]
    names = Net(model.arch).names
    assert header == ["step", "loss", *names, *(f"grad_{n}" for n in names)]
    assert len(rows) == len(steps) == 11
    for row, s in zip(rows, steps, strict=True):
        assert int(row[0]) == s.step
        assert [float(v) for v in row[1:]] == [s.loss, *s.params, *s.grads]


def test_loss_plot_turns_logarithmic_from_one_decade() -> None:
    names = Net(Architecture()).names
    steps = [Step(k, 10.0**-k, [0.0] * 6, [0.0] * 6) for k in range(3)]
    run = Run(names, Config(), steps, None)
    assert loss_figure(run).axes[0].get_yscale() == "log"
    flat = dataclasses.replace(run, steps=[dataclasses.replace(s, loss=1 + s.loss) for s in steps])
    assert loss_figure(flat).axes[0].get_yscale() == "linear"


def test_missing_frames_name_the_render_stage(project: Path) -> None:
    model, cfg = ModelConfig(), TrainConfig(steps=2)
    write_inputs(model, cfg, trained_steps(model, cfg, XS, YS), (XS, YS))
    for frame in Path("data/frames").iterdir():
        frame.unlink()
    with pytest.raises(ArtifactError, match=r"data/frames: .*dvc repro -f render"):
        report.main()


@pytest.mark.slow
def test_report_links_only_to_files_beside_it_and_is_deterministic(project: Path) -> None:
    model, cfg = ModelConfig(), TrainConfig(steps=2)
    write_inputs(model, cfg, trained_steps(model, cfg, XS, YS), (XS, YS))
    video_stage.main()
    viewer_stage.main()
    report.main()
    first = {p.name: p.read_bytes() for p in sorted(REPORTS.iterdir()) if p.is_file()}
    page = first["report.md"].decode("utf-8")
    links = re.findall(r"\]\(([^)]*)\)", page)
    assert {"loss.png", "fit.png", "first_frame.png", "final_frame.png"} <= set(links)
    assert {"training.mp4", "preview/training.gif", "viewer.html"} <= set(links)
    for link in links:
        assert "://" not in link
        assert not link.startswith("/")
        assert (REPORTS / link).is_file(), link
    assert first["first_frame.png"] == Path("data/frames/frame_000000.png").read_bytes()
    assert first["final_frame.png"] == Path("data/frames/frame_000002.png").read_bytes()
    report.main()
    assert {p.name: p.read_bytes() for p in sorted(REPORTS.iterdir()) if p.is_file()} == first


def reference_contributions(theta: dict[str, float], xs: list[float]) -> list[list[float]]:
    """ow_j·softplus(iw_j·x + b_j) for the two neurons, written out by hand."""
    return [
        [theta[f"ow{j}"] * math.log1p(math.exp(theta[f"iw{j}"] * x + theta[f"b{j}"])) for x in xs]
        for j in (1, 2)
    ]


def test_a_run_flat_at_zero_has_negligible_but_not_dead_neurons() -> None:
    xs, ys = reference_samples()
    model, cfg = ModelConfig(), TrainConfig(lr=0.2, steps=300)
    final = trained_steps(model, cfg, xs, ys)[-1]
    net = Net(model.arch)
    theta = dict(zip(net.names, final.params, strict=True))
    ranges = [max(c) - min(c) for c in reference_contributions(theta, xs)]
    assert all(r < 1e-3 * (max(ys) - min(ys)) for r in ranges)  # the definition, by hand
    assert metrics.negligible_neurons(net, final.params, xs, ys) == [1, 2]
    assert metrics.dead_neurons(net, final.params, xs) == []  # softplus' slope is never 0


def test_a_neuron_with_a_tiny_output_weight_is_negligible_alone() -> None:
    net = Net(Architecture((2,), "softplus"))
    theta = [1.0, 1e-8, 0.0, 1.0, 1.0, 0.0]  # iw1, ow1, b1, iw2, ow2, b2
    assert metrics.negligible_neurons(net, theta, XS, YS) == [1]
    assert metrics.negligible_neurons(net, [1.0, 0.5, *theta[2:]], XS, YS) == []


def test_negligible_is_judged_against_the_targets_range() -> None:
    xs, ys = reference_samples()
    net = Net(Architecture((2,), "softplus"))
    theta = {"iw1": 1.0, "ow1": 0.01, "b1": 0.0, "iw2": 1.0, "ow2": 5.0, "b2": 0.0}

    def judged(theta: dict[str, float], ys: list[float]) -> tuple[list[int], list[int]]:
        """What the report says, and what the definition says by hand."""
        ranges = [max(c) - min(c) for c in reference_contributions(theta, xs)]
        by_hand = [j for j, r in enumerate(ranges, 1) if r < 1e-3 * (max(ys) - min(ys))]
        return metrics.negligible_neurons(net, [theta[n] for n in net.names], xs, ys), by_hand

    louder = {**theta, "ow1": 1000 * theta["ow1"], "ow2": 1000 * theta["ow2"]}
    assert judged(theta, ys) == ([], [])  # neuron 1 moves the prediction by ~0.7% of the range
    assert judged(theta, [1000 * y for y in ys]) == ([1], [1])  # now by ~0.0007%
    assert judged(louder, [1000 * y for y in ys]) == ([], [])  # both scaled: the same verdict
    assert judged(theta, [y + 1000 for y in ys]) == ([], [])  # a shift leaves the range alone


def test_parameter_paths_hold_every_step_of_every_parameter_exactly() -> None:
    model, cfg = ModelConfig(), TrainConfig(steps=5)
    steps = trained_steps(model, cfg, XS, YS)
    names = Net(model.arch).names
    run = Run(names, made_by(model, cfg), steps, None)
    header, *rows = report_text.path_lines(run)
    assert header == "step\tparam\tvalue\n"
    seen = {(int(s), p): float(v) for s, p, v in (row.rstrip("\n").split("\t") for row in rows)}
    assert seen == {
        (st.step, name): value for st in steps for name, value in zip(names, st.params, strict=True)
    }


def test_git_keeps_only_outputs_that_stay_small_however_long_the_run(project: Path) -> None:
    model, cfg = ModelConfig(), TrainConfig(steps=5000)
    write_inputs(model, cfg, trained_steps(model, cfg, XS, YS), (XS, YS))
    params = json.loads(Path("params.yaml").read_text("utf-8"))
    params["render"]["every"] = 2500
    Path("params.yaml").write_text(json.dumps(params), "utf-8")
    for k, step in ((2, 5000), (1, 2500)):
        (FRAMES / frame_name(k)).rename(FRAMES / frame_name(step))
    viewer_stage.main()
    report.main()
    assert Path("reports/history.tsv").stat().st_size > 1_000_000  # long enough to tell
    stages = YAML(typ="safe", pure=True).load(ROOT / "dvc.yaml")["stages"]
    outs = [out for name in ("report", "viewer") for out in stages[name]["outs"]]
    in_git = [next(iter(o)) for o in outs if isinstance(o, dict) and not o[next(iter(o))]["cache"]]
    assert "reports/report.md" in in_git
    sizes = {path: Path(path).stat().st_size for path in in_git}
    assert sum(sizes.values()) <= 1_000_000, sizes
