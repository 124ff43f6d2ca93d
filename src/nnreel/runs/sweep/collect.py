"""`collect`: pull a sweep's experiments and write sweeps/NAME/: results.csv, sweep.png,
contact.png and README.md."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from nnreel.pictures.png import save_png
from nnreel.records.files import write_lines
from nnreel.runs.sweep.figures import Point, contact_figure, sweep_figure
from nnreel.runs.sweep.git import check_clone, remote_refs, run
from nnreel.runs.sweep.origin import FAILED, on_origin
from nnreel.runs.sweep.overrides import value_of
from nnreel.runs.sweep.plan import SWEEPS, Incomplete, Plan, check_name, read_plan


def failure_reasons(refs: dict[str, str]) -> dict[str, str]:
    """The reason each failed point gave, by point name."""
    if not refs:
        return {}
    run("git", "fetch", "-q", "origin", *(f"+{r}:{r}" for r in refs))
    return {
        r.rsplit("/", 1)[1]: run("git", "log", "-1", "--format=%s", sha) for r, sha in refs.items()
    }


def arrived_point(pt: dict[str, Any], ref: str) -> Point:
    metrics = json.loads(run("git", "show", f"{ref}:reports/metrics.json"))
    frame = subprocess.run(
        ["git", "show", f"{ref}:reports/final_frame.png"], capture_output=True, check=True
    ).stdout
    return Point(pt["name"], pt["overrides"], "ok", metrics, frame)


def results_lines(p: Plan, points: Sequence[Point]) -> list[str]:
    """results.csv: one row per planned point, floats with repr so they read back exactly."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["name", *p.keys, "status", "final_loss", "best_loss", "diverged_step", "r2"])
    for pt, plan_pt in zip(points, p.points, strict=True):
        m = pt.metrics
        values = [m.get(k) for k in ("final_loss", "best_loss", "diverged_step", "r2")]
        shown = ["" if v is None else repr(v) for v in values]
        w.writerow(
            [pt.name, *(value_of(plan_pt["overrides"], k) for k in p.keys), pt.status, *shown]
        )
    return out.getvalue().splitlines(keepends=True)


def ranked(points: Sequence[Point]) -> list[Point]:
    """Arrived points that did not diverge, best final loss first."""
    ok = [pt for pt in points if pt.status == "ok" and not pt.metrics.get("diverged")]
    return sorted(ok, key=lambda pt: pt.metrics["final_loss"])


def compare_command(points: Sequence[Point]) -> str:
    best = ranked(points)[:4]
    return "nnreel compare " + " ".join(pt.name for pt in best) if len(best) > 1 else ""


def code(text: str) -> str:
    """`text` as a Markdown code span that shows it literally (no HTML, no emphasis): fenced
    by one backtick more than its longest run of them, each side padded with the one space
    CommonMark strips. A line break would end the paragraph, so it shows as a space."""
    text = re.sub(r"\r\n?|\n", " ", text)
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def readme(p: Plan, points: Sequence[Point]) -> str:
    arrived = [pt for pt in points if pt.status == "ok"]
    best = ranked(points)
    lines = [
        f"# Sweep {p.name}\n\n",
        f"{code(' '.join(p.sweep))}: {len(arrived)} of {len(points)} points arrived, "
        f"over {p.shards} shards, base commit `{p.base[:10]}`.\n\n",
    ]
    if best:
        b = best[0]
        lines.append(
            f"Best: **{b.name}** ({code(' '.join(b.overrides))}), final loss "
            f"{b.metrics['final_loss']:.6g}.\n\n"
        )
    lost = [pt for pt in points if pt.status != "ok"]
    lines += [f"- {pt.name} ({code(' '.join(pt.overrides))}): {code(pt.status)}\n" for pt in lost]
    lines += ["\n"] if lost else []
    lines += [
        "Every point's numbers: [results.csv](results.csv).\n\n",
        "![Final loss of every point](sweep.png)\n\n",
        "![The final frame of every point, in grid order](contact.png)\n",
    ]
    command = compare_command(points)
    lines += [f"\nThe best four side by side:\n\n```sh\n{command}\n```\n"] if command else []
    return "".join(lines)


def collect(name: str, partial: bool) -> None:
    check_name(name)
    store = check_clone()
    p, text = read_plan(name)
    refs, incomplete = on_origin(p, text, store)
    absent = {pt["name"] for pt in p.points} - set(refs)
    failed = remote_refs(f"{FAILED}/*")
    reasons = failure_reasons({r: s for r, s in failed.items() if r.rsplit("/", 1)[1] in absent})
    for point in incomplete:
        reasons.setdefault(point, "on origin without its outputs on the DVC remote")
    if refs:
        print(f"pulling {len(refs)} experiments of {name} (dvc exp pull)", flush=True)
        run("dvc", "exp", "pull", "origin", *refs.values())
    points = [
        arrived_point(pt, refs[pt["name"]])
        if pt["name"] in refs
        else Point(pt["name"], pt["overrides"], reasons.get(pt["name"], "missing"), {}, b"")
        for pt in p.points
    ]
    lost = [pt for pt in points if pt.status != "ok"]
    for pt in lost:
        print(f"{pt.name} ({' '.join(pt.overrides)}): {pt.status}", file=sys.stderr)
    if lost and not partial:
        raise Incomplete(
            f"{len(points) - len(lost)} of {len(points)} points arrived; rerun their shards, "
            "or collect --partial"
        )
    out = SWEEPS / name
    write_lines(out / "results.csv", results_lines(p, points))
    save_png(sweep_figure(p.keys, points), out / "sweep.png")
    save_png(contact_figure(p.keys, points), out / "contact.png")
    write_lines(out / "README.md", [readme(p, points)])
    print(f"wrote {out}/: results.csv, sweep.png, contact.png, README.md")
    best = ranked(points)
    if best:
        print(f"best: {best[0].name} ({' '.join(best[0].overrides)})")
    if compare_command(points):
        print(compare_command(points))
