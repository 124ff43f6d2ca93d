"""Robustness end to end: divergence, killed stages, damaged artifacts and parallel
experiments, through the real stages and, where DVC is part of the behaviour, the real dvc."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nnreel.config.compose import compose_params
from nnreel.config.schema import DataConfig
from nnreel.records.samples import read_samples
from tests.conftest import EXPERIMENTS
from tests.repo import copy_of, final_loss_in_process, nnreel_lines, outputs, run, yaml

pytestmark = pytest.mark.slow

DEAD = 1e-12  # the slope below which a neuron passes no gradient back (the threshold)


def pipeline_run(repo: Path, *overrides: str) -> str:
    """Every stage of dvc.yaml in order, without dvc, on params.yaml composed with `overrides`;
    fails unless each exits 0. What they printed."""
    compose_params(repo / "params.yaml", repo / "conf", list(overrides))
    printed = ""
    for stage in yaml.load((repo / "dvc.yaml").read_text())["stages"].values():
        result = run(repo, *stage["cmd"].split())
        printed += result.stdout + result.stderr
    return printed


def strict_json(path: Path) -> Any:
    """The JSON in `path`; fails on NaN and Infinity, which are not JSON."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{path} holds {constant}")

    return json.loads(path.read_text("utf-8"), parse_constant=refuse)


def checkpoint_lines(repo: Path) -> list[dict[str, Any]]:
    """Every line of the checkpoints file, parsed strictly."""
    text = (repo / "data/checkpoints.jsonl").read_text("utf-8")

    def refuse(constant: str) -> None:
        raise AssertionError(f"the checkpoints file holds {constant}")

    return [json.loads(line, parse_constant=refuse) for line in text.splitlines()]


def frame_steps_on_disk(repo: Path) -> list[int]:
    names = sorted(p.name for p in (repo / "data/frames").iterdir())
    assert all(re.fullmatch(r"frame_\d{6}\.png", n) for n in names), names
    return [int(n[6:12]) for n in names]


def softplus_slope(z: float) -> float:
    """softplus'(z) = 1 / (1 + e^-z), without overflow."""
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def saturated(params: dict[str, float], xs: list[float]) -> list[int]:
    """Neurons j of a one-layer softplus net whose slope is below DEAD at every sample."""
    neurons = sorted(int(n[2:]) for n in params if re.fullmatch(r"iw\d+", n))
    return [
        j
        for j in neurons
        if all(softplus_slope(params[f"iw{j}"] * x + params[f"b{j}"]) < DEAD for x in xs)
    ]


# --- 1. Divergence --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def diverged(reproduced: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small film with train.lr = 10: the loss explodes at step 1."""
    repo = copy_of(reproduced, tmp_path_factory.mktemp("lr10"))
    conf = repo / "conf/train/default.yaml"
    yaml.dump(dict(yaml.load(conf.read_text())) | {"lr": 10.0}, conf)
    compose_params(repo / "params.yaml", repo / "conf")
    run(repo, "dvc", "repro")  # exit status 0, or run() fails the fixture
    return repo


def test_a_diverging_run_succeeds_and_records_steps_0_and_1(diverged: Path) -> None:
    _, *records, end = checkpoint_lines(diverged)
    assert [r["step"] for r in records] == [0, 1]
    for r in records:
        values = [r["loss"], *r["params"].values(), *r["grads"].values()]
        assert all(isinstance(v, float) and math.isfinite(v) for v in values), r
    assert end["end"] is True and end["diverged"]["step"] == 1
    assert frame_steps_on_disk(diverged) == [0, 1]
    assert (diverged / "reports/final_frame.png").read_bytes() == (
        diverged / "data/frames/frame_000001.png"
    ).read_bytes()
    assert run(diverged, "dvc", "status", "--json").stdout.strip() == "{}"


