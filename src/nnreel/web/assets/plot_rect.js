  // ---- scales, ticks and plot rectangles ------------------------------------------------

  const FONT = "12px system-ui, sans-serif";
  const MARGIN = { left: 58, right: 12, top: 10, bottom: 30 };

  function paddedLimits(lo, hi, pad = 0.06) {
    const span = hi - lo || Math.abs(hi) || 1;
    return [lo - pad * span, hi + pad * span];
  }

  // Whether values span a decade or more, all above zero: a log axis suits them.
  function wantsLogScale(values) {
    let lo = Infinity, hi = -Infinity;
    for (const v of values) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    return lo > 0 && hi >= 10 * lo;
  }

  // Round ticks over [lo, hi]; each carries the label its spacing calls for.
  function niceTicks(lo, hi, count, minStep = 0) {
    const raw = (hi - lo) / count;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const r = raw / mag;
    const step = Math.max(minStep, (r >= 7.5 ? 10 : r >= 3.5 ? 5 : r >= 1.5 ? 2 : 1) * mag);
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return labelledTicks(ticks, () => step);
  }

  // One notation for every tick of an axis: fixed, or exponential when its largest tick is
  // very large or very small; as many digits as the spacing step(v) needs, so neighbouring
  // ticks never read the same. On a log axis (each tick its own spacing) digits follow the tick.
  function labelledTicks(ticks, step, log = false) {
    const big = Math.max(0, ...ticks.map(Math.abs)), exp = big >= 1e5 || (big > 0 && big < 1e-3);
    const digits = (n) => Math.min(20, Math.max(0, n)), decade = (v) => Math.floor(Math.log10(v) + 1e-9);
    return ticks.map((v) => [v, !exp ? v.toFixed(digits(-decade(step(v))))
      : v === 0 ? "0" : v.toExponential(digits(decade(log ? Math.abs(v) : big) - decade(step(v))))]);
  }

  function yTicks(ylim, log, count) {
    return log ? logTicks(ylim) : niceTicks(ylim[0], ylim[1], count);
  }

  // A left margin that holds the widest y label and, left of it, the axis title.
  function titledLeftMargin(ctx, ylim, count) {
    ctx.font = FONT;
    const widest = Math.max(...yTicks(ylim, false, count).map(([, t]) => ctx.measureText(t).width));
    return Math.max(MARGIN.left, Math.ceil(widest) + 30);
  }

  // A rectangle on a canvas with linear (or log) scales from data to CSS pixels.
  class PlotRect {
    constructor(x, y, w, h, xlim, ylim, log = false, xstep = 0) {
      Object.assign(this, { x, y, w, h, xlim, log, xstep });
      this.ylim = log ? ylim.map(Math.log10) : ylim;
    }
    sx(v) { return this.x + ((v - this.xlim[0]) / (this.xlim[1] - this.xlim[0])) * this.w; }
    sy(v) {
      const t = this.log ? Math.log10(v) : v;
      return this.y + this.h - ((t - this.ylim[0]) / (this.ylim[1] - this.ylim[0])) * this.h;
    }
    ix(px) { return this.xlim[0] + ((px - this.x) / this.w) * (this.xlim[1] - this.xlim[0]); }
    contains(px, py) { return px >= this.x && px <= this.x + this.w && py >= this.y && py <= this.y + this.h; }

    axes(ctx, { xlabel = "", ylabel = "", title = "", xticks = 5, yticks = 4 } = {}) {
      ctx.save();
      ctx.font = FONT;
      ctx.strokeStyle = "#ccc";
      ctx.fillStyle = "#444";
      ctx.lineWidth = 1;
      ctx.strokeRect(this.x + 0.5, this.y + 0.5, this.w, this.h);
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      for (const [v, label] of niceTicks(this.xlim[0], this.xlim[1], xticks, this.xstep)) {
        const px = Math.round(this.sx(v)) + 0.5;
        ctx.beginPath(); ctx.moveTo(px, this.y + this.h); ctx.lineTo(px, this.y + this.h + 4); ctx.stroke();
        ctx.fillText(label, px, this.y + this.h + 5);
      }
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      for (const [v, label] of yTicks(this.ylim, this.log, yticks)) {
        const py = Math.round(this.sy(v)) + 0.5;
        ctx.strokeStyle = "#eee";
        ctx.beginPath(); ctx.moveTo(this.x, py); ctx.lineTo(this.x + this.w, py); ctx.stroke();
        ctx.fillText(label, this.x - 4, py);
      }
      if (xlabel) { ctx.textAlign = "right"; ctx.textBaseline = "bottom"; ctx.fillText(xlabel, this.x + this.w, this.y + this.h - 2); }
      if (title) { ctx.textAlign = "left"; ctx.textBaseline = "bottom"; ctx.fillStyle = "#222"; ctx.fillText(title, this.x, this.y - 3); }
      if (ylabel) {
        ctx.translate(12, this.y + this.h / 2); ctx.rotate(-Math.PI / 2);
        ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.fillText(ylabel, 0, 0);
      }
      ctx.restore();
    }

    clip(ctx) { ctx.beginPath(); ctx.rect(this.x, this.y, this.w, this.h); ctx.clip(); }

    // A dot at (x, v), or a triangle at the panel's edge when v lies outside it.
    dot(ctx, x, v, colour, r = 3.5) {
      const px = this.sx(x);
      let py = Number.isFinite(v) && (!this.log || v > 0) ? this.sy(v) : this.y;
      ctx.fillStyle = colour;
      ctx.beginPath();
      if (py < this.y || py > this.y + this.h) {
        const up = py < this.y;
        py = up ? this.y : this.y + this.h;
        const d = up ? 1 : -1;
        ctx.moveTo(px, py); ctx.lineTo(px - 5, py + 8 * d); ctx.lineTo(px + 5, py + 8 * d);
      } else {
        ctx.arc(px, py, r, 0, 2 * Math.PI);
      }
      ctx.fill();
    }

    // Each run of steps whose values leave the panel, as [step, value] at its farthest point:
    // where a triangle at the edge marks it, so that no value leaves the panel unmarked.
    offPanel(values) {
      const runs = [];
      let run = null;
      values.forEach((v, k) => {
        const py = Number.isFinite(v) && (!this.log || v > 0) ? this.sy(v) : NaN;
        const side = py < this.y ? -1 : py > this.y + this.h ? 1 : 0;
        if (!side) { run = null; return; }
        const far = Math.abs(py - (this.y + this.h / 2));
        if (!run || run.side !== side) runs.push((run = { side, k, v, far }));
        else if (far > run.far) Object.assign(run, { k, v, far });
      });
      return runs.map(({ k, v }) => [k, v]);
    }
  }

  // Ticks of a log axis over [lo, hi] (in decades), labelled: powers of ten, then 2 and 5
  // times them; a span too narrow for two of those gets round linear steps.
  function logTicks([lo, hi]) {
    const out = [];
    for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) out.push(10 ** e);
    if (out.length < 2) for (const m of [2, 5]) for (let e = Math.floor(lo); e <= hi; e++) {
      const v = m * 10 ** e;
      if (Math.log10(v) >= lo && Math.log10(v) <= hi) out.push(v);
    }
    if (out.length < 2) return niceTicks(10 ** lo, 10 ** hi, 4);
    return labelledTicks(out.sort((a, b) => a - b), (v) => v, true);
  }

