"""One machine's share of a sweep: what a point costs, with -j 1 and -j 2, and collecting.

    python benchmarks/bench_sweep.py

A clone of the committed project in a temporary directory gets a bare `origin` and a
local-directory DVC remote; its baseline is reproduced, and `python -m nnreel.runs.sweep plan`
pushes it. Then, for the default config and for render=preview:

- the stages of one point, each run by hand (its `cmd` from dvc.yaml) in a copy holding the
  point's params: the work itself;
- `sweep work` on a full clone of origin, one shard with -j 1 and the other with -j 2: seconds
  of wall time per point, `dvc exp push` included. What a point takes beyond its stages is
  DVC's part (the temporary copy, pull, lock file, commit and push);
- two preview points through DVC's own queue against two through `dvc exp run --temp`, which
  `sweep work` uses;
- `sweep collect` of the preview sweep on a fresh clone.

One run of each, so the figures move with the machine's load.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

from nnreel.config.compose import compose_params

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
SWEEPS = {  # name: (its config, the seeds it sweeps)
    "default": ([], "1,2,3,4"),
    "preview": (["render=preview"], "1,2,3,4,5,6,7,8"),
}


def sh(cwd: Path, *args: str) -> float:
    """Run a command; the seconds it took."""
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - start


def sweep(cwd: Path, *args: str) -> float:
    return sh(cwd, sys.executable, "-m", "nnreel.runs.sweep", *args)


def stage_seconds(repo: Path, overrides: list[str]) -> dict[str, float]:
    """Each stage of the point `overrides` run by hand, on a copy of the reproduced `repo`."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy"
        shutil.copytree(repo, copy, symlinks=True)
        compose_params(copy / "params.yaml", copy / "conf", overrides)
        stages = YAML(typ="safe").load((copy / "dvc.yaml").read_text())["stages"]
        return {name: sh(copy, *stage["cmd"].split()) for name, stage in stages.items()}


def queue_against_temp(clone: Path) -> tuple[float, float]:
    """Seconds a preview point, two points through DVC's queue (`--queue`, then `--run-all`)
    and two through `dvc exp run --temp`, as `sweep work` runs them; nothing pushed."""
    run = ["dvc", "exp", "run", "--pull", "--allow-missing", "-S", "render=preview"]
    start = time.perf_counter()
    for seed in (11, 12):
        sh(clone, *run, "--queue", "-n", f"queued-{seed}", "-S", f"seed={seed}")
    sh(clone, "dvc", "exp", "run", "--run-all", "-j", "1")
    queued = (time.perf_counter() - start) / 2
    temp = sum(sh(clone, *run, "--temp", "-n", f"temp-{s}", "-S", f"seed={s}") for s in (13, 14))
    return queued, temp / 2


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        world = Path(tmp)
        repo = world / "repo"
        sh(world, "git", "clone", "-q", str(ROOT), "repo")  # the committed project
        sh(world, "git", "init", "-q", "--bare", "-b", "main", "origin.git")
        sh(repo, "git", "remote", "set-url", "origin", str(world / "origin.git"))
        (world / "store").mkdir()  # a sweep refuses a remote folder that is not there
        sh(repo, "dvc", "remote", "add", "-d", "store", str(world / "store"))
        print(f"sweeps on {os.cpu_count()} CPUs; the baseline's `dvc repro`: ", end="", flush=True)
        print(f"{sh(repo, 'dvc', 'repro'):.1f} s")
        sh(repo, "git", "config", "user.name", "bench")
        sh(repo, "git", "config", "user.email", "bench@nnreel.invalid")
        sh(repo, "git", "add", "-A")
        sh(repo, "git", "commit", "-qm", "baseline")
        for name, (config, seeds) in SWEEPS.items():
            sweep(repo, "plan", name, *config, f"seed={seeds}", "--shards", "2")

        rows = []
        for name, (config, seeds) in SWEEPS.items():
            stages = stage_seconds(repo, [*config, "seed=1"])
            machine = world / f"machine-{name}"
            sh(world, "git", "clone", "-q", str(world / "origin.git"), machine.name)
            n = len(seeds.split(",")) // 2  # points a shard
            per_point = {
                j: sweep(machine, "work", name, "--shard", str(j - 1), "-j", str(j)) / n
                for j in (1, 2)
            }
            rows.append((name, stages, per_point, n))

        queued, temp = queue_against_temp(world / "machine-preview")

        collector = world / "collector"
        sh(world, "git", "clone", "-q", str(world / "origin.git"), collector.name)
        collected = sweep(collector, "collect", "preview")

    for name, stages, per_point, n in rows:
        work = sum(stages.values())
        print(f"\none {name} point: stages {work:.1f} s")
        print("  " + ", ".join(f"{stage} {s:.1f}" for stage, s in stages.items()))
        dvc = per_point[1] - work
        print(
            f"  sweep work -j 1, {n} points: {per_point[1]:.1f} s a point, DVC's part {dvc:.1f} s"
        )
        print(f"  sweep work -j 2, {n} points: {per_point[2]:.1f} s a point (wall time / points)")
        for j, seconds in per_point.items():
            print(f"  -j {j}: {3600 / seconds:.0f} points an hour on this machine")
    print(
        f"\na preview point through DVC's queue (--queue, --run-all -j 1): {queued:.1f} s;"
        f" through dvc exp run --temp: {temp:.1f} s"
    )
    points = len(SWEEPS["preview"][1].split(","))
    print(f"\ncollect of {points} preview points on a fresh clone: {collected:.1f} s")


if __name__ == "__main__":
    main()
