"""The look every picture shares: resolution, colours and the smallest legible font."""

from __future__ import annotations

from typing import Any

from matplotlib import colormaps
from matplotlib.colors import to_rgb

DPI = 100
MIN_PT = 10.6  # DejaVu's x-height is 0.547 em: at 100 dpi, 10.6 pt keeps it above 8 px
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
