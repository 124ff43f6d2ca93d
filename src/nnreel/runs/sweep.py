"""Sweeps beyond one machine, carried by Git and a DVC remote; no scheduler of our own.

    python -m nnreel.runs.sweep plan NAME 'train.lr=0.005,0.01' 'seed=range(1,4)' [--shards N]
    python -m nnreel.runs.sweep work NAME --shard K [-j J]
    python -m nnreel.runs.sweep collect NAME [--partial]

`plan` writes and commits sweeps/NAME.yaml (every point with its name NAME-<index>, its
overrides and its shard, plus the base commit), pushes the baseline's outputs to the DVC
remote (refused when they are in neither the DVC cache nor the remote) and the commit to
`origin`. `work` runs one shard's points in a full clone at the base commit with `dvc exp run
--temp --pull --allow-missing` and `dvc exp push`es each; points already on `origin` are
skipped. `collect` pulls the sweep's experiments, checks them against the plan and writes
sweeps/NAME/: results.csv, sweep.png, contact.png and README.md. DVC runs as this
interpreter's module, and the stages' `python` is this interpreter, whatever PATH is set.
Exit status: 0 done, 1 points failed or are missing, 2 bad input.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from ruamel.yaml import YAML

from nnreel.config.compose import compose_params
from nnreel.errors import UserError, quoted
from nnreel.pictures.png import save_png
from nnreel.records.files import write_lines
from nnreel.records.params import read_config
from nnreel.runs.lockfile import check_lock
from nnreel.runs.sweep_figures import Point, contact_figure, sweep_figure
from nnreel.stages import run_stage

SWEEPS = Path("sweeps")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
LONGEST_NAME = 100  # a point's ref and the sweep's files add a few characters to a file name
EXP_REF = re.compile(r"refs/exps/[0-9a-f]{2}/[0-9a-f]{38}/(?P<name>[^/]+)")
FAILED = "refs/sweep-failures"  # a worker marks a point that failed here, so collect can tell
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
NOT_SWEEPS = ["--", ".", ":(exclude)sweeps"]
DVC = ["dvc", "--wait-for-lock"]  # runs of one clone (-j) share its lock while they set up
BASELINE_FIXES = "`dvc repro`, or `dvc pull` from a remote that has them"
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


# --- The plan: pure ---------------------------------------------------------------------------


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
    keys = [o.split("=", 1)[0] for o in points[0]]
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
        f"# Sweep {plan.name}: run `python -m nnreel.runs.sweep work {plan.name} --shard K`"
        f" for K in 0..{plan.shards - 1} on full clones at `base`,\n"
        f"# then `python -m nnreel.runs.sweep collect {plan.name}`.\n"
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


def value_of(point: dict[str, Any], key: str) -> str:
    """The value `point` sets for `key`, as written in the override."""
    for o in point["overrides"]:
        k, v = str(o).split("=", 1)
        if k == key:
            return v
    raise KeyError(key)


# --- Git and DVC ------------------------------------------------------------------------------


def command(args: Sequence[str]) -> list[str]:
    """`args` to run; dvc as this interpreter's module, found without the venv on PATH."""
    return [sys.executable, "-m", "dvc", *args[1:]] if args[0] == "dvc" else list(args)


def child_env() -> dict[str, str]:
    """This environment with the interpreter's folder first on PATH, so that the `python` of
    the stages DVC runs is this interpreter, with nnreel, whatever PATH the launcher set."""
    path = os.environ.get("PATH", "")
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{path}"}


def run(*args: str, check: bool = True) -> str:
    """stdout of a git or dvc command; a failure names the command and its last error line."""
    result = subprocess.run(command(args), capture_output=True, text=True, env=child_env())
    if check and result.returncode:
        lines = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
        raise UserError(f"`{' '.join(args[:3])}` failed: {lines[-1].strip()}")
    return result.stdout.strip()


def code_commit() -> str:
    """The last commit that changed anything outside sweeps/: the code a sweep runs."""
    return run("git", "log", "-1", "--format=%H", *NOT_SWEEPS)


def check_clone() -> str:
    """Refuse what breaks `dvc exp` across machines: no repo, a shallow clone, no remotes.

    The name of the default DVC remote."""
    if subprocess.run(["git", "rev-parse", "--git-dir"], capture_output=True).returncode:
        raise UserError("not inside a git repository; run from a clone of the project")
    if run("git", "rev-parse", "--show-toplevel") != str(Path.cwd().resolve()):
        raise UserError("run from the project root (the folder holding dvc.yaml)")
    check_lock()
    if run("git", "rev-parse", "--is-shallow-repository") == "true":
        raise UserError(
            "this clone is shallow and dvc exp needs full history: git fetch --unshallow "
            "(in CI: fetch-depth: 0)"
        )
    if not run("git", "remote", "get-url", "origin", check=False):
        raise UserError("no git remote 'origin': git remote add origin <url> (a shared repo)")
    remote = run("dvc", "remote", "default", check=False)
    if not remote:
        raise UserError("no default DVC remote: dvc remote add -d <name> <url>, and commit it")
    check_remote_folder(remote)
    return remote


