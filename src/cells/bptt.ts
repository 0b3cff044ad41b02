/**
 * Backpropagation through time over a whole sequence.
 *
 * @module
 */
import { allocCache, allocWork, backwardInto, forwardInto, lossOf } from "./rnn/_rnn_math.ts";
import type { Head, Input, StepCache, Target } from "./rnn/_rnn_math.ts";
import { checkHead, checkInput, checkTarget } from "./checks.ts";
import { assertFinite, assertShape, describe, Matrix } from "../math/matrix.ts";
import { checkParams, zeroGrads } from "./rnn/params.ts";
import type { RnnGrads, RnnParams } from "./rnn/params.ts";

/** Options for {@linkcode bptt}. */
export interface BpttOptions {
  /** The initial hidden state, n_a×m. @default {zeros} */
  a0?: Matrix;
  /** Output head. @default {"softmax"} */
  head?: Head;
}

/** The result of {@linkcode bptt}. */
export interface BpttResult {
  /** Σ over steps and columns of the step loss (−Σ y·log ŷ for the softmax head). */
  loss: number;
  /** The last hidden state a_T, n_a×m. */
  aLast: Matrix;
  /** ŷ_t for every step, n_y×m each. */
  yHats: Matrix[];
  /** ∂loss/∂parameters. */
  grads: RnnGrads;
  /** ∂loss/∂a0, n_a×m. */
  da0: Matrix;
}

/**
 * Full backpropagation through time: runs the cell forward over `xs`, sums the losses
 * against `ys`, and returns the exact gradients of that sum with respect to every
 * parameter and the initial state.
 *
 * @param params The parameters `{ Wax, Waa, ba, Wya, by }`.
 * @param xs The inputs, one per step: n_x×m matrices or m token indices each.
 * @param ys The targets, one per step: n_y×m matrices (any values) or m class indices each.
 * @param options The initial state `a0` (zeros by default; its column count sets m) and the head.
 * @returns `{ loss, aLast, yHats, grads, da0 }`.
 * @throws {RangeError} On an empty sequence, mismatched lengths or shapes, a non-finite value, or an index out of range.
 * @throws {TypeError} When an argument has the wrong type.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { bptt, initParams } from "../../mod.ts";
 * const params = initParams({ nx: 5, na: 8, ny: 5 }, { seed: 3 });
 * const { loss, grads } = bptt(params, [[0], [1], [2]], [[1], [2], [3]]);
 * assert(loss > 0 && grads.dWaa.shape === "8x8");
 * ```
 */
export function bptt(
  params: RnnParams,
  xs: readonly (Input | readonly number[])[],
  ys: readonly (Target | readonly number[])[],
  options: BpttOptions = {},
): BpttResult {
  const { head = "softmax" } = options;
  checkHead("bptt", head);
  const { nx, na, ny } = checkParams(params);
  const { inputs, targets, a0 } = checkSequence(xs, ys, nx, na, ny, options.a0, head);
  const m = a0.cols;
  const T = inputs.length;
  const caches: StepCache[] = [];
  let a = a0;
  let loss = 0;
  for (let t = 0; t < T; t++) {
    const cache = allocCache(na, ny, m);
    forwardInto(params, inputs[t], a, null, cache, head);
    loss += lossOf(cache, targets[t], head);
    caches.push(cache);
    a = cache.a;
  }
  const grads = zeroGrads(params);
  const work = allocWork(na, ny, m);
  let daNext = new Float64Array(na * m), daPrev = new Float64Array(na * m);
  for (let t = T - 1; t >= 0; t--) {
    backwardInto(params, caches[t], targets[t], daNext, grads, work, daPrev, head);
    [daNext, daPrev] = [daPrev, daNext];
  }
  return {
    loss,
    aLast: a.clone(),
    yHats: caches.map((c) => c.yHat),
    grads,
    da0: new Matrix(na, m, daNext),
  };
}

/** Validates a whole sequence once; returns canonical inputs, targets and a0. */
export function checkSequence(
  xs: readonly unknown[],
  ys: readonly unknown[],
  nx: number,
  na: number,
  ny: number,
  a0: Matrix | undefined,
  head: Head,
): { inputs: Input[]; targets: Target[]; a0: Matrix } {
  if (!Array.isArray(xs)) throw new TypeError(`'xs' must be an array of steps: got ${describe(xs)}`);
  if (!Array.isArray(ys)) throw new TypeError(`'ys' must be an array of steps: got ${describe(ys)}`);
  if (xs.length === 0) throw new RangeError(`'xs' must hold at least one step: current length is 0`);
  if (ys.length !== xs.length) {
    throw new RangeError(`'ys' has ${ys.length} steps, expected ${xs.length} (one per step of 'xs')`);
  }
  const first = xs[0];
  const m = a0 instanceof Matrix
    ? a0.cols
    : first instanceof Matrix
    ? first.cols
    : (first as ArrayLike<unknown> | undefined)?.length ?? 0;
  if (!(first instanceof Matrix || Array.isArray(first) || ArrayBuffer.isView(first))) {
    throw new TypeError(
      `'xs[0]' must be a Matrix or token indices (Int32Array or number[]): got ${describe(first)}`,
    );
  }
  if (!(m >= 1)) throw new RangeError(`'xs[0]' must hold at least one column: got ${describe(first)}`);
  const start = a0 ?? new Matrix(na, m);
  assertShape("a0", start, na, m);
  assertFinite("a0", start);
  const inputs = xs.map((x, t) => checkInput(x, nx, m, `xs[${t}]`));
  const targets = ys.map((y, t) => checkTarget(y, ny, m, head, `ys[${t}]`));
  return { inputs, targets, a0: start };
}
