"""The exact loss on a plane (or a line) through the training path.

A plane is an origin θ₀ in parameter space and unit directions d_i; the point with
coordinates c is θ = θ₀ + Σ (c_i - offset_i)·d_i, where `offset_i` makes a named
parameter's axis read in that parameter's own values (0 for PCA axes). Every grid point is
evaluated with the training loss itself, vectorised over the points: no interpolation.

Every stored float is the same on any CPU: sums, products and principal directions come
from nnreel.core.fixed_order, and the activations from the C library's functions that training
calls, never from numpy's or BLAS's code paths chosen by processor.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nnreel.config.schema import LandscapeConfig
from nnreel.core.fixed_order import (
    along,
    combine,
    dot,
    leading_directions,
    norm,
    row_norms,
    sum_of_squares,
    total,
)
from nnreel.core.indices import evenly_spread
from nnreel.core.network import Net, Samples
from nnreel.core.run import Run, Step
from nnreel.errors import ConfigError

TINY = 1e-12  # a direction carrying less than this share of the variance is noise
CHUNK = 4_000_000  # floats held per batch of grid points
PCA_ROWS = 2000  # steps the principal directions are computed from, at most


@dataclass(frozen=True)
class Track:
    """One run's path on the plane: coordinates per step, the loss there, its distance
    from the plane, and (1-D) the recorded slope ∂loss/∂parameter."""

    label: str
    steps: list[int]
    coords: list[list[float]]  # coords[i][k]: axis i at the k-th recorded step
    loss: list[float]
    residual: list[float]
    explained: list[float]  # share of the path's variance (about its last step) per axis
    in_plane: float  # share of the path's variance inside the plane (1 if it never moves)
    slope: list[float]
    diverged_step: int | None


@dataclass(frozen=True)
class Landscape:
    """The surface on the grid and the paths on it; loss[j][i] is at (axes[0][i], axes[1][j])."""

    mode: str  # pca | params | curve (one trainable parameter: a 1-D curve)
    labels: list[str]
    origin: list[float]
    directions: list[list[float]]
    offsets: list[float]
    axes: list[list[float]]
    loss: list[list[float]]  # one row for a curve
    tracks: list[Track]


def libm(f: Callable[[float], float], z: np.ndarray) -> np.ndarray:
    """The C library's `f` over an array, a float at a time, as training calls it: numpy's
    own exp, log1p and tanh differ by CPU."""
    return np.fromiter(map(f, z.ravel().tolist()), float, z.size).reshape(z.shape)


# Loss-only activations over arrays, with the formulas of nnreel.core.network.
def _softplus(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.maximum(z, 0.0) + libm(math.log1p, libm(math.exp, -np.abs(z)))
    return out


def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = libm(math.exp, -np.abs(z))
    out: np.ndarray = np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out


ARRAY_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "softplus": _softplus,
    "relu": lambda z: np.where(z > 0.0, z, 0.0),
    "sigmoid": _sigmoid,
    "tanh": lambda z: libm(math.tanh, z),
    "identity": lambda z: z,
}


def batch_loss(net: Net, thetas: np.ndarray, samples: Samples, loss: str) -> np.ndarray:
    """The training loss at each row of `thetas` (one row per point): forward passes with
    Net.loss_and_grad's operations in its order, so a recorded step's θ gets its recorded loss.

    Far from the path the loss may overflow to inf, as it would in training; no warning.
    """
    xs, ys = (np.asarray(v, dtype=float) for v in samples)
    f = ARRAY_ACTIVATIONS[net.arch.activation]
    below = [np.broadcast_to(xs, (len(thetas), len(xs)))]  # [neuron] -> (points, samples)

    def affine(at: list[int], bias: int | None) -> np.ndarray:
        """θ[at_0]·a_0 (+ θ[bias]) + θ[at_1]·a_1 + …, over `below`, in training's order."""
        out: np.ndarray = thetas[:, at[0], None] * below[0]
        if bias is not None:
            out = out + thetas[:, bias, None]
        for i, a in zip(at[1:], below[1:], strict=True):
            out = out + thetas[:, i, None] * a
        return out

    with np.errstate(over="ignore", invalid="ignore"):
        for w_at, b_at in zip(net.w_at, net.b_at, strict=True):
            below = [f(affine(row, b)) for row, b in zip(w_at, b_at, strict=True)]
        p = affine(net.ow_at, None)
        r = ys - (p if net.ob_at is None else p + thetas[:, net.ob_at, None])
        ssr = r[:, 0] * r[:, 0]
        for i in range(1, len(xs)):
            ssr = ssr + r[:, i] * r[:, i]
    scale = 1.0 / len(xs) if loss == "mse" else 1.0
    out: np.ndarray = ssr * scale
    return out


def points_theta(
    origin: np.ndarray, directions: np.ndarray, offsets: np.ndarray, coords: np.ndarray
) -> np.ndarray:
    """θ at each row of display coordinates `coords` (one row per point)."""
    thetas = np.broadcast_to(origin, (len(coords), len(origin))).copy()
    for i, d in enumerate(directions):
        thetas += (coords[:, i] - offsets[i])[:, None] * d
    return thetas


