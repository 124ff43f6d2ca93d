"""The viewer and the offline plots page in a real browser: headless Chromium via Playwright.

Without Chromium these tests skip with one line saying how to get it; under CI (CI=true)
they fail instead.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import random
import re
import shutil
import struct
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nnreel.config.architecture import param_kind
from nnreel.config.schema import Config, DataConfig, LandscapeConfig, ModelConfig, TrainConfig
from nnreel.core import landscape, limits
from nnreel.core.data import make_samples
from nnreel.core.limits import dense_grid
from nnreel.core.network import Net, Samples
from nnreel.core.run import Run
from nnreel.records.landscape_file import from_json, to_json
from nnreel.web import viewer
from tests.conftest import reference_samples
from tests.repo import ROOT, run, trained_run

CHROMIUM_ARGS = [
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
    *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
]
CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    MISSING = (
        "browser tests need Chromium, which is missing: install it with `apt-get install chromium`"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(MISSING, pytrace=False)
    pytest.skip(MISSING, allow_module_level=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def new_tab(browser: Any) -> Any:
    """A browser tab that lets file:// requests through and aborts every other."""
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    return tab


@pytest.fixture(scope="session")
def tab(browser: Any) -> Iterator[Any]:
    """The tab that tests take turns in (a new tab costs a renderer process, ~0.7 s of CPU)."""
    tab = new_tab(browser)
    yield tab
    tab.close()


class Page:
    """A page opened from file:// in `tab`, with every request and console error recorded
    until `detach`."""

    def __init__(
        self, tab: Any, path: Path, hash: str = "", ready: str = "body[data-ready=true]"
    ) -> None:
        self.page = tab
        self.requests: list[str] = []
        self.errors: list[str] = []
        tab.goto("about:blank")  # so that a page opened again with another hash loads anew
        tab.on("console", self.console)
        tab.on("pageerror", self.page_error)
        tab.on("request", self.request)
        self.url = path.as_uri()
        tab.goto(self.url + hash)
        tab.wait_for_selector(ready, timeout=10_000)

    def console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def page_error(self, error: Any) -> None:
        self.errors.append(str(error))

    def request(self, request: Any) -> None:
        self.requests.append(request.url)

    def attr(self, selector: str, name: str) -> str:
        value = self.page.get_attribute(selector, name)
        assert value is not None, (selector, name)
        return str(value)

    def steps(self) -> set[int]:
        """The steps every panel says it shows."""
        return {
            int(s)
            for s in self.page.eval_on_selector_all(
                "[data-panel]", "els => els.map(e => e.dataset.step)"
            )
        }

    def detach(self) -> None:
        self.page.remove_listener("console", self.console)
        self.page.remove_listener("pageerror", self.page_error)
        self.page.remove_listener("request", self.request)


@pytest.fixture
def open_page(tab: Any) -> Iterator[Callable[..., Page]]:
    """Opens a page in the shared tab; whatever the test's outcome, it stops recording after."""
    opened: list[Page] = []

    def open_(path: Path, hash: str = "", ready: str = "body[data-ready=true]") -> Page:
        opened.append(Page(tab, path, hash, ready))
        return opened[-1]

    yield open_
    for page in opened:
        page.detach()


@pytest.fixture
def paused_page(browser: Any) -> Iterator[Callable[..., Page]]:
    """Opens a page in a tab of its own whose clock is Playwright's and stands still: time
    moves only by `page.page.clock.run_for`, however loaded the machine is."""
    tab = new_tab(browser)

    def open_(path: Path, hash: str = "") -> Page:
        page = Page(tab, path, hash)
        tab.clock.install(time=0)
        tab.clock.pause_at(1000)
        return page

    yield open_
    tab.close()


def make_run(
    hidden: list[int] | None = None,
    activation: str = "softplus",
    steps: int = 600,
    lr: float = 0.01,
    frozen: list[str] | None = None,
    samples: Samples | None = None,
) -> tuple[Run, Samples]:
    """A run trained with the real code, read back through the checkpoints format."""
    model = ModelConfig(hidden=hidden or [2], activation=activation, output_bias=hidden is not None)
    cfg = Config(model=model, train=TrainConfig(steps=steps, lr=lr, frozen=frozen or []))
    return trained_run(cfg, samples or reference_samples())


def saved_landscape(
    run: Run, samples: Samples, cfg: LandscapeConfig | None = None
) -> landscape.Landscape:
    """The run's landscape as the viewer stage reads it: through its JSON file's form."""
    made = landscape.run_landscape(run, samples, cfg or LandscapeConfig())
    text = json.dumps(to_json(made))
    return from_json(json.loads(text))


def write_page(tmp: Path, runs: dict[str, tuple[Run, Samples]], fps: int = 30) -> Path:
    """A viewer page as the stage writes it (one run, with its landscape) or a compare page."""
    if len(runs) == 1:
        ((label, (r, s)),) = runs.items()
        data = viewer.run_data(r, s, label, 400, saved_landscape(r, s))
        html = viewer.page("nnreel viewer", [data], fps)
    else:
        html = viewer.compare_page(runs, fps, 400)
    path = tmp / "viewer.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def default_run() -> tuple[Run, Samples]:
    return make_run()


@pytest.fixture(scope="module")
def default_landscape(default_run: tuple[Run, Samples]) -> landscape.Landscape:
    return saved_landscape(*default_run)


@contextlib.contextmanager
def page_of(browser: Any, run: tuple[Run, Samples], folder: Path) -> Iterator[Page]:
    """The viewer page of `run`, written into `folder` and open in a tab of its own."""
    tab = new_tab(browser)
    try:
        yield Page(tab, write_page(folder, {"run": run}))
    finally:
        tab.close()


