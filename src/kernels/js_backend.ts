/**
 * The plain TypeScript backend, `"js"`: the reference every other backend is tested
 * against. All matrices are row-major `Float64Array`s with explicit dimensions; every
 * kernel ACCUMULATES into its output (`+=`), which is what backprop needs.
 *
 * The plain TypeScript kernels reduce all three products to one strided tile
 * loop, `C[x, y] += Σ_t U[x, t] · V[y, t]`, computed in 4×4 register blocks
 * (sixteen scalar accumulators, eight loads per sixteen multiply-adds) over
 * packed panels, with strided 4×1 and 1×1 blocks at the edges. One column
 * (m = 1) has its own loops, four rows of the matrix at a time: `A·b`, `Aᵀ·b`
 * and the outer product `a·bᵀ`. Inner loops read every operand with the same
 * index (packed panels, and row views cached per matrix), which is what lets V8
 * run them fast: an offset per load costs as much as the multiply-add.
 *
 * @module
 */

import type { Backend } from "./backend.ts";

/**
 * Creates the plain TypeScript backend. Each instance owns its scratch (packed panels),
 * so runs never share buffers; it is ready at once.
 *
 * @returns A new `"js"` backend.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createJsBackend } from "./js_backend.ts";
 * const backend = createJsBackend();
 * const C = backend.alloc(1);
 * backend.gemm(1, 2, 1, Float64Array.of(1, 2), Float64Array.of(3, 4), C);
 * assertEquals(C[0], 11);
 * ```
 */
