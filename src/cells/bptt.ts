/**
 * Backpropagation through time over a whole sequence.
 *
 * @module
 */
import { createBackend, DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import type { BackendChoice } from "../kernels/create_backend.ts";
import { assertFinite, assertShape, describe, Matrix } from "../math/matrix.ts";
import { checkHead } from "./checks.ts";
import type { RecurrentCell } from "./recurrent_cell.ts";
import type { RnnGrads, RnnParams } from "./rnn/params.ts";
import { rnnCell } from "./rnn/rnn_cell.ts";
import type { GradSet, Head, Input, ParamSet, Target } from "./types.ts";

/** Options for {@linkcode bptt}. */
export interface BpttOptions<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = unknown> {
  /** The initial state (the cell's whole state, `sizes.state`×m; n_a×m for the RNN; the `a` part for the LSTM). @default {zeros} */
  a0?: Matrix;
  /** The LSTM's initial cell state c, n_a×m (with `a0`, it makes the state `[a0; c0]`). @default {zeros} */
  c0?: Matrix;
  /** Output head of the default cell. @default {"softmax"} */
  head?: Head;
  /** The cell. @default {rnnCell({ head })} */
  cell?: RecurrentCell<P, G, C>;
  /** The kernel backend (a name or an instance). @default {"wasm-f64"} */
  backend?: BackendChoice;
}

/** The result of {@linkcode bptt}. */
export interface BpttResult<G extends GradSet = RnnGrads> {
  /** Σ over steps and columns of the step loss (−Σ y·log ŷ for the softmax head). */
  loss: number;
  /** The last state (a_T for the RNN), `sizes.state`×m; for the LSTM its `a` part, n_a×m. */
  aLast: Matrix;
  /** The LSTM's last cell state c_T, n_a×m (undefined for other cells). */
  cLast?: Matrix;
  /** ŷ_t for every step, n_y×m each. */
  yHats: Matrix[];
  /** ∂loss/∂parameters. */
  grads: G;
  /** ∂loss/∂(initial state), `sizes.state`×m; for the LSTM ∂loss/∂a0, n_a×m. */
  da0: Matrix;
  /** The LSTM's ∂loss/∂c0, n_a×m (undefined for other cells). */
  dc0?: Matrix;
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
export function bptt<P extends ParamSet = RnnParams, G extends GradSet = RnnGrads, C = unknown>(
  params: P,
  xs: readonly (Input | readonly number[])[],
  ys: readonly (Target | readonly number[])[],
  options: BpttOptions<P, G, C> = {},
): BpttResult<G> {
  const { head = "softmax" } = options;
  checkHead("bptt", head);
  const cell = options.cell ?? (rnnCell({ head }) as unknown as RecurrentCell<P, G, C>);
  const runtime = cell.bind(createBackend(options.backend ?? DEFAULT_BACKEND, "bptt()"));
  const { state } = cell.sizes(params);
  const start = initialState(cell, state, options.a0, options.c0);
  const { inputs, targets, a0 } = checkSequence(xs, ys, cell, params, state, start);
  const m = a0.cols;
  const T = inputs.length;
  const caches: C[] = [];
  let a = a0;
  let loss = 0;
  for (let t = 0; t < T; t++) {
    const cache = runtime.allocCache(params, m);
    runtime.forward(params, inputs[t], a, null, cache);
    loss += runtime.loss(cache, targets[t]);
    caches.push(cache);
    a = cell.stateOf(cache);
  }
  const grads = cell.zeroGrads(params);
  let daNext = new Float64Array(state * m), daPrev = new Float64Array(state * m);
  for (let t = T - 1; t >= 0; t--) {
    runtime.backward(params, caches[t], targets[t], daNext, grads, daPrev);
    [daNext, daPrev] = [daPrev, daNext];
  }
  const yHats = caches.map((c) => cell.outputOf(c).clone());
  if (cell.kind === "lstm") {
    // the LSTM's state is [a; c]: report the parts
    const n = (state / 2) * m, rows = state / 2;
    return {
      loss,
      aLast: new Matrix(rows, m, a.data.slice(0, n)),
      cLast: new Matrix(rows, m, a.data.slice(n)),
      yHats,
      grads,
      da0: new Matrix(rows, m, daNext.slice(0, n)),
      dc0: new Matrix(rows, m, daNext.slice(n)),
    };
  }
  return { loss, aLast: a.clone(), yHats, grads, da0: new Matrix(state, m, daNext) };
}

/**
 * The whole initial state from the options: `a0` as given, or for the LSTM `[a0; c0]` from
 * its two n_a×m parts (a missing part is zeros); undefined when neither is given.
 *
 * @typeParam P The parameters.
 * @typeParam G The gradients.
 * @typeParam C The cell's step cache.
 * @param cell The cell.
 * @param state Rows of the cell's state.
 * @param a0 The initial state (the `a` part for the LSTM).
 * @param c0 The LSTM's initial cell state.
 * @returns The whole initial state, or undefined for zeros.
 * @throws {TypeError} When `c0` is given for a cell other than the LSTM.
 * @throws {RangeError} When a part has the wrong shape or a non-finite value.
 */
export function initialState<P extends ParamSet, G extends GradSet, C>(
  cell: RecurrentCell<P, G, C>,
  state: number,
  a0: Matrix | undefined,
  c0: Matrix | undefined,
): Matrix | undefined {
  if (cell.kind !== "lstm") {
    if (c0 !== undefined) {
      throw new TypeError(`'c0' is only for the LSTM: the cell is of kind "${cell.kind}"`);
    }
    return a0;
  }
  if (a0 === undefined && c0 === undefined) return undefined;
  const rows = state / 2;
  const m = (a0 ?? c0)?.cols;
  if (a0 !== undefined) {
    assertShape("a0", a0, rows, m as number);
    assertFinite("a0", a0);
  }
  if (c0 !== undefined) {
    assertShape("c0", c0, rows, m as number);
    assertFinite("c0", c0);
  }
  const out = new Matrix(state, m as number);
  if (a0 !== undefined) out.data.set(a0.data, 0);
  if (c0 !== undefined) out.data.set(c0.data, rows * (m as number));
  return out;
}

/** Validates a whole sequence once; returns canonical inputs, targets and a0. */
export function checkSequence<P extends ParamSet, G extends GradSet, C>(
  xs: readonly unknown[],
  ys: readonly unknown[],
  cell: RecurrentCell<P, G, C>,
  params: P,
  na: number,
  a0: Matrix | undefined,
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
  const at = (what: string, check: () => Input | Target): Input | Target => {
    try {
      return check();
    } catch (e) {
      const error = e as Error;
      const Kind = error instanceof TypeError ? TypeError : RangeError;
      // the cell names the value 'x' or 'y': name the step instead
      throw new Kind(error.message.replace(/^'[xy]([[']|$)/, `'${what}$1`));
    }
  };
  const inputs = xs.map((x, t) => at(`xs[${t}]`, () => cell.input(x, params, m)));
  const targets = ys.map((y, t) => at(`ys[${t}]`, () => cell.target(y, params, m)));
  return { inputs, targets, a0: start };
}
