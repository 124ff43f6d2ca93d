"""Compose params.yaml from conf/ with Hydra, exactly as `dvc exp run` does.

`python -m nnreel.config.compose [overrides...]` writes params.yaml;
`python -m nnreel.config.compose --check` exits 1 if params.yaml differs from conf/.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from dvc.utils.hydra import compose_and_dump


def compose_params(
    output: Path, conf: Path = Path("conf"), overrides: list[str] | None = None
) -> None:
    """Write the composition of `conf`/config.yaml with `overrides` to `output`."""
    compose_and_dump(output, str(conf.resolve()), None, "config", ".", overrides or [])


def drifted(params: Path = Path("params.yaml"), conf: Path = Path("conf")) -> bool:
    """True if `params` is not the composition of `conf` without overrides."""
    with tempfile.TemporaryDirectory() as tmp:
        composed = Path(tmp) / "params.yaml"
        compose_params(composed, conf)
        return composed.read_bytes() != params.read_bytes()


def main(args: list[str]) -> int:
    if args == ["--check"]:
        if drifted():
            print("params.yaml differs from conf/: run `make params` and commit", file=sys.stderr)
            return 1
        return 0
    compose_params(Path("params.yaml"), overrides=args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
