"""The report's words and tables: report.md, history.tsv and paths.tsv.

Only the report stage reads this module, so an edit to its prose reruns that stage alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nnreel.config.schema import Config
from nnreel.core.landscape import Landscape
from nnreel.core.run import Run
from nnreel.records.faithfulness import faithfulness

LOSS_NAMES = {"ssr": "SSR (sum of squared residuals)", "mse": "MSE (mean squared residual)"}


def history_header(names: Sequence[str]) -> list[str]:
    return ["step", "loss", *names, *(f"grad_{n}" for n in names)]


def history_lines(run: Run) -> list[str]:
    """history.tsv: one row per recorded step; floats with repr, so they read back exactly."""
    rows = [[str(s.step), *map(repr, [s.loss, *s.params, *s.grads])] for s in run.steps]
    return ["\t".join(row) + "\n" for row in [history_header(run.names), *rows]]


def path_lines(run: Run) -> list[str]:
    """paths.tsv: one row per step and parameter (long form), so that plots of runs with
    different parameters can be drawn together."""
    rows = [
        f"{s.step}\t{name}\t{s.params[i]!r}\n"
        for i, name in enumerate(run.names)
        for s in run.steps
    ]
    return ["step\tparam\tvalue\n", *rows]


def fmt(x: object) -> str:
    """A number for people: 6 significant digits; None as n/a."""
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def listed(neurons: Sequence[int]) -> str:
    return ", ".join(map(str, neurons)) or "none"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]


def describe(trained: Config, target: str, n_samples: int) -> list[str]:
    """Bullet points saying what was trained."""
    m, t = trained.model, trained.train
    widths = " → ".join(["1", *map(str, m.hidden), "1"])
    extra = {"momentum": f", momentum {t.momentum:g}", "gd": ""}.get(
        t.optimizer, f", β₁ {t.beta1:g}, β₂ {t.beta2:g}, ε {t.eps:g}"
    )
    lines = [
        f"- **Data:** `{target}`, {n_samples} samples",
        f"- **Network:** {widths}, `{m.activation}` activation, "
        + ("with" if m.output_bias else "no")
        + " output bias",
        f"- **Optimizer:** `{t.optimizer}`{extra}, learning rate {t.lr:g}, {t.steps} steps",
        f"- **Loss:** {LOSS_NAMES[t.loss]}",
        f"- **Seed:** {trained.seed}, initial sigma {m.init.sigma:g}",
    ]
    if t.frozen:
        lines.append("- **Frozen:** " + ", ".join(f"`{n}`" for n in t.frozen))
    return lines


def headline(m: dict[str, Any]) -> list[str]:
    """The metrics as a two-column table, and a warning line if training diverged."""
    rows = [
        (f"initial {m['loss']}", m["initial_loss"]),
        (f"final {m['loss']}", m["final_loss"]),
        (f"best {m['loss']}", f"{fmt(m['best_loss'])} at step {m['best_step']}"),
        ("RMSE at the samples", m["rmse"]),
        ("R² at the samples", m["r2"]),
        ("steps run", m["steps_run"]),
        ("dead neurons (zero slope at every sample)", listed(m["dead_neurons"])),
        (
            "negligible neurons (contribution varies < 0.1% of the targets' range)",
            listed(m["negligible_neurons"]),
        ),
        ("film", f"{m['n_frames']} frames, {m['video_seconds']:.3g} s"),
    ]
    lines = table(["metric", "value"], rows)
    if m["diverged"]:
        lines += ["", f"**Diverged at step {m['diverged_step']}:** {m['diverged_reason']}"]
    return lines


def report_markdown(run: Run, target: str, n_samples: int, m: dict[str, Any], gif: bool) -> str:
    """report.md; it links only to the images and films beside it in reports/."""
    final = run.steps[-1]
    film = "[![The training film](preview/training.gif)](training.mp4)" if gif else ""
    params = list(zip(run.names, final.params, final.grads, strict=True))
    sections = [
        ["# nnreel training report"],
        ["## What was trained", "", *describe(run.config, target, n_samples)],
        ["## Result", "", *headline(m)],
        ["## Loss", "", "![Loss per step](loss.png)"],
        ["## Final fit", "", "![Final fit against the samples](fit.png)"],
        ["## Film", "", f"[training.mp4](training.mp4) ({m['video_seconds']:.3g} s)", "", film],
        ["### First frame", "", "![First frame](first_frame.png)"],
        ["### Final frame", "", "![Final frame](final_frame.png)"],
        [
            "## Viewer",
            "",
            "[viewer.html](viewer.html): every step, to scrub, play and inspect offline",
        ],
        [
            f"## Final parameters (step {final.step})",
            "",
            *table(["parameter", "value", f"∂{m['loss']}/∂parameter"], params),
        ],
    ]
    return "\n\n".join("\n".join(s).rstrip() for s in sections) + "\n"


def report_section(land: Landscape) -> str:
    """The report's landscape section: the picture and how faithful it is."""
    picture = "![The path on the loss landscape](landscape.png)"
    return "\n\n".join(["## Loss landscape", faithfulness(land), picture])
