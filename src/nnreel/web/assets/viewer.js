"use strict";
// nnreel viewer: every panel draws the one current step from the run's own numbers.
(() => {
  const T = { start: performance.now() };
  const DATA = JSON.parse(document.getElementById("nnreel-data").textContent);
  const RUNS = DATA.runs;
  const COMPARE = RUNS.length > 1;
  const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
  for (const run of RUNS) {
    run.params = run.params.map(unpack);
    run.grads = run.grads.map(unpack);
    run.loss = unpack(run.loss);
  }
  const LAST = Math.max(...RUNS.map((r) => r.loss.length - 1));
  const NEURON_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#bcbd22", "#17becf"];
  const RUN_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
  const PREDICTION = "#ff00ff";
  const OTHER = "#555";
  const FONT = "12px system-ui, sans-serif";
  const MARGIN = { left: 58, right: 12, top: 10, bottom: 30 };

  // ---- numbers -------------------------------------------------------------------------

  // Python's repr of a float: the shortest digits that round-trip, in Python's layout.
  function pyRepr(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    const [mantissa, e] = x.toExponential().split("e");
    const exp = Number(e);
    const sign = x < 0 ? "-" : "";
    const digits = mantissa.replace("-", "").replace(".", "");
    if (exp < -4 || exp >= 16) {
      const frac = digits.length > 1 ? "." + digits.slice(1) : "";
      return `${sign}${digits[0]}${frac}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    }
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    return `${sign}${whole}.${digits.slice(exp + 1) || "0"}`;
  }

  function rounded(x) {
    if (x === 0) return "0";
    const a = Math.abs(x);
    if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(5)));
    return x.toExponential(3);
  }

  // ---- the network: Net.predict, operation by operation ---------------------------------

  const ACTIVATIONS = {
    softplus: (z) => {
      const e = Math.exp(-Math.abs(z));
      return z >= 0 ? z + Math.log1p(e) : Math.log1p(e);
    },
    sigmoid: (z) => {
      const e = Math.exp(-Math.abs(z));
      return z >= 0 ? 1 / (1 + e) : e / (1 + e);
    },
    relu: (z) => (z > 0 ? z : 0),
    tanh: (z) => Math.tanh(z),
    identity: (z) => z,
  };

  function weightName(layer, j, k) { return layer === 1 ? `iw${j}` : `w${layer}_${j}_${k}`; }
  function biasName(layer, j) { return layer === 1 ? `b${j}` : `b${layer}_${j}`; }

  // Index of every weight, bias and output weight in θ, as Net lays them out.
  function layout(run) {
    const at = Object.fromEntries(run.names.map((n, i) => [n, i]));
    const W = [], B = [];
    let fanIn = 1;
    run.arch.hidden.forEach((width, l) => {
      const layer = l + 1;
      const rows = [], biases = [];
      for (let j = 1; j <= width; j++) {
        const row = [];
        for (let k = 1; k <= fanIn; k++) row.push(at[weightName(layer, j, k)]);
        rows.push(row);
        biases.push(at[biasName(layer, j)]);
      }
      W.push(rows);
      B.push(biases);
      fanIn = width;
    });
    const OW = [];
    for (let j = 1; j <= fanIn; j++) OW.push(at[`ow${j}`]);
    return { W, B, OW, OB: "ob" in at ? at.ob : null, f: ACTIVATIONS[run.arch.activation] };
  }

  function theta(run, k) { return run.params.map((p) => p[k]); }

  // Predictions over xs and each last-layer neuron's contribution ow_j·a_j, as Net.predict
  // (in plain loops over typed arrays: a wide network has thousands of weights per step).
  function predict(run, t, xs) {
    const L = run.layout, n = xs.length;
    let A = [Float64Array.from(xs)];
    for (let l = 0; l < L.W.length; l++) {
      A = L.W[l].map((row, j) => {
        const b = t[L.B[l][j]], w0 = t[row[0]], a0 = A[0], z = new Float64Array(n);
        for (let i = 0; i < n; i++) z[i] = w0 * a0[i] + b;
        for (let k = 1; k < row.length; k++) {
          const w = t[row[k]], a = A[k];
          for (let i = 0; i < n; i++) z[i] = z[i] + w * a[i];
        }
        for (let i = 0; i < n; i++) z[i] = L.f(z[i]);
        return z;
      });
    }
    const contributions = L.OW.map((idx, j) => A[j].map((a) => t[idx] * a));
    const ob = L.OB === null ? 0 : t[L.OB];
    const preds = new Float64Array(n);
    for (const c of contributions) for (let i = 0; i < n; i++) preds[i] = preds[i] + c[i];
    for (let i = 0; i < n; i++) preds[i] = preds[i] + ob;
    return { preds, contributions };
  }

  // ---- scales and axes ------------------------------------------------------------------

  function padded(lo, hi, pad = 0.06) {
    const span = hi - lo || Math.abs(hi) || 1;
    return [lo - pad * span, hi + pad * span];
  }

  function logScale(values) {
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
    return labelled(ticks, () => step);
  }

  // One notation for every tick of an axis: fixed, or exponential when its largest tick is
  // very large or very small; as many digits as the spacing step(v) needs, so neighbouring
  // ticks never read the same. On a log axis (each tick its own spacing) digits follow the tick.
  function labelled(ticks, step, log = false) {
    const big = Math.max(0, ...ticks.map(Math.abs)), exp = big >= 1e5 || (big > 0 && big < 1e-3);
    const digits = (n) => Math.min(20, Math.max(0, n)), decade = (v) => Math.floor(Math.log10(v) + 1e-9);
    return ticks.map((v) => [v, !exp ? v.toFixed(digits(-decade(step(v))))
      : v === 0 ? "0" : v.toExponential(digits(decade(log ? Math.abs(v) : big) - decade(step(v))))]);
  }

  function yTicks(ylim, log, count) {
    return log ? logTicks(ylim) : niceTicks(ylim[0], ylim[1], count);
  }

  // A left margin that holds the widest y label and, left of it, the axis title.
  function titledLeft(ctx, ylim, count) {
    ctx.font = FONT;
    const widest = Math.max(...yTicks(ylim, false, count).map(([, t]) => ctx.measureText(t).width));
    return Math.max(MARGIN.left, Math.ceil(widest) + 30);
  }

  // A rectangle on a canvas with linear (or log) scales from data to CSS pixels.
  class Frame {
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
    return labelled(out.sort((a, b) => a - b), (v) => v, true);
  }

  // ---- DOM helpers ----------------------------------------------------------------------

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    node.append(...children);
    return node;
  }

  const DPR = () => window.devicePixelRatio || 1;

  // The notice a diverged run shows at its last step: where and why it stopped.
  function divergenceBanner(run) {
    return el("div", { class: "banner", hidden: "", "data-diverged": run.diverged ? run.diverged.reason : "" },
      run.diverged ? `Diverged at step ${run.diverged.step}: ${run.diverged.reason}` : "");
  }

  function sizeCanvas(canvas, w, h, options = {}) {
    const r = DPR();
    canvas.width = Math.round(w * r);
    canvas.height = Math.round(h * r);
    canvas.style.height = `${h}px`;
    const ctx = canvas.getContext("2d", options);
    ctx.setTransform(r, 0, 0, r, 0, 0);
    return ctx;
  }

  // Off-screen layers are opaque (white, as the page): copying one is a plain copy, no blend.
  function offscreen(w, h, options = {}) {
    const ctx = sizeCanvas(document.createElement("canvas"), w, h, options);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);
    return ctx;
  }

  // Copy the columns [x0, x1) and rows [y0, y0 + h) of a cell's layer, whose top left
  // corner is at (x, y), in device pixels.
  function copyStrip(ctx, layer, [x, y], x0, x1, y0, h) {
    if (x1 > x0) ctx.putImageData(layer, x, y, x0 - x, y0 - y, x1 - x0, h);
  }

  // Long histories keep, per pixel column, their first, lowest, highest and last point:
  // the same picture as every point, at a fraction of the cost.
  function polyline(ctx, frame, xs, ys, from = 0, to = xs.length - 1) {
    const r = DPR();
    let pen = false, b = null;
    const emit = () => {
      if (pen) ctx.lineTo(b.x, b.first); else { ctx.moveTo(b.x, b.first); pen = true; }
      if (b.min < b.first) ctx.lineTo(b.x, b.min);
      if (b.max > b.min) ctx.lineTo(b.x, b.max);
      ctx.lineTo(b.x, b.last);
      b = null;
    };
    ctx.beginPath();
    for (let i = from; i <= to; i++) {
      const y = ys[i];
      if (!Number.isFinite(y) || (frame.log && y <= 0)) { if (b) emit(); pen = false; continue; }
      const x = frame.sx(xs[i]), py = frame.sy(y), c = Math.floor(x * r);
      if (b && b.c === c) {
        b.min = Math.min(b.min, py); b.max = Math.max(b.max, py); b.last = py;
      } else {
        if (b) emit();
        b = { c, x, first: py, min: py, max: py, last: py };
      }
    }
    if (b) emit();
    ctx.stroke();
  }

  // Floats packed as base64 little-endian doubles, bit for bit the checkpoint's.
  function unpack(text) {
    const bin = atob(text), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    if (LITTLE_ENDIAN) return new Float64Array(bytes.buffer);
    const view = new DataView(bytes.buffer), out = new Float64Array(bytes.length / 8);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, true);
    return out;
  }


  const STEPS = new Float64Array(LAST + 1).map((_, i) => i);

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

  // A table of more rows than this holds only the rows in view (and a margin), and a box to
  // find any parameter by name: thousands of rows would cost a seek most of a frame.
  const TABLE_ROWS = 100;
  const BAND = ["min", "10%", "median", "90%", "max"];

  class ValuesPanel {
    constructor(run) {
      this.run = run;
      this.made = new Map(); // a row's elements, made when it is first shown
      this.order = run.names.map((_, i) => i); // the rows the table holds, after any filter
      this.virtual = run.names.length > TABLE_ROWS;
      this.range = [0, this.virtual ? 0 : run.names.length];
      this.body = el("tbody");
      const head = el("tr", {}, ...["parameter", "value", "exact value (repr)", `∂${run.loss_name}/∂θ`, `exact ∂${run.loss_name}/∂θ (repr)`].map((t, i) => el("th", { text: t, class: i === 1 || i === 3 ? "rounded" : "" })));
      this.wrap = el("div", { class: "tablewrap" }, el("table", {}, el("thead", {}, head), this.body));
      this.root = el("section", { "data-panel": "values", "data-run": run.label, class: COMPARE ? "compact" : "" },
        el("h2", { text: COMPARE ? `values: ${run.label}` : "parameter values at this step" }), this.wrap);
      if (this.virtual) this.findBox();
      this.show();
    }
    row(i) {
      if (this.made.has(i)) return this.made.get(i);
      const run = this.run, name = run.names[i];
      const cells = ["value", "value-repr", "grad", "grad-repr"].map((c) => el("td", { "data-param": name, class: c.endsWith("repr") ? "num repr" : "num rounded" }));
      const sw = el("span", { class: "swatch" });
      sw.style.background = colourOf(run, name);
      const label = el("td", {}, sw, name);
      if (run.frozen.includes(name)) label.append(el("span", { class: "frozen", title: "frozen: not trained", text: "frozen" }));
      const tr = el("tr", { "data-param": name, "data-frozen": String(run.frozen.includes(name)) }, label, ...cells);
      const texts = cells.map((c) => c.appendChild(document.createTextNode("")));
      const row = { i, tr, cells: [tr, ...cells], texts, shown: null };
      this.made.set(i, row);
      return row;
    }
    // Above the table: how many parameters it holds, and a box that keeps those whose name
    // contains its text.
    findBox() {
      const n = this.run.names.length;
      const all = `${n.toLocaleString("en")} parameters: the table draws the rows in view; scroll it, or find any parameter by name`;
      this.find = el("input", { type: "search", class: "find", placeholder: "find a parameter, e.g. w2_3_1", "aria-label": "find a parameter" });
      this.note = el("p", { class: "tablenote", "data-rows": String(n), "data-filter": "" });
      this.wrap.before(el("div", { class: "tablefind" }, this.find, this.note));
      this.find.addEventListener("input", () => {
        const text = this.find.value.trim();
        this.order = this.run.names.flatMap((name, i) => (name.includes(text) ? [i] : []));
        Object.assign(this.note.dataset, { rows: String(this.order.length), filter: text });
        this.note.textContent = text ? `${this.order.length.toLocaleString("en")} of ${all}` : all;
        this.wrap.scrollTop = 0;
        this.range = [-1, -1];
        this.scrolled();
      });
      this.wrap.addEventListener("scroll", () => this.scrolled(), { passive: true });
      this.note.textContent = all;
    }
    // The rows in view and a screen's margin either side, between spacers as tall as the rest.
    scrolled() {
      if (!this.virtual) return;
      const h = this.rowHeight, top = Math.floor(this.wrap.scrollTop / h), seen = Math.ceil(Math.max(this.wrap.clientHeight, 600) / h);
      const from = Math.max(0, top - seen), to = Math.min(this.order.length, top + 2 * seen);
      if (from === this.range[0] && to === this.range[1]) return;
      this.range = [from, to];
      this.show();
      this.draw(current);
    }
    show() {
      const [from, to] = this.range;
      const spacer = (rows) => {
        const tr = el("tr", { class: "spacer", "aria-hidden": "true" });
        tr.style.height = `${rows * (this.rowHeight || 0)}px`;
        return tr;
      };
      const rows = this.order.slice(from, to).map((i) => this.row(i).tr);
      this.body.replaceChildren(...(this.virtual ? [spacer(from), ...rows, spacer(this.order.length - to)] : rows));
      if (this.virtual && !this.order.length) this.body.append(el("tr", {}, el("td", { colspan: "5", text: "no parameter's name contains that" })));
    }
    // A virtual table learns its row height from a drawn row, then fills its window.
    layout() {
      if (!this.virtual) return;
      if (!this.rowHeight) {
        this.body.replaceChildren(this.row(0).tr);
        this.rowHeight = this.row(0).tr.getBoundingClientRect().height || 20;
        this.range = [-1, -1];
      }
      this.scrolled();
    }
    draw(k) {
      const run = this.run, s = own(run, k), [from, to] = this.range;
      // Touch only the rows shown whose numbers changed.
      for (const i of this.order.slice(Math.max(0, from), Math.max(0, to))) {
        const row = this.row(i), v = run.params[i][s], g = run.grads[i][s];
        if (row.shown && Object.is(row.shown[0], v) && Object.is(row.shown[1], g)) continue;
        row.shown = [v, g];
        const rv = pyRepr(v), rg = pyRepr(g);
        for (const cell of row.cells) {
          cell.setAttribute("data-value", rv);
          cell.setAttribute("data-grad", rg);
        }
        [rounded(v), rv, rounded(g), rg].forEach((t, n) => { row.texts[n].data = t; });
      }
      this.root.dataset.step = s;
    }
  }

  // ---- the loss landscape ---------------------------------------------------------------

  // matplotlib's viridis at 17 evenly spaced stops; colours between are interpolated.
  const VIRIDIS = [[68, 1, 84], [72, 24, 106], [71, 45, 123], [66, 64, 134], [59, 82, 139], [51, 99, 141],
    [44, 114, 142], [38, 130, 142], [33, 145, 140], [31, 160, 136], [40, 174, 128], [63, 188, 115], [94, 201, 98],
    [132, 212, 75], [173, 220, 48], [216, 226, 25], [253, 231, 37]];
  const LANDSCAPE_SIZE = [500, 424];
  const PATH = "#ff3b30";
  const TANGENT_SHARE = 0.15; // the tangent reaches this share of the x-span to each side

  function viridis(t) {
    const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1), i = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - i;
    return VIRIDIS[i].map((c, n) => Math.round(c + f * (VIRIDIS[i + 1][n] - c)));
  }

  // The exact loss on a plane (a colour image of log10 loss) or along one parameter (a curve),
  // with the path on it: all of it faint, up to this step strong, and this step's point.
  class LandscapePanel {
    constructor(run) {
      const L = run.landscape;
      this.run = run;
      this.mode = L.mode;
      this.labels = L.labels;
      this.axes = L.axes.map(unpack);
      this.loss = unpack(L.loss);
      this.coords = L.coords.map(unpack);
      this.residual = unpack(L.residual);
      this.slope = unpack(L.slope);
      this.last = this.residual.length - 1; // a diverged run's path stops before divergence
      this.diverged = L.diverged_step;
      this.canvas = el("canvas");
      this.overlay = el("canvas", { class: "overlay" });
      this.readout = el("div", { class: "readout", "data-hover-loss": "" }, "hover for the loss at a grid point");
      this.note = el("div", { class: "pathnote mono" });
      this.root = el("section", { "data-panel": "landscape", class: "landscape" },
        el("h2", { text: L.mode === "curve" ? `exact loss along ${L.labels[0]}, with the tangent at this step` : "exact loss on a plane through the path" }),
        el("p", { class: "faithful", text: L.faithfulness }),
        el("div", { class: "stack" }, this.canvas, this.overlay), this.note, this.readout);
      const ahead = L.mode === "curve" ? "dots behind" : "faint ahead, strong behind";
      this.note.before(el("div", { class: "pathnote", text: `path: ○ first step, × last step, ● this step; ${ahead}` }));
      this.overlay.addEventListener("mousemove", (e) => this.hover(e));
      this.overlay.addEventListener("mouseleave", () => this.unhover());
    }
    layout() {
      const [w, h] = LANDSCAPE_SIZE;
      this.size = [w, h];
      this.ctx = sizeCanvas(this.canvas, w, h);
      this.octx = sizeCanvas(this.overlay, w, h);
      this.canvas.style.width = this.overlay.style.width = `${w}px`;
      this.back = offscreen(w, h);
      if (this.mode === "curve") this.layoutCurve(w, h); else this.layoutPlane(w, h);
    }
    // Cells of the grid are centred on its points; overflowed points (capped at the largest
    // double) are grey and kept out of the colour scale.
    layoutPlane(w, h) {
      const [ax, ay] = this.axes, nx = ax.length, ny = ay.length;
      const dx = (ax[nx - 1] - ax[0]) / (nx - 1), dy = (ay[ny - 1] - ay[0]) / (ny - 1);
      const side = Math.min(w - 58 - 78, h - 12 - 34);
      const f = new Frame(58, 12, side, side, [ax[0] - dx / 2, ax[nx - 1] + dx / 2], [ay[0] - dy / 2, ay[ny - 1] + dy / 2]);
      this.frame = f;
      let positive = Infinity;
      for (const v of this.loss) if (v > 0 && v < positive) positive = v;
      const z = Array.from(this.loss, (v) => (v >= Number.MAX_VALUE ? NaN : Math.log10(Math.max(v, positive))));
      let lo = Infinity, hi = -Infinity;
      for (const v of z) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
      const img = new ImageData(nx, ny);
      z.forEach((v, n) => {
        const i = n % nx, j = Math.floor(n / nx), o = 4 * ((ny - 1 - j) * nx + i);
        const [r, g, b] = Number.isFinite(v) ? viridis((v - lo) / (hi - lo)) : [160, 160, 160];
        img.data.set([r, g, b, 255], o);
      });
      const cells = document.createElement("canvas");
      cells.width = nx; cells.height = ny;
      cells.getContext("2d").putImageData(img, 0, 0);
      const ctx = this.back;
      f.axes(ctx, { xticks: 4, yticks: 4 });
      ctx.imageSmoothingEnabled = false; // one flat cell per grid point: no invented values
      ctx.drawImage(cells, f.x, f.y, f.w, f.h); // over the axes' grid lines
      this.colourBar(ctx, f, lo, hi);
      this.axisLabels(ctx, f, this.labels[0], this.labels[1]);
      const [x, y] = this.coords;
      ctx.save(); f.clip(ctx);
      ctx.strokeStyle = PATH; ctx.globalAlpha = 0.5; ctx.lineWidth = 1.2;
      this.path(ctx, this.last);
      ctx.globalAlpha = 1;
      this.ends(ctx, x, y);
      ctx.restore();
    }
    // ○ at the path's first step, × at its last, in the current stroke style.
    ends(ctx, x, y) {
      const f = this.frame;
      ctx.lineWidth = 1.4;
      ctx.beginPath(); ctx.arc(f.sx(x[0]), f.sy(y[0]), 4.5, 0, 2 * Math.PI); ctx.stroke();
      const ex = f.sx(x[this.last]), ey = f.sy(y[this.last]);
      ctx.beginPath(); ctx.moveTo(ex - 4, ey - 4); ctx.lineTo(ex + 4, ey + 4); ctx.moveTo(ex - 4, ey + 4); ctx.lineTo(ex + 4, ey - 4); ctx.stroke();
    }
    colourBar(ctx, f, lo, hi) {
      const bar = new Frame(f.x + f.w + 10, f.y, 12, f.h, [0, 1], [10 ** lo, 10 ** hi], true);
      for (let py = 0; py < bar.h; py++) {
        const [r, g, b] = viridis(1 - py / (bar.h - 1));
        ctx.fillStyle = `rgb(${r},${g},${b})`;
        ctx.fillRect(bar.x, bar.y + py, bar.w, 1);
      }
      ctx.save();
      ctx.font = FONT; ctx.fillStyle = "#444"; ctx.strokeStyle = "#444";
      ctx.textAlign = "left"; ctx.textBaseline = "middle";
      // Ticks cross the bar itself: a dash beside a label would read as a minus sign.
      const ticks = logTicks(bar.ylim);
      for (const [v, label] of ticks) {
        const py = Math.round(bar.sy(v)) + 0.5;
        ctx.beginPath(); ctx.moveTo(bar.x, py); ctx.lineTo(bar.x + bar.w, py); ctx.stroke();
        ctx.fillText(label, bar.x + bar.w + 4, py);
      }
      this.root.dataset.colourTicks = ticks.map(([, label]) => label).join(" ");
      ctx.translate(bar.x + bar.w + 48, bar.y + bar.h / 2); ctx.rotate(Math.PI / 2);
      ctx.textAlign = "center"; ctx.fillText(`${this.run.loss_name} (log scale)`, 0, 0);
      ctx.restore();
    }
    axisLabels(ctx, f, xlabel, ylabel) {
      ctx.save();
      ctx.font = FONT; ctx.fillStyle = "#222";
      ctx.textAlign = "center"; ctx.textBaseline = "bottom";
      ctx.fillText(xlabel, f.x + f.w / 2, f.y + f.h + 34);
      ctx.translate(12, f.y + f.h / 2); ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = "middle"; ctx.fillText(ylabel, 0, 0);
      ctx.restore();
    }
    path(ctx, to) {
      const f = this.frame, [x, y] = this.coords;
      ctx.beginPath();
      ctx.moveTo(f.sx(x[0]), f.sy(y[0]));
      for (let i = 1; i <= to; i++) ctx.lineTo(f.sx(x[i]), f.sy(y[i]));
      ctx.stroke();
    }
    // The exact curve over the parameter and where the path starts and ends; y-limits hold both.
    layoutCurve(w, h) {
      const [grid] = this.axes, losses = this.run.loss;
      const values = [...this.loss, ...losses.subarray(0, this.last + 1)].filter((v) => Number.isFinite(v) && v < Number.MAX_VALUE);
      const ylim = padded(Math.min(...values), Math.max(...values)), left = titledLeft(this.back, ylim, 5);
      const f = new Frame(left, 12, w - left - MARGIN.right, h - 12 - 34, [grid[0], grid[grid.length - 1]], ylim);
      this.frame = f;
      const ctx = this.back;
      f.axes(ctx, { xticks: 5, yticks: 5 });
      this.axisLabels(ctx, f, this.labels[0], this.run.loss_name);
      ctx.save(); f.clip(ctx);
      ctx.strokeStyle = "#000"; ctx.lineWidth = 1.4;
      polyline(ctx, f, grid, this.loss);
      // Where the path starts and ends: a faint dot per step would pile up where training
      // settles and look like a visited point.
      ctx.strokeStyle = "#1f77b4";
      this.ends(ctx, this.coords[0], losses);
      ctx.restore();
    }
    // The tangent at step i: slope = the recorded gradient, kept inside the frame.
    tangent(ctx, i) {
      const f = this.frame, x0 = this.coords[0][i], y0 = this.run.loss[i], g = this.slope[i];
      const [lo, hi] = f.xlim;
      let half = TANGENT_SHARE * (hi - lo);
      const room = Math.min(f.ylim[1] - y0, y0 - f.ylim[0]);
      if (g !== 0 && room > 0) half = Math.min(half, room / Math.abs(g));
      ctx.strokeStyle = "#d62728"; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(f.sx(x0 - half), f.sy(y0 - g * half)); ctx.lineTo(f.sx(x0 + half), f.sy(y0 + g * half)); ctx.stroke();
    }
    draw(k) {
      const ctx = this.ctx, f = this.frame, s = own(this.run, k), i = Math.min(s, this.last);
      const x = this.coords[0][i], curve = this.mode === "curve";
      const y = curve ? this.run.loss[i] : this.coords[1][i];
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(this.back.canvas, 0, 0);
      ctx.restore();
      ctx.save(); f.clip(ctx);
      if (curve) {
        for (let n = 0; n <= i; n++) f.dot(ctx, this.coords[0][n], this.run.loss[n], "#1f77b4", 2.2);
        this.tangent(ctx, i);
      } else {
        ctx.strokeStyle = PATH; ctx.lineWidth = 2;
        this.path(ctx, i);
      }
      ctx.restore();
      ctx.strokeStyle = "#000"; ctx.lineWidth = 1;
      f.dot(ctx, x, y, curve ? "#d62728" : PATH, 5);
      if (f.contains(f.sx(x), f.sy(y))) { ctx.beginPath(); ctx.arc(f.sx(x), f.sy(y), 5, 0, 2 * Math.PI); ctx.stroke(); }
      const d = this.root.dataset;
      d.step = s;
      d.pathStep = i;
      d.x = pyRepr(x);
      d.y = pyRepr(y);
      d.residual = pyRepr(this.residual[i]);
      const ended = this.diverged !== null && s > this.last ? `diverged at step ${this.diverged}; the path stops at step ${this.last}; ` : "";
      if (curve) {
        d.slope = pyRepr(this.slope[i]);
        this.note.textContent = `${ended}step ${i}: ${this.labels[0]} = ${rounded(x)}, ${this.run.loss_name} = ${rounded(y)}, tangent slope ∂${this.run.loss_name}/∂${this.labels[0]} = ${rounded(this.slope[i])} (${d.slope})`;
      } else {
        const off = this.residual[i] > 0 ? `lies ${rounded(this.residual[i])} off the plane, so the colour under it is not its ${this.run.loss_name}` : "lies on the plane";
        this.note.textContent = `${ended}step ${i} at (${rounded(x)}, ${rounded(y)}) ${off}`;
      }
    }
    hover(e) {
      const rect = this.overlay.getBoundingClientRect(), f = this.frame;
      const px = e.clientX - rect.left, py = e.clientY - rect.top;
      this.octx.clearRect(0, 0, ...this.size);
      if (!f.contains(px, py)) return this.unhover();
      const nearest = (axis, v) => {
        const n = axis.length, t = Math.round(((v - axis[0]) / (axis[n - 1] - axis[0])) * (n - 1));
        return Math.max(0, Math.min(n - 1, t));
      };
      const [ax, ay] = this.axes, i = nearest(ax, f.ix(px));
      const j = this.mode === "curve" ? 0 : nearest(ay, f.ylim[0] + ((f.y + f.h - py) / f.h) * (f.ylim[1] - f.ylim[0]));
      const v = this.loss[j * ax.length + i], ctx = this.octx;
      const hy = this.mode === "curve" ? f.sy(v) : f.sy(ay[j]);
      ctx.strokeStyle = this.mode === "curve" ? "#888" : "#fff"; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.arc(f.sx(ax[i]), hy, 4, 0, 2 * Math.PI); ctx.stroke();
      const where = this.mode === "curve" ? `${this.labels[0]} = ${pyRepr(ax[i])}` : `(${pyRepr(ax[i])}, ${pyRepr(ay[j])})`;
      this.readout.textContent = `${where}: ${this.run.loss_name} = ${pyRepr(v)}`;
      Object.assign(this.readout.dataset, { hoverI: i, hoverJ: j, hoverLoss: pyRepr(v) });
    }
    unhover() {
      this.octx.clearRect(0, 0, ...this.size);
      this.readout.dataset.hoverLoss = "";
    }
  }

  // ---- the page -------------------------------------------------------------------------

  for (const run of RUNS) {
    run.last = run.loss.length - 1;
    run.layout = layout(run);
    const n = run.neurons.length;
    run.neuronColours = run.neurons.map((_, j) => n <= NEURON_COLOURS.length ? NEURON_COLOURS[j] : `hsl(${Math.round((300 * j) / (n - 1))}, 70%, 45%)`);
  }

  const slider = el("input", { type: "range", min: "0", max: String(LAST), step: "1", value: "0", "aria-label": "step", id: "step-slider" });
  const box = el("input", { type: "number", min: "0", max: String(LAST), step: "1", value: "0", "aria-label": "go to step", id: "step-box" });
  const play = el("button", { type: "button", id: "play", "data-playing": "false" }, "▶ play");
  const speed = el("select", { id: "speed", "aria-label": "playback speed" },
    ...DATA.speeds.map((s) => el("option", { value: String(s), ...(s === 1 ? { selected: "" } : {}) }, `×${s} (${s * DATA.fps} steps/s)`)));
  const lossReadouts = RUNS.map((run, i) => {
    const span = el("span", { class: "lossreadout mono", "data-run": run.label, "data-loss": "" });
    return span;
  });
  const title = COMPARE ? `nnreel: ${RUNS.length} runs compared` : "nnreel viewer";
  const summary = COMPARE ? "" : RUNS[0].summary;
  const header = el("header", {},
    el("h1", {}, title, el("small", { text: summary })),
    el("div", { class: "controls" }, play, speed, slider, el("label", {}, "step ", box), el("span", { class: "of", text: `/ ${LAST}` })),
    el("div", { class: "controls" }, ...lossReadouts));
  const main = el("main", { class: COMPARE ? "compare" : "" });
  main.style.setProperty("--runs", String(RUNS.length));
  const single = COMPARE ? null : divergenceBanner(RUNS[0]);
  document.body.append(header, ...(single ? [single] : []), main);

  T.parsed = performance.now();
  const limits = fitLimits(RUNS);
  T.limits = performance.now();
  const fits = RUNS.map((run) => new FitPanel(run, limits));
  const lossPanel = new HistoryPanel("loss", COMPARE ? "loss per step (shared axes)" : `${RUNS[0].loss_name} per step`, [{
    title: "", last: LAST,
    lines: RUNS.map((run, i) => ({ label: COMPARE ? `${run.label}` : run.loss_name, colour: COMPARE ? RUN_COLOURS[i] : "#1f77b4", values: run.loss, limits: run.limits.loss, best: bestStep(run.loss), dashed: Boolean(run.same_as) })),
  }], { wide: COMPARE, height: COMPARE ? 260 : 300, log: true });
  lossPanel.root.querySelector("h2").after(lossNote(RUNS, lossPanel.series[0].lines));
  const values = RUNS.map((run) => new ValuesPanel(run));
  if (COMPARE) {
    for (const p of fits) main.append(p.root);
    main.append(lossPanel.root);
    for (const p of values) main.append(p.root);
    panels.push(...fits, lossPanel, ...values);
  } else {
    const run = RUNS[0];
    const series = (arrays, limits, prefix) => run.names.map((name, i) => {
      const frozen = run.frozen.includes(name);
      return { title: `${prefix(name)}${frozen ? "  (frozen)" : ""}`, last: run.last,
        lines: [{ label: prefix(name), colour: colourOf(run, name), values: arrays[i], limits: limits[i], dashed: frozen }] };
    });
    // Too many parameters to draw one by one: one band per kind, summarising them all.
    const bands = (kinds, prefix) => kinds.map((b, j) => ({
      title: `${prefix(b.kind)}: ${b.count.toLocaleString("en")} parameter${b.count > 1 ? "s" : ""}`, last: run.last, band: true,
      lines: b.tracks.map((t, q) => ({ label: `${BAND[q]} ${prefix(b.kind)}`, colour: NEURON_COLOURS[j % NEURON_COLOURS.length], values: unpack(t), limits: b.limits, thin: q !== 2 })),
    }));
    const grad = (n) => `∂${run.loss_name}/∂${n}`, summary = Boolean(run.bands);
    // One row per neuron when each has few parameters (iw, b, ow), else four to a row.
    const columns = summary ? 3 : Math.min(4, Math.max(...run.neurons.map((ps) => ps.length)));
    const grads = new HistoryPanel("gradients", `∂${run.loss_name}/∂θ per step, ${summary ? "summarised per kind of parameter" : "every parameter"}`,
      summary ? bands(run.bands.grads, grad) : series(run.grads, run.limits.grads, grad), { wide: true, columns });
    const params = new HistoryPanel("params", summary ? "the parameters' trajectories, summarised per kind" : "every parameter's trajectory",
      summary ? bands(run.bands.params, (n) => n) : series(run.params, run.limits.params, (n) => n), { wide: true, columns });
    if (summary) for (const p of [grads, params]) {
      p.root.dataset.summary = run.bands.params.map((b) => `${b.kind}:${b.count}`).join(" ");
      p.root.querySelector("h2").after(el("p", { class: "summarynote", text: `${run.names.length.toLocaleString("en")} parameters are too many to draw one by one: each cell summarises one kind over every step (light band: min to max; dark band: 10% to 90%; line: median). The table holds every exact value.` }));
    }
    main.append(fits[0].root, values[0].root, lossPanel.root, grads.root, params.root);
    lossPanel.root.classList.add("wide");
    panels.push(fits[0], values[0], lossPanel, grads, params);
    // The loss landscape sits beside the fit: the step's two pictures side by side. The value
    // table moves under them, full width; the histories keep their full width, so hovering
    // them still reaches every step of a default run.
    if (run.landscape) {
      const land = new LandscapePanel(run);
      fits[0].root.after(land.root);
      fits[0].height = 480; // as tall as the landscape beside it
      values[0].root.classList.add("wide");
      panels.push(land);
    }
  }

  // ---- one step drives everything -------------------------------------------------------

  let current = 0;
  let hashTimer = null;

  function writeHash() {
    hashTimer = null;
    const want = `#step=${current}`;
    if (location.hash !== want) history.replaceState(null, "", want);
  }

  function draw(k) {
    for (const p of panels) p.draw(k);
    RUNS.forEach((run, i) => {
      const s = own(run, k), span = lossReadouts[i];
      span.dataset.loss = pyRepr(run.loss[s]);
      span.dataset.step = s;
      span.textContent = `${COMPARE ? run.label + " " : ""}${run.loss_name} at step ${s}: ${rounded(run.loss[s])}  (${pyRepr(run.loss[s])})`;
      if (COMPARE) span.style.color = RUN_COLOURS[i];
    });
    if (single) single.hidden = !(RUNS[0].diverged && k === LAST);
  }

  // Go to step k: every panel, the slider, the box and the URL follow; playback goes on from
  // k. Returns the redraw's ms.
  function seek(k, ticking = false) {
    k = Math.max(0, Math.min(LAST, Math.round(Number(k))));
    if (!Number.isFinite(k)) return 0;
    const t0 = performance.now();
    if (playing && !ticking) playing = { t0, k0: k };
    current = k;
    draw(k);
    const ms = performance.now() - t0;
    slider.value = String(k);
    if (document.activeElement !== box) box.value = String(k);
    document.body.dataset.step = k;
    if (hashTimer === null) hashTimer = setTimeout(writeHash, 120);
    return ms;
  }

  let playing = null;
  function setPlaying(on) {
    if (on && !playing) {
      if (current >= LAST) seek(0);
      playing = { t0: performance.now(), k0: current };
      requestAnimationFrame(tick);
    } else if (!on) {
      playing = null;
    }
    play.textContent = playing ? "❚❚ pause" : "▶ play";
    play.dataset.playing = String(Boolean(playing));
  }
  // A frame's timestamp may precede the press of play that scheduled it: never step back.
  function tick(now) {
    if (!playing) return;
    const k = playing.k0 + Math.floor((Math.max(0, now - playing.t0) / 1000) * DATA.fps * Number(speed.value));
    if (k > current) seek(Math.min(k, LAST), true);
    if (current >= LAST) setPlaying(false);
    else requestAnimationFrame(tick);
  }
  speed.addEventListener("change", () => { if (playing) playing = { t0: performance.now(), k0: current }; });
  play.addEventListener("click", () => setPlaying(!playing));
  slider.addEventListener("input", () => seek(slider.value));
  // A typed step outside the run goes to its nearest end; text that is not a step is undone.
  function typed() {
    if (/^\s*\d+\s*$/.test(box.value)) seek(Number(box.value));
    box.value = String(current);
  }
  box.addEventListener("change", typed);
  box.addEventListener("keydown", (e) => { if (e.key === "Enter") typed(); });
  box.addEventListener("blur", () => { box.value = String(current); });

  document.addEventListener("keydown", (e) => {
    if (e.target === box || e.target === speed || e.altKey || e.ctrlKey || e.metaKey) return;
    const by = e.shiftKey ? 10 : 1;
    const moves = { ArrowLeft: () => current - by, ArrowRight: () => current + by, Home: () => 0, End: () => LAST };
    if (e.key in moves) {
      e.preventDefault();
      setPlaying(false);
      seek(moves[e.key]());
    } else if (e.key === " ") {
      e.preventDefault();
      setPlaying(!playing);
    }
  });

  function stepFromHash() {
    const m = /^#step=(\d+)$/.exec(location.hash);
    return m ? Math.min(LAST, Number(m[1])) : null;
  }
  window.addEventListener("hashchange", () => { const k = stepFromHash(); if (k !== null && k !== current) seek(k); });

  function layoutAll() { for (const p of panels) p.layout(); }
  // Histories repaint only their cells near the screen: bring the others in as they near it.
  const histories = panels.filter((p) => p instanceof HistoryPanel);
  function measureAll() { for (const p of histories) p.measure(); }
  function catchUp(all = false) {
    measureAll();
    for (const p of histories) p.draw(current, all);
  }
  // Cells far from the screen are painted in short tasks once the page is drawn.
  function prepareCells() {
    if (histories.some((p) => p.prepare(15))) setTimeout(prepareCells);
  }
  window.addEventListener("scroll", () => catchUp(), { passive: true });
  window.addEventListener("resize", () => catchUp());
  window.addEventListener("beforeprint", () => catchUp(true));
  // Canvases are drawn at their laid-out width: when a column changes width, lay out again.
  let resizeTimer = null;
  const widths = new Map();
  const resized = new ResizeObserver((entries) => {
    const width = (e) => Math.round(e.contentRect.width);
    const changed = entries.some((e) => widths.get(e.target) !== width(e));
    for (const e of entries) widths.set(e.target, width(e));
    if (!changed) return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { layoutAll(); measureAll(); draw(current); prepareCells(); }, 100);
  });

  layoutAll();
  for (const stack of document.querySelectorAll(".stack")) {
    widths.set(stack, stack.clientWidth);
    resized.observe(stack);
  }
  T.layout = performance.now();
  measureAll();
  seek(stepFromHash() ?? 0);
  // For scripts and benchmarks: the state is also in the data-* attributes.
  window.nnreel = { seek, get step() { return current; }, last: LAST, firstDraw: null, timings: T, pyRepr, predict: (r, k, xs) => {
    const { preds, contributions } = predict(RUNS[r], theta(RUNS[r], k), xs);
    return { preds: Array.from(preds), contributions: contributions.map((c) => Array.from(c)) };
  } };
  // Ready once the first full draw has reached the screen, at the next frame.
  requestAnimationFrame(() => {
    window.nnreel.firstDraw = performance.now();
    document.body.dataset.ready = "true";
    setTimeout(prepareCells);
  });
})();
