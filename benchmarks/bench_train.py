"""Training throughput: nnreel beside PyTorch (CPU) and a per-scalar autograd engine.

    python benchmarks/bench_train.py

Every implementation trains the same network from the same θ on the same samples by
full-batch gradient descent on the sum of squared residuals, evaluating steps 0..N (N + 1
losses and gradients, N updates). In the "written" rows each step's θ, gradient and loss go
to a JSON-lines file through the train stage's own encoder (PyTorch's too, so the rows
compare like with like); in the "none" rows nothing is recorded. Each row is the best of the
same number of runs for every implementation (time.perf_counter), since the machine may be
busy.

The torch rows need `pip install -r benchmarks/requirements.txt` (the CPU build, ideally in
a venv of its own); without torch they are skipped.
"""

from __future__ import annotations

import math
import platform
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnreel.config.schema import Config, ModelConfig, TrainConfig
from nnreel.core.data import softplus_sine
from nnreel.core.network import Architecture, Net, init_params, sigmoid, softplus
from nnreel.core.run import Step
from nnreel.core.training import train
from nnreel.records.checkpoints import encode_run

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")  # torch sans numpy
    try:
        import torch  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        HAVE_TORCH = False
    else:
        HAVE_TORCH = True

SEED, SIGMA = 13, 3.0
STEP0_SSR = 5.8334234504800735  # the default network's loss at step 0
TARGET_TORCH, TARGET_MICROGRAD = 3.0, 10.0


@dataclass(frozen=True)
class Problem:
    """A 1 → width softplus → 1 network (no output bias), its initial θ and its samples."""

    title: str
    width: int
    xs: list[float]
    ys: list[float]
    lr: float
    steps: int
    names: list[str]
    theta: list[float]


def problem(title: str, width: int, n_samples: int, lr: float, steps: int) -> Problem:
    arch = Architecture((width,))
    names = Net(arch).names
    init = init_params(arch, SEED, SIGMA)
    xs, ys = softplus_sine(n_samples, 2.0)
    return Problem(title, width, xs, ys, lr, steps, names, [init[n] for n in names])


# A runner trains `pb` for pb.steps steps, writing the records to `out` unless it is None,
# and returns the loss at every step.
Runner = Callable[[Problem, Path | None], list[float]]


def tracked(steps: Iterable[Step], losses: list[float]) -> Iterator[Step]:
    for s in steps:
        losses.append(s.loss)
        yield s


def write_or_drain(pb: Problem, steps: Iterable[Step], out: Path | None) -> None:
    """As the train stage: encode_run's lines written to a file; or just run the steps."""
    if out is None:
        for _ in steps:
            pass
        return
    with out.open("w", encoding="utf-8", newline="\n") as f:
        cfg = Config(model=ModelConfig(hidden=[pb.width]), train=TrainConfig(lr=pb.lr))
        f.writelines(encode_run(pb.names, cfg, steps))


def run_nnreel(pb: Problem, out: Path | None) -> list[float]:
    losses: list[float] = []
    cfg = TrainConfig(lr=pb.lr, steps=pb.steps)
    steps = train(Net(Architecture((pb.width,))), list(pb.theta), pb.xs, pb.ys, cfg)
    write_or_drain(pb, tracked(steps, losses), out)
    return losses


def torch_steps(pb: Problem) -> Iterator[Step]:
    """Plain PyTorch: float64 tensors over the full batch, autograd.grad, in-place SGD."""
    f64, softplus_t = torch.float64, torch.nn.functional.softplus
    x = torch.tensor(pb.xs, dtype=f64).unsqueeze(1)  # (n, 1), broadcast against (width,)
    y = torch.tensor(pb.ys, dtype=f64)
    at = {name: i for i, name in enumerate(pb.names)}
    keys = [f"{kind}{j}" for kind in ("iw", "b", "ow") for j in range(1, pb.width + 1)]
    rows = [keys[i : i + pb.width] for i in range(0, len(keys), pb.width)]
    params = [torch.tensor([pb.theta[at[k]] for k in row], dtype=f64) for row in rows]
    for p in params:
        p.requires_grad_()
    iw, b, ow = params
    order = [keys.index(name) for name in pb.names]  # torch's layout into θ's draw order
    for k in range(pb.steps + 1):
        loss = ((y - softplus_t(x * iw + b) @ ow) ** 2).sum()
        grads = torch.autograd.grad(loss, params)
        flat_p = [v for p in params for v in p.tolist()]
        flat_g = [v for g in grads for v in g.tolist()]
        yield Step(k, float(loss.item()), [flat_p[i] for i in order], [flat_g[i] for i in order])
        if k < pb.steps:
            with torch.no_grad():
                for p, g in zip(params, grads, strict=True):
                    p.sub_(g, alpha=pb.lr)


