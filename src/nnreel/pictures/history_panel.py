"""The histories under the fit: the loss and the gradient of every trained parameter, each
faint in full and strong up to the current step."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from nnreel.config.architecture import param_kind
from nnreel.core.limits import healthy, history_limits, padded
from nnreel.pictures.axes import frame_ticks, history_axis, loss_axis
from nnreel.pictures.scene import Panel, Scene
from nnreel.pictures.style import DIVERGED, PREDICTION, pt, readable

HISTORY_POINTS = 2000  # longer histories are thinned; drawing more points shows nothing new
PANEL_PX = (150, 105)  # the least width and height of a legible history panel
STRONG_LINES = 12  # a panel overlaying more histories marks only their current values
Group = tuple[str, list[str]]  # what a gradient panel's title names, the parameters it shows


def span(names: Sequence[str]) -> str:
    """Names in a panel's title: the one, or the first and last of a run, as in iw1…iw12."""
    return names[0] if len(names) == 1 else f"{names[0]}…{names[-1]}"


def gradient_groups(trained: Sequence[str], capacity: int) -> list[Group]:
    """Gradient panels for the trained parameters: one each, or overlaid by kind, or by
    weights and biases, or all in one, whichever is the first to fit `capacity` panels."""
    if len(trained) <= capacity:
        return [(name, [name]) for name in trained]
    kinds: dict[str, list[str]] = {}
    for name in trained:
        kinds.setdefault(param_kind(name), []).append(name)
    if len(kinds) <= capacity:
        return [(span(names), names) for names in kinds.values()]
    biases = [name for name in trained if param_kind(name).startswith(("b", "ob"))]
    roles = {"weights": [n for n in trained if n not in biases], "biases": biases}
    groups = [(f"{role} ({len(names)})", names) for role, names in roles.items() if names]
    return groups if len(groups) <= capacity else [(f"all ({len(trained)})", list(trained))]


def panel_grid(n: int, rows_cap: int, cols_cap: int) -> tuple[int, int]:
    """Rows and columns for n panels, about twice as wide as tall, within the caps."""
    rows = min(rows_cap, max(1, math.ceil(math.sqrt(n / 2))))
    rows = max(rows, math.ceil(n / cols_cap))
    return rows, max(1, math.ceil(n / rows))


def outside_note(values: np.ndarray, lo: float, hi: float) -> str:
    """The value furthest outside [lo, hi] among `values`, with an arrow to its side; or ""."""
    v = float(values[np.argmax(np.maximum(values - hi, lo - values))])
    if lo <= v <= hi:
        return ""
    return f"{'↑' if v > hi else '↓'} {v:.3g}"


