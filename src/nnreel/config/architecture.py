"""The shape of a network and the names of its parameters, without its arithmetic.

Parameter names (stable; used in checkpoints, history files and frames):

- first hidden layer, neuron j (1-based): input weight ``iw{j}``, bias ``b{j}``;
- hidden layer l ≥ 2, neuron j: weight from neuron k of layer l-1 ``w{l}_{j}_{k}``,
  bias ``b{l}_{j}``;
- last hidden layer, neuron j: output weight ``ow{j}``; the output bias is ``ob``.

Initial draw order (the reference notebook's for one layer): layer by layer, neuron by
neuron, each neuron's incoming weights, then its output weight if it feeds the output,
then its bias; ``ob`` last.

The config is checked against these names, so it imports this module and not the network's
math: a change to the arithmetic reruns only the stages that compute with it.
"""

from __future__ import annotations

from dataclasses import dataclass

Samples = tuple[list[float], list[float]]  # x values and y values of the training samples

# The activations nnreel.core.network implements (tests/test_network.py checks they agree).
ACTIVATION_NAMES = ("softplus", "relu", "sigmoid", "tanh", "identity")
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


def param_kind(name: str) -> str:
    """A parameter's kind, its name without its neuron's indices: iw, b, w2, b2, …, ow or ob."""
    return name.split("_")[0] if "_" in name else name.rstrip("0123456789")


def neuron_params(arch: Architecture) -> list[list[str]]:
    """For each neuron of the last hidden layer, its own parameter names (iw, b, ow order)."""
    layer = len(arch.hidden)
    fan_in = 1 if layer == 1 else arch.hidden[-2]
    return [
        [weight_name(layer, j, k) for k in range(1, fan_in + 1)] + [bias_name(layer, j), f"ow{j}"]
        for j in range(1, arch.hidden[-1] + 1)
    ]
