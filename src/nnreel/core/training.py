"""Full-batch training: gradient descent, momentum and Adam, one state per step."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from nnreel.config.schema import Config, TrainConfig
from nnreel.core.network import Net, init_params
from nnreel.core.run import Step
from nnreel.errors import DataError


class Optimizer:
    """θ ← θ - lr·direction(g), skipping frozen entries."""

    def __init__(self, cfg: TrainConfig, n: int, frozen: Sequence[bool]) -> None:
        self.cfg = cfg
        self.trainable = [not f for f in frozen]
        self.m = [0.0] * n  # momentum's velocity, or Adam's first moment
        self.v = [0.0] * n  # Adam's second moment
        self.t = 0

    def update(self, theta: list[float], g: list[float]) -> list[float]:
        c = self.cfg
        self.t += 1
        if c.optimizer == "gd":
            step = g
        elif c.optimizer == "momentum":
            self.m = step = [c.momentum * m + gi for m, gi in zip(self.m, g, strict=True)]
        else:
            b1, b2 = c.beta1, c.beta2
            self.m = [b1 * m + (1 - b1) * gi for m, gi in zip(self.m, g, strict=True)]
            self.v = [b2 * v + (1 - b2) * gi * gi for v, gi in zip(self.v, g, strict=True)]
            m_hat, v_hat = 1 - b1**self.t, 1 - b2**self.t
            step = [
                (m / m_hat) / (math.sqrt(v / v_hat) + c.eps)
                for m, v in zip(self.m, self.v, strict=True)
            ]
        lr = c.lr
        return [
            t - lr * s if free else t
            for t, s, free in zip(theta, step, self.trainable, strict=True)
        ]


def divergence(state: Step, initial_loss: float, factor: float) -> str | None:
    """Why `state` counts as diverged, or None."""
    if not state.finite:
        return "a loss, parameter or gradient is not finite"
    if initial_loss > 0 and state.loss > factor * initial_loss:
        return f"loss {state.loss:.6g} exceeds {factor:g} x the initial loss {initial_loss:.6g}"
    return None


def train(
    net: Net, theta: list[float], xs: Sequence[float], ys: Sequence[float], cfg: TrainConfig
) -> Iterator[Step]:
    """Steps 0..cfg.steps; stops early at the first diverged step, which carries the reason."""
    opt = Optimizer(cfg, len(theta), [name in cfg.frozen for name in net.names])
    initial_loss = 0.0
    for k in range(cfg.steps + 1):
        loss, grads = net.loss_and_grad(theta, xs, ys, cfg.loss)
        state = Step(k, loss, theta, grads)
        if k == 0:
            if not state.finite:
                raise DataError(
                    f"the initial loss or gradient is not finite (loss {loss!r}); "
                    "use smaller initial values (model.init) or data values"
                )
            initial_loss = loss
        reason = divergence(state, initial_loss, cfg.diverge_factor)
        if reason:
            yield Step(k, loss, theta, grads, reason)
            return
        yield state
        if k < cfg.steps:
            theta = opt.update(theta, grads)


def seeded_training(
    cfg: Config, xs: Sequence[float], ys: Sequence[float]
) -> tuple[Net, Iterator[Step]]:
    """The network `cfg` describes, and its training steps from the initial θ its seed draws."""
    net, init = Net(cfg.model.arch), cfg.model.init
    theta = list(init_params(net.arch, cfg.seed, init.sigma, init.values).values())
    return net, train(net, theta, xs, ys, cfg.train)
