"""Each stage depends on exactly the modules it imports, and imports only what it needs."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.repo import ROOT

yaml = YAML(typ="safe", pure=True)


def imported_modules(stage_module: str) -> set[str]:
    """Files of the package that running `stage_module` imports."""
    code = (
        f"import sys, {stage_module}; "
        "print('\\n'.join(m.__file__ for n, m in sys.modules.items() if n.startswith('nnreel')))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return {Path(p).resolve().relative_to(ROOT).as_posix() for p in out.stdout.split()}


@functools.cache
def stages() -> dict[str, dict[str, object]]:
    return dict(yaml.load((ROOT / "dvc.yaml").read_text())["stages"])


def source_deps(name: str) -> set[str]:
    deps = stages()[name]["deps"]
    assert isinstance(deps, list)
    return {str(d) for d in deps if str(d).startswith("src/")}


def module_deps(name: str) -> set[str]:
    return {d for d in source_deps(name) if d.endswith(".py")}


@pytest.mark.parametrize("name", sorted(stages()))
def test_each_stage_depends_on_exactly_the_modules_it_imports(name: str) -> None:
    module = str(stages()[name]["cmd"]).split()[-1]
    assert module_deps(name) == imported_modules(module)
    for data in source_deps(name) - module_deps(name):  # package data, e.g. src/nnreel/web
        assert (ROOT / data).is_dir() and not list((ROOT / data).glob("*.py")), data


def package(*names: str) -> set[str]:
    inits = (
        "__init__",
        "stages/__init__",
        *(f"{n.split('/')[0]}/__init__" for n in names if "/" in n),
    )
    return {f"src/nnreel/{n}.py" for n in (*inits, *names)}


CONFIG = ("records/params", "config/schema", "config/architecture", "errors")
# What each stage needs, and why. A new import that a stage does not need fails here.
NEEDED = {
    # ffmpeg over the checked frames; reads render.every, the frame size and video.*
    "video": package(
        "stages/video",
        "pictures/video",
        "records/frames",
        "core/indices",
        "records/files",
        *CONFIG,
    ),
    # metrics, the report's words and figures, and the frames' count and copies, from the
    # run, the samples and the landscape (its summary and its picture, read back checked
    # against the params and run); never the frame renderer or the video's arguments
    "report": package(
        "stages/report",
        "core/metrics",
        "core/landscape",
        "core/fixed_order",
        "core/indices",
        "core/limits",
        "core/network",
        "core/run",
        "records/report",
        "records/faithfulness",
        "records/landscape_file",
        "records/frames",
        "records/run_file",
        "records/samples",
        "records/checkpoints",
        "records/files",
        "pictures/landscape_panel",
        "pictures/report_figures",
        "pictures/png",
        "pictures/axes",
        "pictures/style",
        *CONFIG,
    ),
    # the whole config checked, and the frame budget
    "validate": package(
        "stages/validate", "records/frames", "core/indices", "records/files", *CONFIG
    ),
}


@pytest.mark.parametrize("name", sorted(NEEDED))
def test_a_stage_depends_on_no_module_it_does_not_need(name: str) -> None:
    assert module_deps(name) == NEEDED[name]


def test_editing_the_network_reruns_neither_validate_nor_video() -> None:
    for name in ("validate", "video"):
        assert "src/nnreel/core/network.py" not in module_deps(name)
        assert "src/nnreel/records/checkpoints.py" not in module_deps(name)


def test_the_architecture_names_the_activations_the_network_implements() -> None:
    from nnreel.config.architecture import ACTIVATION_NAMES
    from nnreel.core.network import ACTIVATIONS

    assert tuple(ACTIVATIONS) == ACTIVATION_NAMES


def readme_rerun_table() -> dict[str, list[str]]:
    """Module → stages, from the README's table of which stages an edit reruns."""
    text = (ROOT / "README.md").read_text("utf-8")
    table = text.split("| edit this module | these stages rerun |\n|---|---|\n")[1]
    rows = [line.strip("| ").split(" | ") for line in table.split("\n\n")[0].splitlines()]
    return {f"src/nnreel/{module.strip('`')}": users.split(", ") for module, users in rows}


def test_the_readme_rerun_table_is_what_dvc_yaml_says() -> None:
    every = sorted({d for name in stages() for d in module_deps(name)})
    expected = {m: [name for name in stages() if m in module_deps(name)] for m in every}
    assert readme_rerun_table() == expected
