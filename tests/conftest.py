"""Shared fixtures: the reference samples and small runs built with the real code."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import pytest

from tests.repo import built_once, reproduced_repo, run

REFERENCE_INIT = {
    "iw1": -0.25805695865858497,
    "b1": -2.348949561217586,
    "ow1": 4.554277398725461,
    "iw2": -5.343323947499308,
    "b2": 1.9972768560328862,
    "ow2": 0.8535303422715148,
}
REFERENCE_SSR0 = 5.8334234504800735

Samples = tuple[list[float], list[float]]


def reference_samples() -> Samples:
    """The notebook's samples, computed here independently of nnreel.core.data."""
    xs = [(k + 1) / 6 for k in range(12)]
    return xs, [math.log(1 + math.exp(2 * math.sin(math.pi * x))) for x in xs]


@pytest.fixture
def samples() -> Samples:
    return reference_samples()


def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder every pytest-xdist worker of this session shares."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small film reproduced once per session and committed; tests that change it copy it."""
    into = tmp_path_factory.mktemp("reproduced")
    return built_once(session_folder(tmp_path_factory), "reproduced", reproduced_repo, into / "r")


# Experiments queued on the reproduced repo and run two at a time, once per session.
EXPERIMENTS = {"lr-0.05": "train.lr=0.05", "with-ob": "model.output_bias=true"}


@pytest.fixture(scope="session")
def experiments(reproduced: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reproduced repo with EXPERIMENTS run by `dvc exp run --run-all -j 2`."""

    def build(folder: Path) -> Path:
        repo = folder / "repo"
        shutil.copytree(reproduced, repo, symlinks=True)
        for name, override in EXPERIMENTS.items():
            run(repo, "dvc", "exp", "run", "--queue", "-n", name, "-S", override)
        run(repo, "dvc", "exp", "run", "--run-all", "-j", "2")
        return repo

    into = tmp_path_factory.mktemp("experiments") / "e"
    return built_once(session_folder(tmp_path_factory), "experiments", build, into)


# Modules that take longest run first, so that with --dist loadscope (one module per worker at
# a time) the two workers finish together; the DVC-heavy ones are not all started at once.
LONGEST_FIRST = [
    "test_sweep.py",
    "test_readme.py",
    "test_render.py",
    "test_reproducibility.py",
    "test_robustness.py",
    "test_pipeline.py",
    "test_viewer_browser.py",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)