@pytest.fixture(scope="module")
def default_page(
    browser: Any, default_run: tuple[Run, Samples], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Page]:
    with page_of(browser, default_run, tmp_path_factory.mktemp("viewer")) as page:
        yield page


SHOWN = """() => {
    const data = (selector) => [...document.querySelectorAll(selector)].map(e => ({...e.dataset}));
    return {
        steps: data("[data-panel]").map(d => d.step),
        landscape: data("[data-panel=landscape]"),
        loss: data("[data-loss]").map(d => d.loss),
        rows: data("[data-panel=values] tr[data-param]"),
        cells: data("[data-panel=values] td[data-param]"),
    };
}"""


def assert_shows(page: Page, run: Run, k: int, land: landscape.Landscape | None = None) -> None:
    """Every panel, the loss readout and the value table show exactly step k of `run`; the
    landscape's current point is exactly the step's projection in `land`. (One read of the
    page, so that every part is seen at the same moment.)"""
    shown = page.page.evaluate(SHOWN)
    assert {int(s) for s in shown["steps"]} == {k}
    if land is not None:
        (t,) = land.tracks
        (point,) = shown["landscape"]
        x, y = t.coords
        assert [point["x"], point["y"]] == [repr(x[k]), repr(y[k])]
        assert [float(point["x"]), float(point["y"])] == [x[k], y[k]]
        assert point["residual"] == repr(t.residual[k]) and point["pathStep"] == str(k)
    (loss,) = shown["loss"]
    assert loss == repr(run.steps[k].loss) and float(loss) == run.steps[k].loss
    rows = [[r["param"], r["value"], r["grad"]] for r in shown["rows"]]
    expected = [
        [name, repr(v), repr(g)]
        for name, v, g in zip(run.names, run.steps[k].params, run.steps[k].grads, strict=True)
    ]
    assert rows == expected
    floats = [[v, g] for v, g in zip(run.steps[k].params, run.steps[k].grads, strict=True)]
    assert [[float(v), float(g)] for _, v, g in rows] == floats
    cells = [[c["param"], c["value"], c["grad"]] for c in shown["cells"]]
    assert cells == [row for row in expected for _ in range(4)]  # value, repr, grad, repr


def test_the_page_loads_from_file_with_no_error_and_no_other_request(
    default_page: Page,
) -> None:
    assert default_page.requests == [default_page.url]
    assert default_page.errors == []
    csp = default_page.attr('meta[http-equiv="Content-Security-Policy"]', "content")
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    panels = default_page.page.eval_on_selector_all(
        "[data-panel]", "els => els.map(e => e.dataset.panel)"
    )
    assert panels == ["fit", "landscape", "values", "loss", "gradients", "params"]


def test_a_blocked_request_fails_loudly(default_page: Page) -> None:
    default_page.page.evaluate("fetch('file:///etc/hostname').catch(() => {})")
    default_page.page.wait_for_timeout(100)
    assert any("Content Security Policy" in e for e in default_page.errors)
    default_page.errors.clear()


def test_fifty_random_seeks_each_show_exactly_the_checkpoint(
    default_page: Page, default_run: tuple[Run, Samples], default_landscape: landscape.Landscape
) -> None:
    run, _ = default_run
    page, p = default_page, default_page.page
    rng = random.Random(12)
    last = run.steps[-1].step
    for i in range(50):
        way = ("slider", "keys", "box", "hash")[i % 4]
        if way == "slider":
            k = rng.randrange(last + 1)
            p.fill("#step-slider", str(k))
        elif way == "box":
            k = rng.randrange(last + 1)
            p.fill("#step-box", str(k))
            p.press("#step-box", "Enter")
        elif way == "hash":
            k = rng.randrange(last + 1)
            # The page writes the hash a moment after a seek; setting it to the value it is
            # about to replace would fire no hashchange.
            p.wait_for_function("() => location.hash === '#step=' + document.body.dataset.step")
            p.evaluate(f"location.hash = '#step={k}'")
            p.wait_for_function(f"() => document.body.dataset.step === '{k}'")
        else:
            now = int(page.attr("body", "data-step"))
            k = min(last, max(0, now + rng.randrange(-15, 16)))
            p.focus("#step-slider")
            tens, ones = divmod(abs(k - now), 10)
            arrow = "ArrowRight" if k > now else "ArrowLeft"
            for _ in range(tens):
                p.keyboard.press(f"Shift+{arrow}")
            for _ in range(ones):
                p.keyboard.press(arrow)
        assert_shows(page, run, k, default_landscape)
        assert p.input_value("#step-slider") == str(k)
    p.wait_for_function(f"() => location.hash === '#step={k}'")
    assert page.errors == []


def edge_marks(title: str, values: list[float]) -> list[str]:
    """Where a history's panel marks values beyond it: each stretch of steps beyond its
    limits (`limits.history_limits`) on one side, at the step farthest from its middle."""
    lo, hi = limits.history_limits([values], [len(values)])
    marks, side_before = [], 0
    for k, v in enumerate(values):
        side = -1 if v < lo else 1 if v > hi else 0
        if side and side != side_before:
            marks.append(k)
        elif side and abs(v - (lo + hi) / 2) > abs(values[marks[-1]] - (lo + hi) / 2):
            marks[-1] = k
        side_before = side
    return [f"{title}@{k}" for k in marks]


def history_marks(run: Run) -> tuple[list[str], list[str]]:
    """The edge marks a run's loss panel and gradient panels must carry."""
    grads = [
        mark
        for i, name in enumerate(run.names)
        for mark in edge_marks(f"∂SSR/∂{name}", [s.grads[i] for s in run.steps])
    ]
    return edge_marks("", [s.loss for s in run.steps]), grads