def check_remote_folder(store: str) -> None:
    """Refuse a DVC remote that is a folder which does not exist: a push would create it
    empty, and the outputs would reach no other machine (an unmounted share, a typo)."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    with Repo() as repo:
        try:
            remote = repo.cloud.get_remote(store)
        except (DvcException, ImportError) as e:  # e.g. an s3:// remote without its plugin
            raise UserError(f"the DVC remote {store!r}: {e}") from None
        if remote.fs.protocol == "local" and not remote.fs.isdir(remote.path):
            raise UserError(
                f"the DVC remote {store!r} is a folder that does not exist: {remote.path}; "
                "mount it, or create it if it is new (mkdir -p)"
            )


def missing_baseline() -> list[str]:
    """The outputs in dvc.lock that are neither in the DVC cache nor on the default remote."""
    status = json.loads(run("dvc", "data", "status", "--not-in-remote", "--json") or "{}")
    not_in_remote = set(status.get("not_in_remote", []))
    return [out for out in status.get("not_in_cache", []) if out in not_in_remote]


def some(paths: Sequence[str]) -> str:
    """`paths` named briefly: the first two and how many more."""
    more = f" and {len(paths) - 2} more" if len(paths) > 2 else ""
    return ", ".join(paths[:2]) + more


def remote_refs(pattern: str) -> dict[str, str]:
    """Refs on origin matching `pattern`, by ref name."""
    out = run("git", "ls-remote", "origin", pattern)
    return {ref: sha for sha, ref in (line.split("\t") for line in out.splitlines() if line)}


def local_refs() -> dict[str, str]:
    """Experiment refs in this clone, with their commits."""
    out = run("git", "for-each-ref", "--format=%(refname) %(objectname)", "refs/exps")
    return dict(line.split(" ") for line in out.splitlines() if line)


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


# --- plan -------------------------------------------------------------------------------------


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


def check_committed(then: str) -> None:
    """Refuse uncommitted changes outside sweeps/: `dvc exp run` would run them too."""
    dirty = run("git", "status", "--porcelain", "--untracked-files=no", *NOT_SWEEPS)
    if dirty:
        first = dirty.splitlines()[0].split(maxsplit=1)[-1]  # "XY path", X blank and stripped
        raise UserError(f"uncommitted changes ({first} …): {then}")


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
        print(f"shard {k}: {n} points   python -m nnreel.runs.sweep work {name} --shard {k}")
    return path


# --- work -------------------------------------------------------------------------------------


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


# --- collect ----------------------------------------------------------------------------------


def failure_reasons(refs: dict[str, str]) -> dict[str, str]:
    """The reason each failed point gave, by point name."""
    if not refs:
        return {}
    run("git", "fetch", "-q", "origin", *(f"+{r}:{r}" for r in refs))
    return {
        r.rsplit("/", 1)[1]: run("git", "log", "-1", "--format=%s", sha) for r, sha in refs.items()
    }


def arrived_point(pt: dict[str, Any], ref: str) -> Point:
    metrics = json.loads(run("git", "show", f"{ref}:reports/metrics.json"))
    frame = subprocess.run(
        ["git", "show", f"{ref}:reports/final_frame.png"], capture_output=True, check=True
    ).stdout
    return Point(pt["name"], pt["overrides"], "ok", metrics, frame)


def results_lines(p: Plan, points: Sequence[Point]) -> list[str]:
    """results.csv: one row per planned point, floats with repr so they read back exactly."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["name", *p.keys, "status", "final_loss", "best_loss", "diverged_step", "r2"])
    for pt, plan_pt in zip(points, p.points, strict=True):
        m = pt.metrics
        values = [m.get(k) for k in ("final_loss", "best_loss", "diverged_step", "r2")]
        shown = ["" if v is None else repr(v) for v in values]
        w.writerow([pt.name, *(value_of(plan_pt, k) for k in p.keys), pt.status, *shown])
    return out.getvalue().splitlines(keepends=True)


def ranked(points: Sequence[Point]) -> list[Point]:
    """Arrived points that did not diverge, best final loss first."""
    ok = [pt for pt in points if pt.status == "ok" and not pt.metrics.get("diverged")]
    return sorted(ok, key=lambda pt: pt.metrics["final_loss"])


def compare_command(points: Sequence[Point]) -> str:
    best = ranked(points)[:4]
    return (
        "python -m nnreel.runs.compare " + " ".join(pt.name for pt in best) if len(best) > 1 else ""
    )


