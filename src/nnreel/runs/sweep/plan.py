"""A sweep's plan: the grid expanded, the points' names and shards, sweeps/NAME.yaml; and
`plan`, which writes, commits and pushes it."""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from nnreel.config.compose import compose_params
from nnreel.errors import UserError, quoted
from nnreel.records.files import write_lines
from nnreel.records.params import read_config
from nnreel.runs.sweep.git import (
    BASELINE_FIXES,
    check_clone,
    check_committed,
    code_commit,
    missing_baseline,
    run,
    some,
)
from nnreel.runs.sweep.overrides import key_of

SWEEPS = Path("sweeps")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
LONGEST_NAME = 100  # a point's ref and the sweep's files add a few characters to a file name
yaml = YAML(typ="safe", pure=True)
yaml.default_flow_style = None


class Incomplete(Exception):
    """Some planned points failed or never arrived."""


@dataclass(frozen=True)
class Plan:
    name: str
    base: str
    shards: int
    sweep: list[str]  # the arguments of `plan`, as given
    keys: list[str]  # the swept keys, in grid order
    points: list[dict[str, Any]]  # {"name", "shard", "overrides"}


def expand(sweep: Sequence[str]) -> list[list[str]]:
    """Every point of Hydra sweep overrides, first key outermost, as `dvc exp run -S` does."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        overrides = OverridesParser.create().parse_overrides(list(sweep))
    except HydraException as e:
        raise UserError(f"cannot parse the sweep: {str(e).splitlines()[0]}") from None
    if any(o.is_delete() or o.is_add() or o.is_force_add() for o in overrides):
        raise UserError("sweep overrides set existing keys: drop the +, ++ or ~")
    keys = [o.key_or_group for o in overrides]
    if len(set(keys)) != len(keys):
        raise UserError(f"a key is swept twice: {', '.join(keys)}")
    points: list[list[str]] = BasicSweeper.split_arguments(overrides, None)[0]
    return points


def swept_keys(points: Sequence[Sequence[str]]) -> list[str]:
    """The keys that take more than one value across `points`, in their order."""
    keys = [key_of(o) for o in points[0]]
    return [k for i, k in enumerate(keys) if len({p[i] for p in points}) > 1]


def check_name(name: str) -> None:
    """Refuse a name that git, DVC or the file system would refuse later, or that leads out of
    sweeps/."""
    if not NAME.fullmatch(name) or ".." in name or len(name) > LONGEST_NAME:
        raise UserError(
            f"sweep name {quoted(name)}: use letters, digits, '.', '_' and '-', starting with a "
            f"letter or a digit, without '..', at most {LONGEST_NAME} characters"
        )


def make_plan(name: str, sweep: Sequence[str], shards: int, base: str) -> Plan:
    """The plan of sweep `name`: points NAME-<index> dealt to shards in turn."""
    check_name(name)
    if shards < 1:
        raise UserError(f"--shards {shards}: expected 1 or more")
    grid = expand(sweep)
    points = [
        {"name": f"{name}-{i}", "shard": i % shards, "overrides": list(p)}
        for i, p in enumerate(grid)
    ]
    return Plan(name, base, shards, list(sweep), swept_keys(grid), points)


def plan_text(plan: Plan) -> str:
    """sweeps/NAME.yaml: the same plan gives the same bytes."""
    head = (
        f"# Sweep {plan.name}: run `nnreel sweep work {plan.name} --shard K`"
        f" for K in 0..{plan.shards - 1} on full clones at `base`,\n"
        f"# then `nnreel sweep collect {plan.name}`.\n"
    )
    body = io.StringIO()
    fields = ("name", "base", "shards", "sweep", "keys", "points")
    yaml.dump({f: getattr(plan, f) for f in fields}, body)
    return head + body.getvalue()


def parse_plan(text: str, path: Path) -> Plan:
    try:
        raw = yaml.load(text)
        return Plan(**{f: raw[f] for f in Plan.__dataclass_fields__})
    except Exception as e:  # any damage to the file reads as one line
        raise UserError(f"{path}: not a sweep plan ({type(e).__name__}: {e})") from None


def read_plan(name: str) -> tuple[Plan, str]:
    """The plan of sweep `name`, and its file's text, which every run of it holds."""
    check_name(name)
    path = SWEEPS / f"{name}.yaml"
    if not path.is_file():
        raise UserError(f"{path}: not found; plan the sweep first, or git pull its plan commit")
    text = path.read_text(encoding="utf-8")
    p = parse_plan(text, path)
    names = [f"{name}-{i}" for i in range(len(p.points))]
    if p.name != name or [pt["name"] for pt in p.points] != names:
        raise UserError(f"{path}: its name or its points' names are not those plan gives {name}")
    return p, text


def check_points(points: Sequence[dict[str, Any]]) -> None:
    """Every point composes to a valid config, so no worker fails on a typo."""
    with tempfile.TemporaryDirectory() as tmp:
        for p in points:
            params = Path(tmp) / "params.yaml"
            try:
                compose_params(params, Path("conf"), list(p["overrides"]))
            except Exception as e:  # Hydra raises many kinds for a bad override
                first = str(e).splitlines()[0] if str(e) else type(e).__name__
                raise UserError(f"{' '.join(p['overrides'])}: {first}") from None
            try:
                read_config(params)
            except UserError as e:
                raise UserError(f"{' '.join(p['overrides'])}: {e}") from None


def plan(name: str, sweep: Sequence[str], shards: int) -> Path:
    check_name(name)
    store = check_clone()
    check_committed("commit them, so that every worker runs them")
    new = make_plan(name, sweep, shards, code_commit())
    check_points(new.points)
    missing = missing_baseline()
    if missing:
        raise UserError(
            f"no baseline to push: {some(missing)} from dvc.lock are in neither the DVC cache "
            f"nor the remote {store!r}; get them with {BASELINE_FIXES}, then plan again"
        )
    path = SWEEPS / f"{name}.yaml"
    text = plan_text(new)
    if path.is_file() and path.read_text(encoding="utf-8") != text:
        raise UserError(f"{path} already plans a different sweep; choose another name")
    if not path.is_file():
        write_lines(path, [text])
    run("git", "add", str(path))
    if run("git", "diff", "--cached", "--name-only", "--", str(path)):
        message = f"Plan sweep {name}: {len(new.points)} points over {shards} shards"
        run("git", "commit", "-q", "-m", message, "--", str(path))
    print(f"pushing the baseline's outputs to the DVC remote (dvc push) and {path} to origin")
    run("dvc", "push", "-q")
    run("git", "push", "-q", "origin", "HEAD")
    for k in range(shards):
        n = sum(p["shard"] == k for p in new.points)
        print(f"shard {k}: {n} points   nnreel sweep work {name} --shard {k}")
    return path
