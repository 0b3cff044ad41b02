/**
 * A shipped gradient checker: centred finite differences against {@linkcode bptt}.
 *
 * @module
 */
import { allocCache, forwardInto, lossOf } from "./rnn/_rnn_math.ts";
import type { Head, Input, Target } from "./rnn/_rnn_math.ts";
import { bptt, checkSequence } from "./bptt.ts";
import { checkHead } from "./checks.ts";
import type { Matrix } from "../math/matrix.ts";
import { checkParams, PARAM_NAMES } from "./rnn/params.ts";
import type { RnnParams } from "./rnn/params.ts";

/** Options for {@linkcode gradCheck}. */
export interface GradCheckOptions {
  /** The initial hidden state, n_a×m. @default {zeros} */
  a0?: Matrix;
  /** Output head. @default {"softmax"} */
  head?: Head;
  /** The finite-difference step h in (L(θ+h) − L(θ−h)) / 2h. @default {1e-5} */
  epsilon?: number;
}

/** Per-quantity comparison of analytic and numerical gradients. */
export interface GradCheckEntry {
  /**
   * The largest element-wise gap, relative to the gradient's own scale:
   * `max_k |analytic_k − numeric_k| / max(max_k |analytic_k|, max_k |numeric_k|)`
   * (0 when both are all zero).
   */
  relError: number;
  /** `max_k |analytic_k − numeric_k|`. */
  absError: number;
  /** The analytic gradient, flat (row-major). */
  analytic: Float64Array;
  /** The finite-difference gradient, flat (row-major). */
  numeric: Float64Array;
}

/** The result of {@linkcode gradCheck}: one entry per parameter and for a0. */
export interface GradCheckResult {
  /** Entries for `Wax`, `Waa`, `ba`, `Wya`, `by` and `a0`. */
  entries: Record<"Wax" | "Waa" | "ba" | "Wya" | "by" | "a0", GradCheckEntry>;
  /** The largest `relError` over all entries. */
  maxRelError: number;
}

/**
 * Compares the analytic gradients of {@linkcode bptt} with centred finite differences
 * of the sequence loss, for every element of every parameter and of a0 (in the spirit
 * of PyTorch's `torch.autograd.gradcheck`). Costs 2 forward passes per element.
 *
 * @param params The parameters (left unchanged: each element is restored after probing).
 * @param xs The inputs, one per step.
 * @param ys The targets, one per step.
 * @param options a0, head and the step `epsilon`.
 * @returns The largest relative error per parameter, with both gradients.
 * @throws {RangeError} On invalid input (as {@linkcode bptt}) or a non-positive epsilon.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { gradCheck, initParams } from "../../mod.ts";
 * const params = initParams({ nx: 3, na: 4, ny: 3 }, { seed: 2 });
 * const { maxRelError } = gradCheck(params, [[0], [2]], [[1], [0]]);
 * assert(maxRelError < 1e-6);
 * ```
 */
export function gradCheck(
  params: RnnParams,
  xs: readonly (Input | readonly number[])[],
  ys: readonly (Target | readonly number[])[],
  options: GradCheckOptions = {},
): GradCheckResult {
  const { head = "softmax", epsilon = 1e-5 } = options;
  checkHead("gradCheck", head);
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) {
    throw new RangeError(
      `Cannot gradCheck as 'epsilon' must be a finite number > 0: current value is ${epsilon}`,
    );
  }
  const { nx, na, ny } = checkParams(params);
  const { inputs, targets, a0 } = checkSequence(xs, ys, nx, na, ny, options.a0, head);
  const exact = bptt(params, inputs, targets, { a0, head });
  const lossAt = (): number => sequenceLoss(params, inputs, targets, a0, head);
  const probe = (values: Float64Array): Float64Array => {
    const out = new Float64Array(values.length);
    for (let k = 0; k < values.length; k++) {
      const saved = values[k];
      values[k] = saved + epsilon;
      const up = lossAt();
      values[k] = saved - epsilon;
      const down = lossAt();
      values[k] = saved;
      out[k] = (up - down) / (2 * epsilon);
    }
    return out;
  };
  const entries = {} as GradCheckResult["entries"];
  for (const name of PARAM_NAMES) {
    entries[name] = compare(exact.grads[`d${name}`].data, probe(params[name].data));
  }
  entries.a0 = compare(exact.da0.data, probe(a0.data));
  const maxRelError = Math.max(...Object.values(entries).map((e) => e.relError));
  return { entries, maxRelError };
}

function sequenceLoss(p: RnnParams, xs: Input[], ys: Target[], a0: Matrix, head: Head): number {
  const na = p.Waa.rows, ny = p.Wya.rows, m = a0.cols;
  let cache = allocCache(na, ny, m), spare = allocCache(na, ny, m);
  let a = a0, loss = 0;
  for (let t = 0; t < xs.length; t++) {
    forwardInto(p, xs[t], a, null, cache, head);
    loss += lossOf(cache, ys[t], head);
    a = cache.a;
    [cache, spare] = [spare, cache];
  }
  return loss;
}

function compare(analytic: Float64Array, numeric: Float64Array): GradCheckEntry {
  let absError = 0, scale = 0;
  for (let k = 0; k < analytic.length; k++) {
    absError = Math.max(absError, Math.abs(analytic[k] - numeric[k]));
    scale = Math.max(scale, Math.abs(analytic[k]), Math.abs(numeric[k]));
  }
  return { relError: scale === 0 ? 0 : absError / scale, absError, analytic: analytic.slice(), numeric };
}
