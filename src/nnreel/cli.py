"""nnreel: the commands that work on the project's runs, under one name.

    nnreel compare REV REV [...] [--out compare] [--frames 300] [--html]
    nnreel sweep plan|work|collect NAME ...
    nnreel gallery [--out docs/gallery.png] [--size 800x500] [--frames DIR]
    nnreel params [OVERRIDE ...] [--check]

`nnreel COMMAND --help` tells more. The pipeline's stages run through `dvc repro` and
`dvc exp run`, not from here. Bad usage is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from nnreel.config import compose
from nnreel.errors import UserError
from nnreel.runs import compare, gallery
from nnreel.runs.arguments import Parser, check_dashes, options
from nnreel.runs.sweep import command as sweep
from nnreel.stages import run_stage

Command = Callable[[argparse.Namespace], None]
PARAMS = "Compose params.yaml from conf/ with Hydra, exactly as `dvc exp run` does."


def params(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """params.yaml composed from conf/ with the overrides, or with --check, exit status 1 if
    it is not conf/'s composition without any."""
    if args.check:
        if args.overrides:
            parser.error("--check compares params.yaml with conf/ as it is: give no overrides")
        sys.exit(compose.main(["--check"]))
    with tempfile.TemporaryDirectory() as tmp:  # a bad override leaves params.yaml as it was
        try:
            compose.compose_params(Path(tmp) / "params.yaml", overrides=args.overrides)
        except Exception as e:  # Hydra raises many kinds for a bad override or a missing conf/
            first = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise UserError(first) from None
    compose.compose_params(Path("params.yaml"), overrides=args.overrides)
    print("wrote params.yaml")


def subcommand(
    verbs: argparse._SubParsersAction[Parser], name: str, doc: str, summary: str
) -> argparse.ArgumentParser:
    return verbs.add_parser(
        name,
        help=summary,
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def parser() -> argparse.ArgumentParser:
    top = Parser(
        prog="nnreel",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = subcommand(verbs, "compare", str(compare.__doc__), compare.SUMMARY)
    compare.arguments(c)
    c.set_defaults(go=lambda args: compare.run(args, c))

    s = subcommand(verbs, "sweep", str(sweep.__doc__), sweep.SUMMARY)
    sweep.arguments(s)
    s.set_defaults(go=sweep.run)

    g = subcommand(verbs, "gallery", str(gallery.__doc__), str(gallery.__doc__).split("\n")[0])
    gallery.arguments(g)
    g.set_defaults(go=gallery.run)

    p = subcommand(verbs, "params", str(compose.__doc__), PARAMS)
    p.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. model=wide train.lr=0.01")
    p.add_argument("--check", action="store_true", help="exit 1 if params.yaml differs from conf/")
    p.set_defaults(go=lambda args: params(args, p))
    return top


def main(argv: list[str] | None = None) -> None:
    """`nnreel COMMAND ...`: bad usage is one line naming the problem and exit status 2."""
    argv = sys.argv[1:] if argv is None else argv
    top = parser()
    commands = {a for a in top._actions if isinstance(a, argparse._SubParsersAction)}
    named = [name for verbs in commands for name in verbs.choices]
    prog = f"nnreel {argv[0]}" if argv and argv[0] in named else "nnreel"
    try:
        if argv and argv[0] == "sweep":
            check_dashes(argv[1:], options(top))
        args = top.parse_args(argv)
    except UserError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        sys.exit(2)
    go: Command = args.go
    if args.command == "sweep":
        sweep.finish(lambda: go(args))
    else:
        run_stage(args.command, lambda: go(args))


if __name__ == "__main__":
    main()
