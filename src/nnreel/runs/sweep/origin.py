"""What of a sweep is on origin: the points run under its plan whose outputs reached the DVC
remote."""

from __future__ import annotations

import re
import subprocess

from nnreel.runs.sweep.git import remote_refs, run
from nnreel.runs.sweep.plan import SWEEPS, Plan

EXP_REF = re.compile(r"refs/exps/[0-9a-f]{2}/[0-9a-f]{38}/(?P<name>[^/]+)")
FAILED = "refs/sweep-failures"  # a worker marks a point that failed here, so collect can tell


def plan_in(commit: str, name: str) -> str:
    """sweeps/NAME.yaml as `commit` holds it; "" if it holds none."""
    path = f"{commit}:{SWEEPS.as_posix()}/{name}.yaml"
    shown = subprocess.run(["git", "show", path], capture_output=True, text=True)
    return shown.stdout if shown.returncode == 0 else ""


def runs_of(p: Plan, text: str, refs: dict[str, str]) -> dict[str, dict[str, str]]:
    """Point name -> {ref: commit} of those `refs` that ran the point under the plan `text`.
    An earlier sweep under the same name ran under another plan, so its runs do not count."""
    names = {pt["name"] for pt in p.points}
    found: dict[str, dict[str, str]] = {}
    for ref, commit in sorted(refs.items()):
        m = EXP_REF.fullmatch(ref)
        if m and m["name"] in names and plan_in(commit, p.name) == text:
            found.setdefault(m["name"], {})[ref] = commit
    return found


def outputs_on_remote(commits: set[str], store: str) -> set[str]:
    """Those `commits` whose cached outputs are all on the DVC remote `store`. A folder counts
    once its .dir listing is there, as for DVC, which sends the listing after the files."""
    from dvc.repo import Repo

    complete = set()
    with Repo() as repo:
        for commit in sorted(commits):
            hashes: set[str] = set()
            for _ in repo.brancher(revs=[commit], workspace=False):
                hashes = {o.hash_info.value for o in repo.index.outs if o.use_cache and o.hash_info}
            hashes.discard(None)
            odb = repo.cloud.get_remote_odb(store, "status")
            if hashes and set(odb.oids_exist(hashes)) == hashes:
                complete.add(commit)
    return complete


def on_origin(p: Plan, text: str, store: str) -> tuple[dict[str, str], set[str]]:
    """Point name -> its ref on origin, for every point that arrived: run under the plan
    `text`, with its outputs on the DVC remote. And the points whose run is on origin
    without its outputs (a data push that failed after its ref was sent)."""
    names = {pt["name"] for pt in p.points}
    refs = {
        ref: commit
        for ref, commit in remote_refs("refs/exps/*").items()
        if (m := EXP_REF.fullmatch(ref)) and m["name"] in names
    }
    if refs:
        run("git", "fetch", "-q", "origin", *refs)  # their commits, to read; no local refs
    runs = runs_of(p, text, refs)
    complete = outputs_on_remote({c for found in runs.values() for c in found.values()}, store)
    arrived = {}
    for point, found in runs.items():
        good = [ref for ref, commit in found.items() if commit in complete]
        if good:
            arrived[point] = good[0]
    return arrived, set(runs) - set(arrived)
