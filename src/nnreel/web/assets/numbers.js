  // ---- numbers: reading the page's doubles, and writing them as text --------------------

  const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

  // Floats packed as base64 little-endian doubles, bit for bit the checkpoint's.
  function unpackDoubles(text) {
    const bin = atob(text), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    if (LITTLE_ENDIAN) return new Float64Array(bytes.buffer);
    const view = new DataView(bytes.buffer), out = new Float64Array(bytes.length / 8);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, true);
    return out;
  }

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

  // x to 5 significant digits, for reading at a glance (pyRepr gives the exact value).
  function roundedText(x) {
    if (x === 0) return "0";
    const a = Math.abs(x);
    if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(5)));
    return x.toExponential(3);
  }

