"""ffmpeg command lines that turn the frames into an H.264 MP4 and a GIF preview.

Everything here is plain data: paths in, argument lists and text out. ffmpeg reads the PNG
files itself: the MP4 through an image2 glob at the film's rate, so there is exactly one
video frame per PNG however the steps are spaced; the GIF through a concat list of its own
frames, drawn at its size by the render stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

GIF_SECONDS = 4.0  # length of the GIF preview before its hold
THREADS = 1  # fixed: x264's bitstream depends on its thread count; PNG decoding is slower
# swscale's and x264's SIMD paths round differently from their C code, each by CPU: these
# keep to the C code's results (measured: the same bytes as with all assembly switched off).
SCALE_FLAGS = "accurate_rnd+bitexact"
X264 = ("-c:v", "libx264", "-x264-params", "cpu-independent=1", "-pix_fmt", "yuv420p")
# swscale's own RGB→YUV: the BT.601 matrix, limited range
TO_YUV420P = f"scale=flags={SCALE_FLAGS},format=yuv420p"
CRF = 20
BITEXACT = [
    *("-fflags", "+bitexact", "-flags:v", "+bitexact"),
    *("-map_metadata", "-1", "-metadata:s:v:0", "encoder="),
]


def gif_delay_cs(n_frames: int) -> int:
    """Centiseconds per GIF frame for a preview of about GIF_SECONDS (GIF counts in 1/100 s)."""
    return min(10, max(2, round(GIF_SECONDS * 100 / n_frames)))


def gif_hold_frames(hold_last_s: float, delay_cs: int) -> int:
    """How many more GIF frames, `delay_cs` apart, hold the last one for `hold_last_s`."""
    return round(hold_last_s * 100 / delay_cs)


def concat_list(paths: Sequence[Path]) -> str:
    """An ffconcat script listing `paths` (absolute, so the script can live anywhere)."""
    quoted = ["'" + str(p.resolve()).replace("'", "'\\''") + "'" for p in paths]
    return "ffconcat version 1.0\n" + "".join(f"file {q}\n" for q in quoted)


QUIET = ("-nostdin", "-hide_banner", "-loglevel", "error", "-xerror", "-y")


def frames_input(frames: Path, fps: int) -> list[str]:
    """frames/frame_*.png, in name order, as one input at `fps`, two decoding threads."""
    pattern = str(frames / "frame_*.png")  # glob(3): `frames` must hold no [*? characters
    return [
        *("-threads", "2", "-framerate", str(fps)),
        *("-f", "image2", "-pattern_type", "glob", "-i", pattern),
    ]


def film_filters(hold: int) -> str:
    """The filters every film ends with: even sizes, yuv420p with BT.601 colour tags, the
    last frame held `hold` frames more."""
    return ",".join(
        [
            "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white",  # yuv420p needs even sizes
            TO_YUV420P,
            "setparams=colorspace=smpte170m:color_primaries=smpte170m:color_trc=smpte170m:range=tv",
            f"tpad=stop_mode=clone:stop={hold}",
        ]
    )


def film_output(out: Path) -> list[str]:
    """The encoder settings and container of every film: H.264 at CRF, one thread, bitexact."""
    return [
        "-an",
        *(*X264, "-preset", "veryfast", "-crf", str(CRF)),
        *("-threads", str(THREADS), "-filter_threads", "1"),
        *BITEXACT,
        *("-movflags", "+faststart", "-f", "mp4", str(out)),
    ]


def mp4_args(ffmpeg: str, frames: Path, out: Path, fps: int, hold: int) -> list[str]:
    """Encode frames/frame_*.png, in name order, to an H.264 yuv420p MP4 at `fps`, the last
    frame held `hold` frames more. ffmpeg reads the PNGs itself, two decoding threads."""
    return [
        *(ffmpeg, *QUIET, *frames_input(frames, fps)),
        *("-vf", film_filters(hold)),
        *film_output(out),
    ]


def stacked_mp4_args(
    ffmpeg: str, frames: Sequence[Path], out: Path, fps: int, hold: int
) -> list[str]:
    """Like mp4_args, for the frames of 2 to 4 films played together: side by side (2 or 3)
    or in a 2x2 grid (4), one filter graph, encoded as every film is."""
    inputs = "".join(f"[{i}:v]" for i in range(len(frames)))
    if len(frames) == 4:
        stack = f"{inputs}xstack=inputs=4:layout=0_0|w0_0|0_h0|w0_h0"
    else:
        stack = f"{inputs}hstack=inputs={len(frames)}"
    return [
        *(ffmpeg, *QUIET, *(arg for f in frames for arg in frames_input(f, fps))),
        *("-filter_complex", f"{stack},{film_filters(hold)}[v]", "-map", "[v]"),
        *("-filter_complex_threads", "1"),
        *film_output(out),
    ]


def gif_args(
    ffmpeg: str, concat: Path, out: Path, width: int, delay_cs: int, hold: int
) -> list[str]:
    """The listed frames as a GIF, `delay_cs` apart, the last held `hold` more, in one pass:
    the scaled frames are split, one copy makes a 256-colour palette of them all, and the
    other, held, is mapped onto it once the palette is done."""
    graph = (
        f"[0:v]scale={width}:-1:flags=lanczos+{SCALE_FLAGS},split[stats][frames];"
        "[stats]palettegen=stats_mode=full[palette];"
        f"[frames]tpad=stop_mode=clone:stop={hold},settb=1/100,setpts=N*{delay_cs}[held];"
        "[held][palette]paletteuse=dither=sierra2_4a:diff_mode=rectangle"
    )
    return [
        *(ffmpeg, *QUIET, "-f", "concat", "-safe", "0", "-i", str(concat)),
        *("-filter_complex", graph, "-an", "-r", f"100/{delay_cs}"),
        *("-threads", "1", "-filter_threads", "1", "-filter_complex_threads", "1"),
        *BITEXACT,
        *("-loop", "0", "-f", "gif", str(out)),
    ]