class HistoryPanel(Panel):
    """The loss and the gradients, in as many panels as fit legibly in `spec`."""

    def __init__(self, scene: Scene, spec: Any) -> None:
        super().__init__(scene)
        self.s = scene.s
        steps = scene.run.steps
        thin = math.ceil(len(steps) / HISTORY_POINTS)
        self.hx = np.array(sorted({*range(0, len(steps), thin), len(steps) - 1}))
        self.tracks: list[tuple[Line2D, np.ndarray]] = []
        self.marks: list[tuple[Any, np.ndarray]] = []  # a panel's current dots, its histories
        self.veils: list[Rectangle] = []
        self.outside: list[tuple[Text, np.ndarray, float, float]] = []
        width, height = scene.size
        rows_cap = max(1, int(height / 3 // PANEL_PX[1]))
        cols_cap = max(2, int(width // PANEL_PX[0])) - 1
        self.groups = gradient_groups(scene.trained, rows_cap * cols_cap)
        rows, cols = panel_grid(len(self.groups), rows_cap, cols_cap)
        grid = spec.subgridspec(rows, cols + 1, width_ratios=(1.3, *[1] * cols))
        self._loss(grid[:, 0])
        grads = np.array([st.grads for st in steps])
        for i, (title, names) in enumerate(self.groups):
            r, c = divmod(i, cols)
            last_row = r == rows - 1 or i + cols >= len(self.groups)
            self._gradients(grid[r, c + 1], title, names, grads, last_row)

    def _loss(self, spec: Any) -> None:
        """The loss on an axis that holds every run's, its best step marked."""
        losses = np.array([st.loss for st in self.scene.run.steps])
        ax = self._panel(spec, self.scene.loss_name, True)
        self._track(ax, losses, PREDICTION)
        loss_axis(ax, [st.loss for r, _ in self.scene.runs for st in r.steps])
        self._best(ax, losses)

    def _gradients(
        self, spec: Any, title: str, names: list[str], grads: np.ndarray, tick_labels: bool
    ) -> None:
        """The gradients of `names`, each a track, or overlaid faintly if many."""
        loss_name = self.scene.loss_name
        ax = self._panel(spec, f"∂{loss_name}/∂{title}", tick_labels)
        history = grads[:, [self.scene.at[n] for n in names]]
        peers = list(self._peer_grads(names))
        lo, hi = history_limits(
            [*history.T.tolist(), *(h.tolist() for h, _ in peers)],
            [healthy(self.scene.run)] * len(names) + [n for _, n in peers],
        )
        history_axis(ax, lo, hi)
        colours = [self._colour(name) for name in names]
        if len(names) <= STRONG_LINES:
            for column, colour in zip(history.T, colours, strict=True):
                self._track(ax, column, colour)
        else:
            self._overlay(ax, history, colours)
        self._beyond(ax, history, colours)

    def _best(self, ax: Axes, losses: np.ndarray) -> None:
        """A ring round the best step's loss, named in the title; or, if the run ends above
        its start, a red title that says so."""
        best = int(np.argmin(losses))
        s, loss_name = self.s, self.scene.loss_name
        ax.plot([best], [losses[best]], "o", mfc="none", mec="black", ms=9 * s, mew=1.5 * s)
        if losses[-1] > losses[0]:
            ax.title.set(text=f"{loss_name} ends above step 0", color=DIVERGED)
        else:
            ax.title.set_text(f"{loss_name}, best at step {best}")

    def _peer_grads(self, names: list[str]) -> Iterable[tuple[np.ndarray, int]]:
        """The gradient histories of `names` in the compared runs that have them, each with
        how many of its steps came before its run diverged."""
        for run, _ in self.scene.runs[1:]:
            at = {name: i for i, name in enumerate(run.names)}
            grads = np.array([st.grads for st in run.steps])
            for name in names:
                if name in at:
                    yield grads[:, at[name]], healthy(run)

    def _overlay(self, ax: Axes, history: np.ndarray, colours: list[Any]) -> None:
        """Many histories in one panel: drawn faintly once, the future veiled and each
        current value a dot in its own colour at every frame."""
        for column, colour in zip(history.T, colours, strict=True):
            ax.plot(self.hx, column[self.hx], color=colour, lw=0.6 * self.s, alpha=0.35)
        veil = Rectangle(
            (0, 0), 0, 1, transform=ax.get_xaxis_transform(), color="white", alpha=0.75, lw=0
        )
        ax.add_patch(veil)
        self.veils.append(self.animate(veil))
        dots = ax.scatter(np.zeros(len(colours)), history[0], s=(2.5 * self.s) ** 2, c=colours)
        self.marks.append((self.animate(dots), history))

    def _beyond(self, ax: Axes, history: np.ndarray, colours: list[Any]) -> None:
        """Marks at the panel's edges where a history leaves it: small ticks in the background
        for every such step, and at each frame an arrow and the value of the current step."""
        lo, hi = ax.get_ylim()
        s = self.s
        for column, colour in zip(history.T, colours, strict=True):
            for edge, outside, m in ((hi, column > hi, "^"), (lo, column < lo, "v")):
                xs = self.hx[outside[self.hx]]
                if len(xs):
                    ax.plot(xs, np.full(len(xs), edge), m, color=colour, ms=3 * s, clip_on=False)
        if (lo <= history).all() and (history <= hi).all():
            return
        text = ax.text(
            0.02, 0.96, "", transform=ax.transAxes, va="top", family="monospace",
            fontsize=pt(9, s), color="black",
        )  # fmt: skip
        self.outside.append((self.scene.typed.add(text), history, lo, hi))

    def _colour(self, name: str) -> Any:
        """A parameter's colour: its last-layer neuron's; the output bias the prediction's."""
        if name == "ob":
            return readable(PREDICTION)
        j = self.scene.owner.get(name)
        return "0.3" if j is None else self.scene.colours[j]

    def _panel(self, spec: Any, what: str, tick_labels: bool) -> Axes:
        """A history panel over all steps, titled with what it shows."""
        s = self.s
        ax = self.scene.fig.add_subplot(spec)
        ax.set_title(what, fontsize=pt(10, s), pad=3 * s)
        ax.set_xlim(*padded(0, max(self.scene.end, 1), 0.02))
        ax.xaxis.set_major_locator(MaxNLocator(3, integer=True))
        ax.tick_params(labelbottom=tick_labels)
        ax.axhline(0.0, color="0.85", lw=0.8 * s, zorder=0)
        frame_ticks(ax, s)
        return ax

    def _track(self, ax: Axes, history: np.ndarray, colour: Any) -> None:
        """The whole history drawn faintly now; the strong part up to step k and a dot per frame."""
        s = self.s
        ax.plot(self.hx, history[self.hx], color=colour, lw=s, alpha=0.3)
        # One artist for the strong part and the dot on its end: a frame draws half as many.
        past = ax.plot([], [], "o-", color=colour, lw=1.8 * s, ms=5 * s, markevery=[-1])
        self.tracks.append((self.animate(past[0]), history))

    def update(self, k: int) -> None:
        """Every history strong up to step k, its current value marked."""
        past_x = np.append(self.hx[: int(np.searchsorted(self.hx, k))], k)
        for past, history in self.tracks:
            past.set_data(past_x, history[past_x])
        for dots, history in self.marks:
            dots.set_offsets(np.column_stack([np.full(history.shape[1], k), history[k]]))
        for veil in self.veils:
            veil.set_x(k)
            veil.set_width(self.scene.end + 1 - k)
        for text, history, lo, hi in self.outside:
            text.set_text(outside_note(history[k], lo, hi))