export function createJsBackend(): Backend {
  const panels: Panels = { U: new Float64Array(0), Vs: [], size: 0 };
  return {
    name: "js",
    exact: true,
    ready: () => Promise.resolve(),
    alloc: (length) => new Float64Array(length),
    gemm(r, k, n, A, B, C) {
      if (r < 1 || k < 1 || n < 1) return;
      if (n === 1) matvec(r, k, A, B, C);
      // x = row i of A (stride k), y = column j of B (stride 1), t = p
      else tile(panels, r, n, k, A, k, 1, B, 1, n, C, n);
    },
    gemmTN(r, k, n, A, B, C) {
      if (r < 1 || k < 1 || n < 1) return;
      if (n === 1) matvecT(r, k, A, B, C);
      // x = column p of A (stride 1), y = column j of B (stride 1), t = row i of both
      else tile(panels, k, n, r, A, 1, k, B, 1, n, C, n);
    },
    gemmNT(r, k, n, A, B, C) {
      if (r < 1 || k < 1 || n < 1) return;
      if (n === 1) outer(r, k, A, B, C);
      // x = row i of A (stride n), y = row p of B (stride n), t = j
      else tile(panels, r, k, n, A, n, 1, B, n, 1, C, k);
    },
    gatherAdd(r, cols, W, tokens, out) {
      // W·onehot(t) is column t of W: a gather, not a product
      const m = tokens.length;
      for (let j = 0; j < m; j++) {
        const t = tokens[j];
        for (let i = 0; i < r; i++) out[i * m + j] += W[i * cols + t];
      }
    },
    scatterAdd(r, cols, dz, tokens, dW) {
      // dz·onehot(t)ᵀ adds column j of dz into column t of dW: a scatter
      const m = tokens.length;
      for (let j = 0; j < m; j++) {
        const t = tokens[j];
        for (let i = 0; i < r; i++) dW[i * cols + t] += dz[i * m + j];
      }
    },
    fillRows(r, m, column, out) {
      if (m === 1) {
        out.set(column.subarray(0, r));
        return;
      }
      for (let i = 0, q = 0; i < r; i++) {
        const v = column[i];
        for (let j = 0; j < m; j++, q++) out[q] = v;
      }
    },
    rowSumsAdd(r, m, src, out) {
      for (let i = 0; i < r; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += src[i * m + j];
        out[i] += s;
      }
    },
    tanh(z, out) {
      for (let q = 0; q < out.length; q++) out[q] = Math.tanh(z[q]);
    },
    tanhBackward(da, a, dz) {
      // d tanh(z)/dz = 1 − tanh²(z) = 1 − a²
      for (let q = 0; q < dz.length; q++) dz[q] = da[q] * (1 - a[q] * a[q]);
    },
    sigmoid(z, out) {
      for (let q = 0; q < out.length; q++) out[q] = 1 / (1 + Math.exp(-z[q]));
    },
    sigmoidBackward(ds, s, dz) {
      // dσ(z)/dz = σ(z)(1 − σ(z))
      for (let q = 0; q < dz.length; q++) dz[q] = ds[q] * (s[q] * (1 - s[q]));
    },
    mul(a, b, out) {
      for (let q = 0; q < out.length; q++) out[q] = a[q] * b[q];
    },
    mulAdd(a, b, out) {
      for (let q = 0; q < out.length; q++) out[q] += a[q] * b[q];
    },
    axpy(alpha, x, y) {
      for (let q = 0; q < y.length; q++) y[q] += alpha * x[q];
    },
    softmaxColumns(r, m, z, yHat, logNorm) {
      for (let j = 0; j < m; j++) {
        let max = -Infinity;
        for (let i = 0; i < r; i++) if (z[i * m + j] > max) max = z[i * m + j];
        let sum = 0;
        for (let i = 0; i < r; i++) {
          const e = Math.exp(z[i * m + j] - max);
          yHat[i * m + j] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let i = 0; i < r; i++) yHat[i * m + j] *= inv;
        // log Σ exp z, stable: the log-softmax is z − logNorm
        logNorm[j] = max + Math.log(sum);
      }
    },
    sgdStep(p, g, v, lr, mu, nesterov, wd) {
      const n = p.length;
      if (v === null || mu === 0) {
        for (let k = 0; k < n; k++) p[k] -= lr * (g[k] + wd * p[k]);
        return;
      }
      for (let k = 0; k < n; k++) {
        const gk = g[k] + wd * p[k];
        // v ← μv + g ; Nesterov steps along g + μv
        v[k] = mu * v[k] + gk;
        p[k] -= lr * (nesterov ? gk + mu * v[k] : v[k]);
      }
    },
    adagradStep(p, g, h, lr, epsilon) {
      for (let k = 0; k < p.length; k++) {
        h[k] += g[k] * g[k];
        p[k] -= lr * g[k] / (Math.sqrt(h[k]) + epsilon);
      }
    },
    rmspropStep(p, g, s, lr, decay, epsilon) {
      for (let k = 0; k < p.length; k++) {
        s[k] = decay * s[k] + (1 - decay) * g[k] * g[k];
        p[k] -= lr * g[k] / (Math.sqrt(s[k]) + epsilon);
      }
    },
    adamStep(p, g, m, v, lr, beta1, beta2, epsilon, c1, c2, shrink) {
      for (let k = 0; k < p.length; k++) {
        m[k] = beta1 * m[k] + (1 - beta1) * g[k];
        v[k] = beta2 * v[k] + (1 - beta2) * g[k] * g[k];
        // bias-corrected m̂ / (√v̂ + ε); AdamW first shrinks p by (1 − lr·λ)
        p[k] = p[k] * shrink - lr * (m[k] / c1) / (Math.sqrt(v[k] / c2) + epsilon);
      }
    },
  };
}

/** Packed panels of {@linkcode tile}, grown on demand and then reused: no allocation in steady state. */
interface Panels {
  U: Float64Array;
  Vs: Float64Array[];
  size: number;
}

/**
 * `C[x·cs + y] += Σ_{t<len} U[x·us + t·ut] · V[y·vs + t·vt]` for x < rows, y < cols.
 * Full 4×4 blocks read packed copies (four rows of U, and each four rows of V,
 * interleaved per t, each panel its own array) so that the inner loop reads both
 * with one index; the edges are strided.
 */
