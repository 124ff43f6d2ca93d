"""The same bytes on any CPU: every stage that runs numpy, BLAS or an encoder, run again with
the knobs that make this machine's libraries take another processor's code paths."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from nnreel.config.compose import compose_params
from tests.repo import make_repo, run

pytestmark = pytest.mark.slow

STAGES = ["landscape", "render", "video", "viewer", "report"]
# The default net and data on a shorter run, in frames big enough for the landscape panel.
OVERRIDES = [
    *("train.steps=100", "render.every=10", "render.width=800", "render.height=500"),
    *("video.gif_frames=4", "video.gif_width=200", "video.hold_last_s=0.5"),
]


def has_avx512() -> bool:
    return "avx512f" in Path("/proc/cpuinfo").read_text()


def settings(repo: Path) -> dict[str, dict[str, str]]:
    """OpenBLAS's kernels, each with a thread count; numpy's SIMD; ffmpeg's and x264's SIMD
    (.ci/ffmpeg-c runs their C code)."""
    found = {
        "OpenBLAS Prescott kernels, one thread": {
            "OPENBLAS_CORETYPE": "Prescott",
            "OPENBLAS_NUM_THREADS": "1",
        },
        "OpenBLAS Haswell kernels, two threads": {
            "OPENBLAS_CORETYPE": "Haswell",
            "OPENBLAS_NUM_THREADS": "2",
        },
        "numpy without AVX2 or AVX-512": {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4"},
        "ffmpeg and x264 without assembly": {"IMAGEIO_FFMPEG_EXE": str(repo / ".ci/ffmpeg-c")},
    }
    if has_avx512():
        found["OpenBLAS SkylakeX kernels"] = {"OPENBLAS_CORETYPE": "SkylakeX"}
    return found


def other_cpu(repo: Path) -> dict[str, str]:
    """The knobs together, as the gate sets them: another CPU's BLAS, numpy and ffmpeg."""
    knobs = settings(repo)
    return {
        "OPENBLAS_CORETYPE": "Prescott",
        **knobs["numpy without AVX2 or AVX-512"],
        **knobs["ffmpeg and x264 without assembly"],
    }


def stage_outputs(repo: Path, env: dict[str, str]) -> dict[str, str]:
    """Run STAGES in one process under `env` (as set at its start); md5 of each output."""
    calls = "; ".join(f"stages.{s}.main()" for s in STAGES)
    code = f"import nnreel.stages.{', nnreel.stages.'.join(STAGES)}; from nnreel import stages; "
    run(repo, sys.executable, "-c", code + calls, env=env)
    found = [*repo.glob("data/**/*"), *repo.glob("reports/**/*")]
    return {
        p.relative_to(repo).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()
        for p in sorted(found)
        if p.is_file()
    }


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with its samples and checkpoints made, every later stage still to run."""
    repo = make_repo(tmp_path_factory.mktemp("cpu"))
    compose_params(repo / "params.yaml", repo / "conf", OVERRIDES)
    for stage in ("validate", "generate", "train"):
        run(repo, sys.executable, "-m", f"nnreel.stages.{stage}")
    return repo


def test_every_output_has_the_same_bytes_whichever_code_paths_the_cpu_takes(
    trained: Path,
) -> None:
    baseline = stage_outputs(trained, {})
    assert {"data/landscape.json", "reports/training.mp4", "reports/viewer.html"} <= set(baseline)
    assert sum(p.startswith("data/frames/") for p in baseline) == 11
    differing = {}
    for name, env in settings(trained).items():
        outputs = stage_outputs(trained, env)
        changed = sorted(p for p in baseline if outputs.get(p) != baseline[p])
        if changed:
            differing[name] = changed[:3] + [f"… {len(changed)} in all"] * (len(changed) > 3)
    assert differing == {}