def run_torch(pb: Problem, out: Path | None) -> list[float]:
    """PyTorch's steps, written by the same encoder as nnreel's (or drained)."""
    losses: list[float] = []
    write_or_drain(pb, tracked(torch_steps(pb), losses), out)
    return losses


class Value:
    """A scalar in a computation graph: its value, ∂loss/∂it, and how to pass gradient back.

    `_backward(g)` adds g·∂self/∂input to each input's grad, given g = ∂loss/∂self. The
    closure holds the inputs but not `self`, so graphs are freed without the cycle collector.
    """

    __slots__ = ("_backward", "_inputs", "data", "grad")

    def __init__(
        self,
        data: float,
        inputs: tuple[Value, ...] = (),
        backward: Callable[[float], None] | None = None,
    ) -> None:
        self.data = data
        self.grad = 0.0
        self._inputs = inputs
        self._backward = backward

    def __add__(self, other: Value | float) -> Value:
        o = other if isinstance(other, Value) else Value(other)

        def backward(g: float) -> None:
            self.grad += g
            o.grad += g

        return Value(self.data + o.data, (self, o), backward)

    __radd__ = __add__

    def __mul__(self, other: Value | float) -> Value:
        o = other if isinstance(other, Value) else Value(other)

        def backward(g: float) -> None:
            self.grad += g * o.data
            o.grad += g * self.data

        return Value(self.data * o.data, (self, o), backward)

    __rmul__ = __mul__

    def __neg__(self) -> Value:
        return self * -1.0

    def __rsub__(self, other: float) -> Value:
        return other + -self

    def softplus(self) -> Value:
        def backward(g: float) -> None:
            self.grad += g * sigmoid(self.data)

        return Value(softplus(self.data), (self,), backward)

    def backward(self) -> None:
        """Fill in .grad of every Value this one depends on (grads must start at zero)."""
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:  # iterative post-order DFS: inputs before the values computed from them
            v, expanded = stack.pop()
            if expanded:
                order.append(v)
            elif id(v) not in seen:
                seen.add(id(v))
                stack.append((v, True))
                stack.extend((i, False) for i in v._inputs)
        self.grad = 1.0
        for v in reversed(order):
            if v._backward is not None:
                v._backward(v.grad)


