"""compare/landscape.png: the compared runs' paths on one shared, exactly evaluated surface."""

from __future__ import annotations

from pathlib import Path

from nnreel.config.schema import LandscapeConfig
from nnreel.core.landscape import shared_landscape
from nnreel.core.network import Samples
from nnreel.core.run import Run
from nnreel.pictures.landscape_panel import landscape_figure
from nnreel.pictures.png import save_png


def sharing_problem(runs: dict[str, tuple[Run, Samples]]) -> str | None:
    """Why these runs cannot share one surface, or None if they can."""
    (first, (run0, samples0)), *rest = runs.items()
    for name, (run, samples) in rest:
        for what, same in (
            ("architectures", run.config.model.arch == run0.config.model.arch),
            ("samples", samples == samples0),
            ("losses", run.config.train.loss == run0.config.train.loss),
        ):
            if not same:
                return f"{first} and {name} have different {what}, so no surface is shared"
    return None


def write_shared_landscape(runs: dict[str, tuple[Run, Samples]], out: Path) -> None:
    """Draw every run on one PCA plane, or say in one line why they cannot share one."""
    problem = sharing_problem(runs)
    if problem:
        print(f"nnreel compare: no shared landscape: {problem}")
        return
    save_png(landscape_figure(shared_landscape(runs, LandscapeConfig())), out / "landscape.png")
