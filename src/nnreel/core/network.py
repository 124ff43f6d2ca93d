"""A fully connected 1 → hidden… → 1 network in pure Python, with hand-derived gradients.

The layout and names of its parameters live in nnreel.config.architecture.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import reduce
from operator import add, mul

from nnreel.config.architecture import Architecture as Architecture
from nnreel.config.architecture import Samples as Samples
from nnreel.config.architecture import bias_name, param_names, weight_name
from nnreel.config.architecture import neuron_params as neuron_params

Params = dict[str, float]


def left_to_right(values: Iterable[float]) -> float:
    """Σ values from the left, each addition rounded: what sum() did before Python 3.12."""
    return reduce(add, values, 0.0)


# Python 3.12 made sum() of floats compensated (Neumaier), which changes last bits; every
# float sum here adds left to right, with the builtin where it still does that.
plain_sum: Callable[[Iterable[float]], float] = sum if sys.version_info < (3, 12) else left_to_right


def softplus(z: float) -> float:
    """log(1 + e^z), without overflow for any finite z."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def sigmoid(z: float) -> float:
    """1 / (1 + e^-z), without overflow for any finite z."""
    e = math.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)


# Each activation returns f(z) and its derivative f'(z) together, sharing the work.
def softplus_and_slope(z: float) -> tuple[float, float]:
    """softplus(z) and softplus'(z) = sigmoid(z), from one exp(-|z|)."""
    e = math.exp(-abs(z))
    if z >= 0.0:
        return z + math.log1p(e), 1.0 / (1.0 + e)
    return math.log1p(e), e / (1.0 + e)


def sigmoid_and_slope(z: float) -> tuple[float, float]:
    s = sigmoid(z)
    return s, s * (1.0 - s)


def relu_and_slope(z: float) -> tuple[float, float]:
    return (z, 1.0) if z > 0.0 else (0.0, 0.0)


def tanh_and_slope(z: float) -> tuple[float, float]:
    t = math.tanh(z)
    return t, 1.0 - t * t


def identity_and_slope(z: float) -> tuple[float, float]:
    return z, 1.0


Activation = Callable[[float], tuple[float, float]]
Weights = list[list[list[float]]]
Layers = list[list[Sequence[float]]]  # [layer][neuron] -> values over the samples
ACTIVATIONS: dict[str, Activation] = {
    "softplus": softplus_and_slope,
    "relu": relu_and_slope,
    "sigmoid": sigmoid_and_slope,
    "tanh": tanh_and_slope,
    "identity": identity_and_slope,
}


def init_params(
    arch: Architecture, seed: int, sigma: float, values: Mapping[str, float] | None = None
) -> Params:
    """Draw every parameter from gauss(0, sigma) in draw order; `values` override by name."""
    rng = random.Random(seed)
    params = {name: rng.gauss(0.0, sigma) for name in param_names(arch)}
    params.update(values or {})
    return params


