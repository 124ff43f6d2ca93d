"""A temporary git + DVC copy of the project, shrunk to a small film, for end-to-end tests."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

from nnreel.config.compose import compose_params
from nnreel.config.schema import Config
from nnreel.core.network import Samples
from nnreel.core.run import Run
from nnreel.core.training import seeded_training
from nnreel.records.checkpoints import decode_run, encode_run
from nnreel.records.params import read_config
from nnreel.records.samples import read_samples

ROOT = Path(__file__).resolve().parents[1]
yaml = YAML(typ="safe", pure=True)

# A small film: few steps, small frames. Written into conf/ so that `dvc exp run` keeps it.
SMALL: dict[str, dict[str, object]] = {
    "train/default.yaml": {"steps": 12},
    "render/default.yaml": {"width": 320, "height": 200, "workers": 2},
    "video/default.yaml": {"gif_frames": 4, "gif_width": 160, "hold_last_s": 0.5},
}


def run(
    cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`args` run in `cwd` with this interpreter first on PATH, its nnreel from `cwd`/src."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path, "PYTHONPATH": str(cwd / "src"), **(env or {})}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode:
        raise AssertionError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
    return result


def composed_conf_text(overrides: list[str]) -> str:
    """params.yaml as `dvc exp run -S …` would compose it from the project's conf/."""
    with tempfile.TemporaryDirectory() as tmp:
        compose_params(Path(tmp) / "params.yaml", ROOT / "conf", overrides)
        return (Path(tmp) / "params.yaml").read_text(encoding="utf-8")


def make_repo(tmp: Path) -> Path:
    """A git + DVC copy of the committed project, shrunk to a small film."""
    repo = tmp / "repo"
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True
    )
    for name in files.stdout.split():
        if (ROOT / name).is_file() and not name.startswith("tests/"):
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    for name, changes in SMALL.items():
        path = repo / "conf" / name
        yaml.dump(dict(yaml.load(path.read_text())) | changes, path)
    compose_params(repo / "params.yaml", repo / "conf")
    (repo / "dvc.lock").unlink(missing_ok=True)
    run(repo, "git", "init", "-q", "-b", "main")
    run(repo, "git", "config", "user.email", "ci@nnreel.invalid")
    run(repo, "git", "config", "user.name", "nnreel tests")
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", "small film")
    return repo


def reproduced_repo(tmp: Path) -> Path:
    """`make_repo` with its film made and committed: lock, small reports and docs pictures."""
    repo = make_repo(tmp)
    run(repo, "dvc", "repro")
    shutil.copy(repo / "reports/final_frame.png", repo / "docs/final_frame.png")
    shutil.copy(repo / "reports/preview/training.gif", repo / "docs/training.gif")
    run(repo, "python", "-m", "nnreel.runs.gallery")  # of its own, shrunk, conf/
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-qm", "reproduced")
    return repo


def copy_of(repo: Path, tmp_path: Path) -> Path:
    """A copy of `repo`, git history and DVC cache included, for a test that changes it."""
    shutil.copytree(repo, tmp_path / "copy", symlinks=True)
    return tmp_path / "copy"


def outputs(repo: Path) -> dict[str, bytes]:
    """Every pipeline output, by path."""
    found = [*repo.glob("data/**/*"), *repo.glob("reports/**/*")]
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in found if p.is_file()}


def built_once(base: Path, name: str, build: Callable[[Path], Path], into: Path) -> Path:
    """`build(folder)` run once for every pytest-xdist worker of a session, then copied `into`.

    `base` is the folder all workers share; the first worker to take the lock builds, the
    others wait for it. Each gets its own copy, so no two workers run dvc in one repo."""
    shared = base / name
    with (base / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (base / f"{name}.built").exists():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            (base / f"{name}.built").write_text(str(build(shared).relative_to(shared)))
    made = (base / f"{name}.built").read_text()
    shutil.copytree(shared, into, symlinks=True)
    return into / made


def trained_run(cfg: Config, samples: Samples) -> tuple[Run, Samples]:
    """The run `cfg` describes, trained here on `samples`, read back through its checkpoints."""
    net, steps = seeded_training(cfg, *samples)
    return decode_run(list(encode_run(net.names, cfg, steps))), samples


def nnreel_lines(stderr: str) -> list[str]:
    """The lines nnreel itself printed (each starts "nnreel <command>:")."""
    return [line for line in stderr.splitlines() if line.startswith("nnreel ")]


def final_loss_in_process(repo: Path, overrides: list[str]) -> float:
    """The final loss of the repo's conf/ with `overrides`, composed and trained here, no dvc."""
    params = repo / "in-process.yaml"
    compose_params(params, repo / "conf", overrides)
    cfg = read_config(params)
    params.unlink()
    xs, ys = read_samples(cfg.data, repo / "data/samples.json")
    _, steps = seeded_training(cfg, xs, ys)
    return list(steps)[-1].loss