def test_a_steady_descent_from_the_first_step_stays_on_its_panel(
    default_page: Page,
    default_run: tuple[Run, Samples],
    open_page: Callable[..., Page],
    tmp_path: Path,
) -> None:
    run, _ = default_run
    # ∂SSR/∂ow2 climbs from -2.4 to 0 over the first 14 steps, then stays in [-0.2, 0.5].
    assert history_marks(run) == ([], [])
    assert default_page.attr("[data-panel=gradients]", "data-edge-marks") == ""
    assert default_page.attr("[data-panel=loss]", "data-edge-marks") == ""
    # The one-parameter lesson at the default rate: all of its learning (SSR 13.81 to 4.04,
    # ∂SSR/∂ob 21.7 to 1.4) is over by step 12 of 600.
    frozen = ["iw1", "ow1", "b1", "iw2", "ow2", "b2"]
    lesson, samples = make_run([2], frozen=frozen)
    assert lesson.steps[0].loss > 13.8 and lesson.steps[12].loss < 4.05
    page = open_page(write_page(tmp_path, {"run": (lesson, samples)}))
    assert history_marks(lesson) == ([], [])
    assert page.attr("[data-panel=loss]", "data-edge-marks") == ""
    assert page.attr("[data-panel=gradients]", "data-edge-marks") == ""


def test_isolated_spikes_leave_their_panel_marked_at_its_edge(
    open_page: Callable[..., Page], tmp_path: Path
) -> None:
    made = make_run(steps=300, samples=make_samples(DataConfig(n_samples=40)))
    page = open_page(write_page(tmp_path, {"run": made}))
    loss, grads = history_marks(made[0])
    assert len(grads) > 10  # 40 samples at lr 0.01: the gradients spike from step 238
    assert page.attr("[data-panel=gradients]", "data-edge-marks").split() == grads
    assert page.attr("[data-panel=loss]", "data-edge-marks").split() == loss


FROM_BITS = """hexes => hexes.map(h => {
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, BigInt("0x" + h));
    return nnreel.pyRepr(view.getFloat64(0));
})"""


def test_the_page_writes_every_float_as_python_repr_does(default_page: Page) -> None:
    info = sys.float_info
    chosen = [1e16, 1e-7, 5e-324, -0.0, 0.0, 0.1 + 0.2, 1e308, 1e-5, 1e-4, 123456789012345680.0]
    chosen += [2.5e-308, info.min, info.max, -info.max, 9999999999999998.0, 1e15, 1.0, -1.5]
    chosen += [1e22, 1 / 3, -2.2250738585072014e-308, math.inf, -math.inf, math.nan]
    rng = random.Random(8)
    bits = [rng.getrandbits(64) for _ in range(300)]  # floats of every exponent and sign
    values = chosen + [x for b in bits if math.isfinite(x := struct.unpack(">d", b.to_bytes(8))[0])]
    hexes = [struct.pack(">d", x).hex() for x in values]
    assert default_page.page.evaluate(FROM_BITS, hexes) == [repr(x) for x in values]


def test_every_key_binding(default_page: Page, default_run: tuple[Run, Samples]) -> None:
    run, _ = default_run
    p = default_page.page
    p.fill("#step-box", "100")
    p.press("#step-box", "Enter")
    p.focus("#step-slider")
    for key, expected in [
        ("ArrowRight", 101),
        ("ArrowLeft", 100),
        ("Shift+ArrowRight", 110),
        ("Shift+ArrowLeft", 100),
        ("End", 600),
        ("ArrowRight", 600),
        ("Home", 0),
        ("ArrowLeft", 0),
        ("Shift+ArrowRight", 10),
    ]:
        p.keyboard.press(key)
        assert_shows(default_page, run, expected)
    p.keyboard.press("Space")
    p.wait_for_function("() => Number(document.body.dataset.step) > 10")
    assert default_page.attr("#play", "data-playing") == "true"
    p.focus("#play")  # Space on the focused play button toggles once, not twice
    p.keyboard.press("Space")
    assert default_page.attr("#play", "data-playing") == "false"
    stopped = int(default_page.attr("body", "data-step"))
    p.wait_for_timeout(150)
    assert int(default_page.attr("body", "data-step")) == stopped
    assert_shows(default_page, run, stopped)
    for text, expected in [("250", 250), ("99999", 600), ("", 600), ("-3", 600)]:
        p.fill("#step-box", text)
        p.press("#step-box", "Enter")
        assert_shows(default_page, run, expected)
        assert p.input_value("#step-box") == str(expected)


def test_hovering_a_history_reads_the_value_at_the_hovered_step(
    default_page: Page, default_run: tuple[Run, Samples]
) -> None:
    run, _ = default_run
    p = default_page.page
    overlay = p.locator("[data-panel=loss] canvas.overlay")
    overlay.scroll_into_view_if_needed()
    box = overlay.bounding_box()
    assert box is not None
    # The loss frame spans the canvas less its margins (58 px left, 12 px right).
    left, width = box["x"] + 58, box["width"] - 70
    for k in (0, 150, 600):
        p.mouse.move(left + width * k / 600, box["y"] + box["height"] / 2)
        readout = "[data-panel=loss] .readout"
        assert int(default_page.attr(readout, "data-hover-step")) == k
        assert default_page.attr(readout, "data-hover-value") == repr(run.steps[k].loss)
    p.mouse.move(0, 0)


