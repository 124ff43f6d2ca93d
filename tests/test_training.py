"""Training, optimizers, checkpoints and determinism."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnreel.config.schema import Config, ModelConfig, TrainConfig
from nnreel.core.network import Architecture, Net, init_params
from nnreel.core.run import Divergence, Step
from nnreel.core.training import train
from nnreel.errors import CheckpointError, DataError
from nnreel.records.checkpoints import decode_run, encode_run
from tests.conftest import REFERENCE_INIT, REFERENCE_SSR0, Samples

DEFAULT = TrainConfig()


def run(cfg: TrainConfig, samples: Samples, arch: Architecture | None = None) -> list[Step]:
    """All steps of a run from the reference initial draw."""
    net = Net(arch or Architecture())
    p = init_params(net.arch, 13, 3.0)
    xs, ys = samples
    return list(train(net, [p[n] for n in net.names], xs, ys, cfg))


def config_for(names: list[str]) -> Config:
    """A config whose network has exactly these parameter names (one layer, maybe ob)."""
    width = sum(n.startswith("iw") for n in names)
    return Config(model=ModelConfig(hidden=[width], output_bias="ob" in names))


def lines_of(steps: list[Step], names: list[str]) -> list[str]:
    return list(encode_run(names, config_for(names), steps))


def test_default_run_starts_at_the_reference_ssr_and_learns(samples: Samples) -> None:
    steps = run(DEFAULT, samples)
    assert [s.step for s in steps] == list(range(601))
    assert steps[0].loss == pytest.approx(REFERENCE_SSR0, abs=1e-9)
    assert steps[-1].loss < 0.5 * steps[0].loss
    assert all(s.diverged is None for s in steps)


def test_gradient_descent_step_is_theta_minus_lr_times_gradient(samples: Samples) -> None:
    s0, s1 = run(replace(DEFAULT, steps=1), samples)
    assert s1.params == [t - 0.01 * g for t, g in zip(s0.params, s0.grads, strict=True)]


def test_momentum_and_adam_follow_their_update_rules(samples: Samples) -> None:
    mom = run(replace(DEFAULT, optimizer="momentum", lr=0.1, momentum=0.5, steps=2), samples)
    v1 = mom[0].grads
    v2 = [0.5 * a + b for a, b in zip(v1, mom[1].grads, strict=True)]
    assert mom[2].params == pytest.approx(
        [t - 0.1 * a - 0.1 * b for t, a, b in zip(mom[0].params, v1, v2, strict=True)], rel=1e-14
    )
    adam = run(replace(DEFAULT, optimizer="adam", lr=0.1, steps=1), samples)
    # After one Adam step, m̂ = g and v̂ = g², so every parameter moves by lr·g/(|g| + eps).
    expected = [
        t - 0.1 * g / (abs(g) + 1e-8) for t, g in zip(adam[0].params, adam[0].grads, strict=True)
    ]
    assert adam[1].params == pytest.approx(expected, rel=1e-12)


def test_frozen_parameters_keep_their_value_in_every_record(samples: Samples) -> None:
    names = Net(Architecture()).names
    steps = run(replace(DEFAULT, frozen=["iw1", "ow2"], steps=50), samples)
    for i, name in enumerate(names):
        values = {s.params[i] for s in steps}
        assert (len(values) == 1) == (name in ("iw1", "ow2")), name


def test_explicit_initial_values_override_the_draw(samples: Samples) -> None:
    arch = Architecture((2,), "softplus", True)
    p = init_params(arch, 13, 3.0, {"ob": 0.0, "iw2": 1.5})
    assert p["ob"] == 0.0 and p["iw2"] == 1.5 and p["iw1"] == REFERENCE_INIT["iw1"]


def test_checkpoint_round_trip_is_float_exact(samples: Samples) -> None:
    steps = run(replace(DEFAULT, steps=40), samples)
    names = Net(Architecture()).names
    back = decode_run(lines_of(steps, names))
    assert back.names == names and back.diverged is None
    assert [(s.step, s.loss, s.params, s.grads) for s in back.steps] == [
        (s.step, s.loss, s.params, s.grads) for s in steps
    ]


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=3, max_size=3))
def test_any_finite_float_round_trips_exactly(values: list[float]) -> None:
    step = Step(0, abs(values[0]), values, values[::-1])
    back = decode_run(lines_of([step], ["iw1", "ow1", "b1"])).steps[0]
    assert (back.loss, back.params, back.grads) == (step.loss, step.params, step.grads)
    assert all(
        math.copysign(1, a) == math.copysign(1, b) for a, b in zip(back.params, values, strict=True)
    )


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda ls: ls[:-1], "end record is missing"),
        (lambda ls: [*ls[:-1], ls[-1][:-10]], "end record is missing"),
        (lambda ls: ls[:3] + ls[4:], "expected step 2"),
        (lambda ls: [ls[0], ls[1].replace('"loss": ', '"loss": "x", "z": '), *ls[2:]], "loss"),
        (lambda ls: [ls[0], ls[1].replace('"iw1": ', '"iw1": NaN, "q": '), *ls[2:]], "params"),
        (lambda ls: [ls[0], ls[1][:40] + "\n", *ls[2:]], "not valid JSON"),
        (lambda ls: [], "empty"),
    ],
)
def test_damaged_checkpoints_are_detected(
    samples: Samples, damage: Callable[[list[str]], list[str]], message: str
) -> None:
    lines = lines_of(run(replace(DEFAULT, steps=5), samples), Net(Architecture()).names)
    with pytest.raises(CheckpointError, match=message):
        decode_run(damage(lines))


@pytest.mark.parametrize("number", ["9" * 5001, "9" * 400, "-" + "9" * 400])
@pytest.mark.parametrize("key", ['"loss"', '"iw1"', '"ow1"'])
def test_a_number_no_float_can_hold_is_damage_named_in_one_short_line(
    samples: Samples, number: str, key: str
) -> None:
    lines = lines_of(run(replace(DEFAULT, steps=3), samples), Net(Architecture()).names)
    lines[2] = re.sub(key + r": [^,}]*", f"{key}: {number}", lines[2], count=1)
    with pytest.raises(CheckpointError, match=r"^line 3: ") as info:
        decode_run(lines)
    assert len(str(info.value)) < 200


def test_two_runs_give_identical_checkpoint_text(samples: Samples) -> None:
    names = Net(Architecture()).names
    assert lines_of(run(DEFAULT, samples), names) == lines_of(run(DEFAULT, samples), names)


def hand_ssr_and_grad(p: dict[str, float], samples: Samples) -> tuple[float, dict[str, float]]:
    """The reference README's SSR and gradient of the 1-2-1 softplus net, written out."""
    xs, ys = samples
    a = {j: [math.log1p(math.exp(p[f"iw{j}"] * x + p[f"b{j}"])) for x in xs] for j in (1, 2)}
    s = {j: [1 / (1 + math.exp(-(p[f"iw{j}"] * x + p[f"b{j}"]))) for x in xs] for j in (1, 2)}
    r = [y - (p["ow1"] * a1 + p["ow2"] * a2) for y, a1, a2 in zip(ys, a[1], a[2], strict=True)]
    grad = {}
    for j in (1, 2):
        grad[f"ow{j}"] = sum(-2 * ri * ai for ri, ai in zip(r, a[j], strict=True))
        grad[f"b{j}"] = sum(-2 * ri * p[f"ow{j}"] * si for ri, si in zip(r, s[j], strict=True))
        grad[f"iw{j}"] = sum(
            -2 * ri * p[f"ow{j}"] * si * x for ri, si, x in zip(r, s[j], xs, strict=True)
        )
    return sum(ri * ri for ri in r), grad


