"""The viewer page: its size, its first full draw and its seek latency in headless Chromium.

    python benchmarks/bench_viewer.py

Builds the page of the default run (601 steps) and of the same run trained for 10,000 steps,
each with its loss landscape (a 101 by 101 grid) as the viewer stage writes it, opens each
from file:// in the system Chromium, and prints:
- the file size, against its budget (1 MB and 8 MB);
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

from nnreel import landscape, viewer
from nnreel.checkpoints import Run, decode_run, encode_run
from nnreel.config import Config, TrainConfig
from nnreel.data import make_samples
from nnreel.training import seeded_training

ARGS = [
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
    *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
]
MB = 1_000_000


def default_run(steps: int) -> tuple[Config, Run]:
    cfg = Config(train=TrainConfig(steps=steps))
    net, states = seeded_training(cfg, *make_samples(cfg.data))
    return cfg, decode_run(list(encode_run(net.names, cfg, states)))


def build(steps: int, folder: Path) -> Path:
    cfg, run = default_run(steps)
    samples = make_samples(cfg.data)
    land = landscape.landscape(run, samples, cfg.landscape)
    data = viewer.run_data(run, samples, "run", cfg.viewer.grid_points, land)
    path = folder / f"viewer_{steps}.html"
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
        f"{'steps':>6} {'size MB':>8} {'/budget':>7} {'first ms':>9} {'/1000':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'/16':>5}"
    )
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        for steps, budget in ((600, 1 * MB), (10_000, 8 * MB)):
            path = build(steps, Path(tmp))
            size = path.stat().st_size
            first, p50, p95 = measure(browser, path)
            print(
                f"{steps + 1:>6} {size / MB:>8.3f} {size / budget:>7.2f} {first:>9.0f} "
                f"{first / 1000:>6.2f} {p50:>7.2f} {p95:>7.2f} {p95 / 16:>5.2f}"
            )
        browser.close()


if __name__ == "__main__":
    main()