def code(text: str) -> str:
    """`text` as a Markdown code span that shows it literally (no HTML, no emphasis): fenced
    by one backtick more than its longest run of them, each side padded with the one space
    CommonMark strips. A line break would end the paragraph, so it shows as a space."""
    text = re.sub(r"\r\n?|\n", " ", text)
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def readme(p: Plan, points: Sequence[Point]) -> str:
    arrived = [pt for pt in points if pt.status == "ok"]
    best = ranked(points)
    lines = [
        f"# Sweep {p.name}\n\n",
        f"{code(' '.join(p.sweep))}: {len(arrived)} of {len(points)} points arrived, "
        f"over {p.shards} shards, base commit `{p.base[:10]}`.\n\n",
    ]
    if best:
        b = best[0]
        lines.append(
            f"Best: **{b.name}** ({code(' '.join(b.overrides))}), final loss "
            f"{b.metrics['final_loss']:.6g}.\n\n"
        )
    lost = [pt for pt in points if pt.status != "ok"]
    lines += [f"- {pt.name} ({code(' '.join(pt.overrides))}): {code(pt.status)}\n" for pt in lost]
    lines += ["\n"] if lost else []
    lines += [
        "Every point's numbers: [results.csv](results.csv).\n\n",
        "![Final loss of every point](sweep.png)\n\n",
        "![The final frame of every point, in grid order](contact.png)\n",
    ]
    command = compare_command(points)
    lines += [f"\nThe best four side by side:\n\n```sh\n{command}\n```\n"] if command else []
    return "".join(lines)


def collect(name: str, partial: bool) -> None:
    check_name(name)
    store = check_clone()
    p, text = read_plan(name)
    refs, incomplete = on_origin(p, text, store)
    absent = {pt["name"] for pt in p.points} - set(refs)
    failed = remote_refs(f"{FAILED}/*")
    reasons = failure_reasons({r: s for r, s in failed.items() if r.rsplit("/", 1)[1] in absent})
    for point in incomplete:
        reasons.setdefault(point, "on origin without its outputs on the DVC remote")
    if refs:
        print(f"pulling {len(refs)} experiments of {name} (dvc exp pull)", flush=True)
        run("dvc", "exp", "pull", "origin", *refs.values())
    points = [
        arrived_point(pt, refs[pt["name"]])
        if pt["name"] in refs
        else Point(pt["name"], pt["overrides"], reasons.get(pt["name"], "missing"), {}, b"")
        for pt in p.points
    ]
    lost = [pt for pt in points if pt.status != "ok"]
    for pt in lost:
        print(f"{pt.name} ({' '.join(pt.overrides)}): {pt.status}", file=sys.stderr)
    if lost and not partial:
        raise Incomplete(
            f"{len(points) - len(lost)} of {len(points)} points arrived; rerun their shards, "
            "or collect --partial"
        )
    out = SWEEPS / name
    write_lines(out / "results.csv", results_lines(p, points))
    save_png(sweep_figure(p.keys, points), out / "sweep.png")
    save_png(contact_figure(p.keys, points), out / "contact.png")
    write_lines(out / "README.md", [readme(p, points)])
    print(f"wrote {out}/: results.csv, sweep.png, contact.png, README.md")
    best = ranked(points)
    if best:
        print(f"best: {best[0].name} ({' '.join(best[0].overrides)})")
    if compare_command(points):
        print(compare_command(points))


# --- Command line -----------------------------------------------------------------------------


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return int(text)


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2, like any bad input."""

    def error(self, message: str) -> NoReturn:
        raise UserError(message)


def options(top: argparse.ArgumentParser) -> set[str]:
    """Every option string of `top` and of its verbs."""
    verbs = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    parsers = [top, *(p for v in verbs for p in v.choices.values())]
    return {option for p in parsers for option in p._option_string_actions}


def check_dashes(argv: Sequence[str], known: set[str]) -> None:
    """A word that starts with '-' but is no option, named as such; argparse would complain
    about some other argument instead."""
    for word in argv:
        if word == "--":
            return
        option = word.split("=", 1)[0]
        if word.startswith("-") and not word[1:].isdigit() and {option, word[:2]}.isdisjoint(known):
            raise UserError(
                f"{quoted(word)}: no such option (a name starts with a letter or a digit)"
            )


def parser() -> argparse.ArgumentParser:
    top = Parser(prog="python -m nnreel.runs.sweep", description=__doc__.split("\n")[0])
    verbs = top.add_subparsers(dest="verb", required=True)
    p = verbs.add_parser("plan", help="write, commit and push sweeps/NAME.yaml")
    p.add_argument("name")
    p.add_argument("sweep", nargs="+", help="Hydra sweep overrides, e.g. 'seed=range(1,4)'")
    p.add_argument("--shards", type=positive, default=1)
    w = verbs.add_parser("work", help="run one shard's points and push them")
    w.add_argument("name")
    w.add_argument("--shard", type=int, required=True)
    w.add_argument("-j", "--jobs", type=positive, default=1, help="points run at a time")
    c = verbs.add_parser("collect", help="pull the sweep and write sweeps/NAME/")
    c.add_argument("name")
    c.add_argument("--partial", action="store_true", help="write what arrived, exit 0")
    return top


def main(argv: list[str]) -> None:
    top = parser()
    check_dashes(argv, options(top))
    args = top.parse_args(argv)
    if args.verb == "plan":
        plan(args.name, args.sweep, args.shards)
    elif args.verb == "work":
        work(args.name, args.shard, args.jobs)
    else:
        collect(args.name, args.partial)


if __name__ == "__main__":
    try:
        run_stage("sweep", lambda: main(sys.argv[1:]))
    except Incomplete as e:
        print(f"nnreel sweep: {e}", file=sys.stderr)
        sys.exit(1)
