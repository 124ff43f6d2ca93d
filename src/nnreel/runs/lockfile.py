"""Check dvc.lock before DVC reads it.

DVC rewrites dvc.lock in place, so a run killed meanwhile can leave it empty or cut short,
and every DVC command then fails on its schema. `python -m nnreel.runs.lockfile` says so in one
line, with the way back, and exits 2; `make run`, the gate and the sweep commands run it first.
"""

from __future__ import annotations

from pathlib import Path

from nnreel.errors import UserError
from nnreel.stages import run_stage

LOCK = Path("dvc.lock")


def check_lock(path: Path = LOCK) -> None:
    """Refuse a dvc.lock that DVC cannot read; a missing one is fine (nothing has run yet)."""
    if not path.exists():
        return
    from dvc.schema import COMPILED_LOCKFILE_SCHEMA
    from dvc.utils.serialize import parse_yaml

    try:
        COMPILED_LOCKFILE_SCHEMA(parse_yaml(path.read_text(encoding="utf-8"), str(path)))
    except Exception:  # DVC raises its own and voluptuous's kinds; the cure is the same
        raise UserError(
            f"{path} is empty or damaged (was a run killed while DVC wrote it?): "
            f"restore it with `git checkout {path}`, then run again"
        ) from None


if __name__ == "__main__":
    run_stage("lockfile", check_lock)
