/**
 * The document's equations, forward and backward side by side, without input
 * checks: callers validate once, then run these in their hot loops. Nothing here
 * allocates; every buffer is passed in.
 *
 * @module
 */
import { kernels } from "../../kernels/js_backend.ts";
import { Matrix } from "../../math/matrix.ts";
import type { RnnGrads, RnnParams } from "./params.ts";

/** One token index per column (a one-hot column written compactly). */
export type Tokens = Int32Array;
/** A step's input: dense `n_x×m`, or one token index per column. */
export type Input = Matrix | Tokens;
/** A step's target: dense `n_y×m` (any values), or one class index per column. */
export type Target = Matrix | Tokens;
/** The output head: softmax with cross-entropy, or identity with squared error. */
export type Head = "softmax" | "linear";

/** What one forward step keeps for its backward step. */
export interface StepCache {
  /** The input, n_x×m or m token indices. */
  x: Input;
  /** The hidden state the step started from (reset columns zeroed), n_a×m. */
  aPrev: Matrix;
  /** Pre-activation `Waa·aPrev + Wax·x + ba`, n_a×m. */
  z1: Matrix;
  /** Hidden state `tanh(z1)`, n_a×m. */
  a: Matrix;
  /** Output pre-activation `Wya·a + by`, n_y×m. */
  z2: Matrix;
  /** Prediction: `softmax(z2)` per column, or `z2` for the linear head; n_y×m. */
  yHat: Matrix;
  /** Per column, `log Σ exp z2` (softmax head; zeros for the linear head). */
  logNorm: Float64Array;
  /** Per column, 1 where the hidden state was reset to zero at this step; null for none. */
  reset: Uint8Array | null;
}

/** Scratch buffers for one backward step. */
export interface BackwardWork {
  dz2: Float64Array;
  da: Float64Array;
  dz1: Float64Array;
}

/** Allocates a cache for sizes n_x, n_a, n_y and batch m (x is filled in by the forward step). */
export function allocCache(na: number, ny: number, m: number): StepCache {
  return {
    x: new Int32Array(0),
    aPrev: new Matrix(na, m),
    z1: new Matrix(na, m),
    a: new Matrix(na, m),
    z2: new Matrix(ny, m),
    yHat: new Matrix(ny, m),
    logNorm: new Float64Array(m),
    reset: null,
  };
}

/** Allocates backward scratch for n_a, n_y and batch m. */
export function allocWork(na: number, ny: number, m: number): BackwardWork {
  return { dz2: new Float64Array(ny * m), da: new Float64Array(na * m), dz1: new Float64Array(na * m) };
}

/**
 * Forward step into `cache`: z1 = Waa·aPrev + Wax·x + ba, a = tanh(z1), z2 = Wya·a + by,
 * ŷ = softmax(z2) per column (or ŷ = z2). `x` is stored by reference.
 */
