"""Compose params.yaml from conf/ with Hydra, exactly as `dvc exp run` does."""

from __future__ import annotations

import sys
from pathlib import Path

from dvc.utils.hydra import compose_and_dump


def compose(output: Path, conf: Path = Path("conf"), overrides: list[str] | None = None) -> None:
    """Write the composition of `conf`/config.yaml with `overrides` to `output`."""
    compose_and_dump(output, str(conf.resolve()), None, "config", ".", overrides or [])


if __name__ == "__main__":
    compose(Path("params.yaml"), overrides=sys.argv[1:])
