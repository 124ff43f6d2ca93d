"""Stages as a user runs them: one clear line and exit 2 on bad input, nothing half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from nnreel.stages import (
    generate,
    landscape,
    render,
    report,
    run_stage,
    train,
    validate,
    viewer,
)


def stage(cwd: Path, name: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", f"nnreel.stages.{name}"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(cwd: Path, name: str) -> tuple[int, str]:
    proc = stage(cwd, name)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def project(tmp_path: Path, params: str) -> Path:
    (tmp_path / "params.yaml").write_text(params)
    return tmp_path


@pytest.mark.parametrize(
    ("params", "stage_name", "message"),
    [
        ("train: {lr: oops}\n", "validate", "train.lr = 'oops': expected a finite number"),
        (
            "train: [1\n",
            "validate",
            "params.yaml: not valid YAML at line 2: expected ',' or ']', but got '<stream end>'",
        ),
        ("data: {target: csv, csv: nope.csv}\n", "validate", "nope.csv: file not found"),
        ("data: {target: csv, csv: bad.csv}\n", "generate", "bad.csv:3: not a number in '3,four'"),
        ("{}\n", "train", "data/samples.json: missing (rebuild it with: dvc repro -f generate)"),
        (
            "render: {max_frames: 5}\ntrain: {steps: 12}\n",
            "validate",
            "render.every = 1: would render 13 frames, more than render.max_frames=5; "
            "raise render.every to at least 3",
        ),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_status_2(
    tmp_path: Path, params: str, stage_name: str, message: str
) -> None:
    cwd = project(tmp_path, params)
    (cwd / "bad.csv").write_text("x,y\n1,2\n3,four\n")
    code, err = finish(cwd, stage_name)
    assert code == 2
    assert err.splitlines() == [f"nnreel {stage_name}: error: {message}"]


@pytest.mark.parametrize("stage_name", ["landscape", "render", "report", "viewer"])
def test_a_truncated_checkpoints_file_names_itself_and_the_fix(
    tmp_path: Path, stage_name: str
) -> None:
    cwd = project(tmp_path, "train: {steps: 20}\n")
    assert finish(cwd, "generate")[0] == finish(cwd, "train")[0] == 0
    checkpoints = cwd / "data/checkpoints.jsonl"
    checkpoints.write_text("".join(checkpoints.read_text().splitlines(keepends=True)[:-3]))
    code, err = finish(cwd, stage_name)
    assert code == 2
    assert err.splitlines() == [
        f"nnreel {stage_name}: error: data/checkpoints.jsonl: truncated: the end record is "
        "missing (rebuild it with: dvc repro -f train)"
    ]


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_training_leaves_no_checkpoints_file(tmp_path: Path, sig: int) -> None:
    cwd = project(tmp_path, "train: {steps: 999999}\n")  # the most it takes
    assert finish(cwd, "generate")[0] == 0
    proc = stage(cwd, "train")
    deadline = time.monotonic() + 60
    while not (cwd / "data/.checkpoints.jsonl.tmp").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # interrupt mid-write, not during start-up
    assert (cwd / "data/.checkpoints.jsonl.tmp").exists(), "training never started writing"
    time.sleep(0.3)
    assert proc.poll() is None, "training ended before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert not (cwd / "data/checkpoints.jsonl").exists()
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert err.strip().splitlines()[-1] == "nnreel train: interrupted; no output was written"
        assert "Traceback" not in err
        assert not (cwd / "data/.checkpoints.jsonl.tmp").exists()


@pytest.mark.parametrize(
    ("change", "stage", "message"),
    [
        (
            "model: {activation: relu}\n",
            render,
            "data/checkpoints.jsonl: made with model.activation = 'softplus', but params.yaml "
            "has 'relu'; bring it up to date with: dvc repro",
        ),
        (
            "train: {steps: 5, lr: 0.02}\n",
            report,
            "data/checkpoints.jsonl: made with train.lr = 0.01, but params.yaml has 0.02; "
            "bring it up to date with: dvc repro",
        ),
        (
            "data: {n_samples: 10}\ntrain: {steps: 5}\n",
            train,
            "data/samples.json: made with data.n_samples = 12, but params.yaml has 10; "
            "bring it up to date with: dvc repro",
        ),
    ],
    ids=["render", "report", "train"],
)
def test_a_stage_run_out_of_order_on_stale_inputs_says_to_run_dvc_repro(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    change: str,
    stage: ModuleType,
    message: str,
) -> None:
    monkeypatch.chdir(project(tmp_path, "train: {steps: 5}\n"))
    generate.main()
    train.main()
    made = {p.name: p.read_bytes() for p in Path("data").iterdir()}
    capsys.readouterr()
    Path("params.yaml").write_text(change)
    name = stage.__name__.rsplit(".", 1)[-1]
    with pytest.raises(SystemExit) as exit_info:
        run_stage(name, stage.main)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [f"nnreel {name}: error: {message}"]
    assert {p.name: p.read_bytes() for p in Path("data").iterdir()} == made


def test_a_landscape_made_for_other_params_is_refused_by_every_stage_that_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project(tmp_path, "train: {steps: 5}\n"))
    for made in (generate, train, landscape):
        made.main()
    # Six steps: train runs again by hand, the landscape stage does not. Its first five steps
    # are the same, so only what the file records can tell it is stale.
    small = "train: {steps: 6}\nrender: {width: 320, height: 200}\n"
    Path("params.yaml").write_text(small)
    train.main()
    render.main()  # frames this small hold no landscape panel: it does not read the file

    def files() -> dict[Path, bytes]:
        return {p: p.read_bytes() for p in Path(".").rglob("*") if p.is_file()}

    before = files()
    said = (
        "data/landscape.json: made with train.steps = 5, but params.yaml has 6; "
        "bring it up to date with: dvc repro"
    )
    for reader, params in [(report, small), (viewer, small), (render, "train: {steps: 6}\n")]:
        Path("params.yaml").write_text(params)
        name = reader.__name__.rsplit(".", 1)[-1]
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            run_stage(name, reader.main)
        assert exit_info.value.code == 2
        assert capsys.readouterr().err.splitlines() == [f"nnreel {name}: error: {said}"]
    Path("params.yaml").write_text(small)
    assert files() == before


# Nine lists, each nine references to the one before: 9**9 numbers if expanded.
ALIAS_BOMB = "trian:\n  - &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)
)


def validate_says(params: str, capsys: pytest.CaptureFixture[str]) -> str:
    """What validate prints, as it exits 2, for `params` in the current folder; it must be
    quick (a size is checked before anything is built from it) and write nothing."""
    Path("params.yaml").write_text(params)
    start = time.perf_counter()
    with pytest.raises(SystemExit) as exit_info:
        run_stage("validate", validate.main)
    assert time.perf_counter() - start < 5
    assert exit_info.value.code == 2
    assert not Path("data/config.ok").exists()
    (line,) = capsys.readouterr().err.splitlines()
    return line


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ("train: {steps: 100000000}\n", "train.steps = 100000000: expected an integer from 1"),
        ("data: {n_samples: 100000000}\n", "data.n_samples = 100000000: expected an integer"),
        ("data: {x_max: 1.0e+308}\n", "data.x_max = 1e+308: expected a number > 0, at most"),
        ("report: {grid_points: 1000000000}\n", "report.grid_points = 1000000000: expected 2"),
        ("", "params.yaml: empty; restore it with: git checkout params.yaml"),
        (
            ALIAS_BOMB,
            "trian = [[1, 1, 1, 1, 1, 1, 1, 1, ...], [[...], [...], [...], [...], [...], [...], ",
        ),
    ],
    ids=["steps", "samples", "x_max", "grid", "empty", "alias bomb"],
)
def test_a_size_too_big_for_the_machine_is_refused_in_one_line_before_it_is_used(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    params: str,
    said: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    line = validate_says(params, capsys)
    assert line.startswith(f"nnreel validate: error: {said}")
    assert len(line) < 300


@pytest.mark.parametrize("kind", ["device", "pipe", "too big"])
def test_a_csv_that_is_no_small_regular_file_is_refused_before_it_is_read(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    kind: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    path = {
        "device": Path("/dev/zero"),
        "pipe": tmp_path / "fifo",
        "too big": tmp_path / "big.csv",
    }[kind]
    if kind == "pipe":
        os.mkfifo(path)  # reading it would block forever
    if kind == "too big":
        path.write_text("x,y\n" + "0.5,1.5\n" * 1_500_000)  # 12 MB
    line = validate_says(f"data: {{target: csv, csv: '{path}'}}\n", capsys)
    reason = "not a regular file" if kind != "too big" else "12,000,004 bytes, more than"
    assert line.startswith(f"nnreel validate: error: {path}: {reason}")


@pytest.mark.parametrize(
    ("module", "output"), [(generate, "data/samples.json"), (train, "data/checkpoints.jsonl")]
)
def test_a_full_disk_is_one_line_and_exit_2_and_the_old_output_stays(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    module: ModuleType,
    output: str,
) -> None:
    monkeypatch.chdir(project(tmp_path, "train: {steps: 20}\n"))
    run_stage("generate", generate.main)
    run_stage("train", train.main)
    before = Path(output).read_bytes()
    # The stage writes beside its output first; there, every write fails as on a full disk.
    spare = Path(output).with_name(f".{Path(output).name}.tmp")
    spare.symlink_to("/dev/full")
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        run_stage(module.__name__.rsplit(".", 1)[1], module.main)
    assert stop.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"nnreel {module.__name__.rsplit('.', 1)[1]}: error: no space left")
    assert Path(output).read_bytes() == before
    assert not os.path.lexists(spare)
