"""The config loader: defaults, and one clear error for every bad value."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from nnreel.config.compose import compose_params
from nnreel.config.schema import Config, parse_config
from nnreel.core.data import make_samples
from nnreel.core.training import seeded_training
from nnreel.errors import ConfigError
from tests.repo import ROOT


def test_empty_config_is_the_reference_run() -> None:
    cfg = parse_config({})
    assert cfg == Config()
    assert (cfg.seed, cfg.model.hidden, cfg.train.lr, cfg.train.steps) == (13, [2], 0.01, 600)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"train": {"lr": "oops"}}, "train.lr"),
        ({"train": {"lr": -0.1}}, "train.lr"),
        ({"train": {"steps": 0}}, "train.steps"),
        ({"train": {"steps": 1.5}}, "train.steps"),
        ({"train": {"optimizer": "sgd2"}}, "train.optimizer"),
        ({"train": {"frozen": ["iw9"]}}, "train.frozen"),
        ({"train": {"speed": 1}}, "train.speed"),
        ({"model": {"activation": "swish"}}, "model.activation"),
        ({"model": {"hidden": []}}, "model.hidden"),
        ({"model": {"hidden": [0]}}, "model.hidden[0]"),
        ({"model": {"hidden": [2, "x"]}}, "model.hidden[1]"),
        ({"train": {"lr": float("nan")}}, "train.lr"),
        ({"train": {"lr": -1}}, "train.lr"),
        ({"model": {"output_bias": "yes"}}, "model.output_bias"),
        ({"model": {"init": {"values": {"ob": 1.0}}}}, "model.init.values.ob"),
        ({"data": {"n_samples": 1}}, "data.n_samples"),
        ({"data": {"target": "fib_valley", "n_samples": 7}}, "data.n_samples"),
        ({"data": {"target": "points", "points": {"x": [1, 2], "y": [1]}}}, "data.points.y"),
        ({"data": {"x_max": float("nan")}}, "data.x_max"),
        ({"render": {"width": 10}}, "render.width"),
        ({"video": {"fps": 0}}, "video.fps"),
        ({"seed": True}, "seed"),
        ({"colour": 1}, "colour"),
        ({"data": 3}, "data"),
        ([], "params"),
    ],
)
def test_bad_values_name_the_key(raw: Any, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    assert str(info.value).startswith(f"{key} = ")
    assert "\n" not in str(info.value)


def test_integers_are_accepted_where_numbers_are_expected() -> None:
    cfg = parse_config({"train": {"lr": 1}, "model": {"init": {"values": {"iw1": 0}}}})
    assert cfg.train.lr == 1.0 and isinstance(cfg.train.lr, float)
    assert cfg.model.init.values == {"iw1": 0.0}


def key_paths(tree: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path of a nested mapping, inner mappings included."""
    paths = []
    for key, value in tree.items():
        paths.append((*prefix, key))
        if isinstance(value, dict):
            paths += key_paths(value, (*prefix, key))
    return paths


def node_at(tree: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        tree = tree[key]
    return tree


DEFAULTS = dataclasses.asdict(Config())
SECTIONS = [(), *(p for p in key_paths(DEFAULTS) if isinstance(node_at(DEFAULTS, p), dict))]
ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def number(low: float, high: float = math.inf, *, closed_high: bool = True) -> Any:
    """A check that a value is a finite number from `low` to `high`."""
    return lambda v: math.isfinite(v) and low <= v and (v <= high if closed_high else v < high)


VALID: dict[str, Any] = {
    "data.target": lambda v: v in {"softplus_sine", "fib_valley", "points", "csv"},
    "data.n_samples": number(2),
    "data.x_max": lambda v: v > 0,
    "data.noise": number(0),
    "model.hidden": lambda v: len(v) >= 1 and all(1 <= w <= 64 for w in v),
    "model.activation": lambda v: v in {"softplus", "relu", "sigmoid", "tanh", "identity"},
    "model.init.sigma": number(0),
    "train.optimizer": lambda v: v in {"gd", "momentum", "adam"},
    "train.lr": lambda v: v > 0,
    "train.steps": number(1),
    "train.loss": lambda v: v in {"ssr", "mse"},
    "train.momentum": number(0, 1, closed_high=False),
    "train.beta1": number(0, 1, closed_high=False),
    "train.beta2": number(0, 1, closed_high=False),
    "train.eps": lambda v: v > 0,
    "train.diverge_factor": lambda v: v > 1,
    "train.frozen": lambda v: set(v) <= {"iw1", "b1", "ow1", "iw2", "b2", "ow2"},
    "render.every": number(1),
    "render.width": number(200, 8000),
    "render.height": number(200, 8000),
    "render.workers": number(0),
    "render.max_frames": number(2),
    "video.fps": number(1, 120),
    "video.hold_last_s": number(0, 60),
    "video.gif_width": number(100, 4000),
    "video.gif_frames": number(2),
    "report.grid_points": number(2),
}


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(key_paths(DEFAULTS)), ANY_VALUE)
def test_any_value_at_any_key_is_accepted_or_rejected_in_one_line_naming_it(
    path: tuple[str, ...], value: object
) -> None:
    raw = copy.deepcopy(DEFAULTS)
    node_at(raw, path[:-1])[path[-1]] = value
    try:
        cfg = parse_config(raw)
    except ConfigError as e:
        assert "\n" not in str(e)
        assert str(e).startswith(".".join(path)), (path, str(e))
        return
    # Accepted: kept as given, and valid by the README's rules, written here independently.
    kept, default = node_at(dataclasses.asdict(cfg), path), node_at(DEFAULTS, path)
    if isinstance(default, dict) and default:
        return  # a section: keys left out keep their defaults
    assert kept == value and type(kept) is type(default), (path, value, kept)
    assert VALID.get(".".join(path), lambda v: True)(kept), (path, kept)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SECTIONS), st.text(min_size=1, max_size=8), ANY_VALUE)
