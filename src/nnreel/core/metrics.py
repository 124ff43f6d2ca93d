"""The headline numbers of a training run: fit quality, dead and negligible neurons."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nnreel.core.network import Net, Samples, plain_sum
from nnreel.core.run import Run

DEAD = 1e-12  # an activation derivative below this passes no gradient back
NEGLIGIBLE = 1e-3  # of the targets' range: a contribution that varies less shapes nothing


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
    return run.diverged.step if run.diverged else run.steps[-1].step


def run_metrics(run: Run, samples: Samples, n_frames: int, film_seconds: float) -> dict[str, Any]:
    """The metrics.json mapping, for a film of `n_frames` frames lasting `film_seconds`."""
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
        "diverged_step": run.diverged.step if run.diverged else None,
        "diverged_reason": run.diverged.reason if run.diverged else None,
        "dead_neurons": dead_neurons(net, final.params, xs),
        "negligible_neurons": negligible_neurons(net, final.params, xs, ys),
        "n_frames": n_frames,
        "video_seconds": film_seconds,
    }
