"""A fully connected 1 → hidden… → 1 network in pure Python, with hand-derived gradients.

Parameter names (stable; used in checkpoints, history files and frames):

- first hidden layer, neuron j (1-based): input weight ``iw{j}``, bias ``b{j}``;
- hidden layer l ≥ 2, neuron j: weight from neuron k of layer l-1 ``w{l}_{j}_{k}``,
  bias ``b{l}_{j}``;
- last hidden layer, neuron j: output weight ``ow{j}``; the output bias is ``ob``.

Initial draw order (the reference notebook's for one layer): layer by layer, neuron by
neuron, each neuron's incoming weights, then its output weight if it feeds the output,
then its bias; ``ob`` last.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import mul

Params = dict[str, float]
Samples = tuple[list[float], list[float]]  # x values and y values of the training samples


def softplus(z: float) -> float:
    """log(1 + e^z), without overflow for any finite z."""
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def sigmoid(z: float) -> float:
    """1 / (1 + e^-z), without overflow for any finite z."""
    e = math.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)


# Each activation returns f(z) and its derivative f'(z) together, sharing the work.
def softplus_d(z: float) -> tuple[float, float]:
    """softplus(z) and softplus'(z) = sigmoid(z), from one exp(-|z|)."""
    e = math.exp(-abs(z))
    if z >= 0.0:
        return z + math.log1p(e), 1.0 / (1.0 + e)
    return math.log1p(e), e / (1.0 + e)


def sigmoid_d(z: float) -> tuple[float, float]:
    s = sigmoid(z)
    return s, s * (1.0 - s)


def relu_d(z: float) -> tuple[float, float]:
    return (z, 1.0) if z > 0.0 else (0.0, 0.0)


def tanh_d(z: float) -> tuple[float, float]:
    t = math.tanh(z)
    return t, 1.0 - t * t


def identity_d(z: float) -> tuple[float, float]:
    return z, 1.0


Activation = Callable[[float], tuple[float, float]]
Weights = list[list[list[float]]]
Layers = list[list[Sequence[float]]]  # [layer][neuron] -> values over the samples
ACTIVATIONS: dict[str, Activation] = {
    "softplus": softplus_d,
    "relu": relu_d,
    "sigmoid": sigmoid_d,
    "tanh": tanh_d,
    "identity": identity_d,
}

LOSSES = ("ssr", "mse")


@dataclass(frozen=True)
class Architecture:
    """Widths of the hidden layers, their activation, and whether the output has a bias."""

    hidden: tuple[int, ...] = (2,)
    activation: str = "softplus"
    output_bias: bool = False


def weight_name(layer: int, j: int, k: int) -> str:
    """Name of the weight into neuron j of hidden layer `layer` from neuron k below (1-based)."""
    return f"iw{j}" if layer == 1 else f"w{layer}_{j}_{k}"


def bias_name(layer: int, j: int) -> str:
    return f"b{j}" if layer == 1 else f"b{layer}_{j}"


def param_names(arch: Architecture) -> list[str]:
    """All parameter names in initial draw order."""
    names: list[str] = []
    last = len(arch.hidden)
    fan_in = 1
    for layer, width in enumerate(arch.hidden, start=1):
        for j in range(1, width + 1):
            names += [weight_name(layer, j, k) for k in range(1, fan_in + 1)]
            if layer == last:
                names.append(f"ow{j}")
            names.append(bias_name(layer, j))
        fan_in = width
    if arch.output_bias:
        names.append("ob")
    return names


def neuron_params(arch: Architecture) -> list[list[str]]:
    """For each neuron of the last hidden layer, its own parameter names (iw, b, ow order)."""
    layer = len(arch.hidden)
    fan_in = 1 if layer == 1 else arch.hidden[-2]
    return [
        [weight_name(layer, j, k) for k in range(1, fan_in + 1)] + [bias_name(layer, j), f"ow{j}"]
        for j in range(1, arch.hidden[-1] + 1)
    ]


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
        A: Layers = [[tuple(xs)]]
        D: Layers = []
        for Wl, Bl in zip(W, B, strict=True):
            Zl: list[Sequence[float]] = []
            Al: list[Sequence[float]] = []
            Dl: list[Sequence[float]] = []
            for row, b in zip(Wl, Bl, strict=True):
                w0, *rest = row
                z = [w0 * ai + b for ai in A[-1][0]]
                for w, a in zip(rest, A[-1][1:], strict=True):
                    z = [zi + w * ai for zi, ai in zip(z, a, strict=True)]
                a, d = zip(*map(self.f, z), strict=True)
                Zl.append(z)
                Al.append(a)
                Dl.append(d)
            Z.append(Zl)
            A.append(Al)
            D.append(Dl)
        return Z, A, D

    def predict(
        self, theta: Sequence[float], xs: Sequence[float]
    ) -> tuple[list[float], list[list[float]]]:
        """Predictions at xs, and each last-layer neuron's contribution ow_j·a_j at xs."""
        W, B, OW, OB = self.unpack(theta)
        contributions = [
            [ow * a for a in aj] for ow, aj in zip(OW, self.forward(W, B, xs)[1][-1], strict=True)
        ]
        return [sum(c) + OB for c in zip(*contributions, strict=True)], contributions

    def loss_and_grad(
        self, theta: Sequence[float], xs: Sequence[float], ys: Sequence[float], loss: str = "ssr"
    ) -> tuple[float, list[float]]:
        """The loss Σ(y - p)² (ssr) or its mean (mse), and its gradient ∂loss/∂θ."""
        W, B, OW, OB = self.unpack(theta)
        _, A, D = self.forward(W, B, xs)
        contributions = [[ow * a for a in aj] for ow, aj in zip(OW, A[-1], strict=True)]
        r = [y - (sum(c) + OB) for y, c in zip(ys, zip(*contributions, strict=True), strict=True)]
        scale = 1.0 / len(xs) if loss == "mse" else 1.0
        dp = [-2.0 * scale * ri for ri in r]  # ∂loss/∂p_i
        grad = [0.0] * len(self.names)
        if self.ob_at is not None:
            grad[self.ob_at] = sum(dp)
        for i, a in zip(self.ow_at, A[-1], strict=True):
            grad[i] = sum(map(mul, dp, a))
        upstream = [[d * ow for d in dp] for ow in OW]  # ∂loss/∂a_j, last hidden layer
        for layer in range(len(W) - 1, -1, -1):
            delta = [list(map(mul, u, d)) for u, d in zip(upstream, D[layer], strict=True)]
            below = A[layer]  # delta[j][i] = ∂loss/∂z_j at sample i
            for j, d in enumerate(delta):
                grad[self.b_at[layer][j]] = sum(d)
                for i, a in zip(self.w_at[layer][j], below, strict=True):
                    grad[i] = sum(map(mul, d, a))
            if layer:
                Wl = W[layer]
                upstream = [
                    [
                        sum(col)
                        for col in zip(
                            *([d * Wl[j][k] for d in dj] for j, dj in enumerate(delta)), strict=True
                        )
                    ]
                    for k in range(len(below))
                ]
        return sum(ri * ri for ri in r) * scale, grad
