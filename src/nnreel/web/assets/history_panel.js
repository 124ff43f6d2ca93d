  // The step of a history's lowest finite value (-1 if none).
  function bestStep(values) {
    let best = -1;
    values.forEach((v, k) => { if (Number.isFinite(v) && (best < 0 || v < values[best])) best = k; });
    return best;
  }

  // A ring around each line's best step, where it has one (the loss).
  function bestRings(ctx, area, series) {
    ctx.save(); ctx.lineWidth = 1.5;
    for (const l of series.lines) if (l.best >= 0) {
      ctx.strokeStyle = l.colour;
      ctx.beginPath(); ctx.arc(area.sx(l.best), area.sy(l.values[l.best]), 6, 0, 2 * Math.PI); ctx.stroke();
    }
    ctx.restore();
  }

  // Under the loss panel's title: each run's best step, and a warning for a run that ended
  // above where it started (a diverged run has its banner instead).
  function lossNote(runs, lines, compare) {
    const name = (run) => (compare ? `${run.label}: ` : "");
    const best = runs.map((run, i) => `${name(run)}${run.loss_name} ${roundedText(run.loss[lines[i].best])} at step ${lines[i].best}`);
    const worse = runs.filter((run) => !run.diverged && run.loss[run.last] > run.loss[0]);
    return el("div", { class: "lossnote", "data-best": lines.map((l) => `${l.label}@${l.best}`).join(" "), "data-worse": worse.map((r) => r.label).join(" ") },
      el("span", { text: `○ best: ${best.join(", ")}` }),
      ...runs.filter((run) => run.same_as).map((run) => el("div", { text: `${run.label} = ${run.same_as}, identical (dashed over it)` })),
      ...worse.map((run) => el("div", { class: "worse", text: `${name(run)}ended above its start: ${run.loss_name} ${roundedText(run.loss[run.last])} at step ${run.last}, against ${roundedText(run.loss[0])} at step 0` })));
  }

  // The area between two histories, over each stretch of steps where both are finite.
  function bandFill(ctx, area, lo, hi) {
    ctx.beginPath();
    for (let a = 0; a < lo.length; a++) {
      if (!Number.isFinite(lo[a]) || !Number.isFinite(hi[a])) continue;
      let b = a;
      while (b + 1 < lo.length && Number.isFinite(lo[b + 1]) && Number.isFinite(hi[b + 1])) b++;
      ctx.moveTo(area.sx(a), area.sy(lo[a]));
      for (let k = a + 1; k <= b; k++) ctx.lineTo(area.sx(k), area.sy(lo[k]));
      for (let k = b; k >= a; k--) ctx.lineTo(area.sx(k), area.sy(hi[k]));
      ctx.closePath();
      a = b;
    }
    ctx.fill();
  }

  // A history's lines over `steps`, clipped to its plot area; a band (min, 10%, median, 90%,
  // max) is filled light from min to max and darker from 10% to 90%, under its lines.
  function historyLines(ctx, area, series, steps, width, alpha) {
    ctx.save(); area.clip(ctx); ctx.globalAlpha = alpha; ctx.lineWidth = width;
    if (series.band) {
      const [min, q10, , q90, max] = series.lines.map((l) => l.values);
      ctx.fillStyle = series.lines[0].colour;
      ctx.globalAlpha = 0.15 * alpha; bandFill(ctx, area, min, max);
      ctx.globalAlpha = 0.3 * alpha; bandFill(ctx, area, q10, q90);
      ctx.globalAlpha = alpha;
    }
    for (const l of series.lines) {
      ctx.lineWidth = width * (l.thin ? 0.5 : 1);
      ctx.strokeStyle = l.colour;
      if (l.dashed) ctx.setLineDash([4, 3]);
      polyline(ctx, area, steps, l.values, 0, l.values.length - 1);
      ctx.setLineDash([]);
    }
    ctx.restore();
  }

  // Histories drawn once, faint (all steps) and strong (all steps, over the faint ones); each
  // draw shows the strong layer up to the current step and the faint one after it, so a seek
  // costs the same at any length. A seek repaints only the strip of each cell between the old
  // and the new step (and their dots): a panel holds hundreds of cells.
  // opts: columns, height, log, wide; steps (0 to the page's last step, as doubles) and
  // onSeek(k), called on a click at step k.
  class HistoryPanel {
    constructor(name, title, series, opts = {}) {
      Object.assign(this, { name, series, opts });
      this.canvas = el("canvas");
      this.overlay = el("canvas", { class: "overlay" });
      this.readout = el("div", { class: "readout", "data-hover-step": "" }, "hover for values; click to go to a step");
      this.root = el("section", { "data-panel": name, class: opts.wide ? "wide" : "" },
        el("h2", { text: title }), el("div", { class: "stack" }, this.canvas, this.overlay), this.readout);
      this.overlay.addEventListener("mousemove", (e) => this.hover(e));
      this.overlay.addEventListener("mouseleave", () => this.unhover());
      this.overlay.addEventListener("click", (e) => {
        const hit = this.hit(e);
        if (hit) this.opts.onSeek(hit.k);
      });
    }
    cellsPerRow() { return this.series.length === 1 ? 1 : Math.min(this.series.length, this.opts.columns || 4); }
    layout() {
      const w = this.canvas.parentElement.clientWidth;
      const cols = this.cellsPerRow(), rows = Math.ceil(this.series.length / cols);
      const cellH = this.series.length === 1 ? (this.opts.height || 260) : 130;
      const h = rows * cellH;
      this.size = [w, h];
      this.ctx = sizeCanvas(this.canvas, w, h);
      this.octx = sizeCanvas(this.overlay, w, h);
      const cw = w / cols, small = this.series.length > 1;
      const m = small ? { left: 50, right: 16, top: 18, bottom: 22 } : MARGIN;
      const yt = small ? 3 : 5;
      this.ctx.font = FONT;
      this.plotAreas = this.series.map((s, i) => {
        const cx = (i % cols) * cw, cy = Math.floor(i / cols) * cellH;
        const values = s.lines.length === 1 ? s.lines[0].values : s.lines.flatMap((l) => Array.from(l.values));
        const log = Boolean(this.opts.log) && wantsLogScale(values);
        // Linear limits come with the data (isolated spikes may leave the panel, marked at its edge).
        const lim = log ? logLimits(s.lines) : [Math.min(...s.lines.map((l) => l.limits[0])), Math.max(...s.lines.map((l) => l.limits[1]))];
        // Room for the widest y label, so none is cut at the panel's left edge.
        const widest = Math.max(...yTicks(log ? lim.map(Math.log10) : lim, log, yt).map(([, t]) => this.ctx.measureText(t).width));
        const left = Math.max(m.left, Math.ceil(widest) + 10);
        return new PlotRect(cx + left, cy + m.top, cw - left - m.right, cellH - m.top - m.bottom, [0, Math.max(1, s.last)], lim, log, 1);
      });
      this.ticks = { xticks: small ? 3 : 6, yticks: yt };
      this.outside = this.series.map((s, i) => s.lines.map((l) => this.plotAreas[i].offPanel(l.values)));
      this.root.dataset.edgeMarks = this.series.flatMap((s, i) => this.outside[i].flat().map(([k]) => `${s.title}@${k}`)).join(" ");
      // Each cell's rectangle in device pixels; cells tile the canvas.
      const r = pixelRatio(), at = (v) => Math.round(v * r);
      this.cells = this.plotAreas.map((_, i) => {
        const x = at((i % cols) * cw), y = at(Math.floor(i / cols) * cellH);
        return [x, y, at((i % cols + 1) * cw) - x, at((Math.floor(i / cols) + 1) * cellH) - y];
      });
      // One cell's paper, and each cell's layers once painted: a wide network's panel is
      // several screens tall, and pixels for all of it would slow the page's start.
      this.paper = offscreenContext(Math.ceil(cw) + 1, cellH + 1, { willReadFrequently: true });
      this.faint = [];
      this.strong = [];
      this.painted = this.plotAreas.map(() => false);
      this.shown = this.plotAreas.map(() => null); // what each cell of the canvas shows
    }
    // A cell's faint layer (axes, every step faintly, edge marks) and strong one (every step
    // strongly, over the faint), painted when the cell is first needed: painting all of a wide
    // network's cells before the first draw would take most of the page's start.
    paintCell(i) {
      const s = this.series[i], area = this.plotAreas[i], ctx = this.paper, [x, y, w, h] = this.cells[i];
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, w, h);
      ctx.setTransform(pixelRatio(), 0, 0, pixelRatio(), -x, -y); // the cell at the paper's corner
      area.axes(ctx, { title: s.title, ...this.ticks });
      historyLines(ctx, area, s, this.opts.steps, 1, 0.3);
      s.lines.forEach((l, n) => { for (const [k, v] of this.outside[i][n]) area.dot(ctx, k, v, l.colour); });
      bestRings(ctx, area, s);
      this.faint[i] = ctx.getImageData(0, 0, w, h);
      historyLines(ctx, area, s, this.opts.steps, 1.8, 1);
      bestRings(ctx, area, s);
      this.strong[i] = ctx.getImageData(0, 0, w, h);
      this.painted[i] = true;
      if (this.painted.every(Boolean)) this.paper = null;
    }
    // Paint cells not yet needed for about `ms` milliseconds; true while some remain.
    prepare(ms) {
      const t0 = performance.now();
      for (let i = this.painted.indexOf(false); i >= 0 && performance.now() - t0 < ms; i = this.painted.indexOf(false)) this.paintCell(i);
      return this.painted.includes(false);
    }
    // The rows of the canvas (CSS px) on screen or within a screen of it, measured on scroll
    // and resize: reading the layout in a draw would force it after every seek.
    measure() {
      const top = -this.canvas.getBoundingClientRect().top, h = window.innerHeight;
      this.band = [top - h, top + 2 * h];
    }
    // Only the cells near the screen (or all, for printing) are brought to step k: a wide
    // network's panel is several screens tall. The others keep their step until they near it.
    draw(k, all = false) {
      const ctx = this.ctx, r = pixelRatio(), pad = Math.ceil(8 * r), width = this.canvas.width;
      const [top, bottom] = all || !this.band ? [-Infinity, Infinity] : this.band;
      this.series.forEach((s, i) => {
        const area = this.plotAreas[i];
        if (area.y + area.h + pad < top || area.y - pad > bottom) return;
        if (!this.painted[i]) this.paintCell(i);
        if (!this.shown[i]) {
          ctx.putImageData(this.faint[i], this.cells[i][0], this.cells[i][1]);
          this.shown[i] = { xs: [Math.floor(area.x * r)], steps: [] };
        }
        // Where this draw's picture may differ from the last one's: the strong line's end and
        // the dots (a shorter run's dot rests at its end), then and now.
        const x1 = Math.ceil(area.sx(Math.min(k, s.last)) * r) + 2;
        const dots = s.lines.map((l) => Math.min(k, s.last, l.values.length - 1));
        const xs = [x1, ...dots.map((kk) => Math.round(area.sx(kk) * r))], before = this.shown[i].xs;
        const steps = [x1, ...dots], was = this.shown[i].steps;
        if (steps.length === was.length && steps.every((v, n) => v === was[n])) return;
        const a = Math.max(0, Math.min(...xs, ...before) - pad), b = Math.min(width, Math.max(...xs, ...before) + pad);
        const y0 = Math.floor(area.y * r) - pad, h = Math.ceil(area.h * r) + 2 * pad;
        copyStrip(ctx, this.strong[i], this.cells[i], a, Math.min(b, x1), y0, h);
        copyStrip(ctx, this.faint[i], this.cells[i], Math.max(a, x1), b, y0, h);
        s.lines.forEach((l, n) => area.dot(ctx, dots[n], l.values[dots[n]], l.colour));
        this.shown[i] = { xs, steps };
      });
      this.root.dataset.step = k;
    }
    hit(e) {
      const rect = this.overlay.getBoundingClientRect();
      const px = e.clientX - rect.left, py = e.clientY - rect.top;
      const i = this.plotAreas.findIndex((area) => area.contains(px, py));
      if (i < 0) return null;
      const k = Math.max(0, Math.min(this.series[i].last, Math.round(this.plotAreas[i].ix(px))));
      return { i, k };
    }
    hover(e) {
      const hit = this.hit(e);
      const ctx = this.octx;
      ctx.clearRect(0, 0, ...this.size);
      if (!hit) return this.unhover();
      const area = this.plotAreas[hit.i], s = this.series[hit.i];
      ctx.strokeStyle = "#888"; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(area.sx(hit.k), area.y); ctx.lineTo(area.sx(hit.k), area.y + area.h); ctx.stroke();
      const parts = s.lines.filter((l) => hit.k < l.values.length).map((l) => {
        area.dot(ctx, hit.k, l.values[hit.k], l.colour, 2.5);
        return `${l.label} = ${pyRepr(l.values[hit.k])}`;
      });
      this.readout.textContent = `step ${hit.k}: ${parts.join(", ")}`;
      this.readout.dataset.hoverStep = hit.k;
      this.readout.dataset.hoverValue = s.lines.length === 1 ? pyRepr(s.lines[0].values[hit.k]) : "";
    }
    unhover() {
      this.octx.clearRect(0, 0, ...this.size);
      this.readout.dataset.hoverStep = "";
    }
  }

  function logLimits(lines) {
    let lo = Infinity, hi = -Infinity;
    for (const l of lines) for (const v of l.values) if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const span = Math.log10(hi) - Math.log10(lo);
    return [lo / 10 ** (0.05 * span), hi * 10 ** (0.05 * span)];
  }

