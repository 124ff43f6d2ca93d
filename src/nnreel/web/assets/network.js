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

  // The step a run shows when the page is at step k: a shorter run rests at its last.
  function shownStep(run, k) { return Math.min(k, run.last); }

  // θ at step k, in Net's order.
  function thetaAt(run, k) { return run.params.map((p) => p[k]); }

  // Predictions over xs and each last-layer neuron's contribution ow_j·a_j, as Net.predict
  // (in plain loops over typed arrays: a wide network has thousands of weights per step).
  // `network` holds Net's index tables: where each weight, bias and output weight sits in θ.
  function predict(network, theta, xs) {
    const activation = ACTIVATIONS[network.activation], n = xs.length;
    let below = [Float64Array.from(xs)];
    for (let l = 0; l < network.weights.length; l++) {
      below = network.weights[l].map((row, j) => {
        const b = theta[network.biases[l][j]], w0 = theta[row[0]], a0 = below[0], z = new Float64Array(n);
        for (let i = 0; i < n; i++) z[i] = w0 * a0[i] + b;
        for (let k = 1; k < row.length; k++) {
          const w = theta[row[k]], a = below[k];
          for (let i = 0; i < n; i++) z[i] = z[i] + w * a[i];
        }
        for (let i = 0; i < n; i++) z[i] = activation(z[i]);
        return z;
      });
    }
    const contributions = network.output_weights.map((idx, j) => below[j].map((a) => theta[idx] * a));
    const ob = network.output_bias === null ? 0 : theta[network.output_bias];
    const preds = new Float64Array(n);
    for (const c of contributions) for (let i = 0; i < n; i++) preds[i] = preds[i] + c[i];
    for (let i = 0; i < n; i++) preds[i] = preds[i] + ob;
    return { preds, contributions };
  }

