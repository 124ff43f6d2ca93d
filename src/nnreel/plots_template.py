"""The offline HTML template for `dvc plots show` and `dvc plots diff`.

    python -m nnreel.plots_template      # rewrites .dvc/offline_plots.html

DVC's own template loads Vega, Vega-Lite and Vega-Embed from a CDN, so offline its line
plots stay blank. This one inlines the vendored builds (src/nnreel/vendor/, each with its
licence) and has no `{scripts}` placeholder, so DVC adds no CDN script tags.
`.dvc/config` points `plots.html_template` at it.
"""

from __future__ import annotations

from pathlib import Path

from nnreel.io import package_text, write_lines

TEMPLATE = Path(".dvc/offline_plots.html")
LIBRARIES = (  # in load order: Vega-Lite and Vega-Embed need Vega
    "vendor/vega-5.33.1/vega.min.js",
    "vendor/vega-lite-5.23.0/vega-lite.min.js",
    "vendor/vega-embed-6.29.0/vega-embed.min.js",
)


def inline(script: str) -> str:
    """A vendored build as an inline script, without its source-map comment (no request)."""
    lines = [line for line in script.splitlines() if not line.startswith("//# sourceMappingURL=")]
    return "<script>\n" + "\n".join(lines) + "\n</script>"


def template(scripts: list[str]) -> str:
    """The page DVC fills in: its {plot_divs} and {refresh_tag} placeholders, the scripts inline."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            "<html>",
            "<head>",
            '<meta charset="utf-8">',
            "{refresh_tag}",
            "<title>DVC Plot</title>",
            *(inline(s) for s in scripts),
            "<style>table { border-spacing: 15px; }</style>",
            "</head>",
            "<body>",
            "{plot_divs}",
            "</body>",
            "</html>",
            "",
        ]
    )


def main() -> None:
    write_lines(TEMPLATE, [template([package_text(name) for name in LIBRARIES])])
    print(f"wrote {TEMPLATE}")


if __name__ == "__main__":
    main()
