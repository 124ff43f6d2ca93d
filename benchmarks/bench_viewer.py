"""The viewer page: its size, its first full draw and its seek latency in headless Chromium.

    python benchmarks/bench_viewer.py

Builds the page of the default run (601 steps), of the same run trained for 10,000 steps, of
a bigger network (`model.hidden=[8,8] model.activation=tanh train=adam train.steps=1500`:
96 parameters, so 192 small histories and a 96-row table) and of the widest ones the config
allows (`model.hidden=[64]` and `[64,64]`, tanh, adam at lr 0.01, 600 steps: 192 and 4,352
parameters; the default lr diverges at step 1 there), each with its loss landscape (a
101 by 101 grid) as the viewer stage writes it, opens each from file:// in the system
Chromium, and prints:
- the file size, against its budget (1 MB for the default run, 8 MB for the bigger ones);
- the time from navigation to the first full draw on screen (performance.now() in the
  page, whose origin is the navigation, at the animation frame after the first draw),
  against 1 s;
- p50 and p95 of 200 random seeks, each timed inside the page with performance.now()
  around the redraw of every panel, against one 60 Hz frame (16 ms).
Ratios are figure / budget: below 1 meets the goal.
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from nnreel.config.schema import Config, ModelConfig, TrainConfig
from nnreel.core import landscape
from nnreel.core.data import make_samples
from nnreel.core.run import Run
from nnreel.core.training import seeded_training
from nnreel.records.checkpoints import decode_run, encode_run
from nnreel.web import viewer

ARGS = [
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
    *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
]
MB = 1_000_000


# name, config, size budget
CASES = (
    ("default", Config(), 1 * MB),
    ("10k steps", Config(train=TrainConfig(steps=10_000)), 8 * MB),
    (
        "8x8 tanh adam",
        Config(
            model=ModelConfig(hidden=[8, 8], activation="tanh"),
            train=TrainConfig(optimizer="adam", lr=0.05, steps=1500),
        ),
        8 * MB,
    ),
    *(
        (
            f"{'x'.join(map(str, hidden))} tanh adam",
            Config(
                model=ModelConfig(hidden=hidden, activation="tanh"),
                train=TrainConfig(optimizer="adam", lr=0.01),
            ),
            8 * MB,
        )
        for hidden in ([64], [64, 64])
    ),
)


def trained(cfg: Config) -> Run:
    net, states = seeded_training(cfg, *make_samples(cfg.data))
    return decode_run(list(encode_run(net.names, cfg, states)))


def build(cfg: Config, folder: Path, name: str) -> Path:
    run = trained(cfg)
    samples = make_samples(cfg.data)
    land = landscape.run_landscape(run, samples, cfg.landscape)
    data = viewer.run_data(run, samples, "run", cfg.viewer.grid_points, land)
    path = folder / f"viewer_{name.replace(' ', '_')}.html"
    path.write_text(viewer.page("nnreel viewer", [data], cfg.video.fps), "utf-8")
    return path


def measure(browser: object, path: Path, seeks: int = 200) -> tuple[float, float, float]:
    """First full draw (ms), p50 and p95 seek (ms)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]")
    first = float(page.evaluate("nnreel.firstDraw"))
    last = int(page.evaluate("nnreel.last"))
    rng = random.Random(7)
    targets = [rng.randrange(last + 1) for _ in range(seeks)]
    times = page.evaluate("ks => ks.map(k => nnreel.seek(k))", targets)
    page.close()
    q = statistics.quantiles(times, n=100)
    return first, q[49], q[94]


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("bench_viewer needs Chromium: apt-get install chromium")
    print("viewer page in headless Chromium (figures on a shared machine are noisy)")
    print(
        f"{'run':<16} {'steps':>6} {'size MB':>8} {'/budget':>7} {'first ms':>9} {'/1000':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'/16':>5}"
    )
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        for name, cfg, budget in CASES:
            path = build(cfg, Path(tmp), name)
            size = path.stat().st_size
            first, p50, p95 = measure(browser, path)
            print(
                f"{name:<16} {cfg.train.steps + 1:>6} {size / MB:>8.3f} {size / budget:>7.2f} "
                f"{first:>9.0f} {first / 1000:>6.2f} {p50:>7.2f} {p95:>7.2f} {p95 / 16:>5.2f}"
            )
        browser.close()


if __name__ == "__main__":
    main()
