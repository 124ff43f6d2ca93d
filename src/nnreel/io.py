"""All file reading and writing of the pipeline's artifacts.

Outputs are written to a temporary file beside their target and renamed into place, so an
interrupted stage never leaves a file that looks complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from nnreel.checkpoints import Run, decode_run
from nnreel.config import Config, parse_config
from nnreel.errors import CheckpointError, DataError, UserError
from nnreel.network import Samples

if TYPE_CHECKING:  # only a type here: stages that write no figure skip importing matplotlib
    from matplotlib.figure import Figure

PARAMS = Path("params.yaml")
SAMPLES = Path("data/samples.json")
CHECKPOINTS = Path("data/checkpoints.jsonl")
FRAMES = Path("data/frames")
REPORTS = Path("reports")


class ArtifactError(UserError):
    """An input file between stages is missing or damaged; rebuilding it fixes this."""

    def __init__(self, path: Path, problem: str, stage: str) -> None:
        super().__init__(f"{path}: {problem} (rebuild it with: dvc repro -f {stage})")


def read_config(path: Path = PARAMS) -> Config:
    """The validated config in `path`."""
    if not path.is_file():
        raise UserError(f"{path}: file not found; run from the project root")
    try:
        raw = YAML(typ="safe", pure=True).load(read_text(path))
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UserError(f"{path}: not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    return parse_config(raw if raw is not None else {})


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path that is renamed to `path` only if the block completes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_lines(path: Path, lines: Iterable[str]) -> None:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as f:
        f.writelines(lines)


def save_png(fig: Figure, path: Path) -> None:
    """A matplotlib figure as PNG, without the Software tag so the bytes are reproducible."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None})


def copy_file(source: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def write_json(path: Path, value: Any) -> None:
    write_lines(path, [json.dumps(value, sort_keys=True, indent=2, allow_nan=False) + "\n"])


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise DataError(f"{path}: {e.strerror.lower() if e.strerror else e}") from None


def write_samples(path: Path, samples: Samples) -> None:
    xs, ys = samples
    write_json(path, {"x": xs, "y": ys})


def read_samples(path: Path = SAMPLES) -> Samples:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
        xs, ys = [float(v) for v in value["x"]], [float(v) for v in value["y"]]
    except FileNotFoundError:
        raise ArtifactError(path, "missing", "generate") from None
    except (ValueError, KeyError, TypeError):
        raise ArtifactError(path, "not a samples file with x and y lists", "generate") from None
    if len(xs) != len(ys) or len(xs) < 2:
        raise ArtifactError(path, "x and y must be equally long, with 2 or more values", "generate")
    return xs, ys


def read_run(path: Path = CHECKPOINTS) -> Run:
    """The validated training run in the checkpoints file."""
    try:
        with path.open(encoding="utf-8") as f:
            lines = f.readlines()
    except FileNotFoundError:
        raise ArtifactError(path, "missing", "train") from None
    except UnicodeDecodeError:
        raise ArtifactError(path, "not UTF-8 text", "train") from None
    try:
        return decode_run(lines)
    except CheckpointError as e:
        raise ArtifactError(path, str(e), "train") from None


def package_text(name: str) -> str:
    """A text file shipped inside the package, such as web/viewer.js."""
    return (resources.files("nnreel") / name).read_text(encoding="utf-8")