class Net:
    """An architecture bound to a flat parameter vector θ laid out in draw order."""

    def __init__(self, arch: Architecture) -> None:
        self.arch = arch
        self.names = param_names(arch)
        at = {name: i for i, name in enumerate(self.names)}
        self.f = ACTIVATIONS[arch.activation]
        self.w_at: list[list[list[int]]] = []  # w_at[l][j][k]: index of layer l's W[j][k] in θ
        self.b_at: list[list[int]] = []
        fan_in = 1
        for layer, width in enumerate(arch.hidden, start=1):
            js = range(1, width + 1)
            ks = range(1, fan_in + 1)
            self.w_at.append([[at[weight_name(layer, j, k)] for k in ks] for j in js])
            self.b_at.append([at[bias_name(layer, j)] for j in js])
            fan_in = width
        self.ow_at = [at[f"ow{j}"] for j in range(1, fan_in + 1)]
        self.ob_at = at.get("ob")

    def unpack(
        self, theta: Sequence[float]
    ) -> tuple[Weights, list[list[float]], list[float], float]:
        """θ as W[l][j][k], B[l][j], OW[j] and the output bias."""
        W = [[[theta[i] for i in row] for row in layer] for layer in self.w_at]
        B = [[theta[i] for i in layer] for layer in self.b_at]
        OW = [theta[i] for i in self.ow_at]
        return W, B, OW, 0.0 if self.ob_at is None else theta[self.ob_at]

    def forward(
        self, W: Weights, B: list[list[float]], xs: Sequence[float]
    ) -> tuple[Layers, Layers, Layers]:
        """Over all samples: pre-activations Z[l][j], activations A[l][j] (A[0] is the input)
        and slopes D[l][j] = f'(Z[l][j])."""
        Z: Layers = []
        A: Layers = [[xs]]
        D: Layers = []
        for Wl, Bl in zip(W, B):
            below = A[-1]
            Zl: list[Sequence[float]] = [
                [row[0] * a + b for a in below[0]] for row, b in zip(Wl, Bl)
            ]
            for k in range(1, len(below)):  # z_j += w_jk·a_k for the other inputs k
                Zl = [[zi + row[k] * ai for zi, ai in zip(z, below[k])] for z, row in zip(Zl, Wl)]
            Al, Dl = zip(*(zip(*map(self.f, z)) for z in Zl))
            Z.append(Zl)
            A.append(list(Al))
            D.append(list(Dl))
        return Z, A, D

    def predict(
        self, theta: Sequence[float], xs: Sequence[float]
    ) -> tuple[list[float], list[list[float]]]:
        """Predictions at xs, and each last-layer neuron's contribution ow_j·a_j at xs."""
        W, B, OW, OB = self.unpack(theta)
        contributions = [[ow * a for a in aj] for ow, aj in zip(OW, self.forward(W, B, xs)[1][-1])]
        return [plain_sum(c) + OB for c in zip(*contributions)], contributions

    def loss_and_grad(
        self, theta: Sequence[float], xs: Sequence[float], ys: Sequence[float], loss: str = "ssr"
    ) -> tuple[float, list[float]]:
        """The loss Σ(y - p)² (ssr) or its mean (mse), and its gradient ∂loss/∂θ."""
        W, B, OW, OB = self.unpack(theta)
        _, A, D = self.forward(W, B, xs)
        p = [OW[0] * a for a in A[-1][0]]  # p_i = Σ_j ow_j·a_j,i + ob
        for ow, aj in zip(OW[1:], A[-1][1:]):
            p = [pi + ow * a for pi, a in zip(p, aj)]
        r = [y - (pi + OB) for y, pi in zip(ys, p)]
        scale = 1.0 / len(xs) if loss == "mse" else 1.0
        dp = [-2.0 * scale * ri for ri in r]  # ∂loss/∂p_i
        grad = [0.0] * len(self.names)
        if self.ob_at is not None:
            grad[self.ob_at] = plain_sum(dp)
        for i, a in zip(self.ow_at, A[-1]):
            grad[i] = plain_sum(map(mul, dp, a))
        delta = [  # delta[j][i] = ∂loss/∂z_j at sample i, from the last hidden layer down
            [g * ow * d for g, d in zip(dp, dj)] for ow, dj in zip(OW, D[-1])
        ]
        for layer in range(len(W) - 1, -1, -1):
            below = A[layer]
            for j, dj in enumerate(delta):
                grad[self.b_at[layer][j]] = plain_sum(dj)
                for i, a in zip(self.w_at[layer][j], below):
                    grad[i] = plain_sum(map(mul, dj, a))
            if layer:
                Wl = W[layer]
                delta = [  # Σ_j delta_j·w_jk, times the slope of neuron k below
                    [
                        plain_sum(col) * d
                        for col, d in zip(
                            zip(*([dji * Wl[j][k] for dji in dj] for j, dj in enumerate(delta))),
                            D[layer - 1][k],
                        )
                    ]
                    for k in range(len(below))
                ]
        return plain_sum(map(mul, r, r)) * scale, grad