def test_hovering_the_landscape_reads_the_loss_at_the_nearest_grid_point(
    default_page: Page, default_landscape: landscape.Landscape
) -> None:
    p = default_page.page
    overlay = p.locator("[data-panel=landscape] canvas.overlay")
    overlay.scroll_into_view_if_needed()
    box = overlay.bounding_box()
    assert box is not None
    # The surface is a square 364 px a side, 58 px from the canvas's left and 12 from its top,
    # of 101 cells a side; rows run upwards.
    left, top, cell = box["x"] + 58, box["y"] + 12, 364 / 101
    readout = "[data-panel=landscape] .readout"
    for i, j in [(0, 100), (100, 0), (50, 50), (13, 87)]:
        p.mouse.move(left + (i + 0.5) * cell, top + (100 - j + 0.5) * cell)
        shown = [default_page.attr(readout, f"data-hover-{n}") for n in ("i", "j", "loss")]
        assert shown == [str(i), str(j), repr(default_landscape.loss[j][i])]
    p.mouse.move(0, 0)
    assert default_page.attr(readout, "data-hover-loss") == ""


def test_the_one_parameter_curve_has_the_recorded_gradient_as_its_tangent_slope(
    open_page: Callable[..., Page], tmp_path: Path
) -> None:
    frozen = ["iw1", "ow1", "b1", "iw2", "ow2", "b2"]
    run, samples = make_run([2], steps=120, frozen=frozen)
    land = saved_landscape(run, samples)
    assert land.mode == "curve" and land.labels == ["ob"]
    page = open_page(write_page(tmp_path, {"run": (run, samples)}))
    ob = run.names.index("ob")
    (t,) = land.tracks
    for k in random.Random(5).sample(range(121), 12):
        page.page.fill("#step-slider", str(k))
        shown = page.page.eval_on_selector("[data-panel=landscape]", "e => ({...e.dataset})")
        assert shown["step"] == str(k)
        assert shown["slope"] == repr(run.steps[k].grads[ob]) == repr(t.slope[k])
        assert shown["x"] == repr(t.coords[0][k]) and shown["y"] == repr(run.steps[k].loss)
        assert shown["residual"] == "0.0"
    # Hovering reads the exact curve at the nearest of its 101 points: the frame starts 58 px
    # into the 500 px canvas and ends 12 px before its edge; its x-limits are the grid's ends.
    overlay = page.page.locator("[data-panel=landscape] canvas.overlay")
    overlay.scroll_into_view_if_needed()
    box = overlay.bounding_box()
    assert box is not None
    readout = "[data-panel=landscape] .readout"
    for i in (1, 40, 99):
        page.page.mouse.move(box["x"] + 58 + 430 * i / 100, box["y"] + 200)
        shown_hover = [page.attr(readout, f"data-hover-{n}") for n in ("i", "j", "loss")]
        assert shown_hover == [str(i), "0", repr(land.loss[0][i])]
    assert page.errors == [] and page.requests == [page.url]


@pytest.mark.parametrize(
    ("hidden", "activation"),
    [(None, "softplus"), (None, "relu"), (None, "tanh"), (None, "sigmoid"), ([3, 2], "tanh")],
)
def test_the_page_curves_agree_with_net_predict(
    open_page: Callable[..., Page], tmp_path: Path, hidden: list[int] | None, activation: str
) -> None:
    run, samples = make_run(hidden, activation, steps=60, lr=0.02)
    page = open_page(write_page(tmp_path, {"run": (run, samples)}))
    net, grid = Net(run.config.model.arch), dense_grid(samples[0], 400)
    for k in random.Random(activation).sample(range(61), 10):
        preds, contributions = net.predict(run.steps[k].params, grid)
        got = page.page.evaluate(f"nnreel.predict(0, {k}, {grid!r})")
        for mine, theirs in [
            (got["preds"], preds),
            *zip(got["contributions"], contributions, strict=True),
        ]:
            assert len(mine) == len(theirs) == 400
            for a, b in zip(mine, theirs, strict=True):
                assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300), (k, a, b)
    assert page.errors == []


RECORD_STEPS = (
    "() => { window.seen = []; new MutationObserver(() => "
    "seen.push([Number(document.body.dataset.step), performance.now()]))"
    ".observe(document.body, {attributes: true, attributeFilter: ['data-step']}); }"
)


def test_play_advances_and_stops_at_the_last_step(
    paused_page: Callable[..., Page], tmp_path: Path
) -> None:
    made = make_run(steps=40)
    run = made[0]
    page = paused_page(write_page(tmp_path, {"run": made}, fps=30))
    p = page.page
    p.select_option("#speed", "2")
    p.evaluate(RECORD_STEPS)
    started = float(p.evaluate("() => performance.now()"))
    p.click("#play")
    p.clock.run_for(2000)
    assert page.attr("#play", "data-playing") == "false"
    seen = p.evaluate("() => seen")
    steps = [int(k) for k, _ in seen]
    assert steps == sorted(set(steps)) and len(steps) >= 3 and steps[-1] == 40, steps
    # 40 steps at 30 fps x 2 take 2/3 s.
    assert seen[-1][1] - started >= 1000 * 40 / 60
    assert_shows(page, run, 40)


def test_play_never_steps_back_when_a_frame_is_stamped_before_the_press(
    open_page: Callable[..., Page], default_run: tuple[Run, Samples], tmp_path: Path
) -> None:
    page = open_page(write_page(tmp_path, {"run": default_run}), "#step=300")
    p = page.page
    # A browser stamps an animation frame with the time the frame began, which may come
    # before the click that asked for it: here, always half a second before (15 steps).
    p.evaluate(
        "() => { const raf = window.requestAnimationFrame.bind(window);"
        " window.requestAnimationFrame = (f) => raf(() => f(performance.now() - 500)); }"
    )
    p.evaluate(RECORD_STEPS)
    p.click("#play")
    p.wait_for_function("() => Number(document.body.dataset.step) >= 305")
    p.click("#play")
    steps = [int(k) for k, _ in p.evaluate("() => seen")]
    assert steps == sorted(steps) and steps[0] >= 300, steps


