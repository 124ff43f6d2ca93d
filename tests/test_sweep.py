"""Sweeps across machines: three full clones of one bare Git repository sharing one DVC remote
run the shards, a fourth collects; real git, real dvc, real stages."""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from markdown_it import MarkdownIt
from matplotlib.cbook import is_math_text
from matplotlib.figure import Figure
from PIL import Image

from nnreel.errors import UserError
from nnreel.runs import compare
from nnreel.runs.lockfile import check_lock
from nnreel.runs.sweep import collect, command, git, origin
from nnreel.runs.sweep import plan as sweep_plan
from nnreel.runs.sweep.figures import Point, contact_figure, sweep_figure
from tests.repo import ROOT, final_loss_in_process, run

GRID = ["train.lr=0.005,0.01,0.02", "seed=1,2"]
POINTS = [(lr, seed) for lr in ("0.005", "0.01", "0.02") for seed in ("1", "2")]


# --- The plan, in-process ---------------------------------------------------------------------


def test_a_grid_expands_in_order_with_stable_names_and_round_robin_shards() -> None:
    plan = sweep_plan.make_plan(
        "lr", ["train.lr=0.1,0.2", "seed=range(1,4)", "render=preview"], 2, "b"
    )
    assert [p["name"] for p in plan.points] == [f"lr-{i}" for i in range(6)]
    assert [p["overrides"] for p in plan.points][:4] == [
        ["train.lr=0.1", "seed=1", "render=preview"],
        ["train.lr=0.1", "seed=2", "render=preview"],
        ["train.lr=0.1", "seed=3", "render=preview"],
        ["train.lr=0.2", "seed=1", "render=preview"],
    ]
    assert [p["shard"] for p in plan.points] == [0, 1, 0, 1, 0, 1]
    assert plan.keys == ["train.lr", "seed"]


def test_the_same_grid_gives_the_same_file_and_the_file_reads_back() -> None:
    one = sweep_plan.plan_text(sweep_plan.make_plan("s", GRID, 3, "abc"))
    two = sweep_plan.plan_text(sweep_plan.make_plan("s", GRID, 3, "abc"))
    assert one == two
    assert sweep_plan.parse_plan(one, Path("s.yaml")) == sweep_plan.make_plan("s", GRID, 3, "abc")


