"""The checkpoints file: a header, one JSON line per step, and an end record.

Every line is JSON with sorted keys. Floats are written with `repr`, so reading them back
gives the identical float. The header holds the config that made the run; the end record
says how many steps ran and whether training diverged, so a truncated file is detected.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

from nnreel.config.architecture import param_names
from nnreel.config.schema import Config, parse_config
from nnreel.core.run import Divergence, Run, Step
from nnreel.errors import CheckpointError, ConfigError, quoted

FORMAT = "nnreel-checkpoints/1"


def run_config(cfg: Config) -> dict[str, Any]:
    """The part of `cfg` that makes a run, as the header records it."""
    return {"seed": cfg.seed, "model": asdict(cfg.model), "train": asdict(cfg.train)}


def header_line(names: list[str], cfg: Config) -> str:
    header = {"config": run_config(cfg), "format": FORMAT, "names": names}
    return json.dumps(header, sort_keys=True) + "\n"


def end_line(last: Step) -> str:
    diverged = {"reason": last.diverged, "step": last.step} if last.diverged else None
    return (
        json.dumps({"diverged": diverged, "end": True, "steps": last.step}, sort_keys=True) + "\n"
    )


class RecordEncoder:
    """Encodes steps as JSON lines quickly: one template with the keys in sorted order."""

    def __init__(self, names: list[str]) -> None:
        order = sorted(range(len(names)), key=lambda i: names[i])
        mapping = "{" + ", ".join(f"{json.dumps(names[i])}: %r" for i in order) + "}"
        self.template = f'{{"grads": {mapping}, "loss": %r, "params": {mapping}, "step": %d}}\n'
        self.pick = operator.itemgetter(*order) if len(order) > 1 else lambda v: (v[order[0]],)

    def encode(self, s: Step) -> str:
        return self.template % (*self.pick(s.grads), s.loss, *self.pick(s.params), s.step)


def encode_run(names: list[str], cfg: Config, steps: Iterable[Step]) -> Iterator[str]:
    """The file's lines; a diverged step is recorded only if all its values are finite."""
    yield header_line(names, cfg)
    enc = RecordEncoder(names)
    last = None
    for last in steps:
        if last.diverged is None or last.finite:
            yield enc.encode(last)
    if last is None:
        raise ValueError("a run has at least step 0")
    yield end_line(last)


def _fail(number: int, problem: str) -> CheckpointError:
    return CheckpointError(f"line {number}: {problem}")


def _finite(value: float | int) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond the largest float
        return False


def _floats(number: int, record: dict[str, Any], key: str, names: list[str]) -> list[float]:
    values = record.get(key)
    if not isinstance(values, dict) or sorted(values) != sorted(names):
        raise _fail(number, f"'{key}' must map exactly the parameters {names}")
    out = [values[n] for n in names]
    if not all(isinstance(v, float | int) and not isinstance(v, bool) for v in out):
        raise _fail(number, f"'{key}' holds a value that is not a number")
    if not all(map(_finite, out)):
        raise _fail(number, f"'{key}' holds a value that is not finite")
    return [float(v) for v in out]


def _json(number: int, line: str) -> dict[str, Any]:
    try:
        value = json.loads(line, parse_constant=lambda c: math.nan)
    except json.JSONDecodeError as e:
        raise _fail(number, f"not valid JSON ({e.msg})") from None
    except ValueError:  # Python converts integers of at most 4300 digits
        raise _fail(number, "holds an integer of too many digits") from None
    if not isinstance(value, dict):
        raise _fail(number, "expected a JSON object")
    return value


def _header(line: str) -> tuple[list[str], Config]:
    """The parameter names and the config in the header, checked against each other."""
    header = _json(1, line)
    if header.get("format") != FORMAT or not isinstance(header.get("names"), list):
        raise _fail(1, f"not an nnreel checkpoints header (expected format {FORMAT})")
    try:
        cfg = parse_config(header.get("config"))
    except ConfigError as e:
        raise _fail(1, f"the recorded config is not valid: {e}") from None
    if header["names"] != param_names(cfg.model.arch):
        raise _fail(1, "the parameter names do not fit the recorded model")
    return header["names"], cfg


def decode_run(lines: list[str]) -> Run:
    """Parse and validate the whole file; CheckpointError says which line is wrong and how."""
    if not lines:
        raise CheckpointError("the file is empty")
    names, cfg = _header(lines[0])
    end = _json(len(lines), lines[-1]) if lines[-1].endswith("\n") else {}
    if end.get("end") is not True:
        raise CheckpointError("truncated: the end record is missing")
    steps: list[Step] = []
    for number, line in enumerate(lines[1:-1], start=2):
        record = _json(number, line)
        if record.get("step") != len(steps):
            raise _fail(number, f"expected step {len(steps)}, found {quoted(record.get('step'))}")
        loss = record.get("loss")
        if isinstance(loss, bool) or not isinstance(loss, float | int) or not _finite(loss):
            raise _fail(number, f"'loss' must be a finite number, found {quoted(loss)}")
        params = _floats(number, record, "params", names)
        steps.append(Step(len(steps), float(loss), params, _floats(number, record, "grads", names)))
    if not steps:
        raise CheckpointError("no step records")
    diverged = end.get("diverged")
    last = steps[-1].step
    at = diverged.get("step") if isinstance(diverged, dict) else last
    if end.get("steps") != at or at not in (last, last + 1):
        raise _fail(len(lines), f"the end record does not match the {len(steps)} step records")
    if diverged is None:
        return Run(names, cfg, steps, None)
    if not isinstance(diverged, dict) or not isinstance(diverged.get("reason"), str):
        raise _fail(len(lines), "the end record's divergence gives no reason")
    return Run(names, cfg, steps, Divergence(at, diverged["reason"]))
