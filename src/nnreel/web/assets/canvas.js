  // ---- DOM and canvas helpers -----------------------------------------------------------

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

  const pixelRatio = () => window.devicePixelRatio || 1;

  // The notice a diverged run shows at its last step: where and why it stopped.
  function divergenceBanner(run) {
    return el("div", { class: "banner", hidden: "", "data-diverged": run.diverged ? run.diverged.reason : "" },
      run.diverged ? `Diverged at step ${run.diverged.step}: ${run.diverged.reason}` : "");
  }

  function sizeCanvas(canvas, w, h, options = {}) {
    const r = pixelRatio();
    canvas.width = Math.round(w * r);
    canvas.height = Math.round(h * r);
    canvas.style.height = `${h}px`;
    const ctx = canvas.getContext("2d", options);
    ctx.setTransform(r, 0, 0, r, 0, 0);
    return ctx;
  }

  // Off-screen layers are opaque (white, as the page): copying one is a plain copy, no blend.
  function offscreenContext(w, h, options = {}) {
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
  function polyline(ctx, area, xs, ys, from = 0, to = xs.length - 1) {
    const r = pixelRatio();
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
      if (!Number.isFinite(y) || (area.log && y <= 0)) { if (b) emit(); pen = false; continue; }
      const x = area.sx(xs[i]), py = area.sy(y), c = Math.floor(x * r);
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