@pytest.mark.parametrize(
    ("name", "grid", "shards", "says"),
    [
        ("a/b", GRID, 1, "sweep name 'a/b'"),
        ("s", GRID, 0, "--shards 0"),
        ("s", ["train.lr=0.1,"], 1, "cannot parse the sweep"),
        ("s", ["seed=1,2", "seed=3,4"], 1, "a key is swept twice"),
        ("s", ["+extra=1,2"], 1, "drop the +"),
    ],
)
def test_a_bad_plan_names_its_problem(name: str, grid: list[str], shards: int, says: str) -> None:
    with pytest.raises(UserError, match=says.replace("+", r"\+")):
        sweep_plan.make_plan(name, grid, shards, "b")


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "a..b", "seed=1,2"],
        ["plan", "x" * 300, "seed=1,2"],
        ["plan", "-x", "seed=1,2"],
        ["work", "-x", "--shard", "0"],
        ["collect", "../../x"],
        ["collect", "x/../../y"],
    ],
)
def test_a_name_git_dvc_or_the_disk_would_refuse_is_refused_first_in_one_line(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no repository here: the name is refused before anything
    with pytest.raises(UserError) as refused:
        command.main(argv)
    said = str(refused.value)
    assert "\n" not in said and len(said) < 300
    if argv[1] == "-x":
        assert said == "'-x': no such option (a name starts with a letter or a digit)"
    else:
        assert said.startswith("sweep name '") and "without '..', at most 100 characters" in said
    assert list(tmp_path.iterdir()) == []


def test_compare_refuses_one_run_given_twice_before_reading_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for how in ([], ["--html"]):
        with pytest.raises(UserError, match=r"^'HEAD' is given twice: compare 2 to 4 different"):
            compare.main(["HEAD", "main", "HEAD", *how])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "text",
    ["", "stages: [\n", "schema: '2.0'\nstages: 3\n"],
    ids=["empty", "not YAML", "not a lock"],
)
def test_a_damaged_dvc_lock_is_named_with_its_cure_before_any_dvc_command(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_lock(ROOT / "dvc.lock")
    monkeypatch.chdir(tmp_path)
    check_lock()  # none yet: nothing has run
    Path("dvc.lock").write_text(text)
    cure = (
        "dvc.lock is empty or damaged (was a run killed while DVC wrote it?): "
        "restore it with `git checkout dvc.lock`, then run again"
    )
    with pytest.raises(UserError) as refused:
        check_lock()
    assert str(refused.value) == cure
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for argv in (["work", "s", "--shard", "0"], ["collect", "s"], ["plan", "s", "seed=1"]):
        with pytest.raises(UserError, match=r"`git checkout dvc\.lock`"):
            command.main(argv)


def test_plan_refuses_a_point_whose_config_is_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    points = sweep_plan.make_plan("s", ["train.lr=0.01,oops", "seed=1"], 1, "b").points
    with pytest.raises(UserError, match=r"train.lr=oops seed=1: train.lr = 'oops'"):
        sweep_plan.check_points(points)
    sweep_plan.check_points(points[:1])


# --- Three machines and a collector -----------------------------------------------------------


@pytest.fixture(scope="module")
def world(reproduced: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare origin, a DVC remote directory and the planner's clone, pushed."""
    tmp = tmp_path_factory.mktemp("sweep")
    repo = tmp / "repo"
    shutil.copytree(reproduced, repo, symlinks=True)
    run(tmp, "git", "init", "-q", "--bare", "-b", "main", "origin.git")
    (tmp / "store").mkdir()
    run(repo, "dvc", "remote", "add", "-d", "store", str(tmp / "store"))
    run(repo, "git", "remote", "add", "origin", str(tmp / "origin.git"))
    run(repo, "git", "commit", "-qam", "share through a DVC remote")
    run(repo, "git", "push", "-q", "origin", "main")
    plan = sweep_run(repo, "plan", "grid", *GRID, "--shards", "3")
    assert "shard 2: 2 points" in plan.stdout
    return tmp


def clone(world: Path, name: str, *extra: str) -> Path:
    run(world, "git", "clone", "-q", *extra, f"file://{world / 'origin.git'}", name)
    return world / name


def launcher_path() -> str:
    """PATH as the README's Slurm and ssh launchers have it: without this interpreter's folder,
    so neither its `dvc` nor its `python` is found there."""
    here = Path(sys.executable).parent.resolve()
    dirs = [d for d in os.environ["PATH"].split(os.pathsep) if d and Path(d).resolve() != here]
    path = os.pathsep.join(dirs)
    assert shutil.which("dvc", path=path) is None, f"a dvc outside {here} is on PATH"
    return path


def sweep_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "nnreel.runs.sweep", *args]


def sweep_run(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`python -m nnreel.runs.sweep args` in `repo`, started as a launcher does: this interpreter by
    its path, its folder not on PATH."""
    return run(repo, *sweep_cmd(*args), check=check, env={"PATH": launcher_path()})


def start(repo: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PATH": launcher_path(), "PYTHONPATH": str(repo / "src")}
    return subprocess.Popen(
        sweep_cmd(*args),
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so the whole worker can be killed
    )


def finish(p: subprocess.Popen[str]) -> str:
    out, _ = p.communicate()
    assert p.returncode == 0, out
    return out


def exps_on_origin(world: Path) -> list[str]:
    out = run(world, "git", "ls-remote", str(world / "origin.git"), "refs/exps/*").stdout
    return sorted(line.rsplit("/", 1)[1] for line in out.splitlines())


def results(collector: Path) -> list[dict[str, str]]:
    with (collector / "sweeps/grid/results.csv").open() as f:
        return list(csv.DictReader(f))


def kill_when(worker: subprocess.Popen[str], said: str) -> None:
    """Kill the worker's whole process group once it prints a line starting with `said`."""
    assert worker.stdout is not None
    printed = ""
    for line in worker.stdout:  # ends if the worker does
        printed += line
        if line.startswith(said):
            break
    else:
        raise AssertionError(f"the worker ended before saying {said!r}:\n{printed}")
    os.killpg(worker.pid, signal.SIGKILL)
    worker.communicate()


@pytest.mark.slow
def test_three_clones_run_the_shards_and_a_fourth_collects_every_point(
    world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner = world / "repo"
    machines = [clone(world, f"machine{k}") for k in range(3)]
    collector = clone(world, "collector")

    # Shard 2 is killed running its second point, once its first has arrived.
    kill_when(start(machines[2], "work", "grid", "--shard", "2"), "grid-5: running")
    assert exps_on_origin(world) == ["grid-2"]

    # Shards 0 and 1 never ran: collect names every missing point and writes nothing.
    early = sweep_run(collector, "collect", "grid", check=False)
    assert early.returncode == 1, early.stderr
    for missing in ["grid-0 (train.lr=0.005 seed=1)", "grid-5 (train.lr=0.02 seed=2)"]:
        assert f"{missing}: missing" in early.stderr
    assert "grid-2 (" not in early.stderr
    assert "1 of 6 points arrived" in early.stderr
    assert not (collector / "sweeps/grid").exists()
    # With --partial it writes what arrived, marks the rest missing, and succeeds.
    partial = sweep_run(collector, "collect", "grid", "--partial")
    assert [(r["name"], r["status"]) for r in results(collector)] == [
        (f"grid-{i}", "ok" if i == 2 else "missing") for i in range(6)
    ]
    assert "best: grid-2 (train.lr=0.01 seed=1)" in partial.stdout

    # Shards 0 and 1 run concurrently, beside shard 2's rerun, which finishes only the rest.
    workers = [start(machines[k], "work", "grid", "--shard", str(k)) for k in (0, 1, 2)]
    *_, again = [finish(p) for p in workers]
    assert "grid-2: already in this clone, pushing it" in again
    assert "grid-5: running train.lr=0.02 seed=2" in again
    assert again.count("running") == 1
    assert exps_on_origin(world) == [f"grid-{i}" for i in range(6)]
    fresh = clone(world, "fresh")
    elsewhere = finish(start(fresh, "work", "grid", "--shard", "0"))
    assert "grid-0: already on origin, skipped" in elsewhere
    assert "grid-3: already on origin, skipped" in elsewhere
    assert "running" not in elsewhere

    done = sweep_run(collector, "collect", "grid")
    out = collector / "sweeps/grid"
    rows = results(collector)
    assert [(r["train.lr"], r["seed"]) for r in rows] == POINTS
    assert [r["name"] for r in rows] == [f"grid-{i}" for i in range(6)]
    assert all(r["status"] == "ok" for r in rows)
    for r in rows:
        expected = final_loss_in_process(
            planner, [f"train.lr={r['train.lr']}", f"seed={r['seed']}"]
        )
        assert float(r["final_loss"]) == expected, r
    losses = {r["name"]: float(r["final_loss"]) for r in rows}
    best = sorted(losses, key=losses.__getitem__)
    assert f"nnreel compare {' '.join(best[:4])}" in done.stdout
    assert f"**{best[0]}**" in (out / "README.md").read_text()

    with Image.open(out / "contact.png") as contact:  # 3 learning rates by 2 seeds
        assert contact.size == (2 * 320, round(3 * 320 * 0.72))
    with Image.open(out / "sweep.png") as figure:  # lines beside a heatmap
        assert figure.size == (1300, 500)
    monkeypatch.chdir(collector)
    figures_hold_one_mark_per_point()


def figures_hold_one_mark_per_point() -> None:
    """The contact sheet has a frame per point in grid order; the lines a loss per point."""
    plan, _ = sweep_plan.read_plan("grid")
    refs = {ref.rsplit("/", 1)[1]: ref for ref in git.local_refs()}
    points = [collect.arrived_point(p, refs[p["name"]]) for p in plan.points]
    fig = contact_figure(plan.keys, points)
    titles = [ax.get_title().split("\n")[0].split(" ")[0] for ax in fig.axes if ax.images]
    assert titles == [f"grid-{i}" for i in range(6)]
    lines = sweep_figure(plan.keys, points).axes[0].get_lines()
    ys = sorted(float(y) for line in lines for y in np.asarray(line.get_ydata()))
    assert ys == sorted(p.metrics["final_loss"] for p in points)


def failures_on_origin(world: Path) -> list[str]:
    out = run(world, "git", "ls-remote", str(world / "origin.git"), f"{origin.FAILED}/*").stdout
    return sorted(line.rsplit("/", 1)[1] for line in out.splitlines())


def collected_loss(collector: Path, name: str) -> float:
    sweep_run(collector, "collect", name)
    with (collector / f"sweeps/{name}/results.csv").open() as f:
        (row,) = csv.DictReader(f)
    assert row["status"] == "ok", row
    return float(row["final_loss"])


@pytest.mark.slow
def test_a_point_arrives_only_with_its_outputs_and_under_its_own_plan(world: Path) -> None:
    planner = world / "repo"
    sweep_run(planner, "plan", "again", "seed=7")

    # A remote folder that is not there is not made anew, empty, by a push.
    worker = clone(world, "half-pushed")
    unmounted = world / "unmounted-store"
    (worker / ".dvc/config.local").write_text(f"['remote \"store\"']\n    url = {unmounted}\n")
    refused = sweep_run(worker, "work", "again", "--shard", "0", check=False)
    assert (refused.returncode, refused.stderr.count("\n")) == (2, 1), refused.stderr
    assert f"the DVC remote 'store' is a folder that does not exist: {unmounted}" in refused.stderr
    assert not unmounted.exists()
    (worker / ".dvc/config.local").unlink()

    # A run whose ref reached origin but whose outputs did not, as when the data push fails
    # after `dvc exp push` has sent the ref.
    run(worker, "dvc", "exp", "run", "--temp", "-q", "-n", "again-0", "-S", "seed=7")
    run(worker, "dvc", "exp", "push", "--no-cache", "origin", "again-0")
    assert "again-0" in exps_on_origin(world)

    # Elsewhere the shard is run twice at once in one clone: the point is run again, not
    # skipped, and arrives once; neither run marks it failed.
    rerun = clone(world, "rerun")
    both = [start(rerun, "work", "again", "--shard", "0") for _ in range(2)]
    said = [finish(p) for p in both]
    assert any("again-0: on origin without its outputs, running it again" in s for s in said)
    assert "again-0" not in failures_on_origin(world)
    expected = final_loss_in_process(planner, ["seed=7"])
    assert collected_loss(rerun, "again") == expected

    # The name is reused for another grid: the earlier runs, on origin and in this clone,
    # are not taken for its points.
    run(planner, "git", "rm", "-q", "sweeps/again.yaml")
    run(planner, "git", "commit", "-qm", "drop sweep again")
    sweep_run(planner, "plan", "again", "seed=8")
    run(rerun, "git", "pull", "-q")
    reused = finish(start(rerun, "work", "again", "--shard", "0"))
    assert "again-0: running seed=8" in reused, reused
    assert collected_loss(rerun, "again") == final_loss_in_process(planner, ["seed=8"])


@pytest.mark.slow
def test_a_shallow_clone_is_refused_with_one_line(world: Path) -> None:
    shallow = clone(world, "shallow", "--depth", "1")
    result = sweep_run(shallow, "work", "grid", "--shard", "0", check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "this clone is shallow" in result.stderr
    assert "fetch-depth: 0" in result.stderr


@pytest.mark.slow
def test_a_missing_remote_and_a_wrong_base_are_refused_with_one_line(world: Path) -> None:
    lost = clone(world, "no-remote")
    run(lost, "git", "remote", "remove", "origin")
    result = sweep_run(lost, "work", "grid", "--shard", "0", check=False)
    assert (result.returncode, result.stderr.count("\n")) == (2, 1)
    assert "no git remote 'origin'" in result.stderr

    edited = clone(world, "edited")
    (edited / "README.md").write_text("changed\n")
    result = sweep_run(edited, "work", "grid", "--shard", "0", check=False)
    assert (result.returncode, result.stderr.count("\n")) == (2, 1)
    assert "uncommitted changes (README.md" in result.stderr

    moved = edited
    run(moved, "git", "commit", "-qam", "code after the plan")
    result = sweep_run(moved, "work", "grid", "--shard", "0", check=False)
    assert (result.returncode, result.stderr.count("\n")) == (2, 1)
    assert "the sweep's base commit" in result.stderr


@pytest.mark.slow
def test_a_fresh_clone_plans_from_the_remote_and_a_missing_baseline_is_refused_in_one_line(
    world: Path,
) -> None:
    run(world, "git", "clone", "-q", "--bare", "origin.git", "fresh-origin.git")
    fresh = world / "new-planner"
    run(world, "git", "clone", "-q", f"file://{world / 'fresh-origin.git'}", fresh.name)
    assert not (fresh / ".dvc/cache").exists() and not (fresh / "data/samples.json").exists()
    planned = sweep_run(fresh, "plan", "fresh", "seed=3,4")  # the baseline: on the remote only
    assert "shard 0: 2 points" in planned.stdout

    (world / "empty-store").mkdir()  # `dvc remote modify --local store url …`, written out
    (fresh / ".dvc/config.local").write_text(
        f"['remote \"store\"']\n    url = {world}/empty-store\n"
    )
    head = run(fresh, "git", "rev-parse", "HEAD").stdout
    refused = sweep_run(fresh, "plan", "other", "seed=5", check=False)
    assert (refused.returncode, refused.stderr.count("\n")) == (2, 1), refused.stderr
    assert "in neither the DVC cache nor the remote 'store'" in refused.stderr
    assert "`dvc repro`, or `dvc pull` from a remote that has them" in refused.stderr
    assert run(fresh, "git", "rev-parse", "HEAD").stdout == head
    assert not (fresh / "sweeps/other.yaml").exists()

    lacking = sweep_run(fresh, "work", "fresh", "--shard", "0", check=False)
    assert (lacking.returncode, lacking.stderr.count("\n")) == (2, 1), lacking.stderr
    assert "the sweep's baseline is missing" in lacking.stderr
    assert "running" not in lacking.stdout


@pytest.mark.slow
def test_a_point_that_fails_is_reported_as_failed_by_name_and_override(world: Path) -> None:
    planner = world / "repo"
    sweep_run(planner, "plan", "broken", "model.init.sigma=1e200")
    worker = clone(world, "broken-worker")
    result = sweep_run(worker, "work", "broken", "--shard", "0", check=False)
    assert result.returncode == 1
    assert "broken-0 (model.init.sigma=1e+200): dvc exp run failed" in result.stderr
    assert "the initial loss or gradient is not finite" in result.stderr + result.stdout
    collector = clone(world, "broken-collector")
    result = sweep_run(collector, "collect", "broken", check=False)
    assert result.returncode == 1
    said = "broken-0 (model.init.sigma=1e+200): failed on shard 0: dvc exp run failed"
    assert said in result.stderr


# --- The figures, in-process, on made-up outcomes ---------------------------------------------


def tiny_png() -> bytes:
    fig = Figure(figsize=(1.6, 1), dpi=50)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def outcome(name: str, overrides: list[str], loss: float | None, diverged: bool = False) -> Point:
    """A point that arrived with `loss`, or (None) one that is missing."""
    if loss is None:
        return Point(name, overrides, "missing", {}, b"")
    metrics = {"final_loss": loss, "diverged": diverged, "diverged_step": 3 if diverged else None}
    return Point(name, overrides, "ok", metrics, tiny_png())


def drawn(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def test_a_sweep_where_no_key_takes_two_values_is_drawn() -> None:
    points = [outcome("one-0", ["seed=3"], 1.5)]
    assert drawn(sweep_figure([], points)).startswith(b"\x89PNG")
    sheet = contact_figure([], points)
    assert [ax.get_title().split("\n")[0] for ax in sheet.axes] == ["one-0 (best)  final loss 1.5"]
    assert drawn(sheet).startswith(b"\x89PNG")


def test_names_overrides_and_reasons_are_drawn_as_plain_text_not_mathtext() -> None:
    keys = ["data.csv", "seed"]
    points = [
        outcome("s-0", ["data.csv=$x_$.csv", "seed=1"], 2.0),
        outcome("s-1", ["data.csv=$x_$.csv", "seed=2"], None),
        outcome("s-2", ["data.csv=a$\\frac$", "seed=1"], 3.0),
        Point("s-3", ["data.csv=a$\\frac$", "seed=2"], "failed: $x^$", {}, b""),
    ]
    for fig in (sweep_figure(keys, points), contact_figure(keys, points)):
        drawn(fig)  # mathtext would fail to parse any of these
        texts = [t for ax in fig.axes for t in (ax.title, *ax.texts, *ax.get_xticklabels())]
        dollars = [t.get_text() for t in texts if "$" in t.get_text()]
        assert dollars and not any(is_math_text(text) for text in dollars), dollars


def test_the_readme_of_a_sweep_shows_every_value_literally_in_commonmark() -> None:
    hostile = [
        "data.csv='<img src=x onerror=alert(1)>'",
        "train.lr='</script><script>alert(2)</script>'",
        "seed='`1` `` ```'",
    ]
    plan = sweep_plan.make_plan("s", hostile, 1, "0123456789abcdef")
    points = [
        outcome("s-0", plan.points[0]["overrides"], 2.0),
        Point("s-1", plan.points[0]["overrides"], "failed: <b>`x`</b>\n# heading", {}, b""),
    ]
    blocks = MarkdownIt("commonmark").parse(collect.readme(plan, points))  # raw HTML allowed
    inline = [t for b in blocks for t in (b.children or [])]
    kinds = {t.type for t in [*blocks, *inline]}
    assert not {"html_inline", "html_block"} & kinds, kinds
    assert [b.tag for b in blocks if b.type == "heading_open"] == ["h1"]
    overrides = " ".join(plan.points[0]["overrides"])
    assert [t.content for t in inline if t.type == "code_inline"] == [
        " ".join(hostile),
        "0123456789",  # the base commit
        overrides,
        overrides,
        "failed: <b>`x`</b> # heading",
    ]


def test_one_key_gives_one_line_and_no_heatmap() -> None:
    points = [outcome(f"s-{i}", [f"train.lr={lr}"], 1.0 + i) for i, lr in enumerate([0.1, 0.2])]
    fig = sweep_figure(["train.lr"], points)
    assert len(fig.axes) == 1
    assert [np.asarray(line.get_ydata()).tolist() for line in fig.axes[0].get_lines()] == [
        [1.0, 2.0]
    ]


def test_one_key_lays_the_contact_sheet_out_near_square() -> None:
    points = [outcome(f"s-{i}", [f"seed={i}"], 1.0) for i in range(5)]
    fig = contact_figure(["seed"], points)
    spec = fig.axes[0].get_subplotspec()
    assert spec is not None and spec.get_geometry()[:2] == (2, 3)
    assert len([ax for ax in fig.axes if ax.images]) == 5


def test_diverged_and_missing_points_are_marked_not_plotted_as_losses() -> None:
    keys = ["train.lr", "seed"]
    points = [
        outcome("s-0", ["train.lr=0.1", "seed=1"], 2.0),
        outcome("s-1", ["train.lr=0.1", "seed=2"], None),
        outcome("s-2", ["train.lr=10", "seed=1"], 1e30, diverged=True),
        outcome("s-3", ["train.lr=10", "seed=2"], 3.0),
    ]
    fig = sweep_figure(keys, points)
    lines, heat = fig.axes[0], fig.axes[1]
    labels = [line.get_label() for line in lines.get_lines()]
    assert labels == ["seed=1", "seed=2", "diverged (1)", "missing or failed (1)"]
    losses = [float(y) for line in lines.get_lines()[:2] for y in np.asarray(line.get_ydata())]
    assert [y for y in losses if not math.isnan(y)] == [2.0, 3.0]  # 1e30 is not drawn as a loss
    assert sorted(t.get_text() for t in heat.texts) == ["2", "3", "diverged\nstep 3", "missing"]
    sheet = contact_figure(keys, points)
    titles = [ax.get_title() for ax in sheet.axes]
    assert titles[0].startswith("s-0 (best)  final loss 2")
    assert titles[2].startswith("s-2  diverged at step 3")
    assert [t.get_text() for t in sheet.axes[1].texts] == ["missing"]
    assert len([ax for ax in sheet.axes if ax.images]) == 3


@pytest.mark.slow
def test_planning_again_changes_nothing_and_another_grid_under_the_name_is_refused(
    world: Path,
) -> None:
    planner = world / "repo"
    head = run(planner, "git", "rev-parse", "HEAD").stdout
    before = (planner / "sweeps/grid.yaml").read_bytes()
    sweep_run(planner, "plan", "grid", *GRID, "--shards", "3")
    assert run(planner, "git", "rev-parse", "HEAD").stdout == head
    assert (planner / "sweeps/grid.yaml").read_bytes() == before
    other = sweep_run(planner, "plan", "grid", "seed=1,2", "--shards", "3", check=False)
    assert (other.returncode, other.stderr.count("\n")) == (2, 1)
    assert "sweeps/grid.yaml already plans a different sweep" in other.stderr
    assert (planner / "sweeps/grid.yaml").read_bytes() == before
