"""The samples file, and the check that an input file was made from params.yaml as it is.

The samples and checkpoints files each record the config that made them, so a stage run by
hand after params.yaml changed stops instead of quietly using stale inputs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nnreel.config.architecture import Samples
from nnreel.config.schema import DataConfig
from nnreel.errors import StaleError
from nnreel.records.files import SAMPLES, ArtifactError, write_json


def _leaves(tree: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) of every leaf of nested mappings, in sorted key order."""
    if isinstance(tree, dict):
        for key in sorted(tree):
            yield from _leaves(tree[key], f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, tree


def check_made_by(path: Path, made: dict[str, Any], now: dict[str, Any], stage: str) -> None:
    """StaleError naming the first key whose value in `made` differs from params.yaml's."""
    recorded = dict(_leaves(made))
    for key, value in _leaves(now):
        if key not in recorded:
            raise ArtifactError(path, f"does not record {key}", stage)
        if recorded[key] != value:
            raise StaleError(path, key, recorded[key], value)


def write_samples(path: Path, samples: Samples, made_by: DataConfig) -> None:
    """The samples, with the data config that made them."""
    xs, ys = samples
    write_json(path, {"data": asdict(made_by), "x": xs, "y": ys})


def read_samples(made_by: DataConfig, path: Path = SAMPLES) -> Samples:
    """The samples in `path`; StaleError if another data config made them."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
        xs, ys = [float(v) for v in value["x"]], [float(v) for v in value["y"]]
        recorded = value["data"]
    except FileNotFoundError:
        raise ArtifactError(path, "missing", "generate") from None
    except (ValueError, KeyError, TypeError):
        problem = "not a samples file with x and y lists and the data config"
        raise ArtifactError(path, problem, "generate") from None
    if len(xs) != len(ys) or len(xs) < 2:
        raise ArtifactError(path, "x and y must be equally long, with 2 or more values", "generate")
    check_made_by(path, {"data": recorded}, {"data": asdict(made_by)}, "generate")
    return xs, ys
