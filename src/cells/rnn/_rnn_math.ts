/**
 * The document's equations, forward and backward side by side, without input
 * checks: callers validate once, then run these in their hot loops. Nothing here
 * allocates; every buffer is passed in.
 *
 * @module
 */
import type { Backend } from "../../kernels/backend.ts";
import { Matrix } from "../../math/matrix.ts";
import type { RnnGrads, RnnParams } from "./params.ts";

import type { Head, Input, Target } from "../types.ts";
export type { Head, Input, Target, Tokens } from "../types.ts";

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

/**
 * Allocates a cache for sizes n_a, n_y and batch m (x is filled in by the forward step),
 * in the backend's memory when one is given.
 */
export function allocCache(na: number, ny: number, m: number, backend?: Backend): StepCache {
  const mat = (rows: number): Matrix => new Matrix(rows, m, backend?.alloc(rows * m));
  return {
    x: new Int32Array(0),
    aPrev: mat(na),
    z1: mat(na),
    a: mat(na),
    z2: mat(ny),
    yHat: mat(ny),
    logNorm: backend?.alloc(m) ?? new Float64Array(m),
    reset: null,
  };
}

/** Allocates backward scratch for n_a, n_y and batch m, in the backend's memory when one is given. */
export function allocWork(na: number, ny: number, m: number, backend?: Backend): BackwardWork {
  const f64 = (n: number): Float64Array => backend?.alloc(n) ?? new Float64Array(n);
  return { dz2: f64(ny * m), da: f64(na * m), dz1: f64(na * m) };
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
  k: Backend,
): void {
  const na = p.Waa.rows, nx = p.Wax.cols, ny = p.Wya.rows, m = aPrev.cols;
  const ap = cache.aPrev.data, z1 = cache.z1.data, a = cache.a.data, z2 = cache.z2.data;
  ap.set(aPrev.data);
  if (reset !== null) {
    for (let j = 0; j < m; j++) if (reset[j]) { for (let i = 0; i < na; i++) ap[i * m + j] = 0; }
  }
  cache.x = x;
  cache.reset = reset;
  // z1 = Waa·aPrev + Wax·x + ba
  k.fillRows(na, m, p.ba.data, z1);
  k.gemm(na, na, m, p.Waa.data, ap, z1);
  // Wax·onehot(t) is column t of Wax: a gather, not a product
  if (x instanceof Matrix) k.gemm(na, nx, m, p.Wax.data, x.data, z1);
  else k.gatherAdd(na, nx, p.Wax.data, x, z1);
  // a = tanh(z1)
  k.tanh(z1, a);
  // z2 = Wya·a + by
  k.fillRows(ny, m, p.by.data, z2);
  k.gemm(ny, na, m, p.Wya.data, a, z2);
  const yHat = cache.yHat.data, logNorm = cache.logNorm;
  if (head === "linear") {
    yHat.set(z2);
    logNorm.fill(0);
    return;
  }
  // ŷ = softmax(z2) per column, and log Σ exp z2 for the loss
  k.softmaxColumns(ny, m, z2, yHat, logNorm);
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
  k: Backend,
): void {
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
    k.rowSumsAdd(ny, m, dz2, g.dby.data);
    // da = Wyaᵀ·dz2 + daNext
    k.gemmTN(ny, na, m, p.Wya.data, dz2, da);
  }
  // d tanh(z1)/dz1 = 1 − tanh²(z1) = 1 − a²
  k.tanhBackward(da, a, dz1);
  const x = cache.x;
  // dWax += dz1·xᵀ (for tokens dz1·onehot(t)ᵀ: a scatter into column t)
  if (x instanceof Matrix) k.gemmNT(na, nx, m, dz1, x.data, g.dWax.data);
  else k.scatterAdd(na, nx, dz1, x, g.dWax.data);
  // dWaa += dz1·aPrevᵀ ; dba += Σ_columns dz1
  k.gemmNT(na, na, m, dz1, cache.aPrev.data, g.dWaa.data);
  k.rowSumsAdd(na, m, dz1, g.dba.data);
  // daPrev = Waaᵀ·dz1
  daPrev.fill(0);
  k.gemmTN(na, na, m, p.Waa.data, dz1, daPrev);
  const reset = cache.reset;
  if (reset !== null) {
    // a reset column started from a constant zero state: no gradient crosses it
    for (let j = 0; j < m; j++) if (reset[j]) { for (let i = 0; i < na; i++) daPrev[i * m + j] = 0; }
  }
}
