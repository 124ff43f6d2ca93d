"""Reading params.yaml into the validated config."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from nnreel.config.schema import Config, parse_config
from nnreel.errors import UserError
from nnreel.records.files import PARAMS, read_text


def read_config(path: Path = PARAMS) -> Config:
    """The validated config in `path`."""
    if not path.is_file():
        raise UserError(f"{path}: file not found; run from the project root")
    try:
        raw = YAML(typ="safe", pure=True).load(read_text(path))
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UserError(f"{path}: not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    if raw is None:
        raise UserError(f"{path}: empty; restore it with: git checkout {path}")
    return parse_config(raw)