Plane = tuple[np.ndarray, np.ndarray, np.ndarray]  # origin, directions, offsets


def surface(net: Net, plane: Plane, coords: np.ndarray, s: Samples, loss: str) -> np.ndarray:
    """The loss at every row of `coords`, in batches that bound the memory used."""
    origin, directions, offsets = plane
    chunk = max(1, CHUNK // (len(origin) + sum(net.arch.hidden) * len(s[0])))
    parts = [
        batch_loss(net, points_theta(origin, directions, offsets, coords[i : i + chunk]), s, loss)
        for i in range(0, len(coords), chunk)
    ]
    values = np.concatenate(parts)
    # Far from the path a loss may overflow; the grid stays finite, capped at the largest float.
    out: np.ndarray = np.nan_to_num(values, nan=np.finfo(float).max, posinf=np.finfo(float).max)
    return out


def clipped(run: Run) -> list[Step]:
    """The steps before divergence: a diverged step's own record is dropped."""
    if run.diverged is None:
        return run.steps
    return [s for s in run.steps if s.step < run.diverged.step] or run.steps[:1]


def trainable(run: Run) -> list[int]:
    """Indices of the parameters training may change."""
    frozen = set(run.config.train.frozen)
    return [i for i, name in enumerate(run.names) if name not in frozen]


def unit(n: int, i: int) -> np.ndarray:
    e = np.zeros(n)
    e[i] = 1.0
    return e


def oriented(d: np.ndarray, start: np.ndarray) -> np.ndarray:
    """`d` or -d: the path's start on the positive side, else the largest entry positive."""
    ahead = dot(start, d)
    if abs(ahead) > TINY * norm(start):
        return d if ahead > 0 else -d
    return d if d[np.argmax(np.abs(d))] > 0 else -d


Direction = tuple[str, np.ndarray]  # a name for the axis, and the unit vector


def two_orthonormal(dirs: list[Direction], candidates: Sequence[Direction]) -> list[Direction]:
    """`dirs` extended to two orthonormal directions, taking `candidates` in order."""
    for name, e in candidates:
        if len(dirs) == 2:
            break
        for _, d in dirs:
            e = e - dot(e, d) * d
        size = norm(e)
        if size > 1e-6:
            dirs = [*dirs, (name, e / size)]
    return dirs


def fallbacks(run: Run, n: int) -> list[Direction]:
    """Directions for a path too short to span a plane: the last step's descent direction
    over the trainable parameters (where training was heading), then parameters' own axes."""
    free = trainable(run)
    grad = np.zeros(n)
    grad[free] = np.array(clipped(run)[-1].grads)[free]
    axes = [(run.names[i], unit(n, i)) for i in [*free, *range(n)]]
    return [("descent", -grad), *axes]


def pca_directions(X: np.ndarray, start: np.ndarray, spare: list[Direction]) -> list[Direction]:
    """The two leading principal directions of the rows of X (not re-centred), signs fixed.

    A long run's directions come from evenly spaced steps, which bounds the cost; the shares
    reported for them are still computed over every step.
    """
    rows = X[evenly_spread(len(X), PCA_ROWS)] if len(X) > PCA_ROWS else X
    squares, V = leading_directions(rows, 2)
    noise = TINY * sum_of_squares(rows)
    dirs = [
        (f"PC{i + 1}", oriented(V[i], start)) for i in range(len(squares)) if squares[i] > noise
    ]
    return two_orthonormal(dirs, spare)


def variance_shares(X: np.ndarray, dirs: np.ndarray) -> tuple[list[float], float, np.ndarray]:
    """Per direction, the share of Σ‖row‖² along it; the share in their span; row residuals."""
    proj = along(X, dirs)
    residual = row_norms(X - combine(proj, dirs))
    whole = sum_of_squares(X)
    if whole == 0.0:
        return [0.0] * len(dirs), 1.0, residual
    shares = [min(1.0, sum_of_squares(proj[:, i]) / whole) for i in range(len(dirs))]
    return shares, max(0.0, 1.0 - sum_of_squares(residual) / whole), residual


def grid_axis(values: np.ndarray, width: float, margin: float, n: int) -> np.ndarray:
    """`n` points over the middle of `values`, `width` wide plus `margin` of it on each side."""
    mid = (float(values.min()) + float(values.max())) / 2
    half = width * (0.5 + margin)
    return np.linspace(mid - half, mid + half, n)


def span(coords: np.ndarray) -> float:
    """The grid's span on every axis: the path's largest extent (a point gets a sensible size).

    Every axis gets the same span, so a plane's picture keeps the true angles and distances
    of θ space: the path crosses contours as steeply as it really does.
    """
    biggest = max(float(c.max() - c.min()) for c in coords)
    return biggest or 0.5 * max(1.0, *(float(abs(c).max()) for c in coords))


def track(run: Run, label: str, plane: Plane, curve_at: int | None) -> Track:
    """The run's clipped path on `plane`."""
    origin, directions, offsets = plane
    steps = clipped(run)
    P = np.array([s.params for s in steps])
    last = P[-1]
    explained, in_plane, _ = variance_shares(P - last, directions)
    rel = P - origin
    proj = along(rel, directions)
    residual = row_norms(rel - combine(proj, directions))
    coords = (proj + offsets).T
    slope = [s.grads[curve_at] for s in steps] if curve_at is not None else []
    diverged = run.diverged.step if run.diverged else None
    return Track(
        label,
        [s.step for s in steps],
        coords.tolist(),
        [s.loss for s in steps],
        residual.tolist(),
        explained,
        in_plane,
        slope,
        diverged,
    )


def choose_plane(run: Run, cfg: LandscapeConfig) -> tuple[str, list[int]]:
    """The mode and, for named axes, the parameter indices."""
    free = trainable(run)
    if cfg.plane == "params":
        for name in cfg.axes:
            if name not in run.names:
                raise ConfigError("landscape.axes", name, "not a parameter of the trained run")
        return "params", [run.names.index(n) for n in cfg.axes]
    if cfg.plane == "auto" and len(free) == 1:
        return "curve", free
    if cfg.plane == "auto" and len(free) == 2:
        return "params", free
    return "pca", []


def run_landscape(run: Run, samples: Samples, cfg: LandscapeConfig, label: str = "") -> Landscape:
    """The exact loss on the plane `cfg` picks, around the run's path."""
    mode, axes = choose_plane(run, cfg)
    P = np.array([s.params for s in clipped(run)])
    origin = P[-1]
    n = len(origin)
    if mode == "pca":
        found = pca_directions(P - origin, P[0] - origin, fallbacks(run, n))
        directions = np.array([d for _, d in found])
        offsets = np.zeros(2)
        labels = [name for name, _ in found]
    else:
        directions = np.array([unit(n, i) for i in axes])
        offsets = origin[axes]
        labels = [run.names[i] for i in axes]
    plane = (origin, directions, offsets)
    t = track(run, label, plane, axes[0] if mode == "curve" else None)
    return landscape_on_plane(run, samples, mode, labels, plane, [t], cfg)


def landscape_on_plane(
    run: Run,
    samples: Samples,
    mode: str,
    labels: list[str],
    plane: Plane,
    tracks: list[Track],
    cfg: LandscapeConfig,
) -> Landscape:
    """The Landscape with its grid over all `tracks` evaluated exactly."""
    origin, directions, offsets = plane
    coords = np.concatenate([np.array(t.coords) for t in tracks], axis=1)
    axes = [grid_axis(c, span(coords), cfg.margin, cfg.resolution) for c in coords]
    mesh = np.stack([m.ravel() for m in np.meshgrid(*axes)], axis=1)
    net = Net(run.config.model.arch)
    values = surface(net, plane, mesh, samples, run.config.train.loss).reshape(-1, cfg.resolution)
    return Landscape(
        mode,
        labels,
        origin.tolist(),
        directions.tolist(),
        offsets.tolist(),
        [a.tolist() for a in axes],
        values.tolist(),
        tracks,
    )


def shared_landscape(runs: dict[str, tuple[Run, Samples]], cfg: LandscapeConfig) -> Landscape:
    """All runs on one PCA plane of their trajectories together, centred on their mean end."""
    paths = [np.array([s.params for s in clipped(run)]) for run, _ in runs.values()]
    origin = total(np.array([P[-1] for P in paths]), axis=0) / len(paths)
    X = np.concatenate([P - origin for P in paths])
    spare = [d for run, _ in runs.values() for d in fallbacks(run, len(origin))]
    found = pca_directions(X, paths[0][0] - origin, spare)
    plane = (origin, np.array([d for _, d in found]), np.zeros(2))
    tracks = [track(run, name, plane, None) for name, (run, _) in runs.items()]
    run0, samples0 = next(iter(runs.values()))
    return landscape_on_plane(
        run0, samples0, "pca", [name for name, _ in found], plane, tracks, cfg
    )


def explained(land: Landscape) -> float:
    """The smallest share of a path's variance inside the plane, over the paths."""
    return min(t.in_plane for t in land.tracks)


def max_residual(land: Landscape) -> float:
    """The largest distance of any recorded step from the plane."""
    return max(max(t.residual) for t in land.tracks)


def reach(land: Landscape) -> float:
    """The largest distance in θ space of any step from its own path's last step."""
    far = 0.0
    for t in land.tracks:
        rel = np.array(t.coords).T - np.array(t.coords).T[-1]
        far = max(far, float(np.sqrt(total(rel * rel) + np.square(t.residual)).max()))
    return far or 1.0


def one_step(land: Landscape) -> bool:
    """Whether every path is a single step (a run that diverged at step 1): no plane can be
    fitted to it, and how much of it a plane holds is undefined."""
    return all(len(t.steps) == 1 for t in land.tracks)


def summary(land: Landscape) -> dict[str, float | None]:
    """The landscape's entries in metrics.json; null for a path of one step."""
    if one_step(land):
        return {"landscape_explained": None, "landscape_max_residual": None}
    return {"landscape_explained": explained(land), "landscape_max_residual": max_residual(land)}