function tile(
  panels: Panels,
  rows: number,
  cols: number,
  len: number,
  U: Float64Array,
  us: number,
  ut: number,
  V: Float64Array,
  vs: number,
  vt: number,
  C: Float64Array,
  cs: number,
): void {
  const rows4 = rows - rows % 4, cols4 = cols - cols % 4, len4 = 4 * len;
  if (rows4 > 0 && cols4 > 0) {
    if (panels.size < len4) {
      panels.size = len4;
      panels.U = new Float64Array(len4);
      panels.Vs = panels.Vs.map(() => new Float64Array(len4));
    }
    while (panels.Vs.length < cols4 / 4) panels.Vs.push(new Float64Array(panels.size));
    const Up = panels.U, Vps = panels.Vs;
    for (let y = 0; y < cols4; y += 4) pack4(V, y * vs, vs, vt, len, Vps[y >> 2]);
    for (let x = 0; x < rows4; x += 4) {
      pack4(U, x * us, us, ut, len, Up);
      for (let y = 0; y < cols4; y += 4) block4x4(len4, Up, Vps[y >> 2], C, x * cs + y, cs);
      for (let y = cols4; y < cols; y++) block4x1(len, U, x * us, us, ut, V, y * vs, vt, C, x * cs + y, cs);
    }
  } else {
    for (let x = 0; x < rows4; x += 4) {
      for (let y = 0; y < cols; y++) block4x1(len, U, x * us, us, ut, V, y * vs, vt, C, x * cs + y, cs);
    }
  }
  for (let x = rows4; x < rows; x++) {
    for (let y = 0; y < cols; y++) {
      let s = 0;
      for (let t = 0, u = x * us, v = y * vs; t < len; t++, u += ut, v += vt) s += U[u] * V[v];
      C[x * cs + y] += s;
    }
  }
}

/** Copies four strided rows `src[from + d·stride + t·step]` (d < 4, t < len) to `dst[4t + d]`. */
function pack4(
  src: Float64Array,
  from: number,
  stride: number,
  step: number,
  len: number,
  dst: Float64Array,
): void {
  const s1 = from + stride, s2 = s1 + stride, s3 = s2 + stride;
  for (let t = 0, o = 0, q = 0; t < len; t++, o += step, q += 4) {
    dst[q] = src[from + o], dst[q + 1] = src[s1 + o], dst[q + 2] = src[s2 + o], dst[q + 3] = src[s3 + o];
  }
}

/** A 4×4 block of {@linkcode tile} from two packed panels, its sixteen sums held in locals. */
function block4x4(
  len4: number,
  Up: Float64Array,
  Vp: Float64Array,
  C: Float64Array,
  c: number,
  cs: number,
): void {
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  for (let q = 0; q < len4; q += 4) {
    const v0 = Vp[q], v1 = Vp[q + 1], v2 = Vp[q + 2], v3 = Vp[q + 3];
    let w = Up[q];
    s00 += w * v0, s01 += w * v1, s02 += w * v2, s03 += w * v3;
    w = Up[q + 1];
    s10 += w * v0, s11 += w * v1, s12 += w * v2, s13 += w * v3;
    w = Up[q + 2];
    s20 += w * v0, s21 += w * v1, s22 += w * v2, s23 += w * v3;
    w = Up[q + 3];
    s30 += w * v0, s31 += w * v1, s32 += w * v2, s33 += w * v3;
  }
  C[c] += s00, C[c + 1] += s01, C[c + 2] += s02, C[c + 3] += s03;
  c += cs;
  C[c] += s10, C[c + 1] += s11, C[c + 2] += s12, C[c + 3] += s13;
  c += cs;
  C[c] += s20, C[c + 1] += s21, C[c + 2] += s22, C[c + 3] += s23;
  c += cs;
  C[c] += s30, C[c + 1] += s31, C[c + 2] += s32, C[c + 3] += s33;
}

