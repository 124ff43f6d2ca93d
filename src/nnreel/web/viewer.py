"""The offline viewer: one self-contained HTML page that draws every step of runs.

The page holds each run's checkpoint records (as packed doubles), its samples and, for a
single run, its loss landscape as JSON and draws with plain canvas code (the files of
`web/assets/` named in SCRIPTS, joined into one inline script); its forward pass mirrors
`Net.predict` operation by operation. A strict
Content-Security-Policy allows only the page's own inline script and style, by hash, so any
request the page might make fails loudly.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import struct
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from nnreel.config.architecture import Architecture, param_kind
from nnreel.core.landscape import Landscape
from nnreel.core.limits import curve_limits, dense_grid, healthy, history_limits, quantile
from nnreel.core.network import Net, Samples, neuron_params
from nnreel.core.run import Run
from nnreel.records.faithfulness import faithfulness
from nnreel.records.files import package_text

FORMAT = "nnreel-viewer/1"
SPEEDS = (0.25, 0.5, 1, 2, 4, 8)  # playback speeds offered, as multiples of video.fps
# A network of more parameters has its histories drawn as one band per kind of parameter: a
# cell per parameter would make the page too tall and too slow to draw.
MAX_HISTORIES = 256
BAND = (0.0, 0.1, 0.5, 0.9, 1.0)  # the quantiles a band draws: min, 10%, median, 90%, max
# The page's script: these files of web/assets/, joined in this order inside one closure, so
# each file uses the names the files before it declare.
SCRIPTS = (
    "numbers.js",
    "network.js",
    "plot_rect.js",
    "canvas.js",
    "fit_panel.js",
    "history_panel.js",
    "values_panel.js",
    "landscape.js",
    "page.js",
    "controls.js",
)
SCRIPT_START = (
    '"use strict";\n'
    "// nnreel viewer: every panel draws the one current step from the run's own numbers.\n"
    "(() => {\n"
)
SCRIPT_END = "})();\n"


def packed(values: Sequence[float]) -> str:
    """Floats as base64 of little-endian IEEE doubles: exact, and fast for the page to read."""
    return base64.b64encode(struct.pack(f"<{len(values)}d", *values)).decode("ascii")


def describe(run: Run) -> str:
    """A one-line summary of what made the run."""
    model, train = run.config.model, run.config.train
    layers = "x".join(map(str, model.hidden))
    return f"{layers} {model.activation} · {train.optimizer} lr={train.lr:g} · {train.loss}"


def axis_title(land: Landscape, i: int) -> str:
    """An axis's name; a PCA axis says how much of the path's variance runs along it."""
    share = land.tracks[0].explained[i]
    if land.mode == "pca" and share > 0:
        return f"{land.labels[i]} ({100 * share:.3g}% of the path's variance)"
    return land.labels[i]


def landscape_data(land: Landscape) -> dict[str, Any]:
    """The surface and the path on it, packed exactly: the page's landscape panel."""
    (t,) = land.tracks
    return {
        "mode": land.mode,
        "labels": [axis_title(land, i) for i in range(len(land.labels))],
        "axes": [packed(a) for a in land.axes],
        "loss": packed([v for row in land.loss for v in row]),
        "coords": [packed(c) for c in t.coords],
        "residual": packed(t.residual),
        "slope": packed(t.slope),
        "diverged_step": t.diverged_step,
        "faithfulness": faithfulness(land).replace("`", ""),  # markdown quotes, not for the page
    }


def bands(names: list[str], columns: list[list[float]], typical: int) -> list[dict[str, Any]]:
    """Per kind of parameter, the BAND quantiles of its finite values at every step (NaN
    where none is finite), packed, with the limits of its panel (judged on the first
    `typical` steps, as a history's)."""
    out = []
    for k in dict.fromkeys(map(param_kind, names)):
        members = [c for n, c in zip(names, columns, strict=True) if param_kind(n) == k]
        steps = [sorted(v for v in vs if math.isfinite(v)) for vs in zip(*members, strict=True)]
        tracks = [[quantile(vs, q) if vs else math.nan for vs in steps] for q in BAND]
        lim = history_limits(tracks, [typical] * len(tracks))
        out.append(
            {"kind": k, "count": len(members), "tracks": [packed(t) for t in tracks], "limits": lim}
        )
    return out


def network_tables(arch: Architecture) -> dict[str, Any]:
    """Where each parameter sits in θ, as Net finds it from the parameters' names: the page's
    forward pass reads these tables and never rebuilds a name. Per hidden layer, each neuron's
    incoming weights and its bias; each last-layer neuron's output weight; the output bias's
    index, or None."""
    net = Net(arch)
    return {
        "activation": arch.activation,
        "weights": net.w_at,
        "biases": net.b_at,
        "output_weights": net.ow_at,
        "output_bias": net.ob_at,
    }


