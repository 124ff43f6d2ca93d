"""The landscape panel: the surface drawn once, the path and current point per step.

`draw_landscape` draws the static part into an Axes and returns a `LandscapePanel`, whose
`update(k)` moves the animated artists to step k. The same panel serves the frames, the
report picture and the comparison picture.
"""

from __future__ import annotations

import bisect
import math
import textwrap
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from nnreel.core.landscape import Landscape, Track, explained, libm, max_residual, one_step
from nnreel.core.limits import padded
from nnreel.pictures.style import DPI

TRACK_COLOURS = ("#ff3b30", "white", "#ffb000", "#00e5ff")  # readable on viridis
LEVELS = 24
TANGENT_SHARE = 0.15  # the tangent reaches this share of the x-span to each side


def log_loss(loss: list[list[float]]) -> np.ndarray:
    """log10 of the grid, an exact zero shown as the smallest positive value."""
    z = np.array(loss)
    positive = z[z > 0]
    floor = float(positive.min()) if positive.size else 1e-300
    return libm(math.log10, np.maximum(z, floor))


def loss_ticks(lo: float, hi: float) -> list[float]:
    """log10 of round loss values between 10**lo and 10**hi, at least two if any fit."""
    for mantissas in ((1,), (1, 2, 5), tuple(range(1, 10))):
        ticks = [
            math.log10(m * 10.0**e)
            for e in range(math.floor(lo), math.ceil(hi) + 1)
            for m in mantissas
            if lo <= math.log10(m * 10.0**e) <= hi
        ]
        if len(ticks) >= 3:
            return ticks
    return list(np.linspace(lo, hi, 4))


def tick_text(x: float) -> str:
    """A loss value in at most 3 significant digits: 0.05, 2, 150, 1e4."""
    return f"{x:.3g}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")


def percent(share: float) -> str:
    return f"{100 * share:.3g}%"


def axis_label(land: Landscape, i: int) -> str:
    """The axis name; a PCA axis says how much of the path runs along it."""
    if land.mode != "pca" or len(land.tracks) > 1:  # several paths: the legend has shares
        return land.labels[i]
    if not any(land.tracks[0].explained):  # a path that never moved has no shares
        return land.labels[i]
    return f"{land.labels[i]} ({percent(land.tracks[0].explained[i])} of the path)"


def title(land: Landscape) -> str:
    """A short title saying how faithful the picture is."""
    if land.mode == "curve":
        return f"loss along {land.labels[0]} (only {land.labels[0]} trains): exact"
    if one_step(land):
        return "the plane through step 0 (a path of one step)"
    if max_residual(land) == 0.0:
        return "loss on the plane of the path: exact"
    off = f"off-plane ≤ {max_residual(land):.3g}"
    if len(land.tracks) > 1:
        return f"shared PCA plane: {off}"
    kind = "PCA plane" if land.mode == "pca" else "plane"
    return f"{kind}: {percent(explained(land))} of the path, {off}"


def panel_scale(height: int) -> float:
    """The font and line scale that keeps the panel readable in a frame `height` pixels tall."""
    return max(0.9, height / 625)