def test_a_diverging_run_reports_where_and_why_in_valid_json(diverged: Path) -> None:
    m = strict_json(diverged / "reports/metrics.json")
    assert (m["diverged"], m["diverged_step"], m["steps_run"], m["n_frames"]) == (True, 1, 1, 2)
    assert isinstance(m["diverged_reason"], str) and "exceeds" in m["diverged_reason"]
    assert m["best_step"] == 0 and m["final_loss"] > 1000 * m["initial_loss"]
    assert "Diverged at step 1" in (diverged / "reports/report.md").read_text("utf-8")


def test_dead_neurons_of_the_diverged_run_match_the_slopes_at_its_last_checkpoint(
    diverged: Path,
) -> None:
    # At step 1 both neurons sit far on the linear side of softplus (slope ~1): none is dead.
    m = strict_json(diverged / "reports/metrics.json")
    xs, _ = read_samples(DataConfig(), diverged / "data/samples.json")
    last = checkpoint_lines(diverged)[-2]
    assert m["dead_neurons"] == saturated(last["params"], xs) == []


def test_neurons_pushed_off_the_cliff_are_reported_dead(reproduced: Path, tmp_path: Path) -> None:
    # Without the divergence stop, step 2 throws every bias far negative: softplus' = 0 there.
    repo = copy_of(reproduced, tmp_path)
    pipeline_run(repo, "train.lr=10", "train.diverge_factor=1e300")
    m = strict_json(repo / "reports/metrics.json")
    xs, _ = read_samples(DataConfig(), repo / "data/samples.json")
    last = checkpoint_lines(repo)[-2]
    assert last["step"] == 12 and m["diverged"] is False
    assert saturated(last["params"], xs) == [1, 2]
    assert m["dead_neurons"] == [1, 2]
    report = (repo / "reports/report.md").read_text("utf-8")
    assert "| dead neurons (zero slope at every sample) | 1, 2 |" in report


def test_overflow_stops_within_five_steps_and_every_stage_still_succeeds(
    reproduced: Path, tmp_path: Path
) -> None:
    repo = copy_of(reproduced, tmp_path)
    printed = pipeline_run(
        repo, "model.activation=identity", "train.lr=1", "train.diverge_factor=1e300"
    )
    assert "Traceback" not in printed
    m = strict_json(repo / "reports/metrics.json")
    assert m["diverged"] is True and 1 <= m["diverged_step"] <= 5
    assert "not finite" in m["diverged_reason"]
    _, *records, end = checkpoint_lines(repo)
    steps = [r["step"] for r in records]
    assert steps == list(range(m["diverged_step"]))  # the non-finite step has no record
    assert end["diverged"] == {"step": m["diverged_step"], "reason": m["diverged_reason"]}
    assert frame_steps_on_disk(repo) == steps
    assert m["n_frames"] == len(steps)
    assert all(math.isfinite(v) for v in (m["final_loss"], m["best_loss"], m["initial_loss"]))


# --- 2. Interrupted stages, at stage level ---------------------------------------------------

# Enough preview-sized frames that render and video each run for a moment on two cores.
LONG = (
    "train: {steps: 150}\n"
    "render: {width: 800, height: 500, workers: 2}\n"
    "video: {gif_frames: 4, gif_width: 160}\n"
)


def stages_run(source: Path | None, target: Path, *names: str) -> Path:
    """A copy of `source` (a new folder holding LONG if None) with the stages `names` run."""
    if source is None:
        target.mkdir(parents=True)
        (target / "params.yaml").write_text(LONG)
    else:
        shutil.copytree(source, target)
    for name in names:
        run(target, "python", "-m", f"nnreel.stages.{name}")
    return target


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("trained") / "run"
    return stages_run(None, where, "validate", "generate", "train", "landscape")


