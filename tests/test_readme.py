"""The README's commands, run exactly as printed from a new shell whose PATH holds no venv."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.repo import ROOT, copy_of

pytestmark = pytest.mark.slow


README = (ROOT / "README.md").read_text(encoding="utf-8")
ACTIVATE = ". .venv/bin/activate"


def sh_blocks(markdown: str) -> list[str]:
    """The ```sh blocks of `markdown`."""
    return re.findall(r"^```sh\n(.*?)^```$", markdown, flags=re.MULTILINE | re.DOTALL)


def section(title: str) -> str:
    """The README's section `title`, up to the next section."""
    return README.split(f"\n{title}\n", 1)[1].split("\n## ", 1)[0]


def test_every_block_of_venv_commands_activates_the_venv_first() -> None:
    bare = re.compile(r"^(dvc|nnreel|python|pytest|ruff|mypy) ", flags=re.MULTILINE)
    blocks = [block for block in sh_blocks(README) if bare.search(block)]
    assert len(blocks) >= 5
    for block in blocks:
        assert block.splitlines()[0].split("#")[0].strip() == ACTIVATE, block


def new_shell_env(repo: Path) -> dict[str, str]:
    """This environment as a new shell has it: no virtualenv active or on PATH."""
    path = [p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "activate").exists()]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    return env | {"PATH": os.pathsep.join(path), "PYTHONPATH": str(repo / "src")}


def test_the_experiments_commands_run_as_printed_from_a_new_shell(
    reproduced: Path, tmp_path: Path
) -> None:
    blocks = sh_blocks(section("## Experiments"))
    assert len(blocks) >= 3 and all(b.startswith(ACTIVATE) for b in blocks)
    repo = copy_of(reproduced, tmp_path)
    (repo / ".venv").symlink_to(sys.prefix)  # the venv `make run` made
    env = new_shell_env(repo)
    assert subprocess.run(["bash", "-c", "command -v dvc"], env=env).returncode != 0
    for block in blocks:
        result = subprocess.run(
            ["bash", "-e", "-c", block], cwd=repo, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, f"{block}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    assert {p.name for p in (repo / "compare").iterdir()} == {
        "compare.mp4",
        "loss.png",
        "landscape.png",
    }
    assert {p.name for p in (repo / "compare-page").iterdir()} == {"viewer.html"}