class LandscapePanel:
    """The animated part of a drawn landscape; `artists` are redrawn at every step."""

    def __init__(
        self,
        ax: Axes,
        land: Landscape,
        scale: float,
        min_pt: float = 0.0,
        chars: int = 0,
        notes: bool = True,
    ) -> None:
        self.ax, self.land, self.scale = ax, land, scale
        self.min_pt, self.chars, self.notes = min_pt, chars, notes
        self.artists: list[Artist] = []
        self._moves: list[tuple[Track, Any]] = []  # a path and how to show it at an index
        self._past_end: list[tuple[Track, Artist]] = []  # notes a frame shows past a path's end
        if land.mode == "curve":
            self._curve()
        else:
            self._plane()

    def pt(self, base: float) -> float:
        """A font size: `base` points scaled, never below the frame's legible minimum."""
        return max(self.min_pt, base * self.scale)

    def wrap(self, text: str) -> str:
        """`text` in lines that fit the panel's width, when the panel set one."""
        return textwrap.fill(text, self.chars) if self.chars else text

    def _animate(self, artist: Any) -> Any:
        artist.set_animated(True)
        self.artists.append(artist)
        return artist

    def _plane(self) -> None:
        ax, land, s = self.ax, self.land, self.scale
        z = log_loss(land.loss)
        levels = np.linspace(float(z.min()), float(z.max()) + 1e-12, LEVELS + 1)
        filled = ax.contourf(*land.axes, z, levels=levels, cmap="viridis")
        ax.contour(*land.axes, z, levels=levels[::3], colors="black", linewidths=0.3 * s, alpha=0.4)
        bar = ax.inset_axes((1.02, 0.0, 0.035, 1.0))
        ax.figure.colorbar(filled, cax=bar)
        bar.set_yticks(loss_ticks(float(z.min()), float(z.max())))
        bar.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tick_text(10**v)))
        bar.tick_params(labelsize=self.pt(7), width=0.6 * s, length=2.5 * s)
        bar.set_ylabel("loss (log scale)", fontsize=self.pt(8))
        for i, t in enumerate(land.tracks):
            colour = TRACK_COLOURS[i % len(TRACK_COLOURS)]
            x, y = t.coords
            ax.plot(x, y, color=colour, lw=0.8 * s, alpha=0.35)
            ax.plot(x[0], y[0], "o", mfc="none", mec=colour, ms=5 * s, mew=1.2 * s)
            ax.plot(x[-1], y[-1], "x", color=colour, ms=5 * s, mew=1.2 * s)
            (line,) = ax.plot([], [], color=colour, lw=1.6 * s, label=self._label(t))
            (dot,) = ax.plot([], [], "o", color=colour, mec="black", ms=6 * s, mew=0.8 * s)
            self._animate(line)
            self._animate(dot)
            self._moves.append(
                (t, lambda idx, t=t, line=line, dot=dot: self._move(t, idx, line, dot))
            )
        if self.notes and len(land.tracks) == 1 and max_residual(land) > 0.0:
            self._off_plane(land.tracks[0])
        ax.set_xlim(land.axes[0][0], land.axes[0][-1])
        ax.set_ylim(land.axes[1][0], land.axes[1][-1])
        if land.mode == "pca":
            ax.set_aspect("equal", adjustable="box")  # both axes are lengths in θ space
        if len(land.tracks) > 1:
            ax.legend(fontsize=self.pt(7), loc="upper left", framealpha=0.8)
        self._decorate(axis_label(land, 0), axis_label(land, 1))

    def _off_plane(self, t: Track) -> None:
        """A note of the current step's distance from the plane: how far to trust the colour."""
        note = self.ax.text(
            0.02,
            0.02,
            "",
            transform=self.ax.transAxes,
            fontsize=self.pt(7),
            bbox={"facecolor": "white", "alpha": 0.8, "lw": 0},
        )
        self._animate(note)
        text = "step {}: off-plane {:.2g}"
        self._moves.append(
            (t, lambda i: note.set_text(self.wrap(text.format(t.steps[i], t.residual[i]))))
        )

    @staticmethod
    def _label(t: Track) -> str:
        return f"{t.label} ({percent(t.in_plane)} in plane)" if t.label else ""

    @staticmethod
    def _move(t: Track, idx: int, line: Any, dot: Any) -> None:
        x, y = t.coords
        line.set_data(x[: idx + 1], y[: idx + 1])
        dot.set_data([x[idx]], [y[idx]])

    def _curve(self) -> None:
        ax, land, s = self.ax, self.land, self.scale
        (t,) = land.tracks
        grid, values = land.axes[0], land.loss[0]
        ax.plot(grid, values, color="black", lw=1.2 * s)
        (x,) = t.coords
        # Where the path starts and ends, as on a plane: faint dots at every step would pile
        # up where training settles and look like a visited point.
        ax.plot(x[0], t.loss[0], "o", mfc="none", mec="tab:blue", ms=5 * s, mew=1.2 * s)
        ax.plot(x[-1], t.loss[-1], "x", color="tab:blue", ms=5 * s, mew=1.2 * s)
        lo, hi = min(*values, *t.loss), max(*values, *t.loss)
        self.ylim = padded(lo, hi)
        ax.set_xlim(grid[0], grid[-1])
        ax.set_ylim(*self.ylim)
        line = self._animate(ax.plot([], [], "o", color="tab:blue", ms=3 * s, mew=0)[0])
        tangent = self._animate(ax.plot([], [], color="tab:red", lw=1.6 * s)[0])
        dot = self._animate(ax.plot([], [], "o", color="tab:red", mec="black", ms=6 * s)[0])
        note = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", fontsize=self.pt(8))
        if self.notes:
            self._animate(note)
        self._moves.append((t, lambda idx: self._tangent(t, idx, line, tangent, dot, note)))
        self._decorate(land.labels[0], "loss")

    def _tangent(self, t: Track, idx: int, line: Any, tangent: Any, dot: Any, note: Any) -> None:
        """The tangent at step idx: slope = the recorded gradient, kept inside the axes."""
        (x,) = t.coords
        x0, y0, g = x[idx], t.loss[idx], t.slope[idx]
        grid = self.land.axes[0]
        half = TANGENT_SHARE * (grid[-1] - grid[0])
        room = min(self.ylim[1] - y0, y0 - self.ylim[0])
        if g != 0.0:
            half = min(half, room / abs(g))
        half = min(half, x0 - grid[0], grid[-1] - x0)
        line.set_data(x[: idx + 1], t.loss[: idx + 1])
        tangent.set_data([x0 - half, x0 + half], [y0 - g * half, y0 + g * half])
        dot.set_data([x0], [y0])
        note.set_text(
            self.wrap(f"step {t.steps[idx]}: slope ∂loss/∂{self.land.labels[0]} = {g:.4g}")
        )

    def _decorate(self, xlabel: str, ylabel: str) -> None:
        ax, s = self.ax, self.scale
        ax.set_xlabel(self.wrap(xlabel), fontsize=self.pt(8))
        ax.set_ylabel(ylabel, fontsize=self.pt(8))
        ax.set_title(self.wrap(title(self.land)), fontsize=self.pt(9))
        ax.tick_params(labelsize=self.pt(7), width=0.6 * s, length=2.5 * s)
        for t in self.land.tracks:
            if t.diverged_step is not None:
                note = ax.text(
                    0.98,
                    0.02,
                    self.wrap(
                        f"{t.label + ': ' if t.label else ''}diverged at step {t.diverged_step}; "
                        f"path shown to step {t.steps[-1]}"
                    ),
                    transform=ax.transAxes,
                    ha="right",
                    va="bottom",
                    fontsize=self.pt(7),
                    color="tab:red",
                    bbox={"facecolor": "white", "alpha": 0.8, "lw": 0},
                )
                if not self.notes:  # a frame says it only once the step is past the path
                    self._animate(note)
                    self._past_end.append((t, note))

    def update(self, k: int) -> None:
        """Show every path up to step k (a path that ended earlier stays at its end, and in a
        frame says why once k is past it)."""
        for t, move in self._moves:
            move(max(0, bisect.bisect_right(t.steps, k) - 1))
        for t, note in self._past_end:
            note.set_visible(k > t.steps[-1])


def draw_landscape(
    ax: Axes,
    land: Landscape,
    scale: float = 1.0,
    min_pt: float = 0.0,
    chars: int = 0,
    notes: bool = True,
) -> LandscapePanel:
    """Draw the static surface into `ax`; the returned panel animates the path.

    `scale` multiplies fonts, lines and markers; `panel_scale(frame height)` reads well. No
    font is smaller than `min_pt`; titles and notes wrap at `chars` characters, if given.
    Without `notes`, the panel writes nothing over the surface (a frame says it elsewhere).
    """
    return LandscapePanel(ax, land, scale, min_pt, chars, notes)


def landscape_figure(land: Landscape) -> Figure:
    """The whole path on its surface, as reports/landscape.png and compare/landscape.png."""
    fig = Figure(figsize=(8, 6.5), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    panel = draw_landscape(ax, land, 1.4)
    panel.update(max(t.steps[-1] for t in land.tracks))
    for artist in panel.artists:
        artist.set_animated(False)
    return fig