@pytest.mark.parametrize("way", ["slider", "box", "history"])
def test_a_seek_while_playing_goes_on_from_the_new_step(
    paused_page: Callable[..., Page], default_run: tuple[Run, Samples], tmp_path: Path, way: str
) -> None:
    page = paused_page(write_page(tmp_path, {"run": default_run}), "#step=400")
    p = page.page
    p.click("#play")
    p.clock.run_for(500)  # 15 steps at 30 steps/s, less the animation frame not yet due
    assert 414 <= int(page.attr("body", "data-step")) <= 415
    if way == "slider":
        p.fill("#step-slider", "100")
    elif way == "box":
        p.fill("#step-box", "100")
        p.press("#step-box", "Enter")
    else:  # a click on the loss history at step 100
        overlay = p.locator("[data-panel=loss] canvas.overlay")
        overlay.scroll_into_view_if_needed()
        box = overlay.bounding_box()
        assert box is not None
        p.mouse.click(box["x"] + 58 + (box["width"] - 70) * 100 / 600, box["y"] + 100)
    assert int(page.attr("body", "data-step")) == 100
    p.clock.run_for(1000)  # 30 steps more, from step 100
    assert page.attr("#play", "data-playing") == "true"
    assert 129 <= int(page.attr("body", "data-step")) <= 130
    p.click("#play")


def test_a_deep_link_opens_at_its_step_and_the_slider_updates_it(
    open_page: Callable[..., Page], default_run: tuple[Run, Samples], tmp_path: Path
) -> None:
    run, _ = default_run
    page = open_page(write_page(tmp_path, {"run": default_run}), "#step=123")
    assert_shows(page, run, 123)
    page.page.fill("#step-slider", "321")
    page.page.wait_for_function("() => location.hash === '#step=321'")
    assert_shows(page, run, 321)


def test_a_diverged_run_shows_its_banner_at_the_last_step(
    open_page: Callable[..., Page], tmp_path: Path
) -> None:
    run, _ = make_run(lr=2.0, steps=200)
    assert run.diverged is not None
    last = run.steps[-1].step
    page = open_page(write_page(tmp_path, {"run": (run, reference_samples())}))
    banner = page.page.locator(".banner")
    assert not banner.is_visible()
    page.page.keyboard.press("End")
    assert banner.is_visible()
    assert f"Diverged at step {run.diverged.step}" in banner.inner_text()
    assert page.steps() == {last}
    # The landscape's path stops before the diverged step and says so.
    stopped = run.diverged.step - 1
    assert page.attr("[data-panel=landscape]", "data-path-step") == str(stopped)
    note = page.page.locator("[data-panel=landscape]").inner_text()
    assert f"diverged at step {run.diverged.step}; the path stops at step {stopped}" in note
    assert page.errors == []


def test_frozen_parameters_are_marked(open_page: Callable[..., Page], tmp_path: Path) -> None:
    page = open_page(write_page(tmp_path, {"run": make_run(steps=20, frozen=["b2"])}))
    marked = page.page.eval_on_selector_all(
        "tr[data-frozen=true]", "rows => rows.map(r => r.dataset.param)"
    )
    assert marked == ["b2"]
    assert "frozen" in page.page.locator("tr[data-param=b2]").inner_text()


def test_a_compare_page_of_three_runs_moves_them_together(
    open_page: Callable[..., Page], tmp_path: Path
) -> None:
    runs = {
        "short": make_run(steps=50),
        "tanh": make_run(activation="tanh", steps=120, lr=0.02),
        "deep": make_run([3, 2], steps=80),
    }
    page = open_page(write_page(tmp_path, runs))
    p = page.page
    assert page.errors == [] and page.requests == [page.url]
    for k in (0, 37, 65, 119, 120):
        p.fill("#step-slider", str(k))
        fits = p.eval_on_selector_all(
            "[data-panel=fit]", "els => els.map(e => [e.dataset.run, e.dataset.step])"
        )
        assert fits == [[name, str(min(k, r.steps[-1].step))] for name, (r, _) in runs.items()]
        losses = p.eval_on_selector_all(
            "[data-loss]", "els => els.map(e => [e.dataset.run, e.dataset.loss])"
        )
        assert losses == [
            [name, repr(r.steps[min(k, r.steps[-1].step)].loss)] for name, (r, _) in runs.items()
        ]
        assert page.attr("[data-panel=loss]", "data-step") == str(k)


@pytest.mark.slow
def test_dvc_plots_draw_the_loss_with_every_outside_request_blocked(
    open_page: Callable[..., Page], tmp_path: Path
) -> None:
    repo = tmp_path / "plots"
    repo.mkdir()
    run(repo, "git", "init", "-q")
    run(repo, "dvc", "init", "-q")
    shutil.copy(ROOT / ".dvc/config", repo / ".dvc/config")
    shutil.copy(ROOT / ".dvc/offline_plots.html", repo / ".dvc/offline_plots.html")
    rows = [f"{k}\t{5.0 / (k + 1)!r}" for k in range(20)]
    (repo / "history.tsv").write_text("step\tloss\n" + "\n".join(rows) + "\n")
    (repo / "dvc.yaml").write_text("plots:\n  - history.tsv:\n      x: step\n      y: loss\n")
    run(repo, "dvc", "plots", "show", "-o", "out")
    page = open_page(repo / "out/index.html", ready=".vega-embed canvas, .vega-embed svg")
    assert [u for u in page.requests if not u.startswith("file:")] == []
    p = page.page
    drawn = p.evaluate(
        "() => { const c = document.querySelector('.vega-embed canvas');"
        " if (!c) return document.querySelectorAll('.vega-embed svg path').length;"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; }"
    )
    assert drawn > 500
    assert page.errors == []


