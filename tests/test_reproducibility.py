"""Reproducibility: the CI gate, forced reruns, sharing through a remote, and comparisons."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tests.repo import ROOT, copy_of, outputs, run
from tests.test_cpu_independence import other_cpu
from tests.test_video import decode

pytestmark = pytest.mark.slow


def test_the_gate_passes_on_a_fresh_clone_and_reproduces_every_output_byte_for_byte(
    reproduced: Path, tmp_path: Path
) -> None:
    # As CI runs it: a clone with no DVC cache and no outputs, so every stage runs again, in
    # new processes; the lock, the committed reports and every output come out the same.
    clone = tmp_path / "clone"
    run(tmp_path, "git", "clone", "-q", str(reproduced), str(clone))
    assert not (clone / "data/checkpoints.jsonl").exists()
    result = run(clone, ".ci/gate")
    assert "reproduced byte for byte" in result.stdout
    assert outputs(clone) == outputs(reproduced)


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("src/nnreel/pictures/style.py", 'PREDICTION = "magenta"', 'PREDICTION = "purple"'),
        ("src/nnreel/core/training.py", "lr = c.lr\n", "lr = c.lr * 1.001\n"),
    ],
)
def test_the_gate_fails_when_code_changes_without_a_new_lock(
    reproduced: Path, tmp_path: Path, path: str, old: str, new: str
) -> None:
    repo = copy_of(reproduced, tmp_path)
    source = repo / path
    text = source.read_text()
    assert old in text
    source.write_text(text.replace(old, new, 1))
    run(repo, "git", "commit", "-qam", "a change without rerunning the pipeline")
    result = run(repo, ".ci/gate", check=False)
    assert result.returncode != 0
    assert "commit dvc.lock" in result.stderr
    assert f": {path}\n" in result.stderr  # named, with the stages that read it


def test_the_gate_fails_when_params_drift_from_conf(reproduced: Path, tmp_path: Path) -> None:
    repo = copy_of(reproduced, tmp_path)
    conf = repo / "conf/train/default.yaml"
    conf.write_text(conf.read_text().replace("lr: 0.01", "lr: 0.02"))
    run(repo, "git", "commit", "-qam", "conf changed, params.yaml not recomposed")
    result = run(repo, ".ci/gate", check=False)
    assert result.returncode != 0
    assert "params.yaml differs from conf/" in result.stderr


def test_a_fresh_clone_pulls_every_output_from_a_remote(reproduced: Path, tmp_path: Path) -> None:
    repo = copy_of(reproduced, tmp_path / "origin")
    run(repo, "dvc", "remote", "add", "-d", "shared", str(tmp_path / "remote"))
    run(repo, "git", "commit", "-qam", "a shared DVC remote")
    run(repo, "dvc", "push")
    clone = tmp_path / "clone"
    run(tmp_path, "git", "clone", "-q", str(repo), str(clone))
    assert not (clone / "data/checkpoints.jsonl").exists()
    run(clone, "dvc", "pull")
    assert run(clone, "dvc", "status", "--json").stdout.strip() == "{}"
    assert outputs(clone) == outputs(repo)


def test_compare_renders_experiments_side_by_side_without_retraining_on_any_cpu(
    experiments: Path, tmp_path: Path
) -> None:
    repo = copy_of(experiments, tmp_path)
    result = run(repo, "python", "-m", "nnreel.runs.compare", "HEAD", "lr-0.05", "--frames", "7")
    assert "Running stage" not in result.stdout + result.stderr
    _, size, means = decode(repo / "compare/compare.mp4")
    assert size == (1600, 500) and len(means) == 7 + round(1.0 * 30)  # --hold 1 s at 30 fps
    assert (repo / "compare/loss.png").stat().st_size > 0
    assert (repo / "compare/landscape.png").stat().st_size > 0
    film = {p.name: p.read_bytes() for p in (repo / "compare").iterdir()}
    assert set(film) == {"compare.mp4", "loss.png", "landscape.png"}
    # a second comparison leaves nothing of the first in the folder
    run(repo, "python", "-m", "nnreel.runs.compare", "HEAD", "lr-0.05", "--html")
    page = {p.name: p.read_bytes() for p in (repo / "compare").iterdir()}
    assert set(page) == {"viewer.html"}
    # the same bytes on another CPU's BLAS, numpy and ffmpeg code paths
    for how, here in ((["--frames", "7"], film), (["--html"], page)):
        args = ("HEAD", "lr-0.05", *how, "--out", "other")
        run(repo, "python", "-m", "nnreel.runs.compare", *args, env=other_cpu(repo))
        assert {p.name: p.read_bytes() for p in (repo / "other").iterdir()} == here
    bad = run(repo, "python", "-m", "nnreel.runs.compare", "lr-0.05", "no-such-exp", check=False)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [bad.stderr.strip()]
    assert bad.stderr.startswith("nnreel compare: error: no-such-exp")


def readme_command(prefix: str) -> list[str]:
    """The README's one command line that starts with `prefix`, continuations joined."""
    text = (ROOT / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    (line,) = [line.strip() for line in text.splitlines() if line.strip().startswith(prefix)]
    return shlex.split(line)


def test_the_readmes_experiment_table_shows_the_changed_params_in_200_columns(
    experiments: Path,
) -> None:
    command = readme_command("dvc exp show --only-changed")
    lines = run(experiments, *command).stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 200
    header = lines[1].split()
    assert {"train.lr", "model.output_bias", "final_loss", "best_loss", "r2"} <= set(header)
    assert {"lr-0.05", "[with-ob]", "[lr-0.05]"} & {w for line in lines for w in line.split()}


def test_plots_diff_keeps_every_run_whatever_its_parameters(experiments: Path) -> None:
    shown = json.loads(run(experiments, "dvc", "plots", "diff", "HEAD", "with-ob", "--json").stdout)
    plots = shown["data"]

    def rows(title: str) -> list[dict[str, str]]:
        (plot,) = plots[title]
        return list(plot["content"]["data"]["values"])

    paths = rows("Parameter paths")
    params = {rev: {r["param"] for r in paths if r["rev"] == rev} for rev in ("HEAD", "with-ob")}
    assert params["HEAD"] == {"iw1", "ow1", "b1", "iw2", "ow2", "b2"}
    assert params["with-ob"] == params["HEAD"] | {"ob"}
    steps = {int(r["step"]) for r in paths}
    assert steps == set(range(13))  # every step of the small film's 12
    assert {r["rev"] for r in rows("Loss")} == {"HEAD", "with-ob"}
