  // ---- the page -------------------------------------------------------------------------

  const timings = { start: performance.now() };
  const DATA = JSON.parse(document.getElementById("nnreel-data").textContent);
  const RUNS = DATA.runs;
  const COMPARE = RUNS.length > 1;
  for (const run of RUNS) {
    run.params = run.params.map(unpackDoubles);
    run.grads = run.grads.map(unpackDoubles);
    run.loss = unpackDoubles(run.loss);
  }
  const LAST = Math.max(...RUNS.map((r) => r.loss.length - 1));
  const NEURON_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#bcbd22", "#17becf"];
  const RUN_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
  const OTHER = "#555"; // a parameter of no last-layer neuron
  const BAND = ["min", "10%", "median", "90%", "max"];
  const STEPS = new Float64Array(LAST + 1).map((_, i) => i);

  // Each run's last step, its neurons' colours and each parameter's: its neuron's (the page
  // data gives each neuron's parameters as indices into θ), or OTHER.
  for (const run of RUNS) {
    run.last = run.loss.length - 1;
    const n = run.neuron_params.length;
    run.neuronColours = run.neuron_params.map((_, j) => n <= NEURON_COLOURS.length ? NEURON_COLOURS[j] : `hsl(${Math.round((300 * j) / (n - 1))}, 70%, 45%)`);
    run.paramColours = run.names.map(() => OTHER);
    run.neuron_params.forEach((indices, j) => { for (const i of indices) run.paramColours[i] = run.neuronColours[j]; });
  }

  const slider = el("input", { type: "range", min: "0", max: String(LAST), step: "1", value: "0", "aria-label": "step", id: "step-slider" });
  const stepBox = el("input", { type: "number", min: "0", max: String(LAST), step: "1", value: "0", "aria-label": "go to step", id: "step-box" });
  const playButton = el("button", { type: "button", id: "play", "data-playing": "false" }, "▶ play");
  const speedSelect = el("select", { id: "speed", "aria-label": "playback speed" },
    ...DATA.speeds.map((s) => el("option", { value: String(s), ...(s === 1 ? { selected: "" } : {}) }, `×${s} (${s * DATA.fps} steps/s)`)));
  const lossReadouts = RUNS.map((run) => el("span", { class: "lossreadout mono", "data-run": run.label, "data-loss": "" }));
  const header = el("header", {},
    el("h1", {}, COMPARE ? `nnreel: ${RUNS.length} runs compared` : "nnreel viewer", el("small", { text: COMPARE ? "" : RUNS[0].summary })),
    el("div", { class: "controls" }, playButton, speedSelect, slider, el("label", {}, "step ", stepBox), el("span", { class: "of", text: `/ ${LAST}` })),
    el("div", { class: "controls" }, ...lossReadouts));
  const panelGrid = el("main", { class: COMPARE ? "compare" : "" });
  panelGrid.style.setProperty("--runs", String(RUNS.length));
  const runBanner = COMPARE ? null : divergenceBanner(RUNS[0]); // a comparison's are in its fits
  document.body.append(header, ...(runBanner ? [runBanner] : []), panelGrid);

  timings.parsed = performance.now();
  const sharedFitLimits = fitLimits(RUNS);
  timings.limits = performance.now();
  // The fit is as tall as the landscape beside it, when there is one.
  const fitHeight = COMPARE ? 300 : RUNS[0].landscape ? 480 : 380;
  const fitPanels = RUNS.map((run) => new FitPanel(run, sharedFitLimits, { compare: COMPARE, height: fitHeight }));
  const historyOptions = { steps: STEPS, onSeek: (k) => seek(k) };
  const lossPanel = new HistoryPanel("loss", COMPARE ? "loss per step (shared axes)" : `${RUNS[0].loss_name} per step`, [{
    title: "", last: LAST,
    lines: RUNS.map((run, i) => ({ label: COMPARE ? `${run.label}` : run.loss_name, colour: COMPARE ? RUN_COLOURS[i] : "#1f77b4", values: run.loss, limits: run.limits.loss, best: bestStep(run.loss), dashed: Boolean(run.same_as) })),
  }], { ...historyOptions, wide: COMPARE, height: COMPARE ? 260 : 300, log: true });
  lossPanel.root.querySelector("h2").after(lossNote(RUNS, lossPanel.series[0].lines, COMPARE));
  const valuePanels = RUNS.map((run) => new ValuesPanel(run, { compare: COMPARE }));
  const panels = []; // every panel, in the page's order
  if (COMPARE) {
    for (const p of fitPanels) panelGrid.append(p.root);
    panelGrid.append(lossPanel.root);
    for (const p of valuePanels) panelGrid.append(p.root);
    panels.push(...fitPanels, lossPanel, ...valuePanels);
  } else {
    const run = RUNS[0];
    const series = (arrays, limits, prefix) => run.names.map((name, i) => {
      const frozen = run.frozen.includes(name);
      return { title: `${prefix(name)}${frozen ? "  (frozen)" : ""}`, last: run.last,
        lines: [{ label: prefix(name), colour: run.paramColours[i], values: arrays[i], limits: limits[i], dashed: frozen }] };
    });
    // Too many parameters to draw one by one: one band per kind, summarising them all.
    const bands = (kinds, prefix) => kinds.map((b, j) => ({
      title: `${prefix(b.kind)}: ${b.count.toLocaleString("en")} parameter${b.count > 1 ? "s" : ""}`, last: run.last, band: true,
      lines: b.tracks.map((t, q) => ({ label: `${BAND[q]} ${prefix(b.kind)}`, colour: NEURON_COLOURS[j % NEURON_COLOURS.length], values: unpackDoubles(t), limits: b.limits, thin: q !== 2 })),
    }));
    const grad = (n) => `∂${run.loss_name}/∂${n}`, summary = Boolean(run.bands);
    // One row per neuron when each has few parameters (iw, b, ow), else four to a row.
    const columns = summary ? 3 : Math.min(4, Math.max(...run.neuron_params.map((ps) => ps.length)));
    const grads = new HistoryPanel("gradients", `∂${run.loss_name}/∂θ per step, ${summary ? "summarised per kind of parameter" : "every parameter"}`,
      summary ? bands(run.bands.grads, grad) : series(run.grads, run.limits.grads, grad), { ...historyOptions, wide: true, columns });
    const params = new HistoryPanel("params", summary ? "the parameters' trajectories, summarised per kind" : "every parameter's trajectory",
      summary ? bands(run.bands.params, (n) => n) : series(run.params, run.limits.params, (n) => n), { ...historyOptions, wide: true, columns });
    if (summary) for (const p of [grads, params]) {
      p.root.dataset.summary = run.bands.params.map((b) => `${b.kind}:${b.count}`).join(" ");
      p.root.querySelector("h2").after(el("p", { class: "summarynote", text: `${run.names.length.toLocaleString("en")} parameters are too many to draw one by one: each cell summarises one kind over every step (light band: min to max; dark band: 10% to 90%; line: median). The table holds every exact value.` }));
    }
    panelGrid.append(fitPanels[0].root, valuePanels[0].root, lossPanel.root, grads.root, params.root);
    lossPanel.root.classList.add("wide");
    panels.push(fitPanels[0], valuePanels[0], lossPanel, grads, params);
    // The loss landscape sits beside the fit: the step's two pictures side by side. The value
    // table moves under them, full width; the histories keep their full width, so hovering
    // them still reaches every step of a default run.
    if (run.landscape) {
      const land = new LandscapePanel(run.landscape, { loss: run.loss, lossName: run.loss_name, last: run.last });
      fitPanels[0].root.after(land.root);
      valuePanels[0].root.classList.add("wide");
      panels.push(land);
    }
  }

