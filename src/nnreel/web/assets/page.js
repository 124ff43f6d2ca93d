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

