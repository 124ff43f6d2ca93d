"""The whole default pipeline: `dvc repro` from nothing, on the committed config.

    python benchmarks/bench_repro.py

A copy of the committed project (git ls-files) without dvc.lock and outputs goes to a
temporary directory, becomes a git repository, and `dvc repro` runs there once: 600 training
steps, 601 frames at 1600x1000, the MP4 and GIF, and the report. Each stage's share comes
from the moments dvc prints "Running stage". One run, so the figure moves with the load.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copy_project(target: Path) -> None:
    """The committed files of the project, without the lock, in a new git repository."""
    names = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    for name in names:
        if (ROOT / name).is_file() and name != "dvc.lock":
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "bench"]):
        subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", *args], cwd=target)


def main() -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        copy_project(repo)
        start = time.perf_counter()
        proc = subprocess.Popen(
            ["dvc", "repro"], cwd=repo, env=env, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        marks: list[tuple[str, float]] = []
        for line in proc.stdout:
            if line.startswith("Running stage"):
                marks.append((line.split("'")[1], time.perf_counter() - start))
        total = time.perf_counter() - start
        if proc.wait() != 0:
            sys.exit("dvc repro failed")
    print(f"default `dvc repro` from nothing on {os.cpu_count()} CPUs: {total:.1f} s")
    ends = [t for _, t in marks[1:]] + [total]
    for (name, began), end in zip(marks, ends, strict=True):
        print(f"  {name:<9} {end - began:6.1f} s")


if __name__ == "__main__":
    main()
