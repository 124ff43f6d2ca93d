"""The offline HTML template for `dvc plots show` and `dvc plots diff`.

    python -m nnreel.web.plots_template      # rewrites .dvc/offline_plots.html

DVC's own template loads Vega, Vega-Lite and Vega-Embed from a CDN, so offline its line
plots stay blank. This one inlines the vendored builds (src/nnreel/web/vendor/, each with its
licence) and has no `{scripts}` placeholder, so DVC adds no CDN script tags.
`.dvc/config` points `plots.html_template` at it.

DVC pastes revision names into the page unescaped: into each plot's inline script and into
the captions of images. So DVC's markup goes into an inert <template>, and a
Content-Security-Policy lets only this page's own scripts run, by hash. Vega compiles its
expressions with `Function`, hence 'unsafe-eval'; no markup can reach it.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from nnreel.records.files import package_text, write_lines

TEMPLATE = Path(".dvc/offline_plots.html")
LIBRARIES = (  # in load order: Vega-Lite and Vega-Embed need Vega
    "web/vendor/vega-5.33.1/vega.min.js",
    "web/vendor/vega-lite-5.23.0/vega-lite.min.js",
    "web/vendor/vega-embed-6.29.0/vega-embed.min.js",
)

# Moves DVC's plots out of the template and draws each line plot from its spec, read as data.
# A line plot is a div with a script right inside it, and is drawn only as DVC writes it: that
# one script, whose text is `var spec = {…}; vegaEmbed('#id', spec);`. A plot whose spec a
# revision name cut short says so instead, and every script is dropped.
EMBED = """
const NOTE = {className: "cut", textContent: "This plot is not drawn: DVC wrote a revision name "
  + "into its data unescaped, and the name ended the data early."};
function spec(script) {
  const m = /^\\s*var spec = ([\\s\\S]*);\\s*vegaEmbed\\('#[^']*', spec\\);\\s*$/.exec(script.text);
  try { return m && JSON.parse(m[1]); } catch { return null; }
}
addEventListener("DOMContentLoaded", () => {
  const plots = document.getElementById("plots").content;
  const drawn = [];
  for (const plot of plots.children) {
    const scripts = [...plot.querySelectorAll("script")];
    if (!scripts.some((s) => s.parentNode === plot)) continue;
    const s = scripts.length === 1 && spec(scripts[0]);
    if (s) drawn.push([plot, s]);
    else plot.replaceChildren(Object.assign(document.createElement("p"), NOTE));
  }
  plots.querySelectorAll("script").forEach((s) => s.remove());
  document.body.append(plots);
  for (const [plot, s] of drawn) vegaEmbed(plot, s);
});
"""

# Images fit the page: DVC sets each revision's image in a box of its own, on one line.
STYLE = """
table { border-spacing: 15px; }
body > div { white-space: normal !important; }
body > div > div { max-width: calc(100% - 16px); box-sizing: border-box; }
img { max-width: 100%; height: auto; }
p.cut { color: #b00; }
"""


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def policy(scripts: list[str]) -> str:
    """Nothing loads from elsewhere, and no script runs but these."""
    hashes = " ".join(csp_hash(s) for s in scripts)
    return (
        f"default-src 'none'; script-src {hashes} 'unsafe-eval'; style-src 'unsafe-inline'; "
        "img-src 'self' file: data: blob:; base-uri 'none'; form-action 'none'"
    )


def inline(script: str) -> str:
    """A vendored build as an inline script's text, without its source-map comment."""
    lines = [line for line in script.splitlines() if not line.startswith("//# sourceMappingURL=")]
    return "\n" + "\n".join(lines) + "\n"


def template(scripts: list[str]) -> str:
    """The page DVC fills in: its {plot_divs} and {refresh_tag} placeholders, the scripts inline."""
    inlined = [*(inline(s) for s in scripts), EMBED]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            "<html>",
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{policy(inlined)}">',
            "{refresh_tag}",
            "<title>DVC Plot</title>",
            *(f"<script>{s}</script>" for s in inlined),
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            '<template id="plots">',
            "{plot_divs}",
            "</template>",
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
