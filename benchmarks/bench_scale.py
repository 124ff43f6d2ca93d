"""Runs of any length and width: each stage's time and peak memory, and the bytes git keeps.

    python benchmarks/bench_scale.py

Each case is a scratch project (just a params.yaml) in a temporary directory, run stage by
stage as dvc runs them (`python -m nnreel.stages.<name>`). The film is two frames of 320x200,
so that frames do not dominate (bench_render and bench_memory measure them). Prints per case:
- the seconds of each stage;
- peak: the peak resident memory of the largest process of any stage (getrusage of a fresh
  wrapper process per stage, as bench_memory measures it);
- git: the MB of the outputs dvc.yaml leaves to git (`cache: false`); the goal is under 1;
- dvc: the bytes of the report's and viewer's outputs that DVC's cache keeps instead (the
  per-step tables and the viewer page), and of the page alone.
The widest cases train tanh with adam at lr 0.01: the default lr diverges at step 1 there.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000
ADAM: dict[str, object] = {"optimizer": "adam", "lr": 0.01}
CASES: tuple[tuple[str, int, dict[str, object]], ...] = (  # name, steps, params
    ("default", 600, {}),
    ("10k steps", 10_000, {"train": {"steps": 10_000}}),
    ("64 tanh adam", 600, {"model": {"hidden": [64], "activation": "tanh"}, "train": ADAM}),
    ("64x64 tanh adam", 600, {"model": {"hidden": [64, 64], "activation": "tanh"}, "train": ADAM}),
)
STAGES = ("validate", "generate", "train", "landscape", "render", "viewer", "report")
# Runs one stage and prints the largest resident set of any process it waited for, in KiB.
WRAPPER = (
    "import resource, subprocess, sys; "
    "code = subprocess.run([sys.executable, '-m', sys.argv[1]]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def outputs() -> tuple[list[str], list[str]]:
    """The report's and viewer's outputs in dvc.yaml: those git keeps, those DVC's cache keeps."""
    stages = YAML(typ="safe", pure=True).load(ROOT / "dvc.yaml")["stages"]
    git: list[str] = []
    cache: list[str] = []
    for out in (o for name in ("report", "viewer") for o in stages[name]["outs"]):
        path = out if isinstance(out, str) else next(iter(out))
        kept_by_git = isinstance(out, dict) and out[path].get("cache") is False
        (git if kept_by_git else cache).append(path)
    return git, cache


def stage(cwd: Path, name: str) -> tuple[float, float]:
    """Seconds and peak MB of one stage run in `cwd`."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, f"nnreel.stages.{name}"],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"{name} failed:\n{done.stderr}")
    return time.perf_counter() - start, int(done.stdout.split()[-1]) / 1024


def main() -> None:
    git, cache = outputs()
    print("stage seconds, the peak of the largest process, and the bytes git and DVC keep")
    print(
        f"{'run':<16} {'steps':>6} {'params':>6} "
        + " ".join(f"{s[:6]:>6}" for s in STAGES[2:])
        + f" {'peak MB':>8} {'git MB':>7} {'dvc MB':>7} {'page MB':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, steps, params in CASES:
            cwd = Path(tmp) / name.replace(" ", "_")
            cwd.mkdir()
            render = {"every": steps, "width": 320, "height": 200}
            (cwd / "params.yaml").write_text(json.dumps({**params, "render": render}), "utf-8")
            measured = {s: stage(cwd, s) for s in STAGES}
            n = len(json.loads((cwd / "data/checkpoints.jsonl").open().readline())["names"])
            in_git = sum((cwd / p).stat().st_size for p in git) / MB
            in_cache = sum((cwd / p).stat().st_size for p in cache) / MB
            page = (cwd / "reports/viewer.html").stat().st_size / MB
            print(
                f"{name:<16} {steps + 1:>6} {n:>6} "
                + " ".join(f"{measured[s][0]:>6.1f}" for s in STAGES[2:])
                + f" {max(mb for _, mb in measured.values()):>8.0f} {in_git:>7.3f}"
                + f" {in_cache:>7.1f} {page:>8.1f}"
            )


if __name__ == "__main__":
    main()
