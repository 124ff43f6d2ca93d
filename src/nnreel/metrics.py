"""Headline numbers, the per-step history table and the report page of a training run."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nnreel.checkpoints import Run
from nnreel.config import Config
from nnreel.network import Net, Samples, plain_sum
from nnreel.video import video_seconds

DEAD = 1e-12  # an activation derivative below this passes no gradient back
NEGLIGIBLE = 1e-3  # of the targets' range: a contribution that varies less shapes nothing
LOSS_NAMES = {"ssr": "SSR (sum of squared residuals)", "mse": "MSE (mean squared residual)"}


def finite_or_none(x: float) -> float | None:
    """`x`, or None where JSON could only hold NaN or Infinity."""
    return x if math.isfinite(x) else None


def fit_quality(
    net: Net, theta: Sequence[float], xs: Sequence[float], ys: Sequence[float]
) -> tuple[float | None, float | None]:
    """RMSE and R² of the predictions at the samples (None where undefined or not finite)."""
    predictions, _ = net.predict(theta, xs)
    ssr = plain_sum((y - p) * (y - p) for y, p in zip(ys, predictions, strict=True))
    mean = plain_sum(ys) / len(ys)
    sst = plain_sum((y - mean) * (y - mean) for y in ys)
    r2 = 1.0 - ssr / sst if sst > 0 else math.nan
    return finite_or_none(math.sqrt(ssr / len(ys))), finite_or_none(r2)


def dead_neurons(net: Net, theta: Sequence[float], xs: Sequence[float]) -> list[int]:
    """Last-layer neurons (1-based) whose activation derivative is ~0 at every sample."""
    W, B, _, _ = net.unpack(theta)
    slopes = net.forward(W, B, xs)[2][-1]
    return [j for j, ds in enumerate(slopes, start=1) if all(abs(d) < DEAD for d in ds)]


def negligible_neurons(
    net: Net, theta: Sequence[float], xs: Sequence[float], ys: Sequence[float]
) -> list[int]:
    """Last-layer neurons (1-based) whose contribution ow_j·a_j varies over the samples by less
    than NEGLIGIBLE of the targets' range: they barely shape the prediction."""
    _, contributions = net.predict(theta, xs)
    scale = NEGLIGIBLE * (max(ys) - min(ys))
    return [j for j, c in enumerate(contributions, start=1) if max(c) - min(c) < scale]


def steps_run(run: Run) -> int:
    """The last step training reached (a diverged step may have no record)."""
    return int(run.diverged["step"]) if run.diverged else run.steps[-1].step


def metrics(run: Run, samples: Samples, n_frames: int, video: tuple[int, float]) -> dict[str, Any]:
    """The metrics.json mapping; `video` is (fps, hold_last_s)."""
    xs, ys = samples
    net = Net(run.config.model.arch)
    losses = [s.loss for s in run.steps]
    best = losses.index(min(losses))
    final = run.steps[-1]
    rmse, r2 = fit_quality(net, final.params, xs, ys)
    return {
        "loss": run.config.train.loss,
        "initial_loss": losses[0],
        "final_loss": final.loss,
        "best_loss": losses[best],
        "best_step": run.steps[best].step,
        "rmse": rmse,
        "r2": r2,
        "steps_run": steps_run(run),
        "diverged": run.diverged is not None,
        "diverged_step": run.diverged["step"] if run.diverged else None,
        "diverged_reason": run.diverged["reason"] if run.diverged else None,
        "dead_neurons": dead_neurons(net, final.params, xs),
        "negligible_neurons": negligible_neurons(net, final.params, xs, ys),
        "n_frames": n_frames,
        "video_seconds": video_seconds(n_frames, *video),
    }


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
