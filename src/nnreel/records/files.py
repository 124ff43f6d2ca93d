"""Writing files safely, reading text files, and where the pipeline's artifacts live.

Outputs are written to a temporary file beside their target and renamed into place, so an
interrupted stage never leaves a file that looks complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from nnreel.errors import DataError, UserError

T = TypeVar("T")
PARAMS = Path("params.yaml")
SAMPLES = Path("data/samples.json")
CHECKPOINTS = Path("data/checkpoints.jsonl")
FRAMES = Path("data/frames")
PREVIEW = Path("data/preview")  # the GIF's own frames, drawn at its size
LANDSCAPE = Path("data/landscape.json")
REPORTS = Path("reports")


class ArtifactError(UserError):
    """An input file between stages is missing or damaged; rebuilding it fixes this."""

    def __init__(self, path: Path, problem: str, stage: str) -> None:
        super().__init__(f"{path}: {problem} (rebuild it with: dvc repro -f {stage})")


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


@contextlib.contextmanager
def scratch_dir(path: Path) -> Iterator[Path]:
    """`path` as a fresh empty directory, removed when the block ends however it ends; what a
    killed run left there is cleared first."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def atomic_dir(path: Path) -> Iterator[Path]:
    """An empty sibling directory that replaces the directory `path` only if the block
    completes; otherwise `path` stays as it was."""
    old = path.with_name(f".{path.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    with scratch_dir(path.with_name(f".{path.name}.tmp")) as tmp:
        try:
            yield tmp
            if path.exists():
                path.rename(old)
            tmp.rename(path)
        except BaseException:
            if old.exists() and not path.exists():
                old.rename(path)  # the previous contents stay as they were
            raise
        finally:
            shutil.rmtree(old, ignore_errors=True)


def write_lines(path: Path, lines: Iterable[str]) -> None:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as f:
        f.writelines(lines)


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


CSV_BYTES = 10_000_000  # a data file larger than this is refused before it is read


def read_data_file(path: Path, most: int = CSV_BYTES) -> str:
    """The text of the regular file `path`; a device, a pipe or a file over `most` bytes is
    refused in one line before any of it is read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{path}: not a regular file")
    if info.st_size > most:
        raise DataError(f"{path}: {info.st_size:,} bytes, more than the {most:,} allowed")
    return read_text(path)


def read_artifact(path: Path, stage: str, parse: Callable[[Any], T]) -> T:
    """The JSON file `path` as `parse` reads it; ArtifactError if it is missing or damaged."""
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ArtifactError(path, "missing", stage) from None
    except (ValueError, UnicodeDecodeError) as e:
        raise ArtifactError(path, str(e).split("\n")[0], stage) from None


def package_text(name: str) -> str:
    """A text file shipped inside the package, such as web/assets/viewer.js."""
    return (resources.files("nnreel") / name).read_text(encoding="utf-8")