PREDICTION_ROWS = """(run) => {
    const c = document.querySelector(`[data-panel=fit][data-run="${run}"] canvas`);
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const rows = new Set();
    for (let i = 0; i < d.length; i += 4)
        if (d[i] === 255 && d[i + 1] === 0 && d[i + 2] === 255)
            rows.add(Math.floor(i / 4 / c.width));
    return rows.size / devicePixelRatio;
}"""


def test_a_diverged_run_in_a_comparison_runs_along_the_edge_of_the_shared_fit(
    open_page: Callable[..., Page], tmp_path: Path
) -> None:
    diverged = make_run(lr=2.0, steps=50)
    assert diverged[0].diverged is not None
    runs = {"a": make_run(steps=300), "b": make_run(activation="tanh", steps=300), "c": diverged}
    page = open_page(write_page(tmp_path, runs))
    p = page.page
    p.fill("#step-slider", "300")
    # The healthy fits keep their shape: each prediction spans tens of pixels of height (a
    # flat line at 0 would span two or three).
    for label in ("a", "b"):
        assert p.evaluate(PREDICTION_ROWS, label) > 40, label
        assert page.attr(f"[data-panel=fit][data-run={label}]", "data-edge-marks") == ""
    # The diverged run's curves leave the panel, each marked at its edge.
    marks = page.attr("[data-panel=fit][data-run=c]", "data-edge-marks").split()
    assert "prediction" in marks
    assert page.errors == []


CUT = """() => [...document.querySelectorAll("[data-panel=values]")].flatMap((panel) => {
    const wrap = panel.querySelector(".tablewrap"), right = wrap.getBoundingClientRect().right;
    const cut = [...panel.querySelectorAll("td.num")].filter((td) => td.offsetParent !== null
        && (td.scrollWidth > td.clientWidth || td.getBoundingClientRect().right > right + 0.5));
    return cut.map((td) => `${panel.dataset.run}:${td.dataset.param}=${td.textContent}`);
})"""


@pytest.mark.parametrize("width", [1600, 1000])
def test_no_number_in_a_comparison_table_is_cut(
    open_page: Callable[..., Page], tmp_path: Path, width: int
) -> None:
    runs = {
        "a-long-name": make_run(steps=30),
        "b": make_run([3, 2], "tanh", steps=30),
        "c": make_run(lr=0.05, steps=30),
        "d": make_run(activation="relu", steps=30),
    }
    page = open_page(write_page(tmp_path, runs))
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    try:
        p.wait_for_timeout(300)  # the page lays out again after a resize
        for k in (0, 30):
            p.fill("#step-slider", str(k))
            assert p.evaluate(CUT) == []
    finally:
        p.set_viewport_size({"width": 1280, "height": 900})


def test_a_narrow_colour_scale_has_at_least_two_labelled_ticks(
    open_page: Callable[..., Page], tmp_path: Path
) -> None:
    run, samples = make_run(steps=30)
    land = saved_landscape(run, samples, LandscapeConfig(margin=0.1))
    losses = [v for row in land.loss for v in row]
    assert min(losses) > 3.7 and max(losses) < 7  # no power of ten, nor 2 nor 5 but one
    path = tmp_path / "viewer.html"
    data = viewer.run_data(run, samples, "run", 400, land)
    path.write_text(viewer.page("nnreel viewer", [data], 30), encoding="utf-8")
    page = open_page(path)
    ticks = [float(t) for t in page.attr("[data-panel=landscape]", "data-colour-ticks").split()]
    assert len(ticks) >= 2 and ticks == sorted(set(ticks)), ticks
    assert all(min(losses) <= t <= max(losses) for t in ticks), ticks


def test_the_loss_panel_marks_the_best_step_and_flags_a_run_that_ends_above_its_start(
    default_page: Page,
    default_run: tuple[Run, Samples],
    open_page: Callable[..., Page],
    tmp_path: Path,
) -> None:
    note = "[data-panel=loss] .lossnote"
    assert default_page.attr(note, "data-best") == "SSR@600"
    assert default_page.attr(note, "data-worse") == ""
    worse = make_run(lr=0.2, steps=300)
    run = worse[0]
    losses = [s.loss for s in run.steps]
    assert run.diverged is None and losses[-1] > 2 * losses[0]
    page = open_page(write_page(tmp_path, {"run": worse}))
    assert page.attr(note, "data-best") == f"SSR@{losses.index(min(losses))}"
    assert page.attr(note, "data-worse") == "run"
    text = page.page.locator(note).inner_text()
    assert f"ended above its start: SSR {losses[-1]:.5g} at step 300" in text
    assert page.page.locator(f"{note} .worse").is_visible()


INK_LEFT_OF_THE_FIT = """() => {
    const c = document.querySelector("[data-panel=fit] canvas"), r = devicePixelRatio;
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const at = (x, y) => d[4 * (y * c.width + x)];
    const top = Math.round(20 * r), bottom = c.height - Math.round(40 * r);
    let left = 0;  // the frame's left edge: the first column that is #ccc all the way down
    while ([...Array(bottom - top).keys()].some((i) => Math.abs(at(left, top + i) - 204) > 8))
        left++;
    const ink = [];
    for (let x = 0; x < left; x++)
        if ([...Array(bottom - top).keys()].some((i) => at(x, top + i) < 180)) ink.push(x);
    return {ink: ink.map((x) => x / r), left: left / r};
}"""


