  // A table of more rows than this holds only the rows in view (and a margin), and a box to
  // find any parameter by name: thousands of rows would cost a seek most of a frame.
  const TABLE_ROWS = 100;

  // One run's parameters at its step: each value and gradient, rounded and exact.
  class ValuesPanel {
    constructor(run, { compare = false } = {}) {
      this.run = run;
      this.step = 0; // the page's step, as last drawn
      this.made = new Map(); // a row's elements, made when it is first shown
      this.order = run.names.map((_, i) => i); // the rows the table holds, after any filter
      this.virtual = run.names.length > TABLE_ROWS;
      this.range = [0, this.virtual ? 0 : run.names.length];
      this.body = el("tbody");
      const head = el("tr", {}, ...["parameter", "value", "exact value (repr)", `∂${run.loss_name}/∂θ`, `exact ∂${run.loss_name}/∂θ (repr)`].map((t, i) => el("th", { text: t, class: i === 1 || i === 3 ? "rounded" : "" })));
      this.wrap = el("div", { class: "tablewrap" }, el("table", {}, el("thead", {}, head), this.body));
      this.root = el("section", { "data-panel": "values", "data-run": run.label, class: compare ? "compact" : "" },
        el("h2", { text: compare ? `values: ${run.label}` : "parameter values at this step" }), this.wrap);
      if (this.virtual) this.findBox();
      this.fillTable();
    }
    row(i) {
      if (this.made.has(i)) return this.made.get(i);
      const run = this.run, name = run.names[i];
      const cells = ["value", "value-repr", "grad", "grad-repr"].map((c) => el("td", { "data-param": name, class: c.endsWith("repr") ? "num repr" : "num rounded" }));
      const sw = el("span", { class: "swatch" });
      sw.style.background = run.paramColours[i];
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
        this.showRowsInView();
      });
      this.wrap.addEventListener("scroll", () => this.showRowsInView(), { passive: true });
      this.note.textContent = all;
    }
    // The rows in view and a screen's margin either side, between spacers as tall as the rest.
    showRowsInView() {
      if (!this.virtual) return;
      const h = this.rowHeight, top = Math.floor(this.wrap.scrollTop / h), seen = Math.ceil(Math.max(this.wrap.clientHeight, 600) / h);
      const from = Math.max(0, top - seen), to = Math.min(this.order.length, top + 2 * seen);
      if (from === this.range[0] && to === this.range[1]) return;
      this.range = [from, to];
      this.fillTable();
      this.draw(this.step);
    }
    fillTable() {
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
      this.showRowsInView();
    }
    draw(k) {
      const run = this.run, s = shownStep(run, k), [from, to] = this.range;
      this.step = k;
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
        [roundedText(v), rv, roundedText(g), rg].forEach((t, n) => { row.texts[n].data = t; });
      }
      this.root.dataset.step = s;
    }
  }

