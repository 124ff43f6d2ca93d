"""Frames of the film: the figure is built once, then each step redraws only what changes.

The static parts (axes, ticks, the faint full histories) are drawn once and kept as a
background; a frame restores it, draws the animated artists for its step on top and
encodes the canvas as PNG. Axis limits come from every step of the run (and of the runs it
is compared with), so they never move, and nothing leaves a panel without a mark at its edge.
"""

from __future__ import annotations

import math
import struct
import textwrap
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator
from matplotlib.transforms import IdentityTransform
from zlib_ng import zlib_ng

from nnreel.config.architecture import param_kind
from nnreel.core.landscape import Landscape
from nnreel.core.limits import Peers, curve_limits, dense_grid, healthy, history_limits, padded
from nnreel.core.network import Net, Samples, neuron_params, plain_sum
from nnreel.core.run import Run
from nnreel.pictures.landscape_panel import LandscapePanel, draw_landscape, panel_scale

DPI = 100
HISTORY_POINTS = 2000  # longer histories are thinned; drawing more points shows nothing new
MIN_PT = 10.6  # DejaVu's x-height is 0.547 em: at 100 dpi, 10.6 pt keeps it above 8 px
PANEL_PX = (150, 105)  # the least width and height of a legible history panel
LANDSCAPE_SHARE = 1.6  # of the top row's width, beside the fit's 2.7 and the values' 1
LANDSCAPE_MIN = (800, 500)  # the smallest frame that holds the landscape panel legibly
STRONG_LINES = 12  # a panel overlaying more histories marks only their current values
EDGE_MARK_EVERY = 8  # grid points between the marks of a curve beyond the panel's edge
COLOURS = (
    *("tab:blue", "tab:orange", "tab:green", "tab:red"),
    *("tab:purple", "tab:brown", "tab:olive", "tab:cyan"),
)
PREDICTION = "magenta"
DIVERGED = "red"
FROZEN = "0.4"
RGB = tuple[float, float, float]


def pt(base: float, scale: float) -> float:
    """A font size: `base` points at 1600x1000, scaled, never below the legible minimum."""
    return max(MIN_PT, base * scale)


def log_scale(losses: Sequence[float]) -> bool:
    """Whether a loss history spans a decade or more, and so reads better on a log scale."""
    return min(losses) > 0 and max(losses) >= 10 * min(losses)


def log_ticks(lo: float, hi: float) -> list[float]:
    """Ticks for a log axis over [lo, hi]: 1-2-5 per decade when few decades, else decades;
    always three or more inside a span of at least a decade."""
    subs = (1, 2, 5) if hi / lo < 1000 else (1,)
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    ticks = [m * 10.0**e for e in range(first, last + 1) for m in subs]
    return [t for t in ticks if lo <= t <= hi]


def loss_axis(ax: Axes, losses: Sequence[float]) -> None:
    """A loss axis holding every value: log (with readable ticks) once it spans a decade."""
    if log_scale(losses):
        lo, hi = min(losses) / 1.3, max(losses) * 1.3
        ax.set_yscale("log")
        ax.set_ylim(lo, hi)
        ax.yaxis.set_major_locator(FixedLocator(log_ticks(lo, hi)))
        ax.yaxis.set_minor_locator(NullLocator())
    else:
        ax.set_ylim(*padded(min(losses), max(losses)))
        ax.yaxis.set_major_locator(MaxNLocator(3))
    ax.yaxis.set_major_formatter(FuncFormatter(compact))


def history_axis(ax: Axes, lo: float, hi: float) -> None:
    """A linear y-axis over [lo, hi] with three or so round, labelled ticks."""
    ax.set_ylim(lo, hi)
    ax.yaxis.set_major_locator(MaxNLocator(3))
    ax.yaxis.set_major_formatter(FuncFormatter(compact))