def test_an_unknown_key_at_any_level_is_rejected_by_name(
    section: tuple[str, ...], key: str, value: object
) -> None:
    raw = copy.deepcopy(DEFAULTS)
    node = node_at(raw, section)
    assume(key not in node)
    node[key] = value
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    shown = key if key.isprintable() else repr(key)  # a newline must not break the line
    assert str(info.value).startswith(".".join((*section, shown)) + " = ")
    assert "\n" not in str(info.value)
    if section[-1:] != ("values",):  # a value there may first fail its own type check
        assert "unknown key" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"train": {"lrr": 0.1}}, "train.lrr = 0.1: unknown key; did you mean train.lr? allowed: "),
        ({"trian": {}}, "trian = {}: unknown key; did you mean train? allowed: "),
        ({"model": {"init": {"sigmaa": 1}}}, "model.init.sigmaa = 1: unknown key; did you mean "),
        ({"train": {"zzz": 1}}, "train.zzz = 1: unknown key; allowed: beta1, beta2, "),
    ],
)
def test_an_unknown_key_names_the_nearest_known_key(raw: Any, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    assert str(info.value).startswith(message)
    if "sigmaa" in message:
        assert "did you mean model.init.sigma? " in str(info.value)


def composed_conf(tmp_path: Path, overrides: list[str] | None = None) -> Any:
    """params.yaml as composed from conf/ (the source of every default), with `overrides`."""
    compose_params(tmp_path / "params.yaml", ROOT / "conf", overrides or [])
    return YAML(typ="safe", pure=True).load((tmp_path / "params.yaml").read_text())


def test_the_dataclass_defaults_are_the_defaults_of_conf(tmp_path: Path) -> None:
    assert parse_config(composed_conf(tmp_path)) == Config()


def readme_defaults() -> dict[str, Any]:
    """Key → default, from the README's configuration table."""
    text = (ROOT / "README.md").read_text("utf-8")
    table = text.split("| key | default | meaning |\n|---|---|---|\n")[1].split("\n\n")[0]
    found: dict[str, Any] = {}
    for row in table.splitlines():
        keys_cell, default_cell, _ = row.strip("|").split(" | ")
        keys = re.findall(r"`([^`]+)`", keys_cell)
        defaults = default_cell.split(", ") if len(keys) > 1 else [default_cell]
        if len(defaults) == 1:
            defaults *= len(keys)
        for key, value in zip(keys, defaults, strict=True):
            assert key not in found, f"{key} is in the README table twice"
            found[key] = YAML(typ="safe", pure=True).load(value)
    return found


def test_the_readme_table_lists_every_key_of_conf_with_its_default(tmp_path: Path) -> None:
    composed = composed_conf(tmp_path)
    leaves = {".".join(path): node_at(composed, path) for path in key_paths(composed)}
    expected = {k: v for k, v in leaves.items() if not isinstance(v, dict) or not v}
    assert readme_defaults() == expected


def final_fit(cfg: Config) -> tuple[float, float, int | None]:
    """SSR and R² at the samples after the run `cfg` describes, from the net's predictions, and
    the step where it diverged (None if it did not)."""
    xs, ys = make_samples(cfg.data)
    net, steps = seeded_training(cfg, xs, ys)
    last = list(steps)[-1]
    mean = sum(ys) / len(ys)
    ssr = sum((p - y) ** 2 for p, y in zip(net.predict(last.params, xs)[0], ys, strict=True))
    return ssr, 1 - ssr / sum((y - mean) ** 2 for y in ys), last.step if last.diverged else None


def readme_presets() -> list[tuple[list[str], str, str]]:
    """(overrides, final SSR, R²) as the README's table of presets shows them."""
    text = (ROOT / "README.md").read_text("utf-8")
    head = "| override | final SSR | R² | what it shows |\n|---|---|---|---|\n"
    rows = []
    for row in text.split(head)[1].split("\n\n")[0].splitlines():
        override, ssr, r2, _ = (cell.strip() for cell in row.strip("|").split("|"))
        named = re.match(r"`([^`]+)`", override)
        rows.append(([] if named is None else named[1].split(), ssr, r2))
    return rows


def shown(cell: str, value: float) -> bool:
    """Whether `cell` is `value` rounded to the decimals it shows."""
    number = cell.replace("\N{MINUS SIGN}", "-")
    decimals = len(number.split(".")[1]) if "." in number else 0
    return abs(float(number) - value) <= 0.5 * 10.0**-decimals * (1 + 1e-9)


def test_the_readme_presets_table_is_what_training_gives(tmp_path: Path) -> None:
    rows = readme_presets()
    assert len(rows) >= 10 and rows[0][0] == []
    for overrides, ssr_cell, r2_cell in rows:
        ssr, r2, diverged = final_fit(parse_config(composed_conf(tmp_path, overrides)))
        if ssr_cell.startswith("diverges at step "):
            assert diverged == int(ssr_cell.split()[-1]), overrides
        else:
            assert diverged is None, overrides
            assert shown(ssr_cell, ssr) and shown(r2_cell, r2), (overrides, ssr, r2)


def test_the_fib_valley_experiment_brings_a_net_and_optimizer_that_learn_it(
    tmp_path: Path,
) -> None:
    chosen = parse_config(composed_conf(tmp_path, ["experiment=fib_valley"]))
    assert chosen.data.target == "fib_valley"
    assert (chosen.model.hidden, chosen.model.activation, chosen.train.optimizer) == (
        [6],
        "tanh",
        "adam",
    )
    assert final_fit(chosen)[1] > 0.9
    # What it brings is only a default: options named with -S win, and the reference net fails.
    reference = parse_config(composed_conf(tmp_path, ["experiment=fib_valley", "model=default"]))
    assert reference.model.hidden == [2] and reference.train.optimizer == "adam"
    plain = ["experiment=fib_valley", "model=default", "train=default"]
    assert final_fit(parse_config(composed_conf(tmp_path, plain)))[1] < 0.5


def test_the_fib_valley_data_sets_the_data_only(tmp_path: Path) -> None:
    """A group's option stays in its group: data=fib_valley picks no net and no optimizer."""
    chosen = parse_config(composed_conf(tmp_path, ["data=fib_valley"]))
    default = parse_config(composed_conf(tmp_path))
    assert chosen.data.target == "fib_valley"
    assert (chosen.model, chosen.train) == (default.model, default.train)
    together = ["data=fib_valley", "model=wide", "train=adam"]
    assert composed_conf(tmp_path, together) == composed_conf(tmp_path, ["experiment=fib_valley"])


def test_no_option_of_a_group_reaches_into_another(tmp_path: Path) -> None:
    """Presets across groups live in conf/experiment/: every other group's option composes to
    the default config but for its own group."""
    default = composed_conf(tmp_path)
    for folder in sorted((ROOT / "conf").iterdir()):
        if not folder.is_dir() or folder.name == "experiment":
            continue
        for option in sorted(folder.glob("*.yaml")):
            composed = composed_conf(tmp_path, [f"{folder.name}={option.stem}"])
            others = {k: v for k, v in composed.items() if k != folder.name}
            assert others == {k: v for k, v in default.items() if k != folder.name}, option


def sign_flips(cfg: Config) -> tuple[int, float]:
    """How often ∂loss/∂iw1 changes sign over the last 50 steps, and the highest loss."""
    xs, ys = make_samples(cfg.data)
    steps = list(seeded_training(cfg, xs, ys)[1])
    tail = [s.grads[0] for s in steps[-51:]]
    return sum(a * b < 0 for a, b in itertools.pairwise(tail)), max(s.loss for s in steps)


@pytest.mark.parametrize(
    ("overrides", "flips", "r2"),
    [
        (["train.lr=0.01"], 50, None),
        (["train.lr=0.003"], 0, "0.816"),
        (["train.loss=mse", "train.lr=0.1"], 0, "0.752"),
        (["train.loss=mse", "train.lr=0.01"], 0, "0.321"),
    ],
)
def test_the_readmes_advice_for_more_samples_holds(
    tmp_path: Path, overrides: list[str], flips: int, r2: str | None
) -> None:
    cfg = parse_config(composed_conf(tmp_path, ["data.n_samples=40", *overrides]))
    flipped, highest = sign_flips(cfg)
    assert flipped == flips
    if r2 is None:
        assert round(highest) == 70  # "the SSR spikes to 70"
    else:
        assert shown(r2, final_fit(cfg)[1])