@pytest.fixture(scope="module")
def rendered(trained: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stages_run(trained, tmp_path_factory.mktemp("rendered") / "run", "render")


@pytest.fixture(scope="module")
def filmed(rendered: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stages_run(rendered, tmp_path_factory.mktemp("filmed") / "run", "video")


def processes_in(cwd: Path) -> Iterator[tuple[int, list[bytes]]]:
    """(pid, argv) of every process whose working directory is `cwd`."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == cwd:
                    yield int(entry.name), (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue


def wait_for(what: str, ready: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not ready():
        assert proc.poll() is None, f"the stage ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


VIDEO_TMP = "reports/preview/.video.tmp"


def pngs(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.png")}


@pytest.mark.parametrize("stage", ["render", "video"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_a_killed_stage_leaves_nothing_complete_and_a_rerun_matches_an_uninterrupted_run(
    trained: Path,
    rendered: Path,
    filmed: Path,
    tmp_path: Path,
    stage: str,
    sig: signal.Signals,
) -> None:
    cwd = stages_run(rendered if stage == "video" else trained, tmp_path / "run").resolve()
    proc = subprocess.Popen(
        [sys.executable, "-m", f"nnreel.stages.{stage}"], cwd=cwd, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    tmp_frames = cwd / "data/.frames.tmp"
    try:
        if stage == "render":  # midway: some frames are written, most are not
            wait_for("20 frames", lambda: len(pngs(tmp_frames)) >= 20, proc)
        else:  # midway: ffmpeg is encoding into the stage's temporary directory
            wait_for("the encoder", lambda: (cwd / VIDEO_TMP).is_dir(), proc)
            time.sleep(0.1)
        assert proc.poll() is None, "the stage finished before it could be interrupted"
        proc.send_signal(sig)
        at_kill = pngs(tmp_frames)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    after_kill = pngs(tmp_frames)
    assert proc.returncode != 0
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        said = [line for line in err.splitlines() if line.startswith(f"nnreel {stage}")]
        assert said == [f"nnreel {stage}: interrupted; no output was written"], err
        assert "Traceback" not in err
    # Whatever is on disk, none of the stage's outputs is there to be taken for complete.
    for out in ("data/frames", "reports/training.mp4", "reports/preview/training.gif"):
        assert (stage == "video" and out == "data/frames") or not (cwd / out).exists(), out
    deadline = time.monotonic() + 60  # a SIGKILLed video stage leaves ffmpeg to finish alone
    while any(True for _ in processes_in(cwd)):
        assert time.monotonic() < deadline
        time.sleep(0.1)

    run(cwd, "python", "-m", f"nnreel.stages.{stage}")
    assert outputs(cwd) == outputs(filmed if stage == "video" else rendered)  # no leftovers
    # The render stage's workers stop with it: a dead stage's workers must not go on writing
    # frames into data/.frames.tmp, which the next run renders into (one in-flight frame
    # each may still land).
    assert len(after_kill - at_kill) <= 2 * 2, (len(at_kill), len(after_kill))


def test_an_empty_dvc_lock_is_named_with_its_cure_by_make_run_and_the_gate(
    reproduced: Path, tmp_path: Path
) -> None:
    """DVC rewrites dvc.lock in place, so a run killed meanwhile leaves it empty."""
    repo = copy_of(reproduced, tmp_path)
    (repo / ".venv").symlink_to(Path(sys.executable).parent.parent)  # this venv, as installed
    (repo / "dvc.lock").write_text("")
    cure = (
        "nnreel lockfile: error: dvc.lock is empty or damaged (was a run killed while DVC "
        "wrote it?): restore it with `git checkout dvc.lock`, then run again"
    )
    for command in (["make", "-o", ".venv/.installed", "run"], [".ci/gate"]):
        result = run(repo, *command, check=False)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert nnreel_lines(result.stderr) == [cure], result.stderr
        assert "Traceback" not in result.stderr and "Running stage" not in result.stdout
    run(repo, "git", "checkout", "dvc.lock")
    assert run(repo, "dvc", "status", "--json").stdout.strip() == "{}"


def test_what_a_killed_video_stage_leaves_is_gone_after_the_next_dvc_repro(
    reproduced: Path, tmp_path: Path
) -> None:
    repo = copy_of(reproduced, tmp_path)
    before = outputs(repo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnreel.stages.video"],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo / "src")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # ffmpeg dies with it
    )

    def left() -> list[Path]:
        return [p for p in repo.glob("reports/**/.video.tmp") if p.is_dir()]

    def encoding() -> bool:
        try:
            return any(True for folder in left() for _ in folder.iterdir())
        except FileNotFoundError:  # the stage removed it meanwhile
            return False

    wait_for("the encoder's files", encoding, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert left()
    run(repo, "dvc", "repro")  # DVC restores the video's outputs from its run cache
    assert left() == []
    assert run(repo, "git", "status", "--porcelain", "--untracked-files=all").stdout == ""
    assert outputs(repo) == before


# --- 3. Damaged artifacts between stages ----------------------------------------------------

CHECKPOINTS = Path("data/checkpoints.jsonl")


def truncate(repo: Path) -> None:
    path = repo / CHECKPOINTS
    text = path.read_text("utf-8")
    path.write_text(text[: len(text) // 2], "utf-8")


def edit_line(index: int, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def damage(repo: Path) -> None:
        path = repo / CHECKPOINTS
        lines = path.read_text("utf-8").splitlines(keepends=True)
        record = json.loads(lines[index])
        change(record)
        lines[index] = json.dumps(record, sort_keys=True) + "\n"
        path.write_text("".join(lines), "utf-8")

    return damage


def param_x(record: dict[str, Any]) -> None:
    record["params"]["iw1"] = "x"


def activation_swish(header: dict[str, Any]) -> None:
    header["config"]["model"]["activation"] = "swish"


def landscape_grid_cut(repo: Path) -> None:
    path = repo / "data/landscape.json"
    value = json.loads(path.read_text("utf-8"))
    value["loss"] = value["loss"][:-1]
    path.write_text(json.dumps(value), "utf-8")


def delete_frame_6(repo: Path) -> None:
    (repo / "data/frames/frame_000006.png").unlink()


@pytest.mark.parametrize(
    ("damage", "stage", "problem", "fix"),
    [
        (truncate, "render", r"data/checkpoints\.jsonl: truncated: .*", "train"),
        (edit_line(3, param_x), "render", r"data/checkpoints\.jsonl: line 4: .*", "train"),
        (edit_line(3, param_x), "report", r"data/checkpoints\.jsonl: line 4: .*", "train"),
        (edit_line(0, activation_swish), "render", r"data/checkpoints\.jsonl: .*", "train"),
        (delete_frame_6, "video", r"data/frames/frame_000006\.png: missing .*", "render"),
        (landscape_grid_cut, "report", r"data/landscape\.json: .*", "landscape"),
    ],
    ids=[
        "truncated",
        "param-x",
        "param-x-report",
        "header-activation",
        "frame-deleted",
        "landscape-cut",
    ],
)
def test_a_damaged_input_stops_the_stage_with_one_line_naming_the_file_and_the_fix(
    reproduced: Path,
    tmp_path: Path,
    damage: Callable[[Path], None],
    stage: str,
    problem: str,
    fix: str,
) -> None:
    repo = copy_of(reproduced, tmp_path)
    damage(repo)
    before = outputs(repo)
    result = run(repo, "python", "-m", f"nnreel.stages.{stage}", check=False)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    expected = rf"nnreel {stage}: error: {problem} \(rebuild it with: dvc repro -f {fix}\)"
    assert re.fullmatch(expected, line), line
    assert outputs(repo) == before  # nothing written, nothing half-written


# --- 5. Parallel experiments ----------------------------------------------------------------


def test_queued_experiments_run_two_at_a_time_give_independent_results(
    experiments: Path,
) -> None:
    shown = json.loads(run(experiments, "dvc", "exp", "show", "--json").stdout)
    found: dict[str, float] = {}
    for commit in shown:
        for exp in commit.get("experiments") or []:
            metrics = exp["revs"][0]["data"]["metrics"]["reports/metrics.json"]["data"]
            assert exp["name"] not in found
            found[exp["name"]] = metrics["final_loss"]
    assert sorted(found) == sorted(EXPERIMENTS)
    for name, override in EXPERIMENTS.items():
        assert found[name] == final_loss_in_process(experiments, [override]), name
    baseline = strict_json(experiments / "reports/metrics.json")["final_loss"]
    assert len({baseline, *found.values()}) == 1 + len(found)
