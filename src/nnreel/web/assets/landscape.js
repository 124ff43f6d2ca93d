  // ---- the loss landscape ---------------------------------------------------------------

  // matplotlib's viridis at 17 evenly spaced stops; colours between are interpolated.
  const VIRIDIS = [[68, 1, 84], [72, 24, 106], [71, 45, 123], [66, 64, 134], [59, 82, 139], [51, 99, 141],
    [44, 114, 142], [38, 130, 142], [33, 145, 140], [31, 160, 136], [40, 174, 128], [63, 188, 115], [94, 201, 98],
    [132, 212, 75], [173, 220, 48], [216, 226, 25], [253, 231, 37]];
  const LANDSCAPE_SIZE = [500, 424];
  const PATH = "#ff3b30";
  const TANGENT_SHARE = 0.15; // the tangent reaches this share of the x-span to each side

  function viridis(t) {
    const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1), i = Math.min(VIRIDIS.length - 2, Math.floor(x)), frac = x - i;
    return VIRIDIS[i].map((c, n) => Math.round(c + frac * (VIRIDIS[i + 1][n] - c)));
  }

  // The exact loss on a plane (a colour image of log10 loss) or along one parameter (a curve),
  // with the path on it: all of it faint, up to this step strong, and this step's point.
  // `landscape` is the page data's; the run's loss per step, its loss's name and its last
  // step come beside it.
  class LandscapePanel {
    constructor(landscape, { loss, lossName, last }) {
      this.lossPerStep = loss;
      this.lossName = lossName;
      this.runLast = last;
      this.mode = landscape.mode;
      this.labels = landscape.labels;
      this.axes = landscape.axes.map(unpackDoubles);
      this.loss = unpackDoubles(landscape.loss);
      this.coords = landscape.coords.map(unpackDoubles);
      this.residual = unpackDoubles(landscape.residual);
      this.slope = unpackDoubles(landscape.slope);
      this.last = this.residual.length - 1; // a diverged run's path stops before divergence
      this.diverged = landscape.diverged_step;
      this.canvas = el("canvas");
      this.overlay = el("canvas", { class: "overlay" });
      this.readout = el("div", { class: "readout", "data-hover-loss": "" }, "hover for the loss at a grid point");
      this.note = el("div", { class: "pathnote mono" });
      this.root = el("section", { "data-panel": "landscape", class: "landscape" },
        el("h2", { text: landscape.mode === "curve" ? `exact loss along ${landscape.labels[0]}, with the tangent at this step` : "exact loss on a plane through the path" }),
        el("p", { class: "faithful", text: landscape.faithfulness }),
        el("div", { class: "stack" }, this.canvas, this.overlay), this.note, this.readout);
      const ahead = landscape.mode === "curve" ? "dots behind" : "faint ahead, strong behind";
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
      this.back = offscreenContext(w, h);
      if (this.mode === "curve") this.layoutCurve(w, h); else this.layoutPlane(w, h);
    }
    // Cells of the grid are centred on its points; overflowed points (capped at the largest
    // double) are grey and kept out of the colour scale.
    layoutPlane(w, h) {
      const [ax, ay] = this.axes, nx = ax.length, ny = ay.length;
      const dx = (ax[nx - 1] - ax[0]) / (nx - 1), dy = (ay[ny - 1] - ay[0]) / (ny - 1);
      const side = Math.min(w - 58 - 78, h - 12 - 34);
      const area = new PlotRect(58, 12, side, side, [ax[0] - dx / 2, ax[nx - 1] + dx / 2], [ay[0] - dy / 2, ay[ny - 1] + dy / 2]);
      this.plotArea = area;
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
      area.axes(ctx, { xticks: 4, yticks: 4 });
      ctx.imageSmoothingEnabled = false; // one flat cell per grid point: no invented values
      ctx.drawImage(cells, area.x, area.y, area.w, area.h); // over the axes' grid lines
      this.colourBar(ctx, area, lo, hi);
      this.axisLabels(ctx, area, this.labels[0], this.labels[1]);
      const [x, y] = this.coords;
      ctx.save(); area.clip(ctx);
      ctx.strokeStyle = PATH; ctx.globalAlpha = 0.5; ctx.lineWidth = 1.2;
      this.path(ctx, this.last);
      ctx.globalAlpha = 1;
      this.ends(ctx, x, y);
      ctx.restore();
    }
    // ○ at the path's first step, × at its last, in the current stroke style.
    ends(ctx, x, y) {
      const area = this.plotArea;
      ctx.lineWidth = 1.4;
      ctx.beginPath(); ctx.arc(area.sx(x[0]), area.sy(y[0]), 4.5, 0, 2 * Math.PI); ctx.stroke();
      const ex = area.sx(x[this.last]), ey = area.sy(y[this.last]);
      ctx.beginPath(); ctx.moveTo(ex - 4, ey - 4); ctx.lineTo(ex + 4, ey + 4); ctx.moveTo(ex - 4, ey + 4); ctx.lineTo(ex + 4, ey - 4); ctx.stroke();
    }
    colourBar(ctx, area, lo, hi) {
      const bar = new PlotRect(area.x + area.w + 10, area.y, 12, area.h, [0, 1], [10 ** lo, 10 ** hi], true);
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
      ctx.textAlign = "center"; ctx.fillText(`${this.lossName} (log scale)`, 0, 0);
      ctx.restore();
    }
    axisLabels(ctx, area, xlabel, ylabel) {
      ctx.save();
      ctx.font = FONT; ctx.fillStyle = "#222";
      ctx.textAlign = "center"; ctx.textBaseline = "bottom";
      ctx.fillText(xlabel, area.x + area.w / 2, area.y + area.h + 34);
      ctx.translate(12, area.y + area.h / 2); ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = "middle"; ctx.fillText(ylabel, 0, 0);
      ctx.restore();
    }
    path(ctx, to) {
      const area = this.plotArea, [x, y] = this.coords;
      ctx.beginPath();
      ctx.moveTo(area.sx(x[0]), area.sy(y[0]));
      for (let i = 1; i <= to; i++) ctx.lineTo(area.sx(x[i]), area.sy(y[i]));
      ctx.stroke();
    }
    // The exact curve over the parameter and where the path starts and ends; y-limits hold both.
    layoutCurve(w, h) {
      const [grid] = this.axes, losses = this.lossPerStep;
      const values = [...this.loss, ...losses.subarray(0, this.last + 1)].filter((v) => Number.isFinite(v) && v < Number.MAX_VALUE);
      const ylim = paddedLimits(Math.min(...values), Math.max(...values)), left = titledLeftMargin(this.back, ylim, 5);
      const area = new PlotRect(left, 12, w - left - MARGIN.right, h - 12 - 34, [grid[0], grid[grid.length - 1]], ylim);
      this.plotArea = area;
      const ctx = this.back;
      area.axes(ctx, { xticks: 5, yticks: 5 });
      this.axisLabels(ctx, area, this.labels[0], this.lossName);
      ctx.save(); area.clip(ctx);
      ctx.strokeStyle = "#000"; ctx.lineWidth = 1.4;
      polyline(ctx, area, grid, this.loss);
      // Where the path starts and ends: a faint dot per step would pile up where training
      // settles and look like a visited point.
      ctx.strokeStyle = "#1f77b4";
      this.ends(ctx, this.coords[0], losses);
      ctx.restore();
    }
    // The tangent at step i: slope = the recorded gradient, kept inside the plot area.
    tangent(ctx, i) {
      const area = this.plotArea, x0 = this.coords[0][i], y0 = this.lossPerStep[i], g = this.slope[i];
      const [lo, hi] = area.xlim;
      let half = TANGENT_SHARE * (hi - lo);
      const room = Math.min(area.ylim[1] - y0, y0 - area.ylim[0]);
      if (g !== 0 && room > 0) half = Math.min(half, room / Math.abs(g));
      ctx.strokeStyle = "#d62728"; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(area.sx(x0 - half), area.sy(y0 - g * half)); ctx.lineTo(area.sx(x0 + half), area.sy(y0 + g * half)); ctx.stroke();
    }
    draw(k) {
      const ctx = this.ctx, area = this.plotArea, s = Math.min(k, this.runLast), i = Math.min(s, this.last);
      const x = this.coords[0][i], curve = this.mode === "curve";
      const y = curve ? this.lossPerStep[i] : this.coords[1][i];
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(this.back.canvas, 0, 0);
      ctx.restore();
      ctx.save(); area.clip(ctx);
      if (curve) {
        for (let n = 0; n <= i; n++) area.dot(ctx, this.coords[0][n], this.lossPerStep[n], "#1f77b4", 2.2);
        this.tangent(ctx, i);
      } else {
        ctx.strokeStyle = PATH; ctx.lineWidth = 2;
        this.path(ctx, i);
      }
      ctx.restore();
      ctx.strokeStyle = "#000"; ctx.lineWidth = 1;
      area.dot(ctx, x, y, curve ? "#d62728" : PATH, 5);
      if (area.contains(area.sx(x), area.sy(y))) { ctx.beginPath(); ctx.arc(area.sx(x), area.sy(y), 5, 0, 2 * Math.PI); ctx.stroke(); }
      const d = this.root.dataset;
      d.step = s;
      d.pathStep = i;
      d.x = pyRepr(x);
      d.y = pyRepr(y);
      d.residual = pyRepr(this.residual[i]);
      const ended = this.diverged !== null && s > this.last ? `diverged at step ${this.diverged}; the path stops at step ${this.last}; ` : "";
      if (curve) {
        d.slope = pyRepr(this.slope[i]);
        this.note.textContent = `${ended}step ${i}: ${this.labels[0]} = ${roundedText(x)}, ${this.lossName} = ${roundedText(y)}, tangent slope ∂${this.lossName}/∂${this.labels[0]} = ${roundedText(this.slope[i])} (${d.slope})`;
      } else {
        const off = this.residual[i] > 0 ? `lies ${roundedText(this.residual[i])} off the plane, so the colour under it is not its ${this.lossName}` : "lies on the plane";
        this.note.textContent = `${ended}step ${i} at (${roundedText(x)}, ${roundedText(y)}) ${off}`;
      }
    }
    hover(e) {
      const rect = this.overlay.getBoundingClientRect(), area = this.plotArea;
      const px = e.clientX - rect.left, py = e.clientY - rect.top;
      this.octx.clearRect(0, 0, ...this.size);
      if (!area.contains(px, py)) return this.unhover();
      const nearest = (axis, v) => {
        const n = axis.length, t = Math.round(((v - axis[0]) / (axis[n - 1] - axis[0])) * (n - 1));
        return Math.max(0, Math.min(n - 1, t));
      };
      const [ax, ay] = this.axes, i = nearest(ax, area.ix(px));
      const j = this.mode === "curve" ? 0 : nearest(ay, area.ylim[0] + ((area.y + area.h - py) / area.h) * (area.ylim[1] - area.ylim[0]));
      const v = this.loss[j * ax.length + i], ctx = this.octx;
      const hy = this.mode === "curve" ? area.sy(v) : area.sy(ay[j]);
      ctx.strokeStyle = this.mode === "curve" ? "#888" : "#fff"; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.arc(area.sx(ax[i]), hy, 4, 0, 2 * Math.PI); ctx.stroke();
      const where = this.mode === "curve" ? `${this.labels[0]} = ${pyRepr(ax[i])}` : `(${pyRepr(ax[i])}, ${pyRepr(ay[j])})`;
      this.readout.textContent = `${where}: ${this.lossName} = ${pyRepr(v)}`;
      Object.assign(this.readout.dataset, { hoverI: i, hoverJ: j, hoverLoss: pyRepr(v) });
    }
    unhover() {
      this.octx.clearRect(0, 0, ...this.size);
      this.readout.dataset.hoverLoss = "";
    }
  }

