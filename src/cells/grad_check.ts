/**
 * A shipped gradient checker: centred finite differences against {@linkcode bptt}.
 *
 * @module
 */
import { createJsBackend } from "../kernels/js_backend.ts";
import type { Matrix } from "../math/matrix.ts";
import { bptt, checkSequence, initialState } from "./bptt.ts";
import { checkHead } from "./checks.ts";
import type { CellRuntime, RecurrentCell } from "./recurrent_cell.ts";
import type { RnnGrads, RnnParams } from "./rnn/params.ts";
import { rnnCell } from "./rnn/rnn_cell.ts";
import type { GradSet, Head, Input, ParamSet, Target } from "./types.ts";

/** Options for {@linkcode gradCheck}. */
export interface GradCheckOptions<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = unknown> {
  /** The initial state (the cell's whole state; n_a×m for the RNN). @default {zeros} */
  a0?: Matrix;
  /** The LSTM's initial cell state c, n_a×m (see {@linkcode bptt}). @default {zeros} */
  c0?: Matrix;
  /** Output head of the default cell. @default {"softmax"} */
  head?: Head;
  /** The cell. @default {rnnCell({ head })} */
  cell?: RecurrentCell<P, G, C>;
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
  /** One entry per parameter name (`Wax`, `Waa`, `ba`, `Wya`, `by` for the RNN), `a0` (the initial state) and, for the LSTM, `c0`. */
  entries: Record<string, GradCheckEntry>;
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
export function gradCheck<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = unknown>(
  params: P,
  xs: readonly (Input | readonly number[])[],
  ys: readonly (Target | readonly number[])[],
  options: GradCheckOptions<P, G, C> = {},
): GradCheckResult {
  const { head = "softmax", epsilon = 1e-5 } = options;
  checkHead("gradCheck", head);
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) {
    throw new RangeError(
      `Cannot gradCheck as 'epsilon' must be a finite number > 0: current value is ${epsilon}`,
    );
  }
  const cell = options.cell ?? (rnnCell({ head }) as unknown as RecurrentCell<P, G, C>);
  const { state } = cell.sizes(params);
  const start = initialState(cell, state, options.a0, options.c0);
  const { inputs, targets, a0 } = checkSequence(xs, ys, cell, params, state, start);
  const exact = bptt(params, inputs, targets, { a0: options.a0, c0: options.c0, cell });
  const runtime = cell.bind(createJsBackend());
  const lossAt = (): number => sequenceLoss(cell, runtime, params, inputs, targets, a0);
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
  const entries: GradCheckResult["entries"] = {};
  for (const name of cell.paramNames(params)) {
    entries[name] = compare(exact.grads[`d${name}`].data, probe(params[name].data));
  }
  const dState = probe(a0.data);
  if (exact.dc0 !== undefined) {
    // the LSTM's state is [a; c]: one entry per part
    entries.a0 = compare(exact.da0.data, dState.slice(0, exact.da0.data.length));
    entries.c0 = compare(exact.dc0.data, dState.slice(exact.da0.data.length));
  } else entries.a0 = compare(exact.da0.data, dState);
  const maxRelError = Math.max(...Object.values(entries).map((e) => e.relError));
  return { entries, maxRelError };
}

function sequenceLoss<P extends ParamSet, G extends GradSet, C>(
  cell: RecurrentCell<P, G, C>,
  runtime: CellRuntime<P, G, C>,
  p: P,
  xs: Input[],
  ys: Target[],
  a0: Matrix,
): number {
  const m = a0.cols;
  let cache = runtime.allocCache(p, m), spare = runtime.allocCache(p, m);
  let a = a0, loss = 0;
  for (let t = 0; t < xs.length; t++) {
    runtime.forward(p, xs[t], a, null, cache);
    loss += runtime.loss(cache, ys[t]);
    a = cell.stateOf(cache);
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