def big_samples() -> Samples:
    xs, ys = reference_samples()
    return xs, [-7e5 * y for y in ys]


def test_the_fit_titles_its_y_axis_clear_of_its_tick_labels_in_one_notation(
    open_page: Callable[..., Page], tmp_path: Path
) -> None:
    page = open_page(
        write_page(tmp_path, {"run": make_run(steps=3, lr=1e-13, samples=big_samples())})
    )
    ink = page.page.evaluate(INK_LEFT_OF_THE_FIT)["ink"]
    # The title "y" is ink near the canvas's left edge; the labels start after a clear gap.
    gaps = [(a, b) for a, b in itertools.pairwise(ink) if b - a > 3]
    assert ink[0] < 10 and gaps and gaps[0][0] < 20, ink
    labels = page.attr("[data-panel=fit]", "data-yticks").split()
    assert len(labels) >= 3 and "-1.0e+6" in labels, labels
    # One notation, one number of digits: -1.0e+6 beside -5.0e+5, not -5e+5 nor -500000.
    assert all(re.fullmatch(r"-?\d\.\de[+-]\d+|0", t) for t in labels), labels


def test_a_legend_of_eight_neurons_shows_every_entry(
    open_page: Callable[..., Page], tmp_path: Path
) -> None:
    page = open_page(write_page(tmp_path, {"run": make_run([8], steps=5)}))
    legend = page.page.locator("[data-panel=fit] > div:last-child")
    shown = legend.evaluate(
        "l => [...l.children].filter(c => c.getBoundingClientRect().right"
        " <= l.getBoundingClientRect().right + 0.5).map(c => c.textContent)"
    )
    assert shown == ["samples", *(f"neuron {j}" for j in range(1, 9)), "prediction"]
    assert legend.evaluate("l => l.scrollWidth <= l.clientWidth")


COLOUR_PIXELS = """(rgb) => {
    const c = document.querySelector("[data-panel=loss] canvas");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4)
        n += d[i] === rgb[0] && d[i + 1] === rgb[1] && d[i + 2] === rgb[2];
    return n;
}"""


def test_identical_runs_in_a_comparison_are_said_to_be_and_both_show(
    open_page: Callable[..., Page], default_run: tuple[Run, Samples], tmp_path: Path
) -> None:
    runs = {"a": default_run, "b": default_run, "c": make_run(lr=0.02, steps=600)}
    page = open_page(write_page(tmp_path, runs))
    p = page.page
    p.fill("#step-slider", "600")
    fits = p.eval_on_selector_all(
        "[data-panel=fit]",
        "els => els.map(e => [e.dataset.sameAs, e.querySelector('h2').textContent])",
    )
    assert fits == [["", "fit: a"], ["a", "fit: b = a, identical"], ["", "fit: c"]]
    assert "b = a, identical" in p.locator("[data-panel=loss]").inner_text()
    # a's line (#1f77b4) shows between the dashes of b's (#d62728) drawn over it.
    assert p.evaluate(COLOUR_PIXELS, [0x1F, 0x77, 0xB4]) > 300
    assert p.evaluate(COLOUR_PIXELS, [0xD6, 0x27, 0x28]) > 300


@pytest.mark.slow
def test_dvc_plots_diff_of_hostile_revision_names_runs_no_script_and_fits_the_page(
    tab: Any, open_page: Callable[..., Page], tmp_path: Path
) -> None:
    from PIL import Image
    from ruamel.yaml import YAML

    repo = tmp_path / "plots"
    (repo / "reports/preview").mkdir(parents=True)
    run(repo, "git", "init", "-q")
    run(repo, "dvc", "init", "-q")
    shutil.copy(ROOT / ".dvc/config", repo / ".dvc/config")
    shutil.copy(ROOT / ".dvc/offline_plots.html", repo / ".dvc/offline_plots.html")
    shutil.copytree(ROOT / ".dvc/plots", repo / ".dvc/plots")
    yaml = YAML(typ="safe", pure=True)
    yaml.dump({"plots": yaml.load(ROOT / "dvc.yaml")["plots"]}, repo / "dvc.yaml")
    rows = [f"{k}\t{5.0 / (k + 1)!r}" for k in range(20)]
    (repo / "reports/history.tsv").write_text("step\tloss\n" + "\n".join(rows) + "\n")
    rows = [f"{k}\t{p}\t{k * s!r}" for k in range(20) for p, s in (("w", 0.1), ("b", -0.2))]
    (repo / "reports/paths.tsv").write_text("step\tparam\tvalue\n" + "\n".join(rows) + "\n")
    Image.new("RGB", (1600, 1000), "navy").save(repo / "reports/final_frame.png")
    Image.new("RGB", (800, 800), "navy").save(repo / "reports/landscape.png")
    Image.new("RGB", (800, 500), "navy").save(repo / "reports/preview/training.gif")
    in_image_caption, in_plot_data = "<svg/onload=alert(1)>", "</script><script>alert(2)</script>"
    run(repo, "git", "add", "-A")
    run(repo, "git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a")
    run(repo, "git", "branch", in_image_caption)
    run(repo, "git", "branch", in_plot_data)
    (repo / "reports/history.tsv").write_text("step\tloss\n0\t6.0\n1\t1.0\n")
    run(repo, "dvc", "plots", "diff", in_image_caption, "-o", "drawn")
    run(repo, "dvc", "plots", "diff", in_image_caption, in_plot_data, "-o", "cut")

    dialogs: list[str] = []
    warnings: list[str] = []

    def dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    def console(m: Any) -> None:
        if m.type == "warning":
            warnings.append(m.text)

    tab.on("dialog", dialog)
    tab.on("console", console)
    try:
        page = open_page(repo / "drawn/index.html", ready=".vega-embed canvas")
        p = page.page
        p.wait_for_function("document.querySelectorAll('.vega-embed canvas').length == 2")
        p.wait_for_function("[...document.images].every(i => i.complete)")
        assert dialogs == [] and warnings == []
        assert [u for u in page.requests if not u.startswith("file:")] == []
        assert all("Content Security Policy" in e for e in page.errors), page.errors
        drawn = p.evaluate(
            "() => [...document.querySelectorAll('.vega-embed canvas')].map(c => {"
            " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; })"
        )
        assert len(drawn) == 2 and min(drawn) > 500
        width = p.evaluate("innerWidth")
        assert p.evaluate("document.documentElement.scrollWidth") <= width
        boxes = p.evaluate(
            "[...document.images].map(i => { const r = i.getBoundingClientRect();"
            " return [r.right, r.width / r.height, i.naturalWidth / i.naturalHeight]; })"
        )
        assert len(boxes) == 6
        for right, shown, natural in boxes:
            assert right <= width and shown == pytest.approx(natural, rel=0.01)

        page = open_page(repo / "cut/index.html", ready="p.cut")
        assert dialogs == []
        assert page.page.locator("p.cut").count() == 2
        assert all("Content Security Policy" in e for e in page.errors), page.errors
    finally:
        tab.remove_listener("dialog", dialog)
        tab.remove_listener("console", console)


