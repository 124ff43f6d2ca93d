"""The viewer page as a file: self-contained, exact, deterministic; the offline plots template."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import random
import re
import struct
from pathlib import Path
from typing import Any

import pytest

from nnreel.config.schema import DataConfig, ModelConfig, TrainConfig, parse_config
from nnreel.core import limits
from nnreel.core.network import Net
from nnreel.errors import ConfigError
from nnreel.records.checkpoints import encode_run
from nnreel.records.files import (
    CHECKPOINTS,
    LANDSCAPE,
    SAMPLES,
    ArtifactError,
    write_json,
    write_lines,
)
from nnreel.records.params import read_config
from nnreel.records.run_file import read_run
from nnreel.records.samples import write_samples
from nnreel.stages import landscape as landscape_stage
from nnreel.stages import viewer as viewer_stage
from nnreel.web import plots_template, viewer
from tests.conftest import reference_samples
from tests.repo import ROOT
from tests.test_report import made_by, trained_steps

PAGE = Path("reports/viewer.html")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """params.yaml, samples, a 30-step run and its landscape in a temporary working directory."""
    monkeypatch.chdir(tmp_path)
    model, cfg = ModelConfig(), TrainConfig(steps=30, frozen=["b2"])
    params = {"train": dataclasses.asdict(cfg), "video": {"fps": 12}, "viewer": {"grid_points": 50}}
    Path("params.yaml").write_text(json.dumps(params), "utf-8")
    xs, ys = reference_samples()
    write_samples(SAMPLES, (xs, ys), DataConfig())
    steps = trained_steps(model, cfg, xs, ys)
    write_lines(CHECKPOINTS, encode_run(Net(model.arch).names, made_by(model, cfg), steps))
    landscape_stage.main()
    return tmp_path


def inline(tag: str, page: str) -> str:
    (text,) = re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.DOTALL)
    return str(text)


def page_data(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="nnreel-data" type="application/json">(.*?)</script>', page)
    assert found
    value: dict[str, Any] = json.loads(found.group(1))
    return value


def doubles(text: str) -> list[float]:
    """Little-endian IEEE doubles from base64, read back independently of the page."""
    raw = base64.b64decode(text, validate=True)
    return [v for (v,) in struct.iter_unpack("<d", raw)]


def sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_the_page_is_one_file_whose_policy_allows_only_its_own_script_and_style(
    project: Path,
) -> None:
    viewer_stage.main()
    page = PAGE.read_text("utf-8")
    assert "://" not in page
    assert not re.search(r"\b(src|href)\s*=", page)
    (csp,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    rules = dict(rule.strip().split(" ", 1) for rule in csp.replace("&#x27;", "'").split(";"))
    assert rules["default-src"] == "'none'"
    assert rules["connect-src"] == "'none'"
    assert rules["script-src"] == f"'sha256-{sha256(inline('script', page))}'"
    assert rules["style-src"] == f"'sha256-{sha256(inline('style', page))}'"


def test_the_page_holds_every_checkpoint_value_exactly_and_is_deterministic(
    project: Path,
) -> None:
    viewer_stage.main()
    first = PAGE.read_bytes()
    data = page_data(first.decode("utf-8"))
    run = read_run(read_config())
    (shown,) = data["runs"]
    assert data["fps"] == 12
    assert doubles(shown["loss"]) == [s.loss for s in run.steps]
    params = [list(p) for p in zip(*(s.params for s in run.steps), strict=True)]
    assert [doubles(p) for p in shown["params"]] == params
    grads = [list(g) for g in zip(*(s.grads for s in run.steps), strict=True)]
    assert [doubles(g) for g in shown["grads"]] == grads
    assert shown["samples"] == dict(zip("xy", map(list, reference_samples()), strict=True))
    assert len(shown["grid"]) == 50
    assert shown["frozen"] == ["b2"]
    viewer_stage.main()
    assert PAGE.read_bytes() == first


def test_the_page_holds_the_landscape_exactly(project: Path) -> None:
    viewer_stage.main()
    (shown,) = page_data(PAGE.read_text("utf-8"))["runs"]
    saved = json.loads(LANDSCAPE.read_text("utf-8"))
    (track,) = saved["tracks"]
    land = shown["landscape"]
    assert land["mode"] == saved["mode"] == "pca"
    assert [doubles(c) for c in land["coords"]] == track["coords"]
    assert doubles(land["residual"]) == track["residual"]
    assert [doubles(a) for a in land["axes"]] == saved["axes"]
    assert doubles(land["loss"]) == [v for row in saved["loss"] for v in row]
    assert len(doubles(land["loss"])) == 101 * 101
    assert land["labels"][0].startswith("PC1 (") and "of the path's variance" in land["labels"][0]
    assert land["faithfulness"].startswith("The plane of the two PCA directions holds")


def test_a_missing_landscape_names_the_stage_that_makes_it(project: Path) -> None:
    LANDSCAPE.unlink()
    with pytest.raises(
        ArtifactError, match=r"landscape.json: missing \(rebuild it with: dvc repro -f landscape\)"
    ):
        viewer_stage.main()
    assert not PAGE.exists()


def test_a_landscape_of_another_run_is_refused(project: Path) -> None:
    saved = json.loads(LANDSCAPE.read_text("utf-8"))
    saved["tracks"][0]["loss"][3] *= 1.5
    write_json(LANDSCAPE, saved)
    with pytest.raises(ArtifactError, match=r"different path than the checkpoints \(rebuild"):
        viewer_stage.main()
    saved["origin"] = saved["origin"][:-1]
    write_json(LANDSCAPE, saved)
    with pytest.raises(ArtifactError, match=r"has 5 parameters, the checkpoints 6"):
        viewer_stage.main()
    del saved["made_by"]  # as the landscape stage wrote it before it recorded its params
    write_json(LANDSCAPE, saved)
    with pytest.raises(ArtifactError, match=r"does not record the params that made it \(rebuild"):
        viewer_stage.main()
    assert not PAGE.exists()


def test_missing_checkpoints_name_the_stage_that_makes_them(project: Path) -> None:
    CHECKPOINTS.unlink()
    with pytest.raises(ArtifactError, match=r"checkpoints.jsonl: missing \(rebuild it with: dvc"):
        viewer_stage.main()
    assert not PAGE.exists()


@pytest.mark.parametrize("points", [1, 5000, "many"])
def test_a_bad_grid_size_names_its_key(points: object) -> None:
    with pytest.raises(ConfigError, match=r"^viewer\.grid_points = "):
        parse_config({"viewer": {"grid_points": points}})


def test_the_page_script_joins_every_script_of_the_assets_folder_each_short() -> None:
    assets = ROOT / "src/nnreel/web/assets"
    assert sorted(viewer.SCRIPTS) == sorted(p.name for p in assets.glob("*.js"))
    assert not list(assets.glob("*.py"))  # the viewer stage depends on the folder as data
    for name in viewer.SCRIPTS:
        assert len((assets / name).read_text("utf-8").splitlines()) <= 300, name


def test_the_committed_plots_template_inlines_the_vendored_libraries() -> None:
    committed = (ROOT / ".dvc/offline_plots.html").read_text("utf-8")
    vendor = ROOT / "src/nnreel/web/vendor"
    built = plots_template.template(
        [(vendor.parent.parent / name).read_text("utf-8") for name in plots_template.LIBRARIES]
    )
    assert committed == built
    assert "{plot_divs}" in committed and "{scripts}" not in committed
    assert "sourceMappingURL" not in committed
    assert "html_template = offline_plots.html" in (ROOT / ".dvc/config").read_text()
    for folder in vendor.iterdir():
        assert (folder / "LICENSE").is_file(), folder
        name, version = folder.name.rsplit("-", 1)
        build = (folder / f"{name}.min.js").read_text("utf-8")
        assert f'version="{version}"' in build or f'"{version}"' in build, folder


def panel(values: list[float]) -> tuple[float, float]:
    """The y-limits of a healthy run's history panel, in the page and the film alike."""
    return limits.history_limits([values], [len(values)])


def test_a_history_panel_clips_isolated_spikes_and_keeps_a_steady_descent() -> None:
    rng = random.Random(3)
    tail = [4.0 + 0.01 * rng.random() for _ in range(600)]
    descent = [4.0 + 10 * 0.6**k for k in range(12)]
    lo, hi = panel(descent + tail)
    assert lo < 4.0 and hi >= descent[0]  # every step on the panel
    spiky = [*tail[:300], 40.0, 35.0, *tail[300:]]
    lo, hi = panel(spiky)
    assert lo < 4.0 and 4.01 < hi < 4.1  # the spike leaves it
    jump = [-5.0, *tail]  # the first step stays on the panel, however far
    assert panel(jump)[0] < -5.0
    swing = [30.0, -300.0, 20.0, 25.0, *tail]  # past the first step, a swing is no descent
    lo, hi = panel(swing)
    assert -300 < lo < 3.9 and hi > 30.0
    few = [1.0, 5.0, 2.0]  # no bulk to speak of: every value
    assert panel(few) == limits.padded(1.0, 5.0)
