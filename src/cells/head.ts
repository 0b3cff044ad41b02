/**
 * The output head shared by the gated cells and the stacks: `z2 = Wya·a + by`,
 * `ŷ = softmax(z2)` per column with the cross-entropy loss `−Σ y·log ŷ`, or `ŷ = z2` with
 * the squared error `½Σ(ŷ − y)²` (the linear head). Forward and backward side by side.
 *
 * @module
 */
import type { Backend } from "../kernels/backend.ts";
import { Matrix } from "../math/matrix.ts";
import type { Head, Target } from "./types.ts";

/** What the head keeps of one step. */
export interface HeadCache {
  /** Output pre-activation `Wya·a + by`, n_y×m. */
  z2: Matrix;
  /** Prediction: `softmax(z2)` per column, or `z2` for the linear head; n_y×m. */
  yHat: Matrix;
  /** Per column, `log Σ exp z2` (zeros for the linear head). */
  logNorm: Float64Array;
}

/**
 * A head cache for n_y outputs and batch m, in the backend's memory.
 *
 * @param ny Outputs.
 * @param m Batch columns.
 * @param k The backend.
 * @returns Zeroed buffers.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { createJsBackend } from "../kernels/js_backend.ts";
 * import { allocHead } from "./head.ts";
 * assert(allocHead(3, 2, createJsBackend()).z2.shape === "3x2");
 * ```
 */
export function allocHead(ny: number, m: number, k: Backend): HeadCache {
  return {
    z2: new Matrix(ny, m, k.alloc(ny * m)),
    yHat: new Matrix(ny, m, k.alloc(ny * m)),
    logNorm: k.alloc(m),
  };
}

/**
 * Forward through the head: `z2 = Wya·a + by`, `ŷ = softmax(z2)` (or `ŷ = z2`).
 *
 * @param Wya Hidden-to-output weights, n_y×n_a.
 * @param by Output bias, n_y×1.
 * @param a The top layer's output, n_a×m.
 * @param cache Where to write.
 * @param head The head.
 * @param k The backend.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { createJsBackend } from "../kernels/js_backend.ts";
 * import { Matrix } from "../math/matrix.ts";
 * import { allocHead, headForward } from "./head.ts";
 * const k = createJsBackend(), cache = allocHead(2, 1, k);
 * headForward(new Matrix(2, 1), new Matrix(2, 1), new Float64Array(1), cache, "softmax", k);
 * assert(cache.yHat.data[0] === 0.5);
 * ```
 */
export function headForward(
  Wya: Matrix,
  by: Matrix,
  a: Float64Array,
  cache: HeadCache,
  head: Head,
  k: Backend,
): void {
  const ny = Wya.rows, na = Wya.cols, m = cache.z2.cols, z2 = cache.z2.data;
  // z2 = Wya·a + by
  k.fillRows(ny, m, by.data, z2);
  k.gemm(ny, na, m, Wya.data, a, z2);
  if (head === "linear") {
    cache.yHat.data.set(z2);
    cache.logNorm.fill(0);
    return;
  }
  // ŷ = softmax(z2) per column, and log Σ exp z2 for the loss
  k.softmaxColumns(ny, m, z2, cache.yHat.data, cache.logNorm);
}

/**
 * The step's loss summed over columns: `−Σ y·(z2 − logNorm)` (softmax), `½Σ(ŷ − y)²` (linear).
 *
 * @param cache The head cache of the step.
 * @param y The target.
 * @param head The head.
 * @returns The loss.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { createJsBackend } from "../kernels/js_backend.ts";
 * import { allocHead, headLoss } from "./head.ts";
 * const cache = allocHead(2, 1, createJsBackend());
 * cache.logNorm[0] = Math.log(2);
 * assert(Math.abs(headLoss(cache, Int32Array.of(1), "softmax") - Math.log(2)) < 1e-15);
 * ```
 */
export function headLoss(cache: HeadCache, y: Target, head: Head): number {
  const z2 = cache.z2.data, m = cache.z2.cols, ny = cache.z2.rows, logNorm = cache.logNorm;
  let loss = 0;
  if (head === "linear") {
    const yd = (y as Matrix).data;
    for (let q = 0; q < yd.length; q++) loss += 0.5 * (z2[q] - yd[q]) * (z2[q] - yd[q]);
    return loss;
  }
  if (y instanceof Matrix) {
    for (let i = 0; i < ny; i++) {
      for (let j = 0; j < m; j++) {
        const v = y.data[i * m + j];
        if (v !== 0) loss -= v * (z2[i * m + j] - logNorm[j]);
      }
    }
  } else {
    for (let j = 0; j < m; j++) loss -= z2[y[j] * m + j] - logNorm[j];
  }
  return loss;
}

/**
 * Backward through the head: adds `dWya += dz2·aᵀ`, `dby += Σ dz2` and `da += Wyaᵀ·dz2`
 * (∂L/∂a: zero `da` first for the head's part alone, or start it from the gradient that
 * arrives from later steps).
 *
 * @param Wya Hidden-to-output weights, n_y×n_a.
 * @param a The top layer's output of the step, n_a×m.
 * @param cache The head cache of the step.
 * @param y The target.
 * @param head The head.
 * @param dWya Its gradient, accumulated.
 * @param dby Its gradient, accumulated.
 * @param dz2 Scratch, n_y×m.
 * @param da ∂L/∂a, n_a×m, accumulated.
 * @param k The backend.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { createJsBackend } from "../kernels/js_backend.ts";
 * import { Matrix } from "../math/matrix.ts";
 * import { allocHead, headBackward, headForward } from "./head.ts";
 * const k = createJsBackend(), cache = allocHead(2, 1, k), a = new Float64Array([1]);
 * const Wya = new Matrix(2, 1, new Float64Array([1, 3])), by = new Matrix(2, 1, new Float64Array([2, 0]));
 * const dWya = new Matrix(2, 1), dby = new Matrix(2, 1), da = new Float64Array([10]);
 * headForward(Wya, by, a, cache, "softmax", k); // z2 = [3, 3], ŷ = [0.5, 0.5]
 * headBackward(Wya, a, cache, Int32Array.of(0), "softmax", dWya, dby, new Float64Array(2), da, k);
 * // dz2 = ŷ − onehot(0) = [−0.5, 0.5]; da = 10 + Wyaᵀ·dz2 = 10 − 0.5 + 1.5
 * assert(dby.data[0] === -0.5 && dby.data[1] === 0.5 && da[0] === 11);
 * ```
 */
export function headBackward(
  Wya: Matrix,
  a: Float64Array,
  cache: HeadCache,
  y: Target,
  head: Head,
  dWya: Matrix,
  dby: Matrix,
  dz2: Float64Array,
  da: Float64Array,
  k: Backend,
): void {
  const ny = Wya.rows, na = Wya.cols, m = cache.z2.cols, yHat = cache.yHat.data;
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
  k.gemmNT(ny, na, m, dz2, a, dWya.data);
  k.rowSumsAdd(ny, m, dz2, dby.data);
  // ∂L/∂a += Wyaᵀ·dz2
  k.gemmTN(ny, na, m, Wya.data, dz2, da);
}
