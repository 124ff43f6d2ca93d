"""Frames of the film: the figure is built once, then each step redraws only what changes.

The static parts (axes, ticks, samples, the faint full histories) are drawn once and kept
as a background; a frame restores it, draws the animated artists for its step on top and
encodes the canvas as PNG. Axis limits come from the whole run, so they never move.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import IdentityTransform
from zlib_ng import zlib_ng

from nnreel.checkpoints import Run
from nnreel.network import Architecture, Net, Samples, neuron_params

DPI = 100
GRID_POINTS = 200
HISTORY_POINTS = 2000  # longer histories are thinned; drawing more points shows nothing new
VALUE_ROWS = 24  # rows of parameter values beside the legend, at most
PANEL_LIMIT = 24  # more gradient panels than this and they are overlaid per parameter kind
COLOURS = (
    *("tab:blue", "tab:orange", "tab:green", "tab:red"),
    *("tab:purple", "tab:brown", "tab:olive", "tab:cyan"),
)
PREDICTION = "magenta"
DIVERGED = "red"


def dense_grid(xs: Sequence[float], n: int = GRID_POINTS) -> list[float]:
    """`n` evenly spaced points over the samples' x range, widened by 5% on each side."""
    lo, hi = min(xs), max(xs)
    margin = 0.05 * (hi - lo) or 0.5
    lo, hi = lo - margin, hi + margin
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


def padded(lo: float, hi: float, pad: float = 0.06) -> tuple[float, float]:
    """[lo, hi] widened by `pad` of its span; a point becomes a small interval."""
    span = hi - lo or abs(hi) or 1.0
    return lo - pad * span, hi + pad * span


def curve_limits(
    net: Net, run: Run, steps: Sequence[int], grid: Sequence[float], ys: Sequence[float]
) -> tuple[float, float]:
    """y-limits holding the samples and every curve of the rendered steps, ignoring rare spikes."""
    lows, highs = [], []
    for k in steps:
        preds, contributions = net.predict(run.steps[k].params, grid)
        values = [v for v in [*preds, *(c for cs in contributions for c in cs)] if math.isfinite(v)]
        lows.append(min(values, default=0.0))
        highs.append(max(values, default=0.0))
    lo, hi = min(*lows, *ys), max(*highs, *ys)
    lows.sort()
    highs.sort()
    tail = len(steps) // 20  # the 5% most extreme steps may fall outside
    robust_lo, robust_hi = min(lows[tail], *ys), max(highs[-1 - tail], *ys)
    if hi - lo > 2 * (robust_hi - robust_lo):
        lo, hi = robust_lo, robust_hi
    return padded(lo, hi)


def log_scale(losses: Sequence[float]) -> bool:
    """Whether a loss history spans a decade or more, and so reads better on a log scale."""
    return min(losses) > 0 and max(losses) >= 10 * min(losses)


