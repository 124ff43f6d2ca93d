"""A training run in memory: the state at every step, and where and why it diverged."""

from __future__ import annotations

import math
from dataclasses import dataclass

from nnreel.config.schema import Config


@dataclass(slots=True)  # not frozen: a frozen dataclass takes 4x as long to build, every step
class Step:
    """The state at one step: θ, the loss there and ∂loss/∂θ there (θ in `Net.names` order).

    `diverged` names why training stopped at this step, if it did.
    """

    step: int
    loss: float
    params: list[float]
    grads: list[float]
    diverged: str | None = None

    @property
    def finite(self) -> bool:
        return all(map(math.isfinite, [self.loss, *self.params, *self.grads]))


@dataclass(frozen=True)
class Divergence:
    """The step at which training stopped, and why (that step may have no record)."""

    step: int
    reason: str


@dataclass(frozen=True)
class Run:
    """A whole training run: its parameter names, the config that made it, and its steps."""

    names: list[str]
    config: Config  # the seed, model and train config that made the run
    steps: list[Step]
    diverged: Divergence | None