class GraphValue:
    """A scalar autograd node shaped as micrograd shapes it: a set of children, an op label,
    a `_backward` closure over its output, and a recursive topological sort."""

    def __init__(self, data: float, children: tuple[GraphValue, ...] = (), op: str = "") -> None:
        self.data = data
        self.grad = 0.0
        self._backward: Callable[[], None] = lambda: None
        self._prev = set(children)
        self._op = op

    def __add__(self, other: GraphValue | float) -> GraphValue:
        other = other if isinstance(other, GraphValue) else GraphValue(other)
        out = GraphValue(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    __radd__ = __add__

    def __mul__(self, other: GraphValue | float) -> GraphValue:
        other = other if isinstance(other, GraphValue) else GraphValue(other)
        out = GraphValue(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    __rmul__ = __mul__

    def __neg__(self) -> GraphValue:
        return self * -1.0

    def __rsub__(self, other: float) -> GraphValue:
        return other + -self

    def softplus(self) -> GraphValue:
        out = GraphValue(softplus(self.data), (self,), "softplus")

        def _backward() -> None:
            self.grad += sigmoid(self.data) * out.grad

        out._backward = _backward
        return out

    def backward(self) -> None:
        topo: list[GraphValue] = []
        visited: set[GraphValue] = set()

        def build_topo(v: GraphValue) -> None:
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


def scalar_steps(pb: Problem, node: type[Value] | type[GraphValue] = Value) -> Iterator[Step]:
    params: list[Any] = [node(t) for t in pb.theta]  # either engine
    at = {name: v for name, v in zip(pb.names, params, strict=True)}
    neurons = [(at[f"iw{j}"], at[f"b{j}"], at[f"ow{j}"]) for j in range(1, pb.width + 1)]
    for k in range(pb.steps + 1):
        loss: Any = 0.0
        for x, y in zip(pb.xs, pb.ys, strict=True):
            prediction: Any = 0.0
            for iw, b, ow in neurons:
                prediction = (iw * x + b).softplus() * ow + prediction
            r = y - prediction
            loss = r * r + loss
        assert isinstance(loss, Value | GraphValue)
        for p in params:
            p.grad = 0.0
        loss.backward()
        yield Step(k, loss.data, [p.data for p in params], [p.grad for p in params])
        if k < pb.steps:
            for p in params:
                p.data -= pb.lr * p.grad


def run_scalar(pb: Problem, out: Path | None) -> list[float]:
    losses: list[float] = []
    write_or_drain(pb, tracked(scalar_steps(pb), losses), out)
    return losses


def run_micrograd_style(pb: Problem, out: Path | None) -> list[float]:
    losses: list[float] = []
    write_or_drain(pb, tracked(scalar_steps(pb, GraphValue), losses), out)
    return losses


@dataclass(frozen=True)
class Row:
    name: str
    written: bool
    seconds: float
    losses: list[float]

    def steps_per_s(self) -> float:
        return len(self.losses) / self.seconds

    def us_per_step(self) -> float:
        return 1e6 * self.seconds / len(self.losses)


def measure(name: str, run: Runner, pb: Problem, out: Path | None, repeats: int) -> Row:
    best, losses = math.inf, []
    for _ in range(repeats):
        start = time.perf_counter()
        losses = run(pb, out)
        best = min(best, time.perf_counter() - start)
    assert len(losses) == pb.steps + 1, f"{name} stopped after {len(losses)} steps"
    return Row(name, out is not None, best, losses)


def bench(
    pb: Problem,
    runners: list[tuple[str, Runner]],
    tmp: Path,
    repeats: int,
    unwritten: bool = True,
) -> list[Row]:
    """Each runner's rows, best of the same `repeats` for all: records written, and (if
    `unwritten`) none; losses cross-checked."""
    print(f"\n{pb.title}")
    print(f"  {'implementation':<16} {'records':<8} {'steps/s':>9} {'µs/step':>9}  final loss")
    rows = []
    for name, run in runners:
        for out in (tmp / f"{name}.jsonl", None)[: 2 if unwritten else 1]:
            row = measure(name, run, pb, out, repeats)
            rows.append(row)
            print(
                f"  {name:<16} {'written' if out else 'none':<8} {row.steps_per_s():>9,.0f}"
                f" {row.us_per_step():>9.1f}  {row.losses[-1]!r}"
            )
    reference = rows[0].losses
    for row in rows:  # the same computation: same start, same end
        assert math.isclose(row.losses[0], reference[0], rel_tol=1e-9, abs_tol=1e-9), row.name
        assert math.isclose(row.losses[-1], reference[-1], rel_tol=1e-9), row.name
    return rows


def ratio(rows: list[Row], name: str, target: float | None) -> None:
    """nnreel's speed over `name`'s, and whether it meets `target` (None: for reference only)."""
    nnreel = next(r for r in rows if r.name == "nnreel" and r.written)
    other = next((r for r in rows if r.name == name and r.written), None)
    if other is None:
        print(f"  nnreel / {name:<15}  skipped ({name} not available)")
        return
    x = nnreel.steps_per_s() / other.steps_per_s()
    verdict = "for reference" if target is None else "met" if x >= target else "NOT met"
    goal = "" if target is None else f"target >= {target:g}x: "
    print(f"  nnreel / {name:<15} {x:6.1f}x   ({goal}{verdict})")


def main() -> None:
    torch_note = "not installed"
    if HAVE_TORCH:
        torch.set_num_threads(1)
        torch_note = f"{torch.__version__}, 1 thread"
    print(f"nnreel training throughput — Python {platform.python_version()}, torch {torch_note}")
    print("steps/s counts evaluated steps (N + 1); each row is the best of its runs")

    small = problem("1 → 2 softplus → 1, 12 samples, lr 0.01, 3000 steps", 2, 12, 0.01, 3000)
    wide = problem("1 → 8 softplus → 1, 100 samples, lr 0.001, 300 steps", 8, 100, 0.001, 300)
    torch_runner: list[tuple[str, Runner]] = [("torch", run_torch)] if HAVE_TORCH else []
    with tempfile.TemporaryDirectory() as tmp:
        rows = bench(
            small,
            [
                ("nnreel", run_nnreel),
                *torch_runner,
                ("scalar autograd", run_scalar),
                ("micrograd-style", run_micrograd_style),
            ],
            Path(tmp),
            repeats=5,
        )
        for row in rows:
            assert math.isclose(row.losses[0], STEP0_SSR, rel_tol=0, abs_tol=1e-9), row.name
        bench(
            wide,
            [("nnreel", run_nnreel), *torch_runner, ("scalar autograd", run_scalar)],
            Path(tmp),
            repeats=2,
            unwritten=False,
        )
    if not HAVE_TORCH:
        print("\ntorch is missing, its rows were skipped; to add them (CPU build, own venv):")
        print("  pip install -r benchmarks/requirements.txt")
    print("\nratios of steps/s, 1 → 2 → 1 network, records written:")
    ratio(rows, "torch", TARGET_TORCH)
    ratio(rows, "micrograd-style", TARGET_MICROGRAD)  # the engine the 10x goal names
    ratio(rows, "scalar autograd", None)  # a leaner scalar engine, a harder comparison


if __name__ == "__main__":
    main()
