"""Reading the checkpoints file: validated, and checked against params.yaml."""

from __future__ import annotations

from pathlib import Path

from nnreel.config.schema import Config
from nnreel.core.run import Run
from nnreel.errors import CheckpointError
from nnreel.records.checkpoints import decode_run, run_config
from nnreel.records.files import CHECKPOINTS, ArtifactError
from nnreel.records.samples import check_made_by


def read_run(made_by: Config, path: Path = CHECKPOINTS) -> Run:
    """The validated training run; StaleError if another seed, model or train config made it."""
    try:
        with path.open(encoding="utf-8") as f:
            lines = f.readlines()
    except FileNotFoundError:
        raise ArtifactError(path, "missing", "train") from None
    except UnicodeDecodeError:
        raise ArtifactError(path, "not UTF-8 text", "train") from None
    try:
        run = decode_run(lines)
    except CheckpointError as e:
        raise ArtifactError(path, str(e), "train") from None
    check_made_by(path, run_config(run.config), run_config(made_by), "train")
    return run