def run_data(
    run: Run,
    samples: Samples,
    label: str,
    grid_points: int,
    land: Landscape | None = None,
    fit_ylim: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """Everything the page draws for one run: the checkpoint records column by column, and
    the loss landscape under its path when given one. The fit's y-limits are the run's own
    unless given."""
    arch = run.config.model.arch
    names = run.names
    at = {name: i for i, name in enumerate(names)}
    grid = dense_grid(samples[0], grid_points)

    def limits(values: list[float]) -> tuple[float, float]:  # as the film's history panels
        return history_limits([values], [healthy(run)])

    params = [[s.params[i] for s in run.steps] for i in range(len(names))]
    grads = [[s.grads[i] for s in run.steps] for i in range(len(names))]
    summary = len(names) > MAX_HISTORIES

    return {
        "label": label,
        "summary": describe(run),
        "names": names,
        "network": network_tables(arch),
        # each last-layer neuron's parameters, as indices into θ: the page colours them as it
        "neuron_params": [[at[n] for n in ps] for ps in neuron_params(arch)],
        "frozen": [n for n in names if n in run.config.train.frozen],
        "loss_name": run.config.train.loss.upper(),
        "diverged": run.diverged and asdict(run.diverged),
        "samples": {"x": samples[0], "y": samples[1]},
        "grid": grid,
        "fit_ylim": fit_ylim or curve_limits([(run, samples)], grid),
        "loss": packed([s.loss for s in run.steps]),
        "limits": {
            "loss": limits([s.loss for s in run.steps]),
            "params": [] if summary else [limits(c) for c in params],
            "grads": [] if summary else [limits(c) for c in grads],
        },
        "params": [packed(c) for c in params],
        "grads": [packed(c) for c in grads],
        "bands": {
            "params": bands(names, params, healthy(run)),
            "grads": bands(names, grads, healthy(run)),
        }
        if summary
        else None,
        "landscape": landscape_data(land) if land is not None else None,
    }


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def policy(script: str, style: str) -> str:
    """Nothing may load or connect; only this page's own script and style may run."""
    return (
        f"default-src 'none'; script-src {csp_hash(script)}; style-src {csp_hash(style)}; "
        "img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def data_json(value: Any) -> str:
    """JSON that cannot end the <script> element holding it."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_script() -> str:
    """The SCRIPTS of web/assets/ joined into the page's one script."""
    return SCRIPT_START + "".join(package_text(f"web/assets/{n}") for n in SCRIPTS) + SCRIPT_END


def page(title: str, runs: list[dict[str, Any]], fps: int) -> str:
    """The whole HTML page for one run (the viewer) or 2 to 4 runs (a comparison), with the
    package's viewer script (SCRIPTS) and web/assets/viewer.css inline."""
    script, style = page_script(), package_text("web/assets/viewer.css")
    data = {"format": FORMAT, "fps": fps, "speeds": list(SPEEDS), "runs": runs}
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta http-equiv="Content-Security-Policy" '
            f'content="{html.escape(policy(script, style))}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{style}</style>",
            "</head>",
            "<body>",
            f'<script id="nnreel-data" type="application/json">{data_json(data)}</script>',
            "<noscript>The nnreel viewer needs JavaScript.</noscript>",
            f"<script>{script}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def identical(runs: dict[str, tuple[Run, Samples]]) -> dict[str, str]:
    """Each run whose every step and sample equals an earlier run's, mapped to that run."""

    def result(name: str) -> tuple[Any, ...]:
        run, samples = runs[name]
        return run.names, run.steps, samples

    twins: dict[str, str] = {}
    for i, b in enumerate(runs):
        same = [a for a in list(runs)[:i] if a not in twins and result(a) == result(b)]
        if same:
            twins[b] = same[0]
    return twins


def compare_page(runs: dict[str, tuple[Run, Samples]], fps: int, grid_points: int) -> str:
    """One page for 2 to 4 runs under one slider; each run stops at its own last step. The
    fits share the y-limits of the comparison's film: a run far from the others (one that
    diverged) runs along the edge instead of flattening them."""
    peers = list(runs.values())
    fit_ylim = curve_limits(peers, dense_grid([x for _, (xs, _) in peers for x in xs]))
    data = [run_data(r, s, label, grid_points, None, fit_ylim) for label, (r, s) in runs.items()]
    twins = identical(runs)
    for d in data:
        d["same_as"] = twins.get(d["label"])  # drawn dashed over it, and said so
    return page("nnreel: runs compared", data, fps)