@pytest.fixture(scope="module")
def wide_run() -> tuple[Run, Samples]:
    """321 parameters (16x16 tanh): more than the page draws one by one."""
    return make_run([16, 16], "tanh", steps=20, lr=1e-4)


@pytest.fixture(scope="module")
def wide_page(
    browser: Any, wide_run: tuple[Run, Samples], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Page]:
    with page_of(browser, wide_run, tmp_path_factory.mktemp("wide")) as page:
        yield page
        assert page.errors == [] and page.requests == [page.url]


def test_a_wide_network_draws_one_band_per_kind_of_parameter_and_says_so(
    wide_page: Page, wide_run: tuple[Run, Samples]
) -> None:
    run, _ = wide_run
    p = wide_page.page
    kinds = "iw:16 b:16 w2:256 ow:16 b2:16 ob:1"
    for name in ("gradients", "params"):
        panel = f"[data-panel={name}]"
        assert wide_page.attr(panel, "data-summary") == kinds
        note = p.locator(f"{panel} .summarynote")
        assert note.is_visible() and "321 parameters are too many" in note.inner_text()
    # Hovering the middle of a cell reads its band at the hovered step, exactly.
    overlay = p.locator("[data-panel=params] canvas.overlay")
    overlay.scroll_into_view_if_needed()
    box = overlay.bounding_box()
    assert box is not None
    readout = "[data-panel=params] .readout"
    for cell, kind in ((0, "iw"), (2, "w2")):
        p.mouse.move(box["x"] + box["width"] * (cell + 0.5) / 3, box["y"] + 60)
        k = int(wide_page.attr(readout, "data-hover-step"))
        assert 0 < k < 20
        values = sorted(
            v for n, v in zip(run.names, run.steps[k].params, strict=True) if param_kind(n) == kind
        )
        text = p.locator(readout).inner_text()
        assert f"min {kind} = {values[0]!r}," in text and f"max {kind} = {values[-1]!r}" in text
        assert f"median {kind} = {limits.quantile(values, 0.5)!r}," in text
    p.mouse.move(0, 0)


TABLE = """() => [...document.querySelectorAll("[data-panel=values] tr[data-param]")]
    .map(r => [r.dataset.param, r.dataset.value, r.dataset.grad])"""


def test_a_long_table_holds_the_rows_in_view_and_finds_any_parameter_exactly(
    wide_page: Page, wide_run: tuple[Run, Samples]
) -> None:
    run, _ = wide_run
    p = wide_page.page

    def exact(name: str, k: int) -> list[str]:
        i = run.names.index(name)
        return [name, repr(run.steps[k].params[i]), repr(run.steps[k].grads[i])]

    p.fill("#step-slider", "7")
    shown = p.evaluate(TABLE)
    assert 10 < len(shown) < len(run.names)
    assert shown[0] == exact(run.names[0], 7)
    assert wide_page.attr("[data-panel=values] .tablenote", "data-rows") == "321"
    # Found by name, at the step; and the row follows a seek.
    p.fill("[data-panel=values] input.find", "w2_16_16")
    assert p.evaluate(TABLE) == [exact("w2_16_16", 7)]
    assert wide_page.attr("[data-panel=values] .tablenote", "data-rows") == "1"
    p.fill("#step-slider", "19")
    assert p.evaluate(TABLE) == [exact("w2_16_16", 19)]
    # Scrolled to the end, the last rows show the step's exact values.
    p.fill("[data-panel=values] input.find", "")
    p.eval_on_selector("[data-panel=values] .tablewrap", "w => { w.scrollTop = w.scrollHeight; }")
    p.wait_for_function(
        "() => document.querySelector('[data-panel=values] tr[data-param=ob]') !== null"
    )
    shown = p.evaluate(TABLE)
    assert [row[0] for row in shown[-2:]] == run.names[-2:] == ["b2_16", "ob"]
    assert all(row == exact(row[0], 19) for row in shown)
