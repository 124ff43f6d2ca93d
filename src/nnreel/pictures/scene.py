"""What the panels of a frame share, and what a panel is.

A `Scene` holds the run (and the runs shown beside it), its network, the figure and its font
scale, and the texts typewritten at each frame. A panel draws its static part into the
figure once and keeps its `artists`, which the frame redraws at every step after calling the
panel's `update(k)`.
"""

from __future__ import annotations

from typing import Any, Protocol

from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nnreel.core.limits import Peers
from nnreel.core.network import Net, Samples, neuron_params
from nnreel.core.run import Run
from nnreel.pictures.style import DPI, neuron_colours
from nnreel.pictures.typewriter import Typesetter


def owners(net: Net) -> dict[str, int]:
    """Each parameter of a last-layer neuron, mapped to that neuron's index (0-based)."""
    return {name: j for j, group in enumerate(neuron_params(net.arch)) for name in group}


class Scene:
    """The figure of one run's frames and the facts about the run that every panel uses."""

    def __init__(
        self, run: Run, samples: Samples, width: int, height: int, peers: Peers = ()
    ) -> None:
        self.run = run
        self.runs: Peers = [(run, samples), *peers]
        self.net = Net(run.config.model.arch)
        train = run.config.train
        self.frozen = set(train.frozen)
        self.trained = [n for n in self.net.names if n not in self.frozen]
        self.loss_name = train.loss.upper()
        self.last = run.steps[-1].step
        self.end = max(r.steps[-1].step for r, _ in self.runs)  # the history panels' x range
        self.size = (width, height)
        self.s = min(width / 1600, height / 1000)  # font scale: every size is a fixed share
        self.at = {name: i for i, name in enumerate(self.net.names)}  # index in θ
        self.colours = neuron_colours(len(self.net.ow_at))
        self.owner = owners(self.net)
        self.fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
        self.canvas: Any = FigureCanvasAgg(self.fig)  # Agg's blitting calls are untyped
        self.typed = Typesetter()


class Animated(Protocol):
    """A panel as the frame sees it: artists to redraw, and how to move them to step k."""

    artists: list[Artist]

    def update(self, k: int) -> None: ...


class Panel:
    """A panel of a frame: its static part drawn once, its `artists` redrawn at every step."""

    def __init__(self, scene: Scene) -> None:
        self.scene = scene
        self.artists: list[Artist] = []

    def animate(self, artist: Any) -> Any:
        """`artist`, from now on drawn at every frame, not into the background."""
        artist.set_animated(True)
        self.artists.append(artist)
        return artist

    def update(self, k: int) -> None:
        raise NotImplementedError
