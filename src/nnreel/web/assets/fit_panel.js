  // ---- panels ---------------------------------------------------------------------------

  // Every panel has a root element carrying data-panel and data-step, layout() and draw(k).
  const panels = [];

  function colourOf(run, name) {
    const j = run.neurons.findIndex((ps) => ps.includes(name));
    return j < 0 ? OTHER : run.neuronColours[j];
  }

  function own(run, k) { return Math.min(k, run.last); }

  class FitPanel {
    constructor(run, limits) {
      this.run = run;
      this.limits = limits;
      this.height = COMPARE ? 300 : 380;
      this.canvas = el("canvas");
      this.root = el("section", { "data-panel": "fit", "data-run": run.label, "data-same-as": run.same_as || "" },
        el("h2", { text: COMPARE ? `fit: ${run.label}${run.same_as ? ` = ${run.same_as}, identical` : ""}` : "fit: samples, each neuron's contribution ow_j·a_j(x), prediction" }),
        el("div", { class: "stack" }, this.canvas), this.legend());
      this.banner = divergenceBanner(run);
      if (COMPARE) this.root.prepend(this.banner);
    }
    legend() {
      const items = [["samples", "#000"], ...this.run.neuronColours.map((c, j) => [legendName(this.run, j), c]), ["prediction", PREDICTION]];
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
      const left = titledLeft(this.ctx, this.limits.y, 4);
      this.frame = new Frame(left, MARGIN.top, w - left - MARGIN.right, h - MARGIN.top - MARGIN.bottom, this.limits.x, this.limits.y);
      this.back = offscreen(w, h);
      this.frame.axes(this.back, { xlabel: "x", ylabel: "y" });
      this.root.dataset.yticks = yTicks(this.limits.y, false, 4).map(([, t]) => t).join(" ");
    }
    draw(k) {
      const run = this.run, ctx = this.ctx, f = this.frame, s = own(run, k);
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(this.back.canvas, 0, 0);
      ctx.restore();
      const { preds, contributions } = predict(run, theta(run, s), run.grid);
      // A curve beyond the panel runs along its edge, with a triangle where it is farthest.
      const [lo, hi] = f.ylim, curves = [...contributions.map((c, j) => [c, run.neuronColours[j], legendName(run, j)]), [preds, PREDICTION, "prediction"]];
      ctx.save();
      f.clip(ctx);
      for (const [c, colour] of curves) {
        ctx.lineWidth = colour === PREDICTION ? 2.6 : 1.6;
        ctx.strokeStyle = colour;
        polyline(ctx, f, run.grid, c.map((v) => Math.max(lo, Math.min(hi, v))));
      }
      ctx.restore();
      const marks = [];
      for (const [c, colour, name] of curves) for (const [i, v] of f.offPanel(c)) { f.dot(ctx, run.grid[i], v, colour); marks.push(name.replace(" ", "-")); }
      run.samples.x.forEach((x, i) => f.dot(ctx, x, run.samples.y[i], "#000", 3.5));
      this.root.dataset.edgeMarks = marks.join(" ");
      this.root.dataset.step = s;
      this.banner.hidden = !(run.diverged && s === run.last);
    }
  }

  // The step of a history's lowest finite value (-1 if none).
  function bestStep(values) {
    let best = -1;
    values.forEach((v, k) => { if (Number.isFinite(v) && (best < 0 || v < values[best])) best = k; });
    return best;
  }

  // A ring around each line's best step, where it has one (the loss).
  function bestRings(ctx, f, s) {
    ctx.save(); ctx.lineWidth = 1.5;
    for (const l of s.lines) if (l.best >= 0) {
      ctx.strokeStyle = l.colour;
      ctx.beginPath(); ctx.arc(f.sx(l.best), f.sy(l.values[l.best]), 6, 0, 2 * Math.PI); ctx.stroke();
    }
    ctx.restore();
  }

  // Under the loss panel's title: each run's best step, and a warning for a run that ended
  // above where it started (a diverged run has its banner instead).
  function lossNote(runs, lines) {
    const name = (run) => (COMPARE ? `${run.label}: ` : "");
    const best = runs.map((run, i) => `${name(run)}${run.loss_name} ${rounded(run.loss[lines[i].best])} at step ${lines[i].best}`);
    const worse = runs.filter((run) => !run.diverged && run.loss[run.last] > run.loss[0]);
    return el("div", { class: "lossnote", "data-best": lines.map((l) => `${l.label}@${l.best}`).join(" "), "data-worse": worse.map((r) => r.label).join(" ") },
      el("span", { text: `○ best: ${best.join(", ")}` }),
      ...runs.filter((run) => run.same_as).map((run) => el("div", { text: `${run.label} = ${run.same_as}, identical (dashed over it)` })),
      ...worse.map((run) => el("div", { class: "worse", text: `${name(run)}ended above its start: ${run.loss_name} ${rounded(run.loss[run.last])} at step ${run.last}, against ${rounded(run.loss[0])} at step 0` })));
  }

  // The area between two histories, over each stretch of steps where both are finite.
  function bandFill(ctx, f, lo, hi) {
    ctx.beginPath();
    for (let a = 0; a < lo.length; a++) {
      if (!Number.isFinite(lo[a]) || !Number.isFinite(hi[a])) continue;
      let b = a;
      while (b + 1 < lo.length && Number.isFinite(lo[b + 1]) && Number.isFinite(hi[b + 1])) b++;
      ctx.moveTo(f.sx(a), f.sy(lo[a]));
      for (let k = a + 1; k <= b; k++) ctx.lineTo(f.sx(k), f.sy(lo[k]));
      for (let k = b; k >= a; k--) ctx.lineTo(f.sx(k), f.sy(hi[k]));
      ctx.closePath();
      a = b;
    }
    ctx.fill();
  }

  // A history's lines, clipped to its frame; a band (min, 10%, median, 90%, max) is filled
  // light from min to max and darker from 10% to 90%, under its lines.
  function historyLines(ctx, f, s, width, alpha) {
    ctx.save(); f.clip(ctx); ctx.globalAlpha = alpha; ctx.lineWidth = width;
    if (s.band) {
      const [min, q10, , q90, max] = s.lines.map((l) => l.values);
      ctx.fillStyle = s.lines[0].colour;
      ctx.globalAlpha = 0.15 * alpha; bandFill(ctx, f, min, max);
      ctx.globalAlpha = 0.3 * alpha; bandFill(ctx, f, q10, q90);
      ctx.globalAlpha = alpha;
    }
    for (const l of s.lines) {
      ctx.lineWidth = width * (l.thin ? 0.5 : 1);
      ctx.strokeStyle = l.colour;
      if (l.dashed) ctx.setLineDash([4, 3]);
      polyline(ctx, f, STEPS, l.values, 0, l.values.length - 1);
      ctx.setLineDash([]);
    }
    ctx.restore();
  }

  function legendName(run, j) {
    const n = run.neurons.length;
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

