"""The network's math, checked against finite differences and hand-written formulas."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nnreel.config.architecture import param_names
from nnreel.core.network import (
    ACTIVATIONS,
    Architecture,
    Net,
    init_params,
    left_to_right,
    plain_sum,
    softplus,
)
from tests.conftest import REFERENCE_INIT, REFERENCE_SSR0, Samples


def sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_seed_parity_with_the_reference_notebook() -> None:
    params = init_params(Architecture(), seed=13, sigma=3.0)
    assert params == REFERENCE_INIT
    assert list(params) == ["iw1", "ow1", "b1", "iw2", "ow2", "b2"]


def test_ssr_and_gradients_at_step_0_match_the_corrected_chain_rule(samples: Samples) -> None:
    xs, ys = samples
    net = Net(Architecture())
    p = REFERENCE_INIT
    loss, grad = net.loss_and_grad([p[n] for n in net.names], xs, ys)
    assert loss == pytest.approx(REFERENCE_SSR0, abs=1e-9)
    # The reference README's formulas, written out by hand.
    pred = [sum(p[f"ow{j}"] * softplus(p[f"iw{j}"] * x + p[f"b{j}"]) for j in (1, 2)) for x in xs]
    r = [-2 * (y - q) for y, q in zip(ys, pred, strict=True)]
    expected = {}
    for j in (1, 2):
        s = [sig(p[f"iw{j}"] * x + p[f"b{j}"]) for x in xs]
        expected[f"iw{j}"] = sum(
            ri * p[f"ow{j}"] * si * x for ri, si, x in zip(r, s, xs, strict=True)
        )
        expected[f"b{j}"] = sum(ri * p[f"ow{j}"] * si for ri, si in zip(r, s, strict=True))
        expected[f"ow{j}"] = sum(
            ri * softplus(p[f"iw{j}"] * x + p[f"b{j}"]) for ri, x in zip(r, xs, strict=True)
        )
    for name, g in zip(net.names, grad, strict=True):
        assert g == pytest.approx(expected[name], rel=1e-12, abs=1e-12), name


@pytest.mark.parametrize(
    ("z", "expected"),
    [(0.0, math.log(2)), (1.0, math.log1p(math.e)), (-30.0, math.exp(-30)), (800.0, 800.0)],
)
def test_softplus_known_values_and_no_overflow(z: float, expected: float) -> None:
    assert softplus(z) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("z", [-1e308, -1e9, -745.0, 0.0, 745.0, 1e9, 1e308])
def test_activations_and_derivatives_are_finite_for_extreme_inputs(name: str, z: float) -> None:
    assert all(map(math.isfinite, ACTIVATIONS[name](z)))


def test_extreme_but_finite_weights_and_inputs_give_finite_gradients() -> None:
    for activation in ACTIVATIONS:
        net = Net(Architecture((2,), activation, True))
        theta = [1e6, -1e6, 1e6, -1e6, 1e6, -1e6, 1.0]
        loss, grad = net.loss_and_grad(theta, [-1e3, 0.0, 1e3], [1.0, 2.0, 3.0])
        assert all(map(math.isfinite, [loss, *grad])), activation


def test_parameter_names_of_a_deeper_net() -> None:
    arch = Architecture((2, 3), "tanh", True)
    names = param_names(arch)
    assert names[:4] == ["iw1", "b1", "iw2", "b2"]
    assert names[4:8] == ["w2_1_1", "w2_1_2", "ow1", "b2_1"]
    assert names[-1] == "ob"
    assert len(names) == len(set(names)) == 2 * 2 + 3 * (2 + 1 + 1) + 1


def finite_difference(
    net: Net, theta: list[float], i: int, xs: list[float], ys: list[float], loss: str
) -> float:
    h = 1e-6 * max(1.0, abs(theta[i]))
    up, down = list(theta), list(theta)
    up[i] += h
    down[i] -= h
    return (net.loss_and_grad(up, xs, ys, loss)[0] - net.loss_and_grad(down, xs, ys, loss)[0]) / (
        2 * h
    )


@st.composite
def problems(draw: st.DrawFn) -> tuple[Net, list[float], list[float], list[float], str]:
    depth = draw(st.integers(1, 2))
    hidden = tuple(draw(st.lists(st.integers(1, 4), min_size=depth, max_size=depth)))
    arch = Architecture(hidden, draw(st.sampled_from(sorted(ACTIVATIONS))), draw(st.booleans()))
    net = Net(arch)
    value = st.floats(-2, 2, allow_nan=False)
    theta = draw(st.lists(value, min_size=len(net.names), max_size=len(net.names)))
    n = draw(st.integers(2, 6))
    xs = draw(st.lists(value, min_size=n, max_size=n))
    ys = draw(st.lists(value, min_size=n, max_size=n))
    return net, theta, xs, ys, draw(st.sampled_from(["ssr", "mse"]))


def kink_nearby(net: Net, theta: list[float], xs: list[float]) -> bool:
    """True if a relu pre-activation is so close to 0 that finite differences cross the kink."""
    W, B, _, _ = net.unpack(theta)
    Z, _, _ = net.forward(W, B, xs)
    return any(abs(z) < 1e-4 for layer in Z for row in layer for z in row)


@settings(max_examples=300, deadline=None)
@given(problems())
def test_gradients_match_central_finite_differences(
    problem: tuple[Net, list[float], list[float], list[float], str],
) -> None:
    net, theta, xs, ys, loss = problem
    assume(net.arch.activation != "relu" or not kink_nearby(net, theta, xs))
    _, grad = net.loss_and_grad(theta, xs, ys, loss)
    for i, g in enumerate(grad):
        fd = finite_difference(net, theta, i, xs, ys, loss)
        assert abs(g - fd) <= 1e-6 * max(1.0, abs(g), abs(fd)), (net.names[i], g, fd)


def test_prediction_is_the_sum_of_neuron_contributions_plus_output_bias() -> None:
    net = Net(Architecture((3,), "sigmoid", True))
    theta = [0.5, -1.0, 0.3, 2.0, 0.1, -0.7, 1.5, 0.2, -0.4, 0.25]
    p = dict(zip(net.names, theta, strict=True))
    preds, contributions = net.predict(theta, [0.0, 1.0])
    for i, x in enumerate([0.0, 1.0]):
        parts = [p[f"ow{j}"] * sig(p[f"iw{j}"] * x + p[f"b{j}"]) for j in (1, 2, 3)]
        assert [c[i] for c in contributions] == pytest.approx(parts, rel=1e-14)
        assert preds[i] == pytest.approx(sum(parts) + p["ob"], rel=1e-14)


# A plain forward pass written from the parameter naming rules, sharing no code with nnreel.
REFERENCE_F: dict[str, Callable[[float], float]] = {
    "softplus": lambda z: math.log(1 + math.exp(z)),
    "relu": lambda z: max(0.0, z),
    "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
    "tanh": math.tanh,
    "identity": lambda z: z,
}


def reference_prediction(hidden: tuple[int, ...], f: str, p: dict[str, float], x: float) -> float:
    a = [REFERENCE_F[f](p[f"iw{j}"] * x + p[f"b{j}"]) for j in range(1, hidden[0] + 1)]
    for layer in range(2, len(hidden) + 1):
        a = [
            REFERENCE_F[f](
                sum(p[f"w{layer}_{j}_{k}"] * a[k - 1] for k in range(1, len(a) + 1))
                + p[f"b{layer}_{j}"]
            )
            for j in range(1, hidden[layer - 1] + 1)
        ]
    return sum(p[f"ow{j}"] * aj for j, aj in enumerate(a, start=1)) + p.get("ob", 0.0)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(1, 3), min_size=1, max_size=3),
    st.sampled_from(sorted(REFERENCE_F)),
    st.booleans(),
    st.integers(0, 10**6),
    st.lists(st.floats(-2, 2), min_size=2, max_size=5),
)
def test_predictions_and_losses_of_deep_nets_match_a_reference_forward_pass(
    hidden: list[int], f: str, output_bias: bool, seed: int, xs: list[float]
) -> None:
    arch = Architecture(tuple(hidden), f, output_bias)
    p = init_params(arch, seed, 1.0)
    net = Net(arch)
    theta = [p[n] for n in net.names]
    expected = [reference_prediction(arch.hidden, f, p, x) for x in xs]
    predicted, _ = net.predict(theta, xs)
    assert predicted == pytest.approx(expected, rel=1e-12, abs=1e-12)
    ys = [math.sin(3 * x) for x in xs]
    ssr = sum((y - q) ** 2 for y, q in zip(ys, expected, strict=True))
    assert net.loss_and_grad(theta, xs, ys, "ssr")[0] == pytest.approx(ssr, rel=1e-12, abs=1e-12)
    mse = net.loss_and_grad(theta, xs, ys, "mse")[0]
    assert mse == pytest.approx(ssr / len(xs), rel=1e-12, abs=1e-12)


def test_each_weight_name_moves_the_weight_it_names() -> None:
    # Only w3_2_1 is non-zero among the deep weights: the prediction must follow the path
    # from neuron 1 of layer 2 into neuron 2 of layer 3, and nothing else.
    arch = Architecture((2, 2, 2), "identity", False)
    p = dict.fromkeys(param_names(arch), 0.0)
    p |= {"iw1": 1.0, "w2_1_1": 2.0, "w3_2_1": 5.0, "ow2": 7.0}
    net = Net(arch)
    predicted, _ = net.predict([p[n] for n in net.names], [1.0, 3.0])
    assert predicted == [1.0 * 2.0 * 5.0 * 7.0, 3.0 * 2.0 * 5.0 * 7.0]
    p["w3_2_1"], p["w3_1_2"] = 0.0, 5.0  # the other direction: neuron 2 into neuron 1
    assert net.predict([p[n] for n in net.names], [1.0])[0] == [0.0]


@pytest.mark.parametrize(
    ("name", "z", "value", "slope"),
    [
        ("softplus", 0.0, math.log(2), 0.5),
        ("sigmoid", 0.0, 0.5, 0.25),
        ("sigmoid", math.log(3), 0.75, 0.1875),  # 1 / (1 + 1/3); 0.75 * 0.25
        ("tanh", 0.0, 0.0, 1.0),
        ("tanh", math.log(2), 0.6, 0.64),  # (2 - 1/2) / (2 + 1/2); 1 - 0.36
        ("relu", -1.5, 0.0, 0.0),
        ("relu", 2.5, 2.5, 1.0),
        ("identity", -3.25, -3.25, 1.0),
    ],
)
def test_each_activation_returns_its_known_value_and_slope(
    name: str, z: float, value: float, slope: float
) -> None:
    assert ACTIVATIONS[name](z) == pytest.approx((value, slope), rel=1e-14, abs=1e-15)


def test_plain_sum_adds_from_the_left_as_python_3_11_did() -> None:
    # 1e16 + 1 rounds back to 1e16 twice; a compensated sum (3.12's sum()) gives 1e16 + 2
    assert plain_sum([1e16, 1.0, 1.0]) == 1e16
    assert left_to_right([1e16, 1.0, 1.0]) == 1e16
    assert math.copysign(1.0, plain_sum([-0.0])) == 1.0  # 0 + (-0.0), as sum() starts


def other_pythons() -> list[str]:
    """Interpreters of other minor versions (3.12 on) found on PATH or under pyenv."""
    on_path = {shutil.which(f"python3.{minor}") for minor in range(12, 16)}
    found = {p for p in on_path if p and "/shims/" not in p}  # a pyenv shim may not run
    found |= {str(p) for p in Path.home().glob(".pyenv/versions/3.1[2-9]*/bin/python3")}
    return sorted(found)


TRAIN_PRINT = """
import sys
sys.path.insert(0, "src")
from nnreel.config.architecture import Architecture
from nnreel.core.network import Net, init_params
net = Net(Architecture(hidden=(3, 2), activation="softplus", output_bias=True))
theta = list(init_params(net.arch, 13, 1.0).values())
xs = [k / 7 for k in range(12)]
ys = [x * x - 0.5 for x in xs]
for _ in range(200):
    loss, grad = net.loss_and_grad(theta, xs, ys)
    print(repr(loss), *map(repr, grad))
    theta = [t - 0.01 * g for t, g in zip(theta, grad)]
print(*map(repr, net.predict(theta, xs)[0]))
"""


@pytest.mark.parametrize("python", other_pythons())
def test_training_gives_the_same_floats_on_other_python_versions(python: str) -> None:
    ours = subprocess.run([sys.executable, "-c", TRAIN_PRINT], capture_output=True, text=True)
    theirs = subprocess.run([python, "-c", TRAIN_PRINT], capture_output=True, text=True)
    assert ours.returncode == theirs.returncode == 0, theirs.stderr
    assert theirs.stdout == ours.stdout