def loss_figure(run: Run) -> Figure:
    """The loss per step, with the best step marked."""
    steps, losses = [s.step for s in run.steps], [s.loss for s in run.steps]
    best = losses.index(min(losses))
    name = run.config.train.loss.upper()
    fig = Figure(figsize=(8, 4.5), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(steps, losses, color="tab:blue")
    ax.plot([steps[best]], [losses[best]], "o", color="tab:red", label=f"best, step {steps[best]}")
    loss_axis(ax, losses)
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
    ax.plot(*samples, "o", color="black", label="samples", zorder=3)
    ax.set(xlabel="x", ylabel="y", title="fitted curve")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def contrast(colour: Any) -> float:
    """The WCAG contrast ratio of `colour` against white."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def readable(colour: Any) -> RGB:
    """`colour`, darkened just enough to stand 3:1 against white."""
    r, g, b = to_rgb(colour)
    while contrast((r, g, b)) < 3.0:
        r, g, b = 0.95 * r, 0.95 * g, 0.95 * b
    return r, g, b


def neuron_colours(n: int) -> list[RGB]:
    """One distinct colour per last-layer neuron, none of them the prediction's magenta."""
    if n <= len(COLOURS):
        return [readable(c) for c in COLOURS[:n]]
    turbo = colormaps["turbo"]
    return [readable(turbo(0.05 + 0.9 * j / (n - 1))) for j in range(n)]


def span(names: Sequence[str]) -> str:
    """Names in a panel's title: the one, or the first and last of a run, as in iw1…iw12."""
    return names[0] if len(names) == 1 else f"{names[0]}…{names[-1]}"


Group = tuple[str, list[str]]  # what a gradient panel's title names, the parameters it shows


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


def compact(v: float, _pos: object = None) -> str:
    """A tick label of at most 3 significant digits."""
    return f"{v:.3g}"


def png_rows(h: int, w: int) -> np.ndarray:
    """Scratch rows for `encode_png`: each starts with its filter type, 0 (none)."""
    return np.zeros((h, 1 + 4 * w), np.uint8)


def encode_png(rgba: np.ndarray, rows: np.ndarray | None = None) -> bytes:
    """A PNG of an RGBA pixel array, with no metadata; `rows` may be a reused scratch array."""
    # zlib-ng's level 2 fits its Huffman codes to the frame where level 1 uses fixed ones:
    # about a quarter fewer bytes for a few ms more. Higher levels, RGB and row filters cost
    # far more time for little (README). zlib's deflate is slower still; ISA-L's output
    # varied between processes.
    h, w, _ = rgba.shape
    if rows is None:
        rows = png_rows(h, w)
    rows[:, 1:] = rgba.reshape(h, 4 * w)
    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        for kind, body in (
            (b"IHDR", header),
            (b"IDAT", zlib_ng.compress(rows.data, 2)),
            (b"IEND", b""),
        )
    )


def landscape_fits(width: int, height: int) -> bool:
    """Whether a frame this size holds the landscape panel legibly beside the fit; a smaller
    one leaves it to the report."""
    return width >= LANDSCAPE_MIN[0] and height >= LANDSCAPE_MIN[1]


def neuron_label(j: int, n: int, long: bool = True) -> str:
    """Legend entry of neuron j of n; past 8 neurons, one entry stands for them all."""
    if n <= len(COLOURS):
        return f"neuron {j}: ow{j}·a{j}(x)" if long else f"neuron {j}"
    return (f"neurons 1-{n}: ow·a(x)" if long else f"neurons 1-{n}") if j == 1 else "_nolegend_"


def owners(net: Net) -> dict[str, int]:
    """Each parameter of a last-layer neuron, mapped to that neuron's index (0-based)."""
    return {name: j for j, group in enumerate(neuron_params(net.arch)) for name in group}


def value_rows(names: Sequence[str], owner: dict[str, int], per_row: int) -> list[list[str]]:
    """Parameter names in draw order, in rows of at most `per_row`, a neuron's own together."""
    runs: list[list[str]] = []
    for name in names:
        if runs and owner.get(name) == owner.get(runs[-1][-1]) and param_kind(name) != "ob":
            runs[-1].append(name)
        else:
            runs.append([name])
    return [run[i : i + per_row] for run in runs for i in range(0, len(run), per_row)]


