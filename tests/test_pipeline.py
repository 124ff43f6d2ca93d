"""The DVC pipeline end to end, through the real `dvc` on a copy of one reproduced repo."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import pytest
from PIL import Image

from nnreel.config.compose import compose_params
from nnreel.pictures import video
from nnreel.runs import compare
from tests.repo import ROOT, copy_of, nnreel_lines, outputs, run
from tests.test_viewer import page_data


def test_params_yaml_is_the_composition_of_conf(tmp_path: Path) -> None:
    compose_params(tmp_path / "params.yaml", ROOT / "conf")
    assert (tmp_path / "params.yaml").read_text() == (ROOT / "params.yaml").read_text()


OUTPUTS = [
    "data/samples.json",
    "data/checkpoints.jsonl",
    "data/landscape.json",
    "data/frames/frame_000000.png",
    "data/frames/frame_000012.png",
    "reports/training.mp4",
    "reports/preview/training.gif",
    "reports/metrics.json",
    "reports/history.tsv",
    "reports/report.md",
    "reports/viewer.html",
    "reports/loss.png",
    "reports/fit.png",
    "reports/first_frame.png",
    "reports/final_frame.png",
    "reports/landscape.png",
]


def status(repo: Path) -> dict[str, object]:
    """`dvc status --json`: the stages a `dvc repro` would run, and why."""
    value: dict[str, object] = json.loads(run(repo, "dvc", "status", "--json").stdout)
    return value


@pytest.mark.slow
def test_repro_from_nothing_makes_every_output_and_leaves_nothing_to_rerun(
    reproduced: Path,
) -> None:
    for out in OUTPUTS:
        assert (reproduced / out).is_file(), out
    assert len(list((reproduced / "data/frames").glob("frame_*.png"))) == 13
    assert status(reproduced) == {}


RUN_READERS = {"landscape", "render", "report", "viewer"}  # check the run against params.yaml


@pytest.mark.slow
@pytest.mark.parametrize(
    ("override", "stale"),
    [
        ("render.width=400", {"validate", "render", "video", "report"}),
        ("video.fps=12", {"validate", "video", "report", "viewer"}),
        ("train.lr=0.02", {"validate", "train", *RUN_READERS}),
        (
            "data.n_samples=10",
            {"validate", "generate", "train", "landscape", "render", "report", "viewer"},
        ),
        ("landscape.resolution=21", {"validate", *RUN_READERS}),  # the readers check it too
        ("viewer.grid_points=50", {"validate", "viewer"}),
    ],
)
def test_a_param_change_makes_only_the_stages_that_read_it_stale(
    reproduced: Path, tmp_path: Path, override: str, stale: set[str]
) -> None:
    # dvc status lists the stages whose own deps changed; the rest rerun only if an input
    # they read changes (video after render, for train.lr).
    repo = copy_of(reproduced, tmp_path)
    compose_params(repo / "params.yaml", repo / "conf", [override])
    assert set(status(repo)) == stale


@pytest.mark.slow
def test_an_unknown_key_through_dvc_names_the_nearest_key_and_one_command_restores(
    reproduced: Path, tmp_path: Path
) -> None:
    repo = copy_of(reproduced, tmp_path)
    before = outputs(repo)
    # Without `+`, Hydra refuses the key itself, before any stage runs: nothing changes.
    plain = run(repo, "dvc", "exp", "run", "-S", "train.lrr=0.1", check=False)
    assert plain.returncode != 0 and "Could not override 'train.lrr'" in plain.stderr
    assert run(repo, "git", "status", "--porcelain").stdout == ""
    # With `+`, as Hydra suggests, validate refuses it in one line naming the nearest key.
    plus = run(repo, "dvc", "exp", "run", "-S", "+train.lrr=0.1", check=False)
    assert plus.returncode != 0
    said = nnreel_lines(plus.stderr)
    assert said == [
        "nnreel validate: error: train.lrr = 0.1: unknown key; did you mean train.lr? "
        "allowed: beta1, beta2, diverge_factor, eps, frozen, loss, lr, momentum, optimizer, steps"
    ]
    assert "Traceback" not in plus.stdout + plus.stderr
    assert outputs(repo) == before  # data/config.ok included: it persists while validate runs
    assert run(repo, "git", "status", "--porcelain").stdout == " M params.yaml\n"
    run(repo, "git", "checkout", "params.yaml")  # the one command the README gives
    assert status(repo) == {}


@pytest.mark.slow
def test_a_top_level_key_that_is_no_section_stops_dvc_repro(
    reproduced: Path, tmp_path: Path
) -> None:
    repo = copy_of(reproduced, tmp_path)
    before = outputs(repo)
    params = repo / "params.yaml"
    params.write_text(params.read_text() + "trian:\n  lr: 0.1\n")
    result = run(repo, "dvc", "repro", check=False)
    assert result.returncode != 0
    said = nnreel_lines(result.stderr)
    assert len(said) == 1, result.stderr
    assert said[0].startswith(
        "nnreel validate: error: trian = {'lr': 0.1}: unknown key; did you mean train? "
    )
    assert outputs(repo) == before


@pytest.mark.slow
def test_compare_html_puts_two_revisions_under_one_slider(reproduced: Path, tmp_path: Path) -> None:
    repo = copy_of(reproduced, tmp_path)
    out = tmp_path / "compare"
    result = run(
        repo,
        sys.executable,
        "-m",
        "nnreel.runs.compare",
        "HEAD",
        "HEAD~1",
        "--html",
        "--out",
        str(out),
        check=False,
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "HEAD~1: cannot read its outputs" in result.stderr
    run(
        repo,
        sys.executable,
        "-m",
        "nnreel.runs.compare",
        "HEAD",
        "HEAD~0",
        "--html",
        "--out",
        str(out),
    )
    page = (out / "viewer.html").read_text("utf-8")
    assert [r["label"] for r in page_data(page)["runs"]] == ["HEAD", "HEAD~0"]
    assert not (out / "compare.mp4").exists()


@pytest.mark.slow
def test_compare_draws_a_revision_named_like_mathtext_as_plain_text(
    reproduced: Path, tmp_path: Path
) -> None:
    repo = copy_of(reproduced, tmp_path)
    run(repo, "git", "tag", "p$x_$")  # a pair of '$' would start mathtext, which fails here
    out = tmp_path / "compare"
    args = ("HEAD", "p$x_$", "--frames", "2", "--out", str(out))
    result = run(repo, sys.executable, "-m", "nnreel.runs.compare", *args, check=False)
    assert result.returncode == 0, result.stderr
    assert {p.name for p in out.iterdir()} == {"compare.mp4", "loss.png", "landscape.png"}


def encoder_settings(film: Path) -> tuple[str, str]:
    """x264's settings as it wrote them into `film`, and the video stream as ffmpeg describes
    it with the frame size taken out (pixel format, colour tags, rate)."""
    sei = re.search(rb"x264 - core [^\x00]*", film.read_bytes())
    assert sei, film
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(film)],
        capture_output=True,
        text=True,
    )
    (stream,) = [line for line in probe.stderr.splitlines() if "Video:" in line]
    stream = re.sub(r"\d+x\d+", "WxH", re.sub(r"\d+ kb/s", "N kb/s", stream))
    return sei.group().decode("latin-1").split(" - options: ")[1], stream


def test_compare_encodes_its_film_as_the_video_stage_does(tmp_path: Path) -> None:
    runs = [tmp_path / "a", tmp_path / "b"]
    for i, folder in enumerate(runs):
        folder.mkdir()
        for k in range(4):
            shade = (40 * k + 90 * i) % 256
            Image.new("RGB", (64, 48), (shade, 255 - shade, 128)).save(
                folder / f"frame_{k:06d}.png"
            )
    film = tmp_path / "training.mp4"
    subprocess.run(
        video.mp4_args(imageio_ffmpeg.get_ffmpeg_exe(), runs[0], film, 30, 2), check=True
    )
    compare.encode(runs, tmp_path / "compare.mp4", 30, 2)
    settings, stream = encoder_settings(tmp_path / "compare.mp4")
    assert "crf=20.0" in settings and "threads=1 " in settings
    assert (settings, stream) == encoder_settings(film)


@pytest.mark.slow
def test_compare_mp4_has_the_encoder_settings_of_training_mp4(
    reproduced: Path, tmp_path: Path
) -> None:
    repo = copy_of(reproduced, tmp_path)
    out = tmp_path / "compare"
    run(
        repo,
        sys.executable,
        "-m",
        "nnreel.cli",
        "compare",
        "HEAD",
        "HEAD~0",
        "--frames",
        "3",
        "--out",
        str(out),
    )
    assert encoder_settings(out / "compare.mp4") == encoder_settings(repo / "reports/training.mp4")
