  // ---- panels ---------------------------------------------------------------------------

  // Every panel has a root element carrying data-panel and data-step, layout() and draw(k),
  // and draws what its constructor is given.

  const PREDICTION = "#ff00ff";

  // The samples, each neuron's contribution and the prediction of one run at its step, on
  // shared limits ({x, y}); in a comparison it is titled with the run's label and holds the
  // run's divergence banner.
  class FitPanel {
    constructor(run, limits, { compare = false, height = 380 } = {}) {
      this.run = run;
      this.limits = limits;
      this.height = height;
      this.canvas = el("canvas");
      this.root = el("section", { "data-panel": "fit", "data-run": run.label, "data-same-as": run.same_as || "" },
        el("h2", { text: compare ? `fit: ${run.label}${run.same_as ? ` = ${run.same_as}, identical` : ""}` : "fit: samples, each neuron's contribution ow_j·a_j(x), prediction" }),
        el("div", { class: "stack" }, this.canvas), this.legend());
      this.banner = divergenceBanner(run);
      if (compare) this.root.prepend(this.banner);
    }
    legend() {
      const items = [["samples", "#000"], ...this.run.neuronColours.map((c, j) => [legendName(this.run.neuronColours.length, j), c]), ["prediction", PREDICTION]];
      if (items.length > 12) items.splice(9, items.length - 11, ["…", "#fff"]);
      return el("div", { class: "legend" }, ...items.map(([t, c]) => {
        const s = el("span", { class: "swatch" });
        s.style.background = c;
        return el("span", {}, s, t);
      }));
    }
    layout() {
      const w = this.canvas.parentElement.clientWidth, h = this.height;
      this.ctx = sizeCanvas(this.canvas, w, h);
      const left = titledLeftMargin(this.ctx, this.limits.y, 4);
      this.plotArea = new PlotRect(left, MARGIN.top, w - left - MARGIN.right, h - MARGIN.top - MARGIN.bottom, this.limits.x, this.limits.y);
      this.back = offscreenContext(w, h);
      this.plotArea.axes(this.back, { xlabel: "x", ylabel: "y" });
      this.root.dataset.yticks = yTicks(this.limits.y, false, 4).map(([, t]) => t).join(" ");
    }
    draw(k) {
      const run = this.run, ctx = this.ctx, area = this.plotArea, s = shownStep(run, k);
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(this.back.canvas, 0, 0);
      ctx.restore();
      const { preds, contributions } = predict(run.network, thetaAt(run, s), run.grid);
      // A curve beyond the panel runs along its edge, with a triangle where it is farthest.
      const [lo, hi] = area.ylim, curves = [...contributions.map((c, j) => [c, run.neuronColours[j], legendName(run.neuronColours.length, j)]), [preds, PREDICTION, "prediction"]];
      ctx.save();
      area.clip(ctx);
      for (const [c, colour] of curves) {
        ctx.lineWidth = colour === PREDICTION ? 2.6 : 1.6;
        ctx.strokeStyle = colour;
        polyline(ctx, area, run.grid, c.map((v) => Math.max(lo, Math.min(hi, v))));
      }
      ctx.restore();
      const marks = [];
      for (const [c, colour, name] of curves) for (const [i, v] of area.offPanel(c)) { area.dot(ctx, run.grid[i], v, colour); marks.push(name.replace(" ", "-")); }
      run.samples.x.forEach((x, i) => area.dot(ctx, x, run.samples.y[i], "#000", 3.5));
      this.root.dataset.edgeMarks = marks.join(" ");
      this.root.dataset.step = s;
      this.banner.hidden = !(run.diverged && s === run.last);
    }
  }

  // Neuron j's name in a legend of n neurons.
  function legendName(n, j) {
    return n > 1 ? `neuron ${j + 1}` : "neuron";
  }

  // Shared limits of the fit: every run's grid and y-limits (computed from its whole run).
  function fitLimits(runs) {
    const lo = (a) => Math.min(...a), hi = (a) => Math.max(...a);
    return {
      x: [lo(runs.map((r) => r.grid[0])), hi(runs.map((r) => r.grid[r.grid.length - 1]))],
      y: [lo(runs.map((r) => r.fit_ylim[0])), hi(runs.map((r) => r.fit_ylim[1]))],
    };
  }

