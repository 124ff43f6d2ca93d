"""The config loader: defaults, and one clear error for every bad value."""

from __future__ import annotations

from typing import Any

import pytest

from nnreel.config import Config, parse_config
from nnreel.errors import ConfigError


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
