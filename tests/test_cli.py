"""The one command, `nnreel`: its help, its dispatch to each command, and bad usage as one
line with exit status 2."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nnreel import cli
from nnreel.runs import compare, gallery
from nnreel.runs.sweep import command as sweep
from tests.repo import ROOT

COMMANDS = ["compare", "sweep", "gallery", "params"]


def nnreel(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The console script the venv's editable install made, as a user runs it."""
    script = Path(sys.executable).parent / "nnreel"
    return subprocess.run([str(script), *args], cwd=cwd, capture_output=True, text=True)


def test_the_venv_has_the_command_and_its_help_lists_every_subcommand() -> None:
    shown = nnreel("--help")
    assert shown.returncode == 0, shown.stderr
    listed = shown.stdout.split("positional arguments:")[1].split("options:")[0]
    assert re.findall(r"^    (\S+)", listed, flags=re.MULTILINE) == COMMANDS


@pytest.mark.parametrize(
    "args",
    [[name, "--help"] for name in COMMANDS]
    + [["sweep", verb, "--help"] for verb in ("plan", "work", "collect")],
)
def test_every_subcommand_has_its_help(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    assert done.value.code == 0
    usage = capsys.readouterr().out
    assert usage.startswith(f"usage: nnreel {' '.join(args[:-1])} ")


def test_each_subcommand_runs_its_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    called: list[tuple[str, argparse.Namespace]] = []
    monkeypatch.setattr(compare, "run", lambda args, parser: called.append(("compare", args)))
    monkeypatch.setattr(sweep, "run", lambda args: called.append(("sweep", args)))
    monkeypatch.setattr(gallery, "run", lambda args: called.append(("gallery", args)))
    cli.main(["compare", "HEAD", "fast", "--frames", "7"])
    cli.main(["sweep", "work", "grid", "--shard", "1", "-j", "2"])
    cli.main(["sweep", "plan", "grid", "seed=1,2", "--shards", "2"])
    cli.main(["gallery", "--size", "640x400"])
    assert [name for name, _ in called] == ["compare", "sweep", "sweep", "gallery"]
    assert (called[0][1].revs, called[0][1].frames) == (["HEAD", "fast"], 7)
    assert (called[1][1].verb, called[1][1].shard, called[1][1].jobs) == ("work", 1, 2)
    assert (called[2][1].verb, called[2][1].sweep, called[2][1].shards) == ("plan", ["seed=1,2"], 2)
    assert called[3][1].size == (640, 400)


def test_params_composes_params_yaml_and_checks_it(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "conf", tmp_path / "conf")
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    assert nnreel("params", "--check", cwd=tmp_path).returncode == 0
    wrote = nnreel("params", "model=wide", "train.lr=0.02", cwd=tmp_path)
    assert wrote.returncode == 0, wrote.stderr
    params = (tmp_path / "params.yaml").read_text()
    assert "activation: tanh" in params and "lr: 0.02" in params
    drifted = nnreel("params", "--check", cwd=tmp_path)
    assert drifted.returncode == 1
    assert drifted.stderr == "params.yaml differs from conf/: run `make params` and commit\n"
    assert nnreel("params", cwd=tmp_path).returncode == 0
    assert (tmp_path / "params.yaml").read_bytes() == (ROOT / "params.yaml").read_bytes()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "nnreel: error: the following arguments are required: COMMAND"),
        (["bogus"], "nnreel: error: argument COMMAND: invalid choice: 'bogus'"),
        (["--nope"], "nnreel: error: "),
        (["compare", "HEAD"], "nnreel compare: error: give 2 to 4 experiments"),
        (["compare", "a", "b", "--frames", "1"], "nnreel compare: error: argument --frames"),
        (["compare", "a", "b", "--nope"], "nnreel compare: error: unrecognized arguments"),
        (["compare", "a", "a"], "nnreel compare: error: 'a' is given twice"),
        (["sweep"], "nnreel sweep: error: the following arguments are required"),
        (["sweep", "plan", "-x", "seed=1"], "nnreel sweep: error: '-x': no such option"),
        (["sweep", "work", "s"], "nnreel sweep: error: the following arguments are required"),
        (["sweep", "collect", "a/b"], "nnreel sweep: error: sweep name 'a/b'"),
        (["gallery", "--size", "3"], "nnreel gallery: error: argument --size: expected WIDTHx"),
        (["params", "--check", "x=1"], "nnreel params: error: --check compares params.yaml"),
        (["params", "model=nope"], "nnreel params: error: In 'config': Could not find"),
    ],
)
def test_bad_usage_is_one_line_and_exit_status_2(
    args: list[str],
    says: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    shutil.copytree(ROOT / "conf", tmp_path / "conf")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    assert done.value.code == 2
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err.startswith(says) and said.err.count("\n") == 1, said.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conf"]  # nothing written
