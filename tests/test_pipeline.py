"""The DVC pipeline end to end, through the real `dvc` in a temporary copy of the repo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from nnreel.compose import compose
from tests.repo import ROOT, reproduced_repo, run

yaml = YAML(typ="safe", pure=True)


def test_params_yaml_is_the_composition_of_conf(tmp_path: Path) -> None:
    compose(tmp_path / "params.yaml", ROOT / "conf")
    assert (tmp_path / "params.yaml").read_text() == (ROOT / "params.yaml").read_text()


def imported_modules(stage_module: str) -> set[str]:
    """Files of the package that running `stage_module` imports."""
    code = (
        f"import sys, {stage_module}; "
        "print('\\n'.join(m.__file__ for n, m in sys.modules.items() if n.startswith('nnreel')))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return {Path(p).resolve().relative_to(ROOT).as_posix() for p in out.stdout.split()}


def stages() -> dict[str, dict[str, object]]:
    return dict(yaml.load((ROOT / "dvc.yaml").read_text())["stages"])


@pytest.mark.parametrize("name", sorted(stages()))
def test_each_stage_depends_on_exactly_the_modules_it_imports(name: str) -> None:
    stage = stages()[name]
    module = str(stage["cmd"]).split()[-1]
    deps = {str(d) for d in stage["deps"] if str(d).startswith("src/")}  # type: ignore[attr-defined]
    assert {d for d in deps if d.endswith(".py")} == imported_modules(module)
    for other in deps - imported_modules(
        module
    ):  # package data the stage reads, e.g. src/nnreel/web
        assert (ROOT / other).is_dir() and not list((ROOT / other).glob("*.py")), other


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small film reproduced once, committed; tests run experiments on top of it."""
    return reproduced_repo(tmp_path_factory.mktemp("pipeline"))


def ran_stages(output: str) -> set[str]:
    return {line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage")}


OUTPUTS = [
    "data/samples.json",
    "data/checkpoints.jsonl",
    "data/frames/frame_000000.png",
    "data/frames/frame_000012.png",
    "reports/training.mp4",
    "reports/preview/training.gif",
    "reports/metrics.json",
    "reports/history.tsv",
    "reports/report.md",
    "reports/viewer.html",
    "reports/loss.png",
    "reports/fit.png",
    "reports/first_frame.png",
    "reports/final_frame.png",
]


@pytest.mark.slow
def test_repro_from_nothing_makes_every_output_and_a_second_repro_runs_nothing(repo: Path) -> None:
    for out in OUTPUTS:
        assert (repo / out).is_file(), out
    assert len(list((repo / "data/frames").glob("frame_*.png"))) == 13
    again = run(repo, "dvc", "repro")
    assert ran_stages(again.stdout) == set()
    assert run(repo, "dvc", "status").stdout.strip() == "Data and pipelines are up to date."


@pytest.mark.slow
@pytest.mark.parametrize(
    ("override", "skipped"),
    [
        ("render.width=400", {"generate", "train", "viewer"}),
        ("video.gif_width=300", {"generate", "train", "render", "viewer"}),
        ("video.fps=12", {"generate", "train", "render"}),
        ("viewer.grid_points=50", {"generate", "train", "render", "video", "report"}),
        ("train.lr=0.02", {"generate"}),
    ],
)
def test_an_experiment_reruns_only_the_stages_whose_params_changed(
    repo: Path, override: str, skipped: set[str]
) -> None:
    result = run(repo, "dvc", "exp", "run", "-S", override)
    ran = ran_stages(result.stdout)
    assert not ran & skipped, result.stdout
    for name in skipped:
        assert f"Stage '{name}' didn't change, skipping" in result.stdout
    run(repo, "git", "checkout", "-q", "--", ".")
    run(repo, "dvc", "checkout", "-q")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("train.lr=oops", "train.lr"),
        ("train.lr=-1", "train.lr"),
        ("train.steps=0", "train.steps"),
        ("model.activation=swish", "model.activation"),
        ("data.n_samples=1", "data.n_samples"),
        ("+train.speed=3", "train.speed"),
        ("train.frozen=[iw9]", "train.frozen"),
    ],
)
def test_a_bad_value_fails_with_one_line_and_leaves_outputs_untouched(
    repo: Path, override: str, key: str
) -> None:
    before = {out: (repo / out).read_bytes() for out in OUTPUTS}
    result = run(repo, "dvc", "exp", "run", "-S", override, check=False)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("nnreel validate")]
    assert len(errors) == 1 and f": error: {key} = " in errors[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert {out: (repo / out).read_bytes() for out in OUTPUTS} == before
    run(repo, "git", "checkout", "-q", "--", ".")
    run(repo, "dvc", "checkout", "-q")


@pytest.mark.slow
def test_compare_html_puts_two_revisions_under_one_slider(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "compare"
    result = run(
        repo,
        sys.executable,
        "-m",
        "nnreel.compare",
        "HEAD",
        "HEAD~1",
        "--html",
        "--out",
        str(out),
        check=False,
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "HEAD~1: cannot read its outputs" in result.stderr
    run(repo, sys.executable, "-m", "nnreel.compare", "HEAD", "HEAD~0", "--html", "--out", str(out))
    page = (out / "viewer.html").read_text("utf-8")
    assert [
        r["label"]
        for r in json.loads(page.split('type="application/json">')[1].split("</script>")[0])["runs"]
    ] == ["HEAD", "HEAD~0"]
    assert not (out / "compare.mp4").exists()
