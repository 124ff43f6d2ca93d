"""Peak memory of the render and video stages: a 600-step film beside a 6,000-step one.

    python benchmarks/bench_memory.py

Each film is a scratch project (just a params.yaml) in a temporary directory: the real
generate and train stages make its checkpoints, then the render stage and the video stage
run as `python -m nnreel.stages.<name>`, as dvc runs them. Every step is rendered, at
400x250 pixels. Two figures per stage:

- largest process: the peak resident memory of the biggest single process of the stage
  (the stage itself, one render worker or one ffmpeg), from getrusage(RUSAGE_CHILDREN) of
  a fresh wrapper process that runs only that stage;
- whole tree: the peak of the summed resident memory (VmRSS) of all its processes,
  sampled from /proc every 10 ms.

The design's target is memory flat in the number of frames: the ratios should stay near 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

STEPS = (600, 6000)
RENDER = {"every": 1, "width": 400, "height": 250, "workers": 0, "max_frames": 10000}
# Runs one stage and prints the largest resident set of any process it waited for, in KiB.
WRAPPER = (
    "import resource, subprocess, sys; "
    "code = subprocess.run([sys.executable, '-m', sys.argv[1]]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


@dataclass(frozen=True)
class Peak:
    largest_mb: float
    tree_mb: float
    seconds: float


def children_by_parent() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])  # the command may hold ") "
            found.setdefault(parent, []).append(int(entry.name))
    return found


def descendants(root: int) -> list[int]:
    children = children_by_parent()
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(cwd: Path, stage: str) -> Peak:
    """Run one stage in `cwd` and sample its process tree until it exits."""
    start = time.perf_counter()
    wrapper = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, f"nnreel.stages.{stage}"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    tree_kb = 0
    while wrapper.poll() is None:
        tree_kb = max(tree_kb, sum(rss_kb(pid) for pid in descendants(wrapper.pid)))
        time.sleep(0.01)
    out, err = wrapper.communicate()
    if wrapper.returncode:
        raise RuntimeError(f"{stage} failed:\n{err}")
    largest_kb = int(out.split()[-1])
    return Peak(largest_kb / 1024, tree_kb / 1024, time.perf_counter() - start)


def film(steps: int, tmp: Path) -> dict[str, Peak]:
    """Peaks of render and video for a film of every one of `steps` steps."""
    cwd = tmp / f"steps-{steps}"
    cwd.mkdir()
    params = {"train": {"steps": steps}, "render": RENDER}
    (cwd / "params.yaml").write_text(json.dumps(params), encoding="utf-8")  # JSON is YAML
    for stage in ("validate", "generate", "train"):
        subprocess.run([sys.executable, "-m", f"nnreel.stages.{stage}"], cwd=cwd, check=True)
    return {stage: measure(cwd, stage) for stage in ("render", "video")}


def main() -> None:
    print(f"{os.cpu_count()} CPUs; every step rendered at {RENDER['width']}x{RENDER['height']}")
    with tempfile.TemporaryDirectory() as name:
        peaks = {steps: film(steps, Path(name)) for steps in STEPS}
    small, big = STEPS
    print(f"{'stage':8}{'frames':>8}{'largest process':>18}{'whole tree':>13}{'time':>9}")
    for stage in ("render", "video"):
        for steps in STEPS:
            p = peaks[steps][stage]
            row = f"{stage:8}{steps + 1:>8}{p.largest_mb:>15.1f} MB{p.tree_mb:>10.1f} MB"
            print(f"{row}{p.seconds:>8.1f}s")
        a, b = peaks[small][stage], peaks[big][stage]
        print(
            f"{stage:8}{'ratio':>8}{b.largest_mb / a.largest_mb:>16.2f}x"
            f"{b.tree_mb / a.tree_mb:>11.2f}x{b.seconds / a.seconds:>8.1f}x"
        )


if __name__ == "__main__":
    main()
