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

