"""`work`: run one shard's points as experiments and push each, with its outputs, to origin."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from nnreel.errors import UserError
from nnreel.runs.sweep.git import (
    BASELINE_FIXES,
    DVC,
    EMPTY_TREE,
    check_clone,
    check_committed,
    child_env,
    code_commit,
    command,
    local_refs,
    missing_baseline,
    remote_refs,
    run,
    some,
)
from nnreel.runs.sweep.origin import FAILED, on_origin, runs_of
from nnreel.runs.sweep.plan import Incomplete, Plan, check_name, read_plan


def check_base(p: Plan) -> None:
    if subprocess.run(["git", "cat-file", "-e", f"{p.base}^{{commit}}"]).returncode:
        raise UserError(f"the sweep's base commit {p.base[:10]} is not in this clone: git fetch")
    check_committed(f"the sweep runs the base commit {p.base[:10]} as it is; stash them")
    here = code_commit()
    if here != p.base:
        raise UserError(
            f"this clone's code is at {here[:10]}, the sweep's base commit is {p.base[:10]}: "
            f"git checkout the commit that planned {p.name}"
        )


def mark_failed(name: str, shard: int, reason: str) -> None:
    """Record on origin that point `name` failed, so collect reports it as failed."""
    commit = run("git", "commit-tree", EMPTY_TREE, "-m", f"failed on shard {shard}: {reason}")
    run("git", "push", "-q", "-f", "origin", f"{commit}:{FAILED}/{name}")


@dataclass(frozen=True)
class Sweep:
    """A sweep as this clone sees it: its plan, its plan file's text, its DVC remote."""

    plan: Plan
    text: str
    store: str

    def arrived(self, point: str) -> bool:
        return point in on_origin(self.plan, self.text, self.store)[0]


def run_point(sw: Sweep, point: dict[str, Any]) -> str | None:
    """Run one point as a named experiment and push it; the reason if it failed."""
    name = point["name"]
    sets = [a for o in point["overrides"] for a in ("-S", str(o))]
    print(f"{name}: running {' '.join(point['overrides'])}", flush=True)
    args = [*DVC, "exp", "run", "--temp", "--pull", "--allow-missing", "-n", name, *sets]
    ran = subprocess.run(command(args), env=child_env()).returncode == 0
    # Made by this run, or first by another process of this clone running the same shard.
    made = runs_of(sw.plan, sw.text, local_refs()).get(name)
    if not made:
        return "dvc exp run failed" if not ran else "dvc exp run made no experiment"
    return push(sw, name, min(made))


def push(sw: Sweep, point: str, ref: str) -> str | None:
    """Push the run `ref` of `point` and its outputs; None once the point has arrived, by
    this run or another's. A run on origin that lacks its outputs is replaced by this one."""
    exp_push = [*DVC, "exp", "push", "origin", ref]
    subprocess.run(command(exp_push), env=child_env())
    if sw.arrived(point):
        return None
    forced = subprocess.run(command([*exp_push[:4], "-f", *exp_push[4:]]), env=child_env())
    if sw.arrived(point):
        return None
    return "dvc exp push failed" if forced.returncode else "its outputs did not reach the remote"


def settle(sw: Sweep, point: str, shard: int, reason: str | None) -> str | None:
    """Leave origin saying how `point` ended: marked failed unless it arrived, by this run or
    another (the same shard may run twice at once). The reason if it did not arrive."""
    if reason and not sw.arrived(point):
        mark_failed(point, shard, reason)
        if not sw.arrived(point):  # another run may have arrived meanwhile
            return reason
    ref = f"{FAILED}/{point}"
    if remote_refs(ref):
        run("git", "push", "-q", "origin", f":{ref}", check=False)  # another may delete it too
    return None


def work(name: str, shard: int, jobs: int) -> None:
    check_name(name)
    store = check_clone()
    p, text = read_plan(name)
    if not 0 <= shard < p.shards:
        raise UserError(f"--shard {shard}: sweep {name} has shards 0 to {p.shards - 1}")
    check_base(p)
    missing = missing_baseline()
    if missing:
        raise UserError(
            f"the sweep's baseline is missing: {some(missing)} from dvc.lock are in neither "
            f"this clone's DVC cache nor the remote {store!r}; in a clone at the base commit, "
            f"get them with {BASELINE_FIXES}, then `dvc push`"
        )
    sw = Sweep(p, text, store)
    mine = [pt for pt in p.points if pt["shard"] == shard]
    arrived, incomplete = on_origin(p, text, store)
    local = runs_of(p, text, local_refs())
    todo = []
    for pt in mine:
        if pt["name"] in arrived and pt["name"] not in local:
            print(f"{pt['name']}: already on origin, skipped")
        else:  # one run here is pushed again: a killed push may have sent the ref without data
            if pt["name"] in incomplete and pt["name"] not in local:
                print(f"{pt['name']}: on origin without its outputs, running it again")
            todo.append(pt)

    def one(pt: dict[str, Any]) -> str | None:
        name = pt["name"]
        if name in local:
            print(f"{name}: already in this clone, pushing it", flush=True)
            reason = push(sw, name, min(local[name]))
        else:
            reason = run_point(sw, pt)
        return settle(sw, name, shard, reason)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        reasons = list(pool.map(one, todo))
    failed = [(pt, r) for pt, r in zip(todo, reasons, strict=True) if r]
    for pt, reason in failed:
        print(f"{pt['name']} ({' '.join(pt['overrides'])}): {reason}", file=sys.stderr)
    print(f"shard {shard}: {len(mine) - len(failed)} of {len(mine)} points on origin")
    if failed:
        raise Incomplete(f"shard {shard}: {len(failed)} of {len(mine)} points failed")
