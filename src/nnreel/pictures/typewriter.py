"""Monospace text drawn by copying cached character cells, not laid out by matplotlib."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from nnreel.pictures.style import DPI


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


class Typesetter:
    """The texts of a figure that Typewriters draw, one Typewriter per font size and colour."""

    def __init__(self) -> None:
        self.texts: list[tuple[Text, Typewriter, float]] = []  # text, its writer, line pitch
        self.writers: dict[tuple[float, Any], Typewriter] = {}

    def add(self, text: Text, pitch: float = 0.0) -> Text:
        """`text`, from now on drawn by a Typewriter, not matplotlib; lines `pitch` apart."""
        text.set_animated(True)  # not part of the background
        key = (float(text.get_fontsize()), text.get_color())
        if key not in self.writers:
            self.writers[key] = Typewriter(*key)
        self.texts.append((text, self.writers[key], pitch))
        return text

    def type(self, pixels: np.ndarray) -> None:
        """Copy every text, as it reads now, into `pixels`."""
        for text, writer, pitch in self.texts:
            writer.type(pixels, text, pitch)
