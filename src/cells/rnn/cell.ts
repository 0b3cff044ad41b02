/**
 * One RNN time step, forward and backward, with input checks.
 *
 * @module
 */
import { createJsBackend } from "../../kernels/js_backend.ts";
import { allocCache, allocWork, backwardInto, forwardInto, lossOf } from "./_rnn_math.ts";
import type { Head, Input, StepCache, Target } from "./_rnn_math.ts";
import { checkHead, checkInput, checkReset, checkTarget } from "../checks.ts";
import { assertFinite, assertShape, describe, Matrix } from "../../math/matrix.ts";
import { checkParams } from "./params.ts";
import type { RnnGrads, RnnParams } from "./params.ts";

export type { Head, Input, StepCache, Target, Tokens } from "./_rnn_math.ts";

/** Options for {@linkcode cellForward}. */
export interface CellForwardOptions {
  /** Per column, restart the hidden state from zero at this step (and stop gradients there). @default {null} */
  reset?: readonly (boolean | number)[] | Uint8Array | null;
  /** Output head. @default {"softmax"} */
  head?: Head;
}

/**
 * One forward step of the document's cell:
 * `z1 = Waa·aPrev + Wax·x + ba`, `a = tanh(z1)`, `z2 = Wya·a + by`, `ŷ = softmax(z2)`.
 *
 * @param params The parameters `{ Wax, Waa, ba, Wya, by }`.
 * @param x The input: a dense n_x×m Matrix, or m token indices (one-hot columns; `Wax·x` becomes a gather).
 * @param aPrev The previous hidden state, n_a×m.
 * @param options Reset mask and head.
 * @returns The step's cache `{ x, aPrev, z1, a, z2, yHat, logNorm, reset }`.
 * @throws {RangeError} On a shape mismatch, a non-finite value, or a token out of range.
 * @throws {TypeError} When an argument has the wrong type.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { cellForward, initParams, Matrix } from "../../../mod.ts";
 * const params = initParams({ nx: 4, na: 3, ny: 4 }, { seed: 1 });
 * const cache = cellForward(params, Int32Array.of(2), Matrix.zeros(3, 1));
 * assert(Math.abs(cache.yHat.data.reduce((s, v) => s + v, 0) - 1) < 1e-12);
 * ```
 */
export function cellForward(
  params: RnnParams,
  x: Input | readonly number[],
  aPrev: Matrix,
  options: CellForwardOptions = {},
): StepCache {
  const { reset = null, head = "softmax" } = options;
  checkHead("cellForward", head);
  const { nx, na, ny } = checkParams(params);
  if (!(aPrev instanceof Matrix)) throw new TypeError(`'aPrev' must be a Matrix: got ${describe(aPrev)}`);
  const m = aPrev.cols;
  assertShape("aPrev", aPrev, na, m);
  assertFinite("aPrev", aPrev);
  const input = checkInput(x, nx, m);
  const cache = allocCache(na, ny, m);
  forwardInto(params, input, aPrev, checkReset(reset, m), cache, head, createJsBackend());
  return cache;
}

/** Options for {@linkcode cellBackward}. */
export interface CellBackwardOptions {
  /** Output head; must be the one the forward step used. @default {"softmax"} */
  head?: Head;
}

/**
 * One backward step: adds `dWax, dWaa, dba, dWya, dby` of this step's loss (plus the
 * gradient `daNext` arriving from step t+1) into `grads`, and returns `daPrev`.
 * The output gradient is `dz2 = ŷ·Σy − y` per column, exact for any target y.
 *
 * @param params The parameters used in the forward step.
 * @param cache The forward step's cache.
 * @param y The target: n_y×m Matrix (one-hot, soft or raw), m class indices, or null for no loss at this step.
 * @param daNext ∂L/∂a from later steps, n_a×m (zeros at the last step).
 * @param grads Accumulators `{ dWax, dWaa, dba, dWya, dby }`, added to with `+=`.
 * @param options The head.
 * @returns `daPrev = Waaᵀ·(da ⊙ (1 − a²))`, n_a×m, to carry to step t−1.
 * @throws {RangeError} On a shape mismatch, a non-finite value, or a class index out of range.
 * @throws {TypeError} When an argument has the wrong type.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { cellBackward, cellForward, initParams, Matrix, zeroGrads } from "../../../mod.ts";
 * const params = initParams({ nx: 4, na: 3, ny: 4 }, { seed: 1 });
 * const cache = cellForward(params, Int32Array.of(2), Matrix.zeros(3, 1));
 * const grads = zeroGrads(params);
 * const daPrev = cellBackward(params, cache, Int32Array.of(1), Matrix.zeros(3, 1), grads);
 * assert(daPrev.shape === "3x1" && grads.dby.data.some((v) => v !== 0));
 * ```
 */
