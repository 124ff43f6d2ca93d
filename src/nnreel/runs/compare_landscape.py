"""compare/landscape.png: the compared runs' paths on one shared, exactly evaluated surface."""

from __future__ import annotations

from pathlib import Path

from nnreel.config.schema import LandscapeConfig
from nnreel.core.landscape import shared_landscape, sharing_problem
from nnreel.core.network import Samples
from nnreel.core.run import Run
from nnreel.pictures.landscape_panel import landscape_figure
from nnreel.pictures.png import save_png


def write_shared_landscape(runs: dict[str, tuple[Run, Samples]], out: Path) -> None:
    """Draw every run on one PCA plane, or say in one line why they cannot share one."""
    problem = sharing_problem(runs)
    if problem:
        print(f"nnreel compare: no shared landscape: {problem}")
        return
    save_png(landscape_figure(shared_landscape(runs, LandscapeConfig())), out / "landscape.png")
