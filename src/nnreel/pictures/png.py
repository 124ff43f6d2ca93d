"""PNG files with reproducible bytes: of matplotlib figures, and of a frame's pixels."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from zlib_ng import zlib_ng

from nnreel.records.files import atomic_path

if TYPE_CHECKING:  # only the type: importing this module does not import matplotlib
    from matplotlib.figure import Figure


def save_png(fig: Figure, path: Path) -> None:
    """A matplotlib figure as PNG, without the Software tag so the bytes are reproducible."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None})


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
