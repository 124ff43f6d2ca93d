"""Frames of the film: the figure is built once, then each step redraws only what changes.

The layout names the panels; each draws its static parts (axes, ticks, the faint full
histories) once, and the frame keeps them as a background. A frame restores it, moves every
panel to its step, draws the panels' animated artists and typewritten texts on top and
encodes the canvas as PNG. Axis limits come from every step of the run (and of the runs it
is compared with), so they never move, and nothing leaves a panel without a mark at its edge.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnreel.core.landscape import Landscape
from nnreel.core.limits import Peers
from nnreel.core.network import Samples, plain_sum
from nnreel.core.run import Run
from nnreel.pictures.fit_panel import FitPanel
from nnreel.pictures.history_panel import HistoryPanel
from nnreel.pictures.landscape_panel import LandscapePanel, draw_landscape, panel_scale
from nnreel.pictures.png import encode_png, png_rows
from nnreel.pictures.scene import Animated, Scene
from nnreel.pictures.style import DPI, MIN_PT, pt
from nnreel.pictures.title_panel import TitlePanel
from nnreel.pictures.values_panel import ValuesPanel

LANDSCAPE_SHARE = 1.6  # of the top row's width, beside the fit's 2.7 and the values' 1
LANDSCAPE_MIN = (800, 500)  # the smallest frame that holds the landscape panel legibly


def landscape_fits(width: int, height: int) -> bool:
    """Whether a frame this size holds the landscape panel legibly beside the fit; a smaller
    one leaves it to the report."""
    return width >= LANDSCAPE_MIN[0] and height >= LANDSCAPE_MIN[1]


def frame_landscape(scene: Scene, spec: Any, land: Landscape, share: float) -> LandscapePanel:
    """The loss surface under the path, its text wrapped to the panel's width."""
    width, height = scene.size
    size = pt(9 * panel_scale(height) / 1.6, scene.s)
    room = width * LANDSCAPE_SHARE / share * 0.8  # less the colour bar and margins
    chars = max(16, int(room / (0.55 * size * DPI / 72)))
    ax = scene.fig.add_subplot(spec)
    return draw_landscape(ax, land, panel_scale(height), MIN_PT, chars, notes=False)


class FrameRenderer:
    """The figure for one run, built once; `render(k)` is the PNG of step k.

    `label` names the run in a comparison, and `peers` are the runs shown beside it: the
    axes hold their values too. `land`, if given, adds the loss landscape under the path
    between the fit and the values. `fit_ylim`, if given, are the fit panel's y-limits,
    already computed for these runs.
    """

    def __init__(
        self,
        run: Run,
        samples: Samples,
        width: int,
        height: int,
        label: str = "",
        peers: Peers = (),
        land: Landscape | None = None,
        fit_ylim: tuple[float, float] | None = None,
    ) -> None:
        self.scene = scene = Scene(run, samples, width, height, peers)
        self.fig, self.canvas = scene.fig, scene.canvas
        self.png_scratch = png_rows(height, width)  # reused: no 6 MB allocation a frame
        if not landscape_fits(width, height):
            land = None
        # The layout: the fit, the landscape if any, and the values on top; the histories below.
        outer = self.fig.add_gridspec(2, 1, height_ratios=(2, 1))
        ratios = (2.7, 1) if land is None else (2.7, LANDSCAPE_SHARE, 1)  # the fit stays largest
        top = outer[0].subgridspec(1, len(ratios), width_ratios=ratios)
        self.fit = FitPanel(scene, top[0], fit_ylim)
        self.title = TitlePanel(scene, label)
        self.landscape = (
            None if land is None else frame_landscape(scene, top[1], land, plain_sum(ratios))
        )
        self.values = ValuesPanel(scene, top[-1], self.fit.ax)
        self.histories = HistoryPanel(scene, outer[1])
        panels = (self.fit, self.title, self.landscape, self.values, self.histories)
        self.panels: list[Animated] = [p for p in panels if p is not None]
        self._freeze()

    def _freeze(self) -> None:
        """Lay the figure out once and keep its static parts as the background of every frame."""
        self.canvas.draw()
        self.fig.set_layout_engine("none")
        self.values.place()  # placed now that the legend has its final size
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def update(self, k: int) -> None:
        """Point every animated artist at step k."""
        for panel in self.panels:
            panel.update(k)

    def png(self) -> bytes:
        """The current frame as PNG bytes: the background plus the animated artists."""
        self.canvas.restore_region(self.background)
        for panel in self.panels:
            for artist in panel.artists:
                self.fig.draw_artist(artist)
        pixels = np.asarray(self.canvas.buffer_rgba())
        self.scene.typed.type(pixels)
        return encode_png(pixels, self.png_scratch)

    def render(self, k: int) -> bytes:
        """The PNG of step k."""
        self.update(k)
        return self.png()
