  // ---- one step drives everything -------------------------------------------------------

  let current = 0;
  let hashTimer = null;

  function writeHash() {
    hashTimer = null;
    const want = `#step=${current}`;
    if (location.hash !== want) history.replaceState(null, "", want);
  }

  function drawStep(k) {
    for (const p of panels) p.draw(k);
    RUNS.forEach((run, i) => {
      const s = shownStep(run, k), span = lossReadouts[i];
      span.dataset.loss = pyRepr(run.loss[s]);
      span.dataset.step = s;
      span.textContent = `${COMPARE ? run.label + " " : ""}${run.loss_name} at step ${s}: ${roundedText(run.loss[s])}  (${pyRepr(run.loss[s])})`;
      if (COMPARE) span.style.color = RUN_COLOURS[i];
    });
    if (runBanner) runBanner.hidden = !(RUNS[0].diverged && k === LAST);
  }

  // Go to step k: every panel, the slider, the box and the URL follow; playback goes on from
  // k. Returns the redraw's ms.
  function seek(k, ticking = false) {
    k = Math.max(0, Math.min(LAST, Math.round(Number(k))));
    if (!Number.isFinite(k)) return 0;
    const t0 = performance.now();
    if (playing && !ticking) playing = { t0, k0: k };
    current = k;
    drawStep(k);
    const ms = performance.now() - t0;
    slider.value = String(k);
    if (document.activeElement !== stepBox) stepBox.value = String(k);
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
    playButton.textContent = playing ? "❚❚ pause" : "▶ play";
    playButton.dataset.playing = String(Boolean(playing));
  }
  // A frame's timestamp may precede the press of play that scheduled it: never step back.
  function tick(now) {
    if (!playing) return;
    const k = playing.k0 + Math.floor((Math.max(0, now - playing.t0) / 1000) * DATA.fps * Number(speedSelect.value));
    if (k > current) seek(Math.min(k, LAST), true);
    if (current >= LAST) setPlaying(false);
    else requestAnimationFrame(tick);
  }
  speedSelect.addEventListener("change", () => { if (playing) playing = { t0: performance.now(), k0: current }; });
  playButton.addEventListener("click", () => setPlaying(!playing));
  slider.addEventListener("input", () => seek(slider.value));
  // A typed step outside the run goes to its nearest end; text that is not a step is undone.
  function seekTypedStep() {
    if (/^\s*\d+\s*$/.test(stepBox.value)) seek(Number(stepBox.value));
    stepBox.value = String(current);
  }
  stepBox.addEventListener("change", seekTypedStep);
  stepBox.addEventListener("keydown", (e) => { if (e.key === "Enter") seekTypedStep(); });
  stepBox.addEventListener("blur", () => { stepBox.value = String(current); });

  document.addEventListener("keydown", (e) => {
    if (e.target === stepBox || e.target === speedSelect || e.altKey || e.ctrlKey || e.metaKey) return;
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
  const historyPanels = panels.filter((p) => p instanceof HistoryPanel);
  function measureAll() { for (const p of historyPanels) p.measure(); }
  function catchUp(all = false) {
    measureAll();
    for (const p of historyPanels) p.draw(current, all);
  }
  // Cells far from the screen are painted in short tasks once the page is drawn.
  function prepareCells() {
    if (historyPanels.some((p) => p.prepare(15))) setTimeout(prepareCells);
  }
  window.addEventListener("scroll", () => catchUp(), { passive: true });
  window.addEventListener("resize", () => catchUp());
  window.addEventListener("beforeprint", () => catchUp(true));
  // Canvases are drawn at their laid-out width: when a column changes width, lay out again.
  let resizeTimer = null;
  const stackWidths = new Map();
  const widthObserver = new ResizeObserver((entries) => {
    const width = (e) => Math.round(e.contentRect.width);
    const changed = entries.some((e) => stackWidths.get(e.target) !== width(e));
    for (const e of entries) stackWidths.set(e.target, width(e));
    if (!changed) return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { layoutAll(); measureAll(); drawStep(current); prepareCells(); }, 100);
  });

  layoutAll();
  for (const stack of document.querySelectorAll(".stack")) {
    stackWidths.set(stack, stack.clientWidth);
    widthObserver.observe(stack);
  }
  timings.layout = performance.now();
  measureAll();
  seek(stepFromHash() ?? 0);
  // For scripts and benchmarks: the state is also in the data-* attributes.
  window.nnreel = { seek, get step() { return current; }, last: LAST, firstDraw: null, timings, pyRepr, predict: (r, k, xs) => {
    const { preds, contributions } = predict(RUNS[r].network, thetaAt(RUNS[r], k), xs);
    return { preds: Array.from(preds), contributions: contributions.map((c) => Array.from(c)) };
  } };
  // Ready once the first full draw has reached the screen, at the next frame.
  requestAnimationFrame(() => {
    window.nnreel.firstDraw = performance.now();
    document.body.dataset.ready = "true";
    setTimeout(prepareCells);
  });
