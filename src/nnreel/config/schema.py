"""The typed, validated configuration that every stage reads from params.yaml."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, fields
from typing import Any, get_args, get_origin, get_type_hints

from nnreel.config.architecture import ACTIVATION_NAMES, LOSSES, Architecture, param_names
from nnreel.errors import ConfigError

TARGETS = ("softplus_sine", "fib_valley", "points", "csv")
# Sizes are capped before anything is built from them, so no value can exhaust the machine.
MAX_SAMPLES = 10_000
MAX_X = 1e6
MAX_STEPS = 999_999  # frame names have six digits
MAX_GRID_POINTS = 100_000
OPTIMIZERS = ("gd", "momentum", "adam")
PLANES = ("auto", "pca", "params")


@dataclass(frozen=True)
class Points:
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class DataConfig:
    target: str = "softplus_sine"
    n_samples: int = 12
    x_max: float = 2.0
    noise: float = 0.0
    noise_seed: int = 0
    points: Points = field(default_factory=Points)
    csv: str = "data/example.csv"


@dataclass(frozen=True)
class InitConfig:
    sigma: float = 3.0
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelConfig:
    hidden: list[int] = field(default_factory=lambda: [2])
    activation: str = "softplus"
    output_bias: bool = False
    init: InitConfig = field(default_factory=InitConfig)

    @property
    def arch(self) -> Architecture:
        return Architecture(tuple(self.hidden), self.activation, self.output_bias)


@dataclass(frozen=True)
class TrainConfig:
    optimizer: str = "gd"
    lr: float = 0.01
    steps: int = 600
    loss: str = "ssr"
    frozen: list[str] = field(default_factory=list)
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    diverge_factor: float = 1000.0


MIN_FRAME_SIDE = 200  # pixels: the least width or height of a frame


@dataclass(frozen=True)
class RenderConfig:
    every: int = 1
    width: int = 1600
    height: int = 1000
    workers: int = 0
    max_frames: int = 5000
    landscape: bool = True


@dataclass(frozen=True)
class VideoConfig:
    fps: int = 30
    gif: bool = True
    hold_last_s: float = 1.0
    gif_width: int = 800
    gif_frames: int = 60


@dataclass(frozen=True)
class ReportConfig:
    grid_points: int = 400


@dataclass(frozen=True)
class LandscapeConfig:
    plane: str = "auto"
    axes: list[str] = field(default_factory=list)
    resolution: int = 101
    margin: float = 0.25


@dataclass(frozen=True)
class ViewerConfig:
    grid_points: int = 400


@dataclass(frozen=True)
class Config:
    seed: int = 13
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    render: RenderConfig = field(default_factory=RenderConfig)
    video: VideoConfig = field(default_factory=VideoConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    landscape: LandscapeConfig = field(default_factory=LandscapeConfig)
    viewer: ViewerConfig = field(default_factory=ViewerConfig)


def _typed(key: str, value: object, hint: Any) -> Any:
    """`value` checked against the type `hint` (dataclasses recursively); ConfigError if not."""
    origin = get_origin(hint)
    if isinstance(hint, type) and hasattr(hint, "__dataclass_fields__"):
        return _build(hint, value, key)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(key, value, "expected a list")
        (item,) = get_args(hint)
        return [_typed(f"{key}[{i}]", v, item) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(key, value, "expected a mapping of name to value")
        _, item = get_args(hint)
        return {str(k): _typed(_join(key, k), v, item) for k, v in value.items()}
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, value, "expected true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, value, "expected an integer")
        return value
    if hint is float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ConfigError(key, value, "expected a finite number")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(key, value, "expected a string")
        return value
    raise TypeError(f"unsupported config type {hint!r} for {key}")


def _build(cls: type[Any], raw: object, prefix: str) -> Any:
    """An instance of dataclass `cls` from a mapping, rejecting unknown keys."""
    if not isinstance(raw, dict):
        raise ConfigError(prefix or "params", raw, "expected a mapping")
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    for key in raw:
        if key not in known:
            raise ConfigError(_join(prefix, key), raw[key], _unknown(key, known, prefix))
    return cls(**{f: _typed(_join(prefix, f), raw[f], hints[f]) for f in known if f in raw})


def _unknown(key: object, known: set[str], prefix: str) -> str:
    """Why `key` is refused, with the nearest known key when one is close (a likely typo)."""
    close = difflib.get_close_matches(str(key), sorted(known), n=1)
    hint = f"did you mean {_join(prefix, close[0])}? " if close else ""
    return f"unknown key; {hint}allowed: {', '.join(sorted(known))}"


def _join(prefix: str, key: object) -> str:
    """The dotted name of `key` under `prefix`; a key that cannot print shows as its repr."""
    name = key if isinstance(key, str) and key.isprintable() else repr(key)
    return f"{prefix}.{name}" if prefix else name


def _require(ok: bool, key: str, value: object, allowed: str) -> None:
    if not ok:
        raise ConfigError(key, value, allowed)


def _one_of(key: str, value: str, choices: tuple[str, ...]) -> None:
    _require(value in choices, key, value, f"expected one of {', '.join(choices)}")


def _check_data(d: DataConfig) -> None:
    _one_of("data.target", d.target, TARGETS)
    ok = 2 <= d.n_samples <= MAX_SAMPLES
    _require(ok, "data.n_samples", d.n_samples, f"expected an integer from 2 to {MAX_SAMPLES}")
    if d.target == "fib_valley":
        ok = d.n_samples >= 4 and d.n_samples % 2 == 0
        _require(ok, "data.n_samples", d.n_samples, "fib_valley needs an even number >= 4")
    _require(
        0 < d.x_max <= MAX_X, "data.x_max", d.x_max, f"expected a number > 0, at most {MAX_X:g}"
    )
    _require(d.noise >= 0, "data.noise", d.noise, "expected a number >= 0")
    if d.target == "points":
        x, y = d.points.x, d.points.y
        _require(len(x) == len(y), "data.points.y", y, f"expected {len(x)} values, as in x")
        ok = 2 <= len(x) <= MAX_SAMPLES
        _require(ok, "data.points.x", x, f"expected 2 to {MAX_SAMPLES} points")
    if d.target == "csv":
        _require(bool(d.csv), "data.csv", d.csv, "expected the path of a CSV file")


def _check_model(m: ModelConfig) -> None:
    _require(len(m.hidden) >= 1, "model.hidden", m.hidden, "expected at least one layer width")
    for i, width in enumerate(m.hidden):
        _require(1 <= width <= 64, f"model.hidden[{i}]", width, "expected a width from 1 to 64")
    _one_of("model.activation", m.activation, ACTIVATION_NAMES)
    _require(m.init.sigma >= 0, "model.init.sigma", m.init.sigma, "expected a number >= 0")
    names = param_names(m.arch)
    for name, value in m.init.values.items():
        _require(name in names, _join("model.init.values", name), value, _names_hint(names))


def _names_hint(names: list[str]) -> str:
    shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    return f"unknown parameter name; this network has {shown}"


def _check_train(t: TrainConfig, names: list[str]) -> None:
    _one_of("train.optimizer", t.optimizer, OPTIMIZERS)
    _one_of("train.loss", t.loss, LOSSES)
    _require(t.lr > 0, "train.lr", t.lr, "expected a number > 0")
    ok = 1 <= t.steps <= MAX_STEPS
    _require(ok, "train.steps", t.steps, f"expected an integer from 1 to {MAX_STEPS:,}")
    _require(0 <= t.momentum < 1, "train.momentum", t.momentum, "expected 0 <= momentum < 1")
    _require(0 <= t.beta1 < 1, "train.beta1", t.beta1, "expected 0 <= beta1 < 1")
    _require(0 <= t.beta2 < 1, "train.beta2", t.beta2, "expected 0 <= beta2 < 1")
    _require(t.eps > 0, "train.eps", t.eps, "expected a number > 0")
    _require(t.diverge_factor > 1, "train.diverge_factor", t.diverge_factor, "expected > 1")
    for name in t.frozen:
        _require(name in names, "train.frozen", name, _names_hint(names))


def _check_render(r: RenderConfig) -> None:
    _require(r.every >= 1, "render.every", r.every, "expected an integer >= 1")
    for key, v in (("width", r.width), ("height", r.height)):
        _require(
            MIN_FRAME_SIDE <= v <= 8000, f"render.{key}", v, "expected pixels from 200 to 8000"
        )
    _require(r.workers >= 0, "render.workers", r.workers, "expected 0 (all cores) or more")
    _require(r.max_frames >= 2, "render.max_frames", r.max_frames, "expected an integer >= 2")


def _check_video(v: VideoConfig) -> None:
    _require(1 <= v.fps <= 120, "video.fps", v.fps, "expected frames per second from 1 to 120")
    _require(0 <= v.hold_last_s <= 60, "video.hold_last_s", v.hold_last_s, "expected 0 to 60")
    _require(100 <= v.gif_width <= 4000, "video.gif_width", v.gif_width, "expected 100 to 4000")
    _require(v.gif_frames >= 2, "video.gif_frames", v.gif_frames, "expected an integer >= 2")


def _check_landscape(s: LandscapeConfig, names: list[str]) -> None:
    _one_of("landscape.plane", s.plane, PLANES)
    ok = 3 <= s.resolution <= 1001
    _require(ok, "landscape.resolution", s.resolution, "expected points a side from 3 to 1001")
    _require(0 <= s.margin <= 10, "landscape.margin", s.margin, "expected 0 to 10")
    if s.plane == "params":
        two = len(s.axes) == 2 and s.axes[0] != s.axes[1]
        _require(two, "landscape.axes", s.axes, "plane params needs two different parameters")
    for name in s.axes:
        _require(name in names, "landscape.axes", name, _names_hint(names))


def parse_config(raw: object) -> Config:
    """A validated Config from the parsed params.yaml; ConfigError names the first bad key."""
    cfg: Config = _build(Config, raw, "")
    _check_data(cfg.data)
    _check_model(cfg.model)
    _check_train(cfg.train, param_names(cfg.model.arch))
    _check_render(cfg.render)
    _check_video(cfg.video)
    _check_landscape(cfg.landscape, param_names(cfg.model.arch))
    report = cfg.report.grid_points
    ok = 2 <= report <= MAX_GRID_POINTS
    _require(ok, "report.grid_points", report, f"expected 2 to {MAX_GRID_POINTS:,}")
    viewer = cfg.viewer.grid_points
    _require(2 <= viewer <= 4000, "viewer.grid_points", viewer, "expected 2 to 4000")
    return cfg
