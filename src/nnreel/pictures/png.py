"""PNG files of matplotlib figures, with reproducible bytes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nnreel.records.files import atomic_path

if TYPE_CHECKING:  # only the type: importing this module does not import matplotlib
    from matplotlib.figure import Figure


def save_png(fig: Figure, path: Path) -> None:
    """A matplotlib figure as PNG, without the Software tag so the bytes are reproducible."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None})