class Typewriter:
    """Draws monospace text by copying cached character cells onto a white canvas.

    matplotlib lays out and rasterises a Text afresh on every draw, which was most of a
    frame's time; the texts that change every frame are monospace on white, so each
    character is drawn once per size and colour and copied after that. The advance is a whole
    number of pixels, so the characters are spaced evenly.
    """

    def __init__(self, size: float, colour: Any) -> None:
        self.font = {"family": "monospace", "size": size, "color": colour}
        scratch = Figure(figsize=(1, 1), dpi=DPI)
        renderer = FigureCanvasAgg(scratch).get_renderer()  # type: ignore[no-untyped-call]
        probe = scratch.text(0, 0, "M" * 40, **self.font)
        self.advance = round(probe.get_window_extent(renderer).width / 40)
        props = probe.get_fontproperties()
        _, h, descent = renderer.get_text_width_height_descent("lp", props, ismath=False)
        self.ascent = h - descent  # what matplotlib aligns a top-aligned line's top by
        pixels = size * DPI / 72
        self.height = math.ceil(1.6 * pixels)  # room for accents above and tails below
        self.baseline = math.ceil(0.45 * pixels)  # rows below the baseline
        self.cells: dict[str, np.ndarray] = {}

    def cell(self, char: str) -> np.ndarray:
        """The RGBA pixels of `char` in a cell one advance wide (and one more), on white."""
        if char not in self.cells:
            width = self.advance + 1
            fig = Figure(figsize=(width / DPI, self.height / DPI), dpi=DPI, facecolor="white")
            fig.text(0, self.baseline / self.height, char, va="baseline", **self.font)
            canvas: Any = FigureCanvasAgg(fig)  # Agg's calls are untyped
            canvas.draw()
            self.cells[char] = np.asarray(canvas.buffer_rgba())[:, :width].copy()
        return self.cells[char]

    def type(self, pixels: np.ndarray, text: Text, pitch: float) -> None:
        """Copy `text`, as matplotlib places it, into `pixels`; lines `pitch` pixels apart."""
        x, y = text.get_transform().transform(text.get_position())
        for j, line in enumerate(text.get_text().split("\n")):
            left = x - (
                len(line) * self.advance / 2 if text.get_horizontalalignment() == "center" else 0
            )
            top = y - (self.ascent if text.get_verticalalignment() == "top" else 0) - j * pitch
            row = max(0, round(pixels.shape[0] - top - self.height + self.baseline))
            col = max(0, round(left))
            for i, char in enumerate(line):
                cell = self.cell(char)
                at = col + i * self.advance
                target = pixels[row : row + cell.shape[0], at : at + cell.shape[1]]
                target[...] = np.minimum(target, cell[: target.shape[0], : target.shape[1]])


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