export function forwardInto(
  p: RnnParams,
  x: Input,
  aPrev: Matrix,
  reset: Uint8Array | null,
  cache: StepCache,
  head: Head,
): void {
  const k = kernels();
  const na = p.Waa.rows, nx = p.Wax.cols, ny = p.Wya.rows, m = aPrev.cols;
  const ap = cache.aPrev.data, z1 = cache.z1.data, a = cache.a.data, z2 = cache.z2.data;
  ap.set(aPrev.data);
  if (reset !== null) {
    for (let j = 0; j < m; j++) if (reset[j]) { for (let i = 0; i < na; i++) ap[i * m + j] = 0; }
  }
  cache.x = x;
  cache.reset = reset;
  const ba = p.ba.data, by = p.by.data, Wax = p.Wax.data;
  fillRows(z1, ba, na, m);
  k.gemm(na, na, m, p.Waa.data, ap, z1);
  if (x instanceof Matrix) {
    k.gemm(na, nx, m, Wax, x.data, z1);
  } else {
    // Wax·onehot(t) is column t of Wax: a gather, not a product
    for (let j = 0; j < m; j++) {
      const t = x[j];
      for (let i = 0; i < na; i++) z1[i * m + j] += Wax[i * nx + t];
    }
  }
  for (let q = 0; q < z1.length; q++) a[q] = Math.tanh(z1[q]);
  fillRows(z2, by, ny, m);
  k.gemm(ny, na, m, p.Wya.data, a, z2);
  const yHat = cache.yHat.data, logNorm = cache.logNorm;
  if (head === "linear") {
    yHat.set(z2);
    logNorm.fill(0);
    return;
  }
  for (let j = 0; j < m; j++) {
    let max = -Infinity;
    for (let i = 0; i < ny; i++) if (z2[i * m + j] > max) max = z2[i * m + j];
    let sum = 0;
    for (let i = 0; i < ny; i++) {
      const e = Math.exp(z2[i * m + j] - max);
      yHat[i * m + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let i = 0; i < ny; i++) yHat[i * m + j] *= inv;
    // log Σ exp z2, stable: the log-softmax is z2 − logNorm
    logNorm[j] = max + Math.log(sum);
  }
}

/**
 * The step's loss, summed over columns: −Σ y·log ŷ = −Σ y·(z2 − logNorm) for the
 * softmax head, ½Σ(ŷ − y)² for the linear head.
 */
export function lossOf(cache: StepCache, y: Target, head: Head): number {
  const z2 = cache.z2.data, m = cache.z2.cols, ny = cache.z2.rows, logNorm = cache.logNorm;
  let loss = 0;
  if (head === "linear") {
    const yd = (y as Matrix).data;
    for (let q = 0; q < yd.length; q++) {
      const r = z2[q] - yd[q];
      loss += 0.5 * r * r;
    }
    return loss;
  }
  if (y instanceof Matrix) {
    const yd = y.data;
    for (let i = 0; i < ny; i++) {
      for (let j = 0; j < m; j++) {
        const v = yd[i * m + j];
        if (v !== 0) loss -= v * (z2[i * m + j] - logNorm[j]);
      }
    }
  } else {
    for (let j = 0; j < m; j++) loss -= z2[y[j] * m + j] - logNorm[j];
  }
  return loss;
}

/**
 * Backward step: adds this step's parameter gradients into `g` and writes daPrev.
 * `y` null means the step carries no loss (it only passes daNext back); `daNext`
 * null means zero. `daPrev` is overwritten.
 */
export function backwardInto(
  p: RnnParams,
  cache: StepCache,
  y: Target | null,
  daNext: Float64Array | null,
  g: RnnGrads,
  work: BackwardWork,
  daPrev: Float64Array,
  head: Head,
): void {
  const k = kernels();
  const na = p.Waa.rows, nx = p.Wax.cols, ny = p.Wya.rows, m = cache.a.cols;
  const a = cache.a.data, yHat = cache.yHat.data;
  const { dz2, da, dz1 } = work;
  if (daNext === null) da.fill(0);
  else da.set(daNext);
  if (y !== null) {
    if (y instanceof Matrix) {
      const yd = y.data;
      if (head === "linear") {
        // d ½(ŷ − y)² / dz2 = ŷ − y
        for (let q = 0; q < dz2.length; q++) dz2[q] = yHat[q] - yd[q];
      } else {
        for (let j = 0; j < m; j++) {
          let ySum = 0;
          for (let i = 0; i < ny; i++) ySum += yd[i * m + j];
          // d(−Σ y·log softmax(z2))/dz2 = ŷ·Σy − y, for any target y
          for (let i = 0; i < ny; i++) dz2[i * m + j] = yHat[i * m + j] * ySum - yd[i * m + j];
        }
      }
    } else {
      // one-hot target: ŷ·1 − onehot(t)
      dz2.set(yHat);
      for (let j = 0; j < m; j++) dz2[y[j] * m + j] -= 1;
    }
    // dWya += dz2·aᵀ ; dby += Σ_columns dz2
    k.gemmNT(ny, na, m, dz2, a, g.dWya.data);
    rowSumsInto(dz2, ny, m, g.dby.data);
    // da = Wyaᵀ·dz2 + daNext
    k.gemmTN(ny, na, m, p.Wya.data, dz2, da);
  }
  // d tanh(z1)/dz1 = 1 − tanh²(z1) = 1 − a²
  for (let q = 0; q < dz1.length; q++) dz1[q] = da[q] * (1 - a[q] * a[q]);
  const x = cache.x;
  if (x instanceof Matrix) {
    // dWax += dz1·xᵀ
    k.gemmNT(na, nx, m, dz1, x.data, g.dWax.data);
  } else {
    // dWax += dz1·onehot(t)ᵀ: a scatter into column t
    const dWax = g.dWax.data;
    for (let j = 0; j < m; j++) {
      const t = x[j];
      for (let i = 0; i < na; i++) dWax[i * nx + t] += dz1[i * m + j];
    }
  }
  // dWaa += dz1·aPrevᵀ ; dba += Σ_columns dz1
  k.gemmNT(na, na, m, dz1, cache.aPrev.data, g.dWaa.data);
  rowSumsInto(dz1, na, m, g.dba.data);
  // daPrev = Waaᵀ·dz1
  daPrev.fill(0);
  k.gemmTN(na, na, m, p.Waa.data, dz1, daPrev);
  const reset = cache.reset;
  if (reset !== null) {
    // a reset column started from a constant zero state: no gradient crosses it
    for (let j = 0; j < m; j++) if (reset[j]) { for (let i = 0; i < na; i++) daPrev[i * m + j] = 0; }
  }
}

/** Each row i of the rows×cols `out` set to `column[i]` (a bias broadcast over the columns). */
function fillRows(out: Float64Array, column: Float64Array, rows: number, cols: number): void {
  if (cols === 1) {
    out.set(column);
    return;
  }
  for (let i = 0, q = 0; i < rows; i++) {
    const v = column[i];
    for (let j = 0; j < cols; j++, q++) out[q] = v;
  }
}

function rowSumsInto(src: Float64Array, rows: number, cols: number, out: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += src[i * cols + j];
    out[i] += s;
  }
}
