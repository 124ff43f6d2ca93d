"""The package's layers: a module imports only from its own layer or the layers below it.

errors < config < core < records < pictures, web < stages < runs < cli. The core is the
math: it reads no file, draws nothing and runs no program. The records are the files between
stages: they draw nothing. Pictures and web are side by side and import nothing of each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.repo import ROOT

PACKAGE = ROOT / "src/nnreel"
RANK = {
    "errors": 0,
    "config": 1,
    "core": 2,
    "records": 3,
    "pictures": 4,
    "web": 4,
    "stages": 5,
    "runs": 6,
    "cli": 7,
}
FILES_AND_PROGRAMS = {"os", "io", "pathlib", "shutil", "subprocess", "tempfile", "json", "dvc"}
DRAWING = {"matplotlib", "imageio", "imageio_ffmpeg", "PIL"}
BARRED = {"core": FILES_AND_PROGRAMS | DRAWING, "records": DRAWING}


def layer(module: str) -> str:
    """The layer of a module of the package, from its dotted name below `nnreel`."""
    return module.split(".")[1]


def imports(path: Path) -> list[str]:
    """Every module `path` imports, wherever in it the import stands, as dotted names."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            found += [f"{base}.{a.name}" if base == "nnreel" else base for a in node.names]
    return found


def module_name(path: Path) -> str:
    return ".".join(("nnreel", *path.relative_to(PACKAGE).with_suffix("").parts))


def wrong_imports(path: Path) -> list[str]:
    """The imports of `path` that reach up, or sideways, or into what its layer may not use."""
    own = layer(module_name(path))
    wrong = []
    for name in imports(path):
        top = name.split(".")[0]
        if top in BARRED.get(own, set()):
            wrong.append(name)
        elif top == "nnreel" and name != "nnreel" and layer(name) != own:
            theirs = layer(name)
            if RANK[theirs] >= RANK[own]:
                wrong.append(name)
    return wrong


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")


def test_every_module_belongs_to_a_layer() -> None:
    assert {layer(module_name(p)) for p in MODULES} <= set(RANK)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_imports_a_layer_above_or_beside_its_own(path: Path) -> None:
    assert wrong_imports(path) == []


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    for text in (
        "from nnreel.pictures.style import DPI\n",  # core reaching up to the pictures
        "import matplotlib.pyplot as plt\n",  # core drawing
        "def f():\n    from pathlib import Path\n",  # core touching files, even lazily
    ):
        bad = PACKAGE / "core" / "_probe.py"
        try:
            bad.write_text(text)
            assert wrong_imports(bad), text
        finally:
            bad.unlink()


def test_subpackage_inits_stay_empty() -> None:
    """A re-export in an __init__ would make every stage importing it depend on more."""
    for init in PACKAGE.glob("*/__init__.py"):
        if init.parent.name != "stages":
            assert init.read_text() == "", init


def test_no_module_outgrows_one_idea() -> None:
    """A file past these sizes holds more than one idea, and is split along them."""
    long = {
        p.relative_to(PACKAGE).as_posix(): n
        for pattern, most in (("*.py", 400), ("*.js", 300))
        for p in PACKAGE.rglob(pattern)
        if "vendor" not in p.parts and (n := len(p.read_text("utf-8").splitlines())) > most
    }
    assert long == {}