export function cellBackward(
  params: RnnParams,
  cache: StepCache,
  y: Target | readonly number[] | null,
  daNext: Matrix,
  grads: RnnGrads,
  options: CellBackwardOptions = {},
): Matrix {
  const { head = "softmax" } = options;
  checkHead("cellBackward", head);
  const { nx, na, ny } = checkParams(params);
  checkCache(cache, nx, na, ny);
  const m = cache.a.cols;
  const target = y === null ? null : checkTarget(y, ny, m, head);
  assertShape("daNext", daNext, na, m);
  assertFinite("daNext", daNext);
  checkGrads(grads, params);
  const daPrev = new Matrix(na, m);
  backwardInto(
    params,
    cache,
    target,
    daNext.data,
    grads,
    allocWork(na, ny, m),
    daPrev.data,
    head,
    createJsBackend(),
  );
  return daPrev;
}

/** Options for {@linkcode cellLoss}. */
export interface CellLossOptions {
  /** Output head. @default {"softmax"} */
  head?: Head;
}

/**
 * The loss of one step, summed over columns: `−Σ y·log ŷ` (stable log-softmax), or
 * `½Σ(ŷ − y)²` for the linear head.
 *
 * @param cache The forward step's cache.
 * @param y The target (n_y×m Matrix, or m class indices).
 * @param options The head.
 * @returns The loss.
 * @throws {RangeError} On a shape mismatch or a class index out of range.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { cellForward, cellLoss, initParams, Matrix } from "../../../mod.ts";
 * const params = initParams({ nx: 4, na: 3, ny: 4 }, { seed: 1 });
 * const cache = cellForward(params, [0], Matrix.zeros(3, 1));
 * assert(cellLoss(cache, [3]) > 0);
 * ```
 */
export function cellLoss(
  cache: StepCache,
  y: Target | readonly number[],
  options: CellLossOptions = {},
): number {
  const { head = "softmax" } = options;
  checkHead("cellLoss", head);
  if (cache === null || typeof cache !== "object" || !(cache.z2 instanceof Matrix)) {
    throw new TypeError(`'cache' must be a StepCache from cellForward(): got ${describe(cache)}`);
  }
  return lossOf(cache, checkTarget(y, cache.z2.rows, cache.z2.cols, head), head);
}

function checkCache(cache: StepCache, nx: number, na: number, ny: number): void {
  if (cache === null || typeof cache !== "object" || !(cache.a instanceof Matrix)) {
    throw new TypeError(`'cache' must be a StepCache from cellForward(): got ${describe(cache)}`);
  }
  const m = cache.a.cols;
  assertShape("cache.a", cache.a, na, m);
  assertShape("cache.aPrev", cache.aPrev, na, m);
  assertShape("cache.yHat", cache.yHat, ny, m);
  // a cache from a model with another n_x would make the dWax scatter/product write out of place
  checkInput(cache.x, nx, m, "cache.x");
  if (cache.reset !== null && !(cache.reset instanceof Uint8Array && cache.reset.length === m)) {
    throw new TypeError(
      `'cache.reset' must be null or ${m} flags (Uint8Array): got ${describe(cache.reset)}`,
    );
  }
}

function checkGrads(grads: RnnGrads, params: RnnParams): void {
  if (grads === null || typeof grads !== "object") {
    throw new TypeError(`'grads' must be an object { dWax, dWaa, dba, dWya, dby }: got ${describe(grads)}`);
  }
  assertShape("grads.dWax", grads.dWax, params.Wax.rows, params.Wax.cols);
  assertShape("grads.dWaa", grads.dWaa, params.Waa.rows, params.Waa.cols);
  assertShape("grads.dba", grads.dba, params.ba.rows, 1);
  assertShape("grads.dWya", grads.dWya, params.Wya.rows, params.Wya.cols);
  assertShape("grads.dby", grads.dby, params.by.rows, 1);
}
