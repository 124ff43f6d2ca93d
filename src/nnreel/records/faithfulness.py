"""How much of the training path the landscape picture shows, in words: the report and the
viewer print this sentence under the picture."""

from __future__ import annotations

from nnreel.core.landscape import Landscape, explained, max_residual, one_step, reach


def axis_meaning(label: str) -> str:
    """What a plane's axis is, in words."""
    if label == "descent":
        return "the descent direction (where the last recorded gradient pointed training)"
    if label.startswith("PC"):
        return f"principal direction {label[2:]} of the path"
    return f"the axis of `{label}`"


def faithfulness(land: Landscape) -> str:
    """One sentence on how much of the path the picture shows."""
    if one_step(land):
        first, second = (axis_meaning(label) for label in land.labels)
        return (
            "The path is its first step alone (training diverged at step 1), so no plane can "
            f"be fitted to it: the picture is the plane through it along {first} and "
            f"{second}. How much of the path a plane holds is undefined (null in metrics.json)."
        )
    if land.mode == "curve":
        return (
            f"Only `{land.labels[0]}` trains, so the curve is the whole truth: "
            "every step lies on it (residual 0)."
        )
    share, res = explained(land), max_residual(land)
    if res == 0.0:
        plane = (
            "PCA plane"
            if land.mode == "pca"
            else f"plane of `{land.labels[0]}` and `{land.labels[1]}`"
        )
        return (
            f"Every step lies in the {plane}, "
            "so the slice is the exact surface the path moved on (residual 0)."
        )
    where = "of the two PCA directions" if land.mode == "pca" else "of the two named parameters"
    return (
        f"The plane {where} holds {100 * share:.4g}% of the path's variance; "
        f"the farthest step lies {res:.3g} off it ({100 * res / reach(land):.2g}% of the "
        "path's reach from its end), so the surface under that part of the path is only "
        "approximate."
    )