/** A 4×1 block of {@linkcode tile} (one column of V), strided. */
function block4x1(
  len: number,
  U: Float64Array,
  u: number,
  us: number,
  ut: number,
  V: Float64Array,
  v: number,
  vt: number,
  C: Float64Array,
  c: number,
  cs: number,
): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const us2 = us + us, us3 = us2 + us;
  for (let t = 0; t < len; t++, u += ut, v += vt) {
    const v0 = V[v];
    s0 += U[u] * v0, s1 += U[u + us] * v0, s2 += U[u + us2] * v0, s3 += U[u + us3] * v0;
  }
  C[c] += s0, C[c + cs] += s1, C[c + 2 * cs] += s2, C[c + 3 * cs] += s3;
}

/** Row views of a matrix, kept per array and row length so hot loops index every row with one `p`. */
const rowViewCache = new WeakMap<Float64Array, { k: number; rows: Float64Array[] }>();

/** The rows of `M` (row length k) as subarrays; built once per array and row length, then reused. */
function rowsOf(M: Float64Array, k: number): Float64Array[] {
  const hit = rowViewCache.get(M);
  if (hit !== undefined && hit.k === k) return hit.rows;
  const rows: Float64Array[] = [];
  for (let i = 0; i + k <= M.length; i += k) rows.push(M.subarray(i, i + k));
  rowViewCache.set(M, { k, rows });
  return rows;
}

/** `c[r] += A[r×k] · b[k]`, four rows at a time so each `b[p]` is loaded once. */
function matvec(r: number, k: number, A: Float64Array, b: Float64Array, c: Float64Array): void {
  const rows = rowsOf(A, k);
  let i = 0;
  for (; i + 3 < r; i += 4) {
    const A0 = rows[i], A1 = rows[i + 1], A2 = rows[i + 2], A3 = rows[i + 3];
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let p = 0; p < k; p++) {
      const bp = b[p];
      s0 += A0[p] * bp, s1 += A1[p] * bp, s2 += A2[p] * bp, s3 += A3[p] * bp;
    }
    c[i] += s0, c[i + 1] += s1, c[i + 2] += s2, c[i + 3] += s3;
  }
  for (; i < r; i++) {
    const Ai = rows[i];
    let s = 0;
    for (let p = 0; p < k; p++) s += Ai[p] * b[p];
    c[i] += s;
  }
}

/** `c[k] += A[r×k]ᵀ · b[r]`, four rows of A at a time so each `c[p]` is loaded and stored once per four. */
function matvecT(r: number, k: number, A: Float64Array, b: Float64Array, c: Float64Array): void {
  const rows = rowsOf(A, k);
  let i = 0;
  for (; i + 3 < r; i += 4) {
    const A0 = rows[i], A1 = rows[i + 1], A2 = rows[i + 2], A3 = rows[i + 3];
    const b0 = b[i], b1 = b[i + 1], b2 = b[i + 2], b3 = b[i + 3];
    for (let p = 0; p < k; p++) c[p] += (A0[p] * b0 + A1[p] * b1) + (A2[p] * b2 + A3[p] * b3);
  }
  for (; i < r; i++) {
    const Ai = rows[i], bi = b[i];
    for (let p = 0; p < k; p++) c[p] += Ai[p] * bi;
  }
}

/** `C[r×k] += a[r] · b[k]ᵀ`, four rows at a time so each `b[p]` is loaded once. */
function outer(r: number, k: number, a: Float64Array, b: Float64Array, C: Float64Array): void {
  const rows = rowsOf(C, k);
  let i = 0;
  for (; i + 3 < r; i += 4) {
    const a0 = a[i], a1 = a[i + 1], a2 = a[i + 2], a3 = a[i + 3];
    const C0 = rows[i], C1 = rows[i + 1], C2 = rows[i + 2], C3 = rows[i + 3];
    for (let p = 0; p < k; p++) {
      const bp = b[p];
      C0[p] += a0 * bp, C1[p] += a1 * bp, C2[p] += a2 * bp, C3[p] += a3 * bp;
    }
  }
  for (; i < r; i++) {
    const ai = a[i], Ci = rows[i];
    for (let p = 0; p < k; p++) Ci[p] += ai * b[p];
  }
}