class FrameRenderer:
    """The figure for one run, built once; `render(k)` is the PNG of step k.

    `peers` are runs shown beside this one (in a comparison): the axes hold their values too.
    `land`, if given, adds the loss landscape under the path between the fit and the values.
    `fit_ylim`, if given, are the fit panel's y-limits, already computed for these runs.
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
        self.run = run
        self.runs: Peers = [(run, samples), *peers]
        self.label = f"{label}   " if label else ""  # names the run in a comparison
        self.net = Net(run.config.model.arch)
        train = run.config.train
        self.frozen = set(train.frozen)
        self.loss_name = train.loss.upper()
        self.terse = False  # the title's short form, for narrow frames
        self.planned = train.steps
        self.last = run.steps[-1].step
        self.end = max(r.steps[-1].step for r, _ in self.runs)  # the history panels' x range
        self.size = (width, height)
        self.s = min(width / 1600, height / 1000)  # font scale: every size is a fixed share
        self.grid = dense_grid([x for _, (xs, _) in self.runs for x in xs])
        self.lo, self.hi = fit_ylim or curve_limits(self.runs, self.grid)
        self.edge_x = np.asarray(self.grid)[::EDGE_MARK_EVERY]  # where edge marks may stand
        self.at = {name: i for i, name in enumerate(self.net.names)}  # index in θ
        self.colours = neuron_colours(len(self.net.ow_at))
        self.owner = owners(self.net)
        self.fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
        self.canvas: Any = FigureCanvasAgg(self.fig)  # Agg's blitting calls are untyped
        self.animated: list[Any] = []
        self.typed: list[tuple[Text, Typewriter, float]] = []  # text, its writer, line pitch
        self.writers: dict[tuple[float, Any], Typewriter] = {}
        self.png_scratch = png_rows(height, width)  # reused: no 6 MB allocation a frame
        self.digits = 4  # significant digits of the values beside the legend
        outer = self.fig.add_gridspec(2, 1, height_ratios=(2, 1))
        if not landscape_fits(width, height):
            land = None
        ratios = (2.7, 1) if land is None else (2.7, LANDSCAPE_SHARE, 1)  # the fit stays largest
        top = outer[0].subgridspec(1, len(ratios), width_ratios=ratios)
        self.curves_ax = self.fig.add_subplot(top[0])
        self._curves(samples)
        self.landscape = None if land is None else self._landscape(top[1], land, plain_sum(ratios))
        side = self.fig.add_subplot(top[-1])
        self._legend(side)
        self._histories(outer[1])
        self._freeze(side)

    def _freeze(self, side: Axes) -> None:
        """Lay the figure out once and keep its static parts as the background of every frame."""
        self.canvas.draw()
        self.fig.set_layout_engine("none")
        self._side(side)  # placed now that the legend has its final size
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def _animate(self, artist: Any) -> Any:
        artist.set_animated(True)
        self.animated.append(artist)
        return artist

    def _type(self, text: Text, pitch: float = 0.0) -> Text:
        """A Text whose changing content a Typewriter draws, not matplotlib."""
        text.set_animated(True)  # not part of the background
        key = (float(text.get_fontsize()), text.get_color())
        if key not in self.writers:
            self.writers[key] = Typewriter(*key)
        self.typed.append((text, self.writers[key], pitch))
        return text

    def _ticks(self, ax: Axes) -> None:
        s = self.s
        ax.tick_params(labelsize=pt(9, s), length=3 * s, pad=2 * s)
        for axis in (ax.xaxis, ax.yaxis):
            axis.get_offset_text().set_fontsize(pt(9, s))

    def _curves(self, samples: Samples) -> None:
        """Top panel: each neuron's contribution and the prediction over a dense grid, with the
        samples on top of them and marks where a curve leaves the panel."""
        ax, s = self.curves_ax, self.s
        ax.set_xlim(self.grid[0], self.grid[-1])
        ax.set_ylim(self.lo, self.hi)
        ax.axhline(0.0, color="0.85", lw=0.8 * s, zorder=0)
        n = len(self.colours)
        long_labels = 0.27 * self.size[0] >= 16 * pt(10, s) * DPI / 72  # fit the side column
        # The prediction goes under the neurons, wider, so a neuron equal to it still shows.
        line = ax.plot([], [], color=PREDICTION, lw=5 * s, alpha=0.7, label="prediction")
        self.prediction = self._animate(line[0])
        self.contributions = [
            self._animate(
                ax.plot([], [], color=c, lw=2 * s, label=neuron_label(j, n, long_labels))[0]
            )
            for j, c in enumerate(self.colours, start=1)
        ]
        self.edges = [
            self._animate(
                ax.plot([], [], m, color="0.15", ms=7 * s, clip_on=False, in_layout=False)[0]
            )
            for m in ("^", "v")
        ]
        xs, ys = samples
        self._animate(ax.plot(xs, ys, "o", color="black", ms=7 * s, label="samples")[0])
        ax.set_xlabel("x", fontsize=pt(11, s))
        ax.set_ylabel("y", fontsize=pt(11, s))
        self._ticks(ax)
        size = pt(14, s)
        self._fit_title(int(self.size[0] / (0.602 * size * DPI / 72)) - 2)
        # Over the whole width, so that it fits even the smallest frames.
        title = self.fig.suptitle(self._title(0), fontsize=size, family="monospace")
        self.title = self._type(title)

    def _landscape(self, spec: Any, land: Landscape, share: float) -> LandscapePanel:
        """The loss surface under the path, its text wrapped to the panel's width."""
        size = pt(9 * panel_scale(self.size[1]) / 1.6, self.s)
        width = self.size[0] * LANDSCAPE_SHARE / share * 0.8  # less the colour bar and margins
        chars = max(16, int(width / (0.55 * size * DPI / 72)))
        ax = self.fig.add_subplot(spec)
        panel = draw_landscape(ax, land, panel_scale(self.size[1]), MIN_PT, chars, notes=False)
        self.animated += panel.artists
        return panel

    def _legend(self, ax: Axes) -> None:
        """Right of the curves: the legend; the parameter values go below it."""
        ax.set_axis_off()
        handles, labels = self.curves_ax.get_legend_handles_labels()
        order = [labels.index("samples"), *(i for i, t in enumerate(labels) if t != "samples")]
        self.legend = ax.legend(
            [handles[i] for i in order], [labels[i] for i in order], loc="upper left",
            fontsize=pt(10, self.s), borderaxespad=0.0, handlelength=1.5, handletextpad=0.5,
            borderpad=0.3,
        )  # fmt: skip
        self.legend.set_in_layout(False)

    def _side(self, ax: Axes) -> None:
        """Under the legend: the values of the trained parameters, then the frozen ones, in as
        many rows as fit; the divergence notice, if any, at the bottom."""
        size = pt(10, self.s)
        line = self._line_pitch(ax, size)
        advance = 0.602 * size * DPI / 72  # DejaVu Sans Mono's advance is 0.602 em
        self.width = max(map(len, self.net.names))
        chars = int((ax.bbox.x1 - ax.bbox.x0) // advance)
        per_row = max(1, chars // (self.width + 15))
        if per_row == 1:  # one column: no padding, and 3 digits where 4 would not fit
            self.width = 0
            self.digits = 4 if chars >= max(map(len, self.net.names)) + 13 else 3
        trained = [n for n in self.net.names if n not in self.frozen]
        frozen = [n for n in self.net.names if n in self.frozen]
        rows = value_rows(trained, self.owner, per_row)
        if frozen:
            rows += [["frozen:"], *value_rows(frozen, {}, per_row)]
        bottom = ax.bbox.y0 + (self._notice(ax, size) if self.run.diverged else 0.0)
        top = self.legend.get_window_extent().y0 - 0.8 * line
        fit = max(1, int((top - bottom) // line))
        if len(rows) > fit:
            more = sum(name in self.net.names for r in rows[fit - 1 :] for name in r)
            rows = [*rows[: fit - 1], [f"… and {more} more"]]
        # Rows of one colour share one multi-line text: a text costs a layout per frame.
        self.values: list[tuple[Text, list[list[str]]]] = []
        for first, block in blocks(rows, lambda names: self._row_colour(names)):
            text = ax.text(
                ax.bbox.x0, top - first * line, "", transform=IdentityTransform(), va="top",
                family="monospace", fontsize=size, color=self._row_colour(block[0]),
            )  # fmt: skip
            if block[0][0] in self.net.names and block[0][0] not in self.frozen:
                self.values.append((self._type(text, line), block))
            else:  # static: drawn into the background once
                text.set_text(self._rows_text(block, self.run.steps[0].params))
                self.fig.draw_artist(text)

    def _line_pitch(self, ax: Axes, size: float) -> float:
        """Pixels from one line of a multi-line monospace text at `size` to the next."""
        renderer = self.canvas.get_renderer()
        one, two = (
            ax.text(0, 0, text, family="monospace", fontsize=size).get_window_extent(renderer)
            for text in ("x", "x\nx")
        )
        ax.texts[-1].remove()
        ax.texts[-1].remove()
        return float(two.height - one.height)

    def _notice(self, ax: Axes, size: float) -> float:
        """The divergence notice at the bottom of the side column; the height it takes."""
        assert self.run.diverged is not None
        d = self.run.diverged
        chars = max(12, int((ax.bbox.x1 - ax.bbox.x0) / (0.7 * size * DPI / 72)) - 1)  # bold
        wrapped = textwrap.fill(f"diverged at step {d.step}: {d.reason}", chars)
        self.divergence = self._animate(
            ax.text(
                ax.bbox.x0, ax.bbox.y0, wrapped, transform=IdentityTransform(), va="bottom",
                color=DIVERGED, fontsize=size, fontweight="bold", visible=False,
                bbox={"facecolor": "white", "edgecolor": DIVERGED, "pad": 3},
            )
        )  # fmt: skip
        self.divergence.set_visible(True)  # an invisible text measures as nothing
        text = self.divergence.get_window_extent(self.canvas.get_renderer()).height
        self.divergence.set_visible(False)
        return float(text) + 4 * size * DPI / 72  # its box's padding and a line of space

    def _row_colour(self, names: list[str]) -> Any:
        if names[0] in self.frozen or names[0] not in self.net.names:
            return FROZEN if self.frozen else "black"
        j = self.owner.get(names[0])
        return "black" if j is None else self.colours[j]

    def _rows_text(self, rows: list[list[str]], params: Sequence[float]) -> str:
        """Lines of `name = value`, or a row's own words where it names no parameter."""
        return "\n".join(
            "  ".join(
                f"{n:>{self.width}} = {params[self.at[n]]:<10.{self.digits}g}" for n in names
            ).rstrip()
            if names[0] in self.at
            else names[0]
            for names in rows
        )

    def _histories(self, spec: Any) -> None:
        """Bottom third: the loss and the gradient of every trained parameter, as many panels
        as fit legibly; each history faint in full, strong up to the current step."""
        width, height = self.size
        rows_cap = max(1, int(height / 3 // PANEL_PX[1]))
        cols_cap = max(2, int(width // PANEL_PX[0])) - 1
        trained = [n for n in self.net.names if n not in self.frozen]
        self.groups = groups = gradient_groups(trained, rows_cap * cols_cap)
        rows, cols = panel_grid(len(groups), rows_cap, cols_cap)
        grid = spec.subgridspec(rows, cols + 1, width_ratios=(1.3, *[1] * cols))
        steps = self.run.steps
        thin = math.ceil(len(steps) / HISTORY_POINTS)
        self.hx = np.array(sorted({*range(0, len(steps), thin), len(steps) - 1}))
        self.tracks: list[tuple[Line2D, np.ndarray]] = []
        self.marks: list[tuple[Any, np.ndarray]] = []  # a panel's current dots, its histories
        self.veils: list[Rectangle] = []
        self.outside: list[tuple[Text, np.ndarray, float, float]] = []
        losses = np.array([st.loss for st in steps])
        loss_ax = self._panel(self.fig.add_subplot(grid[:, 0]), self.loss_name, True)
        self._track(loss_ax, losses, PREDICTION)
        loss_axis(loss_ax, [st.loss for r, _ in self.runs for st in r.steps])
        self._best(loss_ax, losses)
        grads = np.array([st.grads for st in steps])
        for i, (title, names) in enumerate(groups):
            r, c = divmod(i, cols)
            last_row = r == rows - 1 or i + cols >= len(groups)
            ax = self._panel(
                self.fig.add_subplot(grid[r, c + 1]), f"∂{self.loss_name}/∂{title}", last_row
            )
            history = grads[:, [self.at[n] for n in names]]
            peers = list(self._peer_grads(names))
            lo, hi = history_limits(
                [*history.T.tolist(), *(h.tolist() for h, _ in peers)],
                [healthy(self.run)] * len(names) + [n for _, n in peers],
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
        s = self.s
        ax.plot([best], [losses[best]], "o", mfc="none", mec="black", ms=9 * s, mew=1.5 * s)
        if losses[-1] > losses[0]:
            ax.title.set(text=f"{self.loss_name} ends above step 0", color=DIVERGED)
        else:
            ax.title.set_text(f"{self.loss_name}, best at step {best}")

    def _peer_grads(self, names: list[str]) -> Iterable[tuple[np.ndarray, int]]:
        """The gradient histories of `names` in the compared runs that have them, each with
        how many of its steps came before its run diverged."""
        for run, _ in self.runs[1:]:
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
        self.veils.append(self._animate(veil))
        dots = ax.scatter(np.zeros(len(colours)), history[0], s=(2.5 * self.s) ** 2, c=colours)
        self.marks.append((self._animate(dots), history))

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
        self.outside.append((self._type(text), history, lo, hi))

    def _colour(self, name: str) -> Any:
        """A parameter's colour: its last-layer neuron's; the output bias the prediction's."""
        if name == "ob":
            return readable(PREDICTION)
        j = self.owner.get(name)
        return "0.3" if j is None else self.colours[j]

    def _panel(self, ax: Axes, what: str, tick_labels: bool) -> Axes:
        """A history panel over all steps, titled with what it shows."""
        s = self.s
        ax.set_title(what, fontsize=pt(10, s), pad=3 * s)
        ax.set_xlim(*padded(0, max(self.end, 1), 0.02))
        ax.xaxis.set_major_locator(MaxNLocator(3, integer=True))
        ax.tick_params(labelbottom=tick_labels)
        ax.axhline(0.0, color="0.85", lw=0.8 * s, zorder=0)
        self._ticks(ax)
        return ax

    def _track(self, ax: Axes, history: np.ndarray, colour: Any) -> None:
        """The whole history drawn faintly now; the strong part up to step k and a dot per frame."""
        s = self.s
        ax.plot(self.hx, history[self.hx], color=colour, lw=s, alpha=0.3)
        # One artist for the strong part and the dot on its end: a frame draws half as many.
        past = ax.plot([], [], "o-", color=colour, lw=1.8 * s, ms=5 * s, markevery=[-1])
        self.tracks.append((self._animate(past[0]), history))

    def _fit_title(self, room: int) -> None:
        """Make the title fit `room` characters at every step: first in its terse form, then
        with the end of the label cut. Every field has a fixed width, so it never jumps."""
        self.step_width = len(str(self.planned))
        self.loss_width = max(len(f"{s.loss:.6g}") for s in self.run.steps)
        if len(self._title(0)) > room:
            self.terse = True
        excess = len(self._title(0)) - room
        if excess > 0 and self.label:
            name = self.label.rstrip()
            self.label = f"{name[: max(0, len(name) - excess - 1)]}…  "

    def _title(self, k: int) -> str:
        """The title at step k: the label, the step, the loss and the learning rate."""
        train = self.run.config.train
        step = f"{k:>{self.step_width}}"
        stopped = f" (stopped at {self.last})" if self.run.diverged else ""
        loss = f"{self.run.steps[k].loss:<{self.loss_width}.6g}"
        rate = f"{train.lr:g}" + ("" if train.optimizer == "gd" else f" ({train.optimizer})")
        if self.terse:
            terse = [
                f"step {step}/{self.planned}{stopped}",
                f"{self.loss_name} {loss}",
                f"lr {rate}",
            ]
            return self.label + "  ".join(terse)
        where = f"step {step} of {self.planned}{stopped}"
        return self.label + "   ".join([where, f"{self.loss_name} = {loss}", f"lr = {rate}"])

    def update(self, k: int) -> None:
        """Point every animated artist at step k."""
        state = self.run.steps[k]
        preds, contributions = self.net.predict(state.params, self.grid)
        curves = np.array([preds, *contributions])
        for line, ys in zip([self.prediction, *self.contributions], curves, strict=True):
            line.set_data(self.grid, np.clip(ys, self.lo, self.hi))
        sample = curves[:, ::EDGE_MARK_EVERY]
        for mark, beyond, edge in (
            (self.edges[0], (sample > self.hi).any(axis=0), self.hi),
            (self.edges[1], (sample < self.lo).any(axis=0), self.lo),
        ):
            xs = self.edge_x[beyond]
            mark.set_data(xs, np.full(len(xs), edge))
            mark.set_visible(len(xs) > 0)  # an empty artist still costs a draw
        self.title.set_text(self._title(k))
        for text, rows in self.values:
            text.set_text(self._rows_text(rows, state.params))
        past_x = np.append(self.hx[: int(np.searchsorted(self.hx, k))], k)
        for past, history in self.tracks:
            past.set_data(past_x, history[past_x])
        for dots, history in self.marks:
            dots.set_offsets(np.column_stack([np.full(history.shape[1], k), history[k]]))
        for veil in self.veils:
            veil.set_x(k)
            veil.set_width(self.end + 1 - k)
        for text, history, lo, hi in self.outside:
            text.set_text(outside_note(history[k], lo, hi))
        if self.run.diverged:
            self.divergence.set_visible(k == self.last)
        if self.landscape is not None:
            self.landscape.update(k)

    def png(self) -> bytes:
        """The current frame as PNG bytes: the background plus the animated artists."""
        self.canvas.restore_region(self.background)
        for artist in self.animated:
            self.fig.draw_artist(artist)
        pixels = np.asarray(self.canvas.buffer_rgba())
        for text, writer, pitch in self.typed:
            writer.type(pixels, text, pitch)
        return encode_png(pixels, self.png_scratch)

    def render(self, k: int) -> bytes:
        """The PNG of step k."""
        self.update(k)
        return self.png()