def loss_figure(run: Run) -> Figure:
    """The loss per step, with the best step marked."""
    steps, losses = [s.step for s in run.steps], [s.loss for s in run.steps]
    best = losses.index(min(losses))
    name = run.config.train.loss.upper()
    fig = Figure(figsize=(8, 4.5), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(steps, losses, color="tab:blue")
    ax.plot([steps[best]], [losses[best]], "o", color="tab:red", label=f"best, step {steps[best]}")
    if log_scale(losses):
        ax.set_yscale("log")
    ax.set(xlabel="step", ylabel=name, title=f"{name} per step")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def fit_figure(run: Run, samples: Samples, n: int) -> Figure:
    """The first and the final fitted curve on `n` grid points, and the samples."""
    net, grid = Net(run.config.model.arch), dense_grid(samples[0], n)
    fig = Figure(figsize=(8, 4.5), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    for s, style in ((run.steps[0], ":"), (run.steps[-1], "-")):
        ax.plot(
            grid, net.predict(s.params, grid)[0], style, color="tab:blue", label=f"step {s.step}"
        )
    ax.plot(*samples, "o", color="black", label="samples")
    ax.set(xlabel="x", ylabel="y", title="fitted curve")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def history_limits(values: np.ndarray) -> tuple[float, float]:
    """y-limits of a history; when a few spikes dwarf the rest, they may leave the panel."""
    lo, hi = float(values.min()), float(values.max())
    robust_lo, robust_hi = (float(v) for v in np.percentile(values, [2, 98]))
    if hi - lo > 4 * (robust_hi - robust_lo) > 0:
        lo, hi = robust_lo, robust_hi
    return padded(lo, hi)


def neuron_colours(n: int) -> list[Any]:
    """One distinct colour per last-layer neuron, none of them the prediction's magenta."""
    if n <= len(COLOURS):
        return list(COLOURS[:n])
    turbo = colormaps["turbo"]
    return [turbo(0.05 + 0.9 * j / (n - 1)) for j in range(n)]


Panel = tuple[str, list[tuple[str, int]]]  # title suffix, (parameter, neuron) pairs drawn


def gradient_panels(arch: Architecture) -> list[list[Panel]]:
    """Gradient panels in rows: one per parameter, or one per kind when that is too many."""
    groups = neuron_params(arch)
    n, p = len(groups), len(groups[0])
    if n * p <= PANEL_LIMIT:
        cells = [[(name, [(name, j)]) for name in group] for j, group in enumerate(groups)]
        return cells if n <= p else [list(col) for col in zip(*cells, strict=True)]
    layer = len(arch.hidden)
    kinds = ["iw" if layer == 1 else f"w{layer}", "b" if layer == 1 else f"b{layer}", "ow"]
    into = [(name, j) for j, group in enumerate(groups) for name in group[:-2]]
    bias = [(group[-2], j) for j, group in enumerate(groups)]
    out = [(group[-1], j) for j, group in enumerate(groups)]
    return [
        [(f"{k} (all neurons)", pairs) for k, pairs in zip(kinds, [into, bias, out], strict=True)]
    ]


def compact(v: float, _pos: object = None) -> str:
    """A tick label of at most 3 significant digits."""
    return f"{v:.3g}"


def png_rows(h: int, w: int) -> np.ndarray:
    """Scratch rows for `encode_png`: each starts with its filter type, 0 (none)."""
    return np.zeros((h, 1 + 4 * w), np.uint8)


def encode_png(rgba: np.ndarray, rows: np.ndarray | None = None) -> bytes:
    """A PNG of an RGBA pixel array, with no metadata; `rows` may be a reused scratch array.

    zlib-ng's deflate at level 1 takes about 2 ms a frame where zlib's takes 10. (ISA-L's is
    faster still, but its output for the same pixels varied between processes.)
    """
    h, w, _ = rgba.shape
    if rows is None:
        rows = png_rows(h, w)
    rows[:, 1:] = rgba.reshape(h, 4 * w)
    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        for kind, body in (
            (b"IHDR", header),
            (b"IDAT", zlib_ng.compress(rows.data, 1)),
            (b"IEND", b""),
        )
    )


def neuron_label(j: int, n: int) -> str:
    """Legend entry of neuron j of n; past 8 neurons, one entry stands for them all."""
    if n <= len(COLOURS):
        return f"neuron {j}: ow{j}·a{j}(x)"
    return f"neurons 1 to {n}: ow·a(x)" if j == 1 else "_nolegend_"


def value_rows(arch: Architecture, names: Sequence[str]) -> list[tuple[list[str], int | None]]:
    """Parameter names in rows of at most 3: each last-layer neuron's own, then the rest."""
    groups = neuron_params(arch)
    rows: list[tuple[list[str], int | None]] = []
    for j, group in enumerate(groups):
        rows += [(group[i : i + 3], j) for i in range(0, len(group), 3)]
    owned = {name for group in groups for name in group}
    rest = [name for name in names if name not in owned]
    rows += [(rest[i : i + 3], None) for i in range(0, len(rest), 3)]
    return rows


class Typewriter:
    """Draws lines of monospace text by copying cached character cells onto a white canvas.

    matplotlib lays out and rasterises a Text afresh on every draw (most of a frame's time
    went there); the lines that change every frame are monospace on white, so each
    character is drawn once per size and colour, and copied after that.
    """

    def __init__(self, size: float, colour: Any) -> None:
        self.font = {"family": "monospace", "size": size, "color": colour}
        scratch = Figure(figsize=(1, 1), dpi=DPI)
        renderer = FigureCanvasAgg(scratch).get_renderer()  # type: ignore[no-untyped-call]
        probe = scratch.text(0, 0, "M" * 40, **self.font)
        self.advance = probe.get_window_extent(renderer).width / 40
        props = probe.get_fontproperties()
        _, h, descent = renderer.get_text_width_height_descent("lp", props, ismath=False)
        self.ascent = h - descent  # what matplotlib aligns a top-aligned line's top by
        pixels = size * DPI / 72
        self.height = math.ceil(1.6 * pixels)  # room for accents above and tails below
        self.baseline = math.ceil(0.45 * pixels)  # rows below the baseline
        self.cells: dict[str, np.ndarray] = {}

    def cell(self, char: str) -> np.ndarray:
        """The RGBA pixels of `char` in a cell one advance wide, rendered on white."""
        if char not in self.cells:
            width = math.ceil(self.advance) + 1
            fig = Figure(figsize=(width / DPI, self.height / DPI), dpi=DPI, facecolor="white")
            fig.text(0, self.baseline / self.height, char, va="baseline", **self.font)
            canvas: Any = FigureCanvasAgg(fig)  # Agg's calls are untyped
            canvas.draw()
            self.cells[char] = np.asarray(canvas.buffer_rgba())[:, :width].copy()
        return self.cells[char]

    def type(self, pixels: np.ndarray, text: str, x: float, top: float) -> None:
        """Copy `text` into `pixels` with its first cell's left edge at x and top edge at top
        (display coordinates, y up)."""
        row = max(0, round(pixels.shape[0] - top))
        for i, char in enumerate(text):
            cell = self.cell(char)
            col = max(0, round(x + i * self.advance))
            target = pixels[row : row + cell.shape[0], col : col + cell.shape[1]]
            target[...] = np.minimum(target, cell[: target.shape[0], : target.shape[1]])

    def place(self, text: Text) -> tuple[float, float]:
        """Where `text`, placed by matplotlib, starts: its left edge and top in display units."""
        x, y = text.get_transform().transform(text.get_position())
        if text.get_horizontalalignment() == "center":
            x -= len(text.get_text()) * self.advance / 2
        if text.get_verticalalignment() == "top":
            y -= self.ascent  # now the baseline
        return x, y + self.height - self.baseline


class FrameRenderer:
    """The figure for one run, built once; `render(k)` is the PNG of step k."""

    def __init__(
        self,
        run: Run,
        samples: Samples,
        steps: Sequence[int],
        width: int,
        height: int,
        label: str = "",
    ) -> None:
        self.run = run
        self.label = f"{label}    " if label else ""  # names the run in a comparison
        self.net = Net(run.config.model.arch)
        train = run.config.train
        self.loss_name = train.loss.upper()
        self.rate = f"lr = {train.lr:g}" + (
            "" if train.optimizer == "gd" else f" ({train.optimizer})"
        )
        self.last = run.steps[-1].step
        self.s = min(width / 1600, height / 1000)  # font scale: every size is a fixed share
        self.grid = dense_grid(samples[0])
        self.colours = neuron_colours(len(self.net.ow_at))
        self.fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
        self.canvas: Any = FigureCanvasAgg(self.fig)  # Agg's blitting calls are untyped
        self.animated: list[Any] = []
        self.typed: list[tuple[Text, Typewriter]] = []
        self.png_scratch = png_rows(height, width)  # reused: no 6 MB allocation a frame
        self.writers: dict[tuple[float, Any], Typewriter] = {}
        outer = self.fig.add_gridspec(2, 1, height_ratios=(2, 1))
        top = outer[0].subgridspec(1, 2, width_ratios=(2.7, 1))
        self.curves_ax = self.fig.add_subplot(top[0])
        self._curves(samples, steps)
        side = self.fig.add_subplot(top[1])
        self._legend(side)
        self._histories(outer[1])
        self._freeze(side)

    def _freeze(self, side: Axes) -> None:
        """Lay the figure out once and keep its static parts as the background of every frame."""
        self.canvas.draw()
        self.fig.set_layout_engine("none")
        self._values(side)  # placed now that the legend has its final size
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def _type(self, text: Text) -> Text:
        """A Text whose changing content a Typewriter draws, not matplotlib."""
        text.set_animated(True)  # not part of the background
        key = (float(text.get_fontsize()), text.get_color())
        if key not in self.writers:
            self.writers[key] = Typewriter(*key)
        self.typed.append((text, self.writers[key]))
        return text

    def _animate(self, artist: Any) -> Any:
        artist.set_animated(True)
        self.animated.append(artist)
        return artist

    def _ticks(self, ax: Axes, size: float) -> None:
        ax.tick_params(labelsize=size * self.s, length=3 * self.s, pad=2 * self.s)

    def _curves(self, samples: Samples, steps: Sequence[int]) -> None:
        """Top panel: samples, each neuron's contribution and the prediction over a dense grid."""
        ax, s = self.curves_ax, self.s
        xs, ys = samples
        lo, hi = curve_limits(self.net, self.run, steps, self.grid, ys)
        self.clip = (lo - 10 * (hi - lo), hi + 10 * (hi - lo))  # keeps Agg away from huge values
        ax.set_xlim(self.grid[0], self.grid[-1])
        ax.set_ylim(lo, hi)
        ax.axhline(0.0, color="0.85", lw=0.8 * s, zorder=0)
        ax.plot(xs, ys, "o", color="black", ms=6 * s, label="samples", zorder=3)
        n = len(self.colours)
        self.contributions = [
            self._animate(ax.plot([], [], color=c, lw=2 * s, label=neuron_label(j, n))[0])
            for j, c in enumerate(self.colours, start=1)
        ]
        line = ax.plot([], [], color=PREDICTION, lw=3 * s, label="prediction", zorder=4)
        self.prediction = self._animate(line[0])
        ax.set_xlabel("x", fontsize=10 * s)
        ax.set_ylabel("y", fontsize=10 * s)
        self._ticks(ax, 9)
        title = ax.set_title(self._title(0), fontsize=14 * s, pad=6 * s, family="monospace")
        self.title = self._type(title)
        diverged = self.run.diverged
        banner = f"diverged at step {diverged['step']}: {diverged['reason']}" if diverged else ""
        self.divergence = self._animate(
            ax.text(
                0.5, 0.96, banner, transform=ax.transAxes, ha="center", va="top", color=DIVERGED,
                fontsize=15 * s, fontweight="bold", visible=False, in_layout=False,
                bbox={"facecolor": "white", "edgecolor": DIVERGED, "alpha": 0.9},
            )
        )  # fmt: skip

    def _legend(self, ax: Axes) -> None:
        """Right of the curves: the legend; the parameter values go below it."""
        ax.set_axis_off()
        handles, labels = self.curves_ax.get_legend_handles_labels()
        columns = 1 + len(labels) // 14
        self.legend = ax.legend(
            handles, labels, loc="upper left", fontsize=(10 if columns == 1 else 7) * self.s,
            ncols=columns, borderaxespad=0.0,
        )  # fmt: skip
        self.legend.set_in_layout(False)

    def _values(self, ax: Axes) -> None:
        """One text row per few parameters, under the legend, sized to fit the space left."""
        rows = value_rows(self.net.arch, self.net.names)
        self.rows = rows[:VALUE_ROWS]
        top = self.legend.get_window_extent().y0 - 12 * self.s
        room = (top - ax.bbox.y0) * 72 / DPI  # points
        self.width = max(map(len, self.net.names))
        row_chars = 3 * (self.width + 13)
        size = min(
            10 * self.s,
            room / (1.5 * (len(self.rows) + 1)),
            (ax.bbox.x1 - ax.bbox.x0) * 72 / DPI / (0.62 * row_chars),  # monospace advance
        )
        if len(rows) > VALUE_ROWS:  # a big net's values would be too small to read
            more = sum(len(names) for names, _ in rows[VALUE_ROWS:])
            y = top - len(self.rows) * 1.5 * size * DPI / 72
            note = ax.text(ax.bbox.x0, y, f"… and {more} more parameters",
                           transform=IdentityTransform(), va="top", fontsize=size)  # fmt: skip
            self.fig.draw_artist(note)  # static, so drawn into the background once
        self.values: list[Text] = []
        for i, (_, j) in enumerate(self.rows):
            text = ax.text(
                ax.bbox.x0, top - i * 1.5 * size * DPI / 72, "", transform=IdentityTransform(),
                va="top", family="monospace", fontsize=size, in_layout=False,
                color="black" if j is None else self.colours[j],
            )  # fmt: skip
            self.values.append(self._type(text))

    def _histories(self, spec: Any) -> None:
        """Bottom third: the loss history and each gradient's history, full faint, past strong."""
        steps = self.run.steps
        thin = math.ceil(len(steps) / HISTORY_POINTS)
        self.hx = np.array(sorted({*range(0, len(steps), thin), len(steps) - 1}))
        losses = np.array([st.loss for st in steps])
        grads = np.array([st.grads for st in steps])
        panels = gradient_panels(self.net.arch)
        grid = spec.subgridspec(len(panels), len(panels[0]) + 1)
        at = {name: i for i, name in enumerate(self.net.names)}
        self.tracks: list[tuple[Line2D, np.ndarray]] = []
        if self.net.ob_at is None:
            loss_ax = self.fig.add_subplot(grid[:, 0])
        else:
            column = grid[:, 0].subgridspec(2, 1, height_ratios=(2, 1))
            loss_ax = self.fig.add_subplot(column[0])
            ob = self._panel(self.fig.add_subplot(column[1]), "ob", True)
            self._track(ob, grads[:, self.net.ob_at], PREDICTION)
        self._track(self._panel(loss_ax, "", True), losses, PREDICTION)
        if log_scale(losses.tolist()):
            loss_ax.set_yscale("log")
            loss_ax.set_ylim(losses.min() / 1.5, losses.max() * 1.5)
        for r, row in enumerate(panels):
            for c, (label, pairs) in enumerate(row):
                ax = self._panel(self.fig.add_subplot(grid[r, c + 1]), label, r == len(panels) - 1)
                for name, j in pairs:
                    self._track(ax, grads[:, at[name]], self.colours[j])
                ax.set_ylim(*history_limits(grads[:, [at[name] for name, _ in pairs]]))

    def _panel(self, ax: Axes, param: str, tick_labels: bool) -> Axes:
        """A history panel over all steps, titled with what it shows."""
        s = self.s
        what = f"∂{self.loss_name}/∂{param}" if param else self.loss_name
        ax.set_title(what, fontsize=10 * s, pad=3 * s)
        ax.set_xlim(*padded(0, max(self.last, 1), 0.02))
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.yaxis.set_major_formatter(FuncFormatter(compact))
        ax.tick_params(labelbottom=tick_labels)
        ax.axhline(0.0, color="0.85", lw=0.8 * s, zorder=0)
        self._ticks(ax, 7.5)
        return ax

    def _track(self, ax: Axes, history: np.ndarray, colour: Any) -> None:
        """The whole history drawn faintly now; the strong part up to step k and a dot per frame."""
        s = self.s
        ax.plot(self.hx, history[self.hx], color=colour, lw=s, alpha=0.25)
        # One artist for the strong part and the dot on its end: a frame draws half as many.
        past = ax.plot([], [], "o-", color=colour, lw=1.8 * s, ms=4 * s, markevery=[-1])
        self.tracks.append((self._animate(past[0]), history))

    def _title(self, k: int) -> str:
        loss = self.run.steps[k].loss
        return (
            f"{self.label}step {k} of {self.last}    {self.loss_name} = {loss:.6g}    {self.rate}"
        )

    def update(self, k: int) -> None:
        """Point every animated artist at step k."""
        state = self.run.steps[k]
        preds, contributions = self.net.predict(state.params, self.grid)
        for line, ys in zip(
            [*self.contributions, self.prediction], [*contributions, preds], strict=True
        ):
            line.set_data(self.grid, np.clip(ys, *self.clip))
        self.title.set_text(self._title(k))
        value = dict(zip(self.net.names, state.params, strict=True))
        for text, (names, _) in zip(self.values, self.rows, strict=True):
            text.set_text("  ".join(f"{n:>{self.width}} = {value[n]:<8.4g}" for n in names))
        past_x = np.append(self.hx[: int(np.searchsorted(self.hx, k))], k)
        for past, history in self.tracks:
            past.set_data(past_x, history[past_x])
        self.divergence.set_visible(self.run.diverged is not None and k == self.last)

    def png(self) -> bytes:
        """The current frame as PNG bytes: the background plus the animated artists."""
        self.canvas.restore_region(self.background)
        for artist in self.animated:
            self.fig.draw_artist(artist)
        pixels = np.asarray(self.canvas.buffer_rgba())
        for text, writer in self.typed:
            writer.type(pixels, text.get_text(), *writer.place(text))
        return encode_png(pixels, self.png_scratch)

    def render(self, k: int) -> bytes:
        """The PNG of step k."""
        self.update(k)
        return self.png()
