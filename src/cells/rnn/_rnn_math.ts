/**
 * The document's equations, forward and backward side by side, without input
 * checks: callers validate once, then run these in their hot loops. Nothing here
 * allocates; every buffer is passed in. A step is the tanh step (`tanh_step.ts`,
 * shared with a stack's tanh layer) under the output head (`../head.ts`, shared with
 * the gated cells and the stacks).
 *
 * @module
 */
import type { Backend } from "../../kernels/backend.ts";
import { Matrix } from "../../math/matrix.ts";
import { headBackward, headForward } from "../head.ts";
import type { RnnGrads, RnnParams } from "./params.ts";
import { tanhStepBackward, tanhStepForward } from "./tanh_step.ts";

import type { Head, Input, Target } from "../types.ts";
export type { Head, Input, Target, Tokens } from "../types.ts";

/**
 * The step's loss, summed over columns: −Σ y·log ŷ = −Σ y·(z2 − logNorm) for the
 * softmax head, ½Σ(ŷ − y)² for the linear head (the shared head's loss).
 */
export { headLoss as lossOf } from "../head.ts";

/** What one forward step keeps for its backward step (a head cache of `../head.ts` too). */
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
  // z1 = Waa·aPrev + Wax·x + ba, a = tanh(z1)
  tanhStepForward(p, x, aPrev, reset, cache, cache.z1.data, k);
  // z2 = Wya·a + by, ŷ = softmax(z2) (or ŷ = z2)
  headForward(p.Wya, p.by, cache.a.data, cache, head, k);
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
  const { dz2, da, dz1 } = work;
  if (daNext === null) da.fill(0);
  else da.set(daNext);
  // dWya += dz2·aᵀ ; dby += Σ_columns dz2 ; da = daNext + Wyaᵀ·dz2
  if (y !== null) headBackward(p.Wya, cache.a.data, cache, y, head, g.dWya, g.dby, dz2, da, k);
  // dz1 = da ⊙ (1 − a²); dWax, dWaa, dba; daPrev = Waaᵀ·dz1 (zero in reset columns)
  tanhStepBackward(p, cache, da, dz1, g, daPrev, null, k);
}
