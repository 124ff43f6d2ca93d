"""The side column: the fit's legend, the parameters' values under it, and the divergence
notice at the bottom."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

from nnreel.config.architecture import param_kind
from nnreel.pictures.scene import Panel, Scene
from nnreel.pictures.style import DIVERGED, DPI, FROZEN, pt


def value_rows(names: Sequence[str], owner: dict[str, int], per_row: int) -> list[list[str]]:
    """Parameter names in draw order, in rows of at most `per_row`, a neuron's own together."""
    runs: list[list[str]] = []
    for name in names:
        if runs and owner.get(name) == owner.get(runs[-1][-1]) and param_kind(name) != "ob":
            runs[-1].append(name)
        else:
            runs.append([name])
    return [run[i : i + per_row] for run in runs for i in range(0, len(run), per_row)]


def blocks(
    rows: list[list[str]], key: Callable[[list[str]], Any]
) -> list[tuple[int, list[list[str]]]]:
    """Consecutive rows with the same `key`, each run with the index of its first row."""
    out: list[tuple[int, list[list[str]]]] = []
    for i, row in enumerate(rows):
        if out and key(out[-1][1][-1]) == key(row):
            out[-1][1].append(row)
        else:
            out.append((i, [row]))
    return out


class ValuesPanel(Panel):
    """Right of the fit: its legend, built with the layout; the values go below it once
    the layout has given the legend its final size (`place`)."""

    def __init__(self, scene: Scene, spec: Any, fit: Axes) -> None:
        super().__init__(scene)
        self.net = scene.net
        self.digits = 4  # significant digits of a value
        self.width = 0  # of a value's name, padded to line up the columns
        self.texts: list[tuple[Text, list[list[str]]]] = []  # each with the rows it shows
        self.ax = ax = scene.fig.add_subplot(spec)
        ax.set_axis_off()
        handles, labels = fit.get_legend_handles_labels()
        order = [labels.index("samples"), *(i for i, t in enumerate(labels) if t != "samples")]
        self.legend = ax.legend(
            [handles[i] for i in order], [labels[i] for i in order], loc="upper left",
            fontsize=pt(10, scene.s), borderaxespad=0.0, handlelength=1.5, handletextpad=0.5,
            borderpad=0.3,
        )  # fmt: skip
        self.legend.set_in_layout(False)

    def place(self) -> None:
        """Under the legend: the values of the trained parameters, then the frozen ones, in as
        many rows as fit; the divergence notice, if any, at the bottom."""
        ax, scene, names = self.ax, self.scene, self.net.names
        size = pt(10, scene.s)
        line = self._line_pitch(size)
        advance = 0.602 * size * DPI / 72  # DejaVu Sans Mono's advance is 0.602 em
        self.width = max(map(len, names))
        chars = int((ax.bbox.x1 - ax.bbox.x0) // advance)
        per_row = max(1, chars // (self.width + 15))
        if per_row == 1:  # one column: no padding, and 3 digits where 4 would not fit
            self.width = 0
            self.digits = 4 if chars >= max(map(len, names)) + 13 else 3
        frozen = [n for n in names if n in scene.frozen]
        rows = value_rows(scene.trained, scene.owner, per_row)
        if frozen:
            rows += [["frozen:"], *value_rows(frozen, {}, per_row)]
        bottom = ax.bbox.y0 + (self._notice(size) if scene.run.diverged else 0.0)
        top = self.legend.get_window_extent().y0 - 0.8 * line
        fit = max(1, int((top - bottom) // line))
        if len(rows) > fit:
            more = sum(name in names for r in rows[fit - 1 :] for name in r)
            rows = [*rows[: fit - 1], [f"… and {more} more"]]
        # Rows of one colour share one multi-line text: a text costs a layout per frame.
        for first, block in blocks(rows, self._row_colour):
            text = ax.text(
                ax.bbox.x0, top - first * line, "", transform=IdentityTransform(), va="top",
                family="monospace", fontsize=size, color=self._row_colour(block[0]),
            )  # fmt: skip
            if block[0][0] in names and block[0][0] not in scene.frozen:
                self.texts.append((scene.typed.add(text, line), block))
            else:  # static: drawn into the background once
                text.set_text(self._rows_text(block, scene.run.steps[0].params))
                scene.fig.draw_artist(text)

    def _line_pitch(self, size: float) -> float:
        """Pixels from one line of a multi-line monospace text at `size` to the next."""
        ax, renderer = self.ax, self.scene.canvas.get_renderer()
        one, two = (
            ax.text(0, 0, text, family="monospace", fontsize=size).get_window_extent(renderer)
            for text in ("x", "x\nx")
        )
        ax.texts[-1].remove()
        ax.texts[-1].remove()
        return float(two.height - one.height)

    def _notice(self, size: float) -> float:
        """The divergence notice at the bottom of the side column; the height it takes."""
        ax, run = self.ax, self.scene.run
        assert run.diverged is not None
        d = run.diverged
        chars = max(12, int((ax.bbox.x1 - ax.bbox.x0) / (0.7 * size * DPI / 72)) - 1)  # bold
        wrapped = textwrap.fill(f"diverged at step {d.step}: {d.reason}", chars)
        self.divergence = self.animate(
            ax.text(
                ax.bbox.x0, ax.bbox.y0, wrapped, transform=IdentityTransform(), va="bottom",
                color=DIVERGED, fontsize=size, fontweight="bold", visible=False,
                bbox={"facecolor": "white", "edgecolor": DIVERGED, "pad": 3},
            )
        )  # fmt: skip
        self.divergence.set_visible(True)  # an invisible text measures as nothing
        text = self.divergence.get_window_extent(self.scene.canvas.get_renderer()).height
        self.divergence.set_visible(False)
        return float(text) + 4 * size * DPI / 72  # its box's padding and a line of space

    def _row_colour(self, names: list[str]) -> Any:
        frozen = self.scene.frozen
        if names[0] in frozen or names[0] not in self.net.names:
            return FROZEN if frozen else "black"
        j = self.scene.owner.get(names[0])
        return "black" if j is None else self.scene.colours[j]

    def _rows_text(self, rows: list[list[str]], params: Sequence[float]) -> str:
        """Lines of `name = value`, or a row's own words where it names no parameter."""
        at = self.scene.at
        return "\n".join(
            "  ".join(
                f"{n:>{self.width}} = {params[at[n]]:<10.{self.digits}g}" for n in names
            ).rstrip()
            if names[0] in at
            else names[0]
            for names in rows
        )

    def update(self, k: int) -> None:
        """The values at step k; the divergence notice at the last step of a diverged run."""
        params = self.scene.run.steps[k].params
        for text, rows in self.texts:
            text.set_text(self._rows_text(rows, params))
        if self.scene.run.diverged:
            self.divergence.set_visible(k == self.scene.last)
