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