def test_a_dead_network_is_a_finite_divergence_at_the_exploding_step(samples: Samples) -> None:
    steps = run(replace(DEFAULT, lr=10.0), samples)
    assert steps[-1].step == 1 and steps[-1].diverged and "exceeds" in steps[-1].diverged
    # Step 1 is θ0 - 10·∇SSR(θ0); its SSR (about 1.9e7) is past 1000 times the initial SSR.
    ssr0, grad0 = hand_ssr_and_grad(REFERENCE_INIT, samples)
    theta1 = {n: v - 10.0 * grad0[n] for n, v in REFERENCE_INIT.items()}
    ssr1, _ = hand_ssr_and_grad(theta1, samples)
    assert ssr1 > 1000 * ssr0
    assert steps[-1].loss == pytest.approx(ssr1, rel=1e-9)
    back = decode_run(lines_of(steps, Net(Architecture()).names))
    assert back.diverged == Divergence(1, str(steps[-1].diverged))
    assert len(back.steps) == 2


def test_a_non_finite_start_is_a_user_error_not_a_divergence(samples: Samples) -> None:
    net = Net(Architecture())
    theta = list(init_params(net.arch, 13, 1e200).values())
    with pytest.raises(DataError, match="initial loss or gradient is not finite"):
        list(train(net, theta, *samples, DEFAULT))


def test_overflow_stops_training_and_writes_only_finite_records(samples: Samples) -> None:
    arch = Architecture((2,), "identity", False)
    steps = run(replace(DEFAULT, lr=1.0, diverge_factor=1e300), samples, arch)
    last = steps[-1]
    assert last.step <= 5 and not last.finite and last.diverged
    back = decode_run(lines_of(steps, Net(arch).names))
    assert [s.step for s in back.steps] == list(range(last.step))
    assert back.diverged == Divergence(last.step, str(last.diverged))
    assert all(
        line.count("NaN") == 0 and "Infinity" not in line
        for line in lines_of(steps, Net(arch).names)
    )
