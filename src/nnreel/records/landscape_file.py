"""The landscape file, data/landscape.json: written with the params that made it, and read
back only for the run and params.yaml it belongs to."""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nnreel.config.schema import Config
from nnreel.core.landscape import Landscape, Track, clipped
from nnreel.core.run import Run
from nnreel.errors import quoted
from nnreel.records.checkpoints import run_config
from nnreel.records.files import LANDSCAPE, ArtifactError, read_artifact, write_json
from nnreel.records.samples import check_made_by

FORMAT = "nnreel-landscape/1"


def to_json(land: Landscape) -> dict[str, Any]:
    return {"format": FORMAT, **asdict(land)}


def from_json(value: Any) -> Landscape:
    """A Landscape from its JSON form; ValueError names what is wrong."""
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        raise ValueError(f"not an nnreel landscape (expected format {FORMAT})")
    try:
        tracks = [Track(**t) for t in value["tracks"]]
        fields = {k: v for k, v in value.items() if k not in ("format", "tracks")}
        land = Landscape(**fields, tracks=tracks)
    except (KeyError, TypeError) as e:
        raise ValueError(f"malformed landscape ({e})") from None
    sizes = [len(a) for a in land.axes]
    rows = sizes[1] if len(sizes) == 2 else 1
    if len(land.loss) != rows or any(len(r) != sizes[0] for r in land.loss):
        raise ValueError("the loss grid does not match its axes")
    if not all(math.isfinite(v) for r in land.loss for v in r):
        raise ValueError("the loss grid holds a value that is not finite")
    for t in land.tracks:
        per_step = [t.loss, t.residual, *t.coords] + ([t.slope] if t.slope else [])
        if len(t.coords) != len(land.axes) or any(len(v) != len(t.steps) for v in per_step):
            raise ValueError(
                f"the path {quoted(t.label)} does not hold one value per step and axis"
            )
    return land


def made_by(cfg: Config) -> dict[str, Any]:
    """What a landscape depends on: the run's config, the samples' and its own."""
    return {**run_config(cfg), "data": asdict(cfg.data), "landscape": asdict(cfg.landscape)}


def write_landscape(land: Landscape, cfg: Config, path: Path = LANDSCAPE) -> None:
    write_json(path, {**to_json(land), "made_by": made_by(cfg)})


def parse(value: Any) -> tuple[Landscape, Any]:
    """The landscape in a file's JSON, and the params it says made it."""
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return from_json({k: v for k, v in value.items() if k != "made_by"}), value.get("made_by")


def path_mismatch(land: Landscape, run: Run) -> str | None:
    """Why `land` is not the landscape of `run`, or None if it is."""
    if len(land.tracks) != 1:
        return f"holds {len(land.tracks)} paths, not one run's"
    if len(land.origin) != len(run.names):
        return f"has {len(land.origin)} parameters, the checkpoints {len(run.names)}"
    (t,) = land.tracks
    along = clipped(run)  # a diverged run's path stops before its last step
    if t.steps != [s.step for s in along] or t.loss != [s.loss for s in along]:
        return "follows a different path than the checkpoints"
    return None


def read_landscape(cfg: Config, run: Run, path: Path = LANDSCAPE) -> Landscape:
    """The landscape of `run`; StaleError if other params than params.yaml's made it."""
    land, recorded = read_artifact(path, "landscape", parse)
    if not isinstance(recorded, dict):
        raise ArtifactError(path, "does not record the params that made it", "landscape")
    check_made_by(path, recorded, made_by(cfg), "landscape")
    problem = path_mismatch(land, run)
    if problem is not None:
        raise ArtifactError(path, problem, "landscape")
    return land
