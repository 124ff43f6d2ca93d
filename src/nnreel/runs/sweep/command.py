"""Sweeps beyond one machine, carried by Git and a DVC remote; no scheduler of our own.

    nnreel sweep plan NAME 'train.lr=0.005,0.01' 'seed=range(1,4)' [--shards N]
    nnreel sweep work NAME --shard K [-j J]
    nnreel sweep collect NAME [--partial]

(`python -m nnreel.runs.sweep …` is the same.) `plan` writes and commits sweeps/NAME.yaml
(every point with its name NAME-<index>, its overrides and its shard, plus the base commit),
pushes the baseline's outputs to the DVC remote (refused when they are in neither the DVC
cache nor the remote) and the commit to `origin`. `work` runs one shard's points in a full
clone at the base commit with `dvc exp run --temp --pull --allow-missing` and `dvc exp
push`es each; points already on `origin` are skipped. `collect` pulls the sweep's experiments,
checks them against the plan and writes sweeps/NAME/: results.csv, sweep.png, contact.png and
README.md. DVC runs as this interpreter's module, and the stages' `python` is this
interpreter, whatever PATH is set.
Exit status: 0 done, 1 points failed or are missing, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from nnreel.runs.arguments import Parser, check_dashes, options, positive
from nnreel.runs.sweep.collect import collect
from nnreel.runs.sweep.plan import Incomplete, plan
from nnreel.runs.sweep.work import work
from nnreel.stages import run_stage

SUMMARY = __doc__.split("\n")[0]


def arguments(top: argparse.ArgumentParser) -> None:
    """The verbs plan, work and collect, with their arguments, on `top`."""
    verbs = top.add_subparsers(dest="verb", required=True, metavar="{plan,work,collect}")
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


def run(args: argparse.Namespace) -> None:
    """The verb `args` name, done."""
    if args.verb == "plan":
        plan(args.name, args.sweep, args.shards)
    elif args.verb == "work":
        work(args.name, args.shard, args.jobs)
    else:
        collect(args.name, args.partial)


def parser() -> argparse.ArgumentParser:
    top = Parser(prog="python -m nnreel.runs.sweep", description=SUMMARY)
    arguments(top)
    return top


def main(argv: list[str]) -> None:
    top = parser()
    check_dashes(argv, options(top))
    run(top.parse_args(argv))


def finish(go: Callable[[], None]) -> None:
    """Run a sweep command: bad input is one line and exit status 2 (as for a stage), points
    that failed or never arrived exit status 1."""
    try:
        run_stage("sweep", go)
    except Incomplete as e:
        print(f"nnreel sweep: {e}", file=sys.stderr)
        sys.exit(1)
