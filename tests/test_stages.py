"""Stages as a user runs them: one clear line and exit 2 on bad input, nothing half-written."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


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


@pytest.mark.parametrize("stage_name", ["render", "report", "viewer"])
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
    cwd = project(tmp_path, "train: {steps: 2000000}\n")
    assert finish(cwd, "generate")[0] == 0
    proc = stage(cwd, "train")
    deadline = time.monotonic() + 60
    while not (cwd / "data/.checkpoints.jsonl.tmp").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # interrupt mid-write, not during start-up
    time.sleep(0.3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert not (cwd / "data/checkpoints.jsonl").exists()
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert err.strip().splitlines()[-1] == "nnreel train: interrupted; no output was written"
        assert "Traceback" not in err
        assert not (cwd / "data/.checkpoints.jsonl.tmp").exists()
