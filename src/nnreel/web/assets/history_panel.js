  // Histories drawn once, faint (all steps) and strong (all steps, over the faint ones); each
  // draw shows the strong layer up to the current step and the faint one after it, so a seek
  // costs the same at any length. A seek repaints only the strip of each cell between the old
  // and the new step (and their dots): a panel holds hundreds of cells.
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
        if (hit) seek(hit.k);
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
      this.frames = this.series.map((s, i) => {
        const cx = (i % cols) * cw, cy = Math.floor(i / cols) * cellH;
        const values = s.lines.length === 1 ? s.lines[0].values : s.lines.flatMap((l) => Array.from(l.values));
        const log = Boolean(this.opts.log) && logScale(values);
        // Linear limits come with the data (isolated spikes may leave the panel, marked at its edge).
        const lim = log ? logLimits(s.lines) : [Math.min(...s.lines.map((l) => l.limits[0])), Math.max(...s.lines.map((l) => l.limits[1]))];
        // Room for the widest y label, so none is cut at the panel's left edge.
        const widest = Math.max(...yTicks(log ? lim.map(Math.log10) : lim, log, yt).map(([, t]) => this.ctx.measureText(t).width));
        const left = Math.max(m.left, Math.ceil(widest) + 10);
        return new Frame(cx + left, cy + m.top, cw - left - m.right, cellH - m.top - m.bottom, [0, Math.max(1, s.last)], lim, log, 1);
      });
      this.ticks = { xticks: small ? 3 : 6, yticks: yt };
      this.outside = this.series.map((s, i) => s.lines.map((l) => this.frames[i].offPanel(l.values)));
      this.root.dataset.edgeMarks = this.series.flatMap((s, i) => this.outside[i].flat().map(([k]) => `${s.title}@${k}`)).join(" ");
      // Each cell's rectangle in device pixels; cells tile the canvas.
      const r = DPR(), at = (v) => Math.round(v * r);
      this.cells = this.frames.map((_, i) => {
        const x = at((i % cols) * cw), y = at(Math.floor(i / cols) * cellH);
        return [x, y, at((i % cols + 1) * cw) - x, at((Math.floor(i / cols) + 1) * cellH) - y];
      });
      // One cell's paper, and each cell's layers once painted: a wide network's panel is
      // several screens tall, and pixels for all of it would slow the page's start.
      this.paper = offscreen(Math.ceil(cw) + 1, cellH + 1, { willReadFrequently: true });
      this.faint = [];
      this.strong = [];
      this.painted = this.frames.map(() => false);
      this.shown = this.frames.map(() => null); // what each cell of the canvas shows
    }
    // A cell's faint layer (axes, every step faintly, edge marks) and strong one (every step
    // strongly, over the faint), painted when the cell is first needed: painting all of a wide
    // network's cells before the first draw would take most of the page's start.
    paintCell(i) {
      const s = this.series[i], f = this.frames[i], ctx = this.paper, [x, y, w, h] = this.cells[i];
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, w, h);
      ctx.setTransform(DPR(), 0, 0, DPR(), -x, -y); // the cell at the paper's corner
      f.axes(ctx, { title: s.title, ...this.ticks });
      historyLines(ctx, f, s, 1, 0.3);
      s.lines.forEach((l, n) => { for (const [k, v] of this.outside[i][n]) f.dot(ctx, k, v, l.colour); });
      bestRings(ctx, f, s);
      this.faint[i] = ctx.getImageData(0, 0, w, h);
      historyLines(ctx, f, s, 1.8, 1);
      bestRings(ctx, f, s);
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
      const ctx = this.ctx, r = DPR(), pad = Math.ceil(8 * r), width = this.canvas.width;
      const [top, bottom] = all || !this.band ? [-Infinity, Infinity] : this.band;
      this.series.forEach((s, i) => {
        const f = this.frames[i];
        if (f.y + f.h + pad < top || f.y - pad > bottom) return;
        if (!this.painted[i]) this.paintCell(i);
        if (!this.shown[i]) {
          ctx.putImageData(this.faint[i], this.cells[i][0], this.cells[i][1]);
          this.shown[i] = { xs: [Math.floor(f.x * r)], steps: [] };
        }
        // Where this draw's picture may differ from the last one's: the strong line's end and
        // the dots (a shorter run's dot rests at its end), then and now.
        const x1 = Math.ceil(f.sx(Math.min(k, s.last)) * r) + 2;
        const dots = s.lines.map((l) => Math.min(k, s.last, l.values.length - 1));
        const xs = [x1, ...dots.map((kk) => Math.round(f.sx(kk) * r))], before = this.shown[i].xs;
        const steps = [x1, ...dots], was = this.shown[i].steps;
        if (steps.length === was.length && steps.every((v, n) => v === was[n])) return;
        const a = Math.max(0, Math.min(...xs, ...before) - pad), b = Math.min(width, Math.max(...xs, ...before) + pad);
        const y0 = Math.floor(f.y * r) - pad, h = Math.ceil(f.h * r) + 2 * pad;
        copyStrip(ctx, this.strong[i], this.cells[i], a, Math.min(b, x1), y0, h);
        copyStrip(ctx, this.faint[i], this.cells[i], Math.max(a, x1), b, y0, h);
        s.lines.forEach((l, n) => f.dot(ctx, dots[n], l.values[dots[n]], l.colour));
        this.shown[i] = { xs, steps };
      });
      this.root.dataset.step = k;
    }
    hit(e) {
      const rect = this.overlay.getBoundingClientRect();
      const px = e.clientX - rect.left, py = e.clientY - rect.top;
      const i = this.frames.findIndex((f) => f.contains(px, py));
      if (i < 0) return null;
      const k = Math.max(0, Math.min(this.series[i].last, Math.round(this.frames[i].ix(px))));
      return { i, k };
    }
    hover(e) {
      const hit = this.hit(e);
      const ctx = this.octx;
      ctx.clearRect(0, 0, ...this.size);
      if (!hit) return this.unhover();
      const f = this.frames[hit.i], s = this.series[hit.i];
      ctx.strokeStyle = "#888"; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(f.sx(hit.k), f.y); ctx.lineTo(f.sx(hit.k), f.y + f.h); ctx.stroke();
      const parts = s.lines.filter((l) => hit.k < l.values.length).map((l) => {
        f.dot(ctx, hit.k, l.values[hit.k], l.colour, 2.5);
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

