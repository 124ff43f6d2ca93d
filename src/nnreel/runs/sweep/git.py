"""Git and DVC as a sweep uses them: commands, refs, and the checks of a clone and its remotes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from nnreel.errors import UserError
from nnreel.runs.lockfile import check_lock

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
NOT_SWEEPS = ["--", ".", ":(exclude)sweeps"]
DVC = ["dvc", "--wait-for-lock"]  # runs of one clone (-j) share its lock while they set up
BASELINE_FIXES = "`dvc repro`, or `dvc pull` from a remote that has them"


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


def check_committed(then: str) -> None:
    """Refuse uncommitted changes outside sweeps/: `dvc exp run` would run them too."""
    dirty = run("git", "status", "--porcelain", "--untracked-files=no", *NOT_SWEEPS)
    if dirty:
        first = dirty.splitlines()[0].split(maxsplit=1)[-1]  # "XY path", X blank and stripped
        raise UserError(f"uncommitted changes ({first} …): {then}")
