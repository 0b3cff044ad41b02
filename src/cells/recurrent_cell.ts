/**
 * The seam between the stream operators and the math: a recurrent cell is a forward
 * step that fills a cache and a backward step that takes `daNext` and writes `daPrev`.
 * The operators only speak this interface, so LSTM or GRU cells can plug in later.
 *
 * @module
 */
import { allocCache, allocWork, backwardInto, forwardInto, lossOf } from "./rnn/_rnn_math.ts";
import type { BackwardWork, Head, Input, StepCache, Target } from "./rnn/_rnn_math.ts";
import { checkInput, checkTarget } from "./checks.ts";
import type { Matrix } from "../math/matrix.ts";
import { checkParams, PARAM_NAMES, zeroGrads } from "./rnn/params.ts";
import type { RnnGrads, RnnParams } from "./rnn/params.ts";

/** One trainable tensor with its gradient, as an optimizer sees it. */
export interface ParamSlot {
  /** A stable name, used for optimizer state (e.g. `"Wax"`). */
  name: string;
  /** The values, updated in place. */
  value: Float64Array;
  /** The gradient of the same length. */
  grad: Float64Array;
}

/** What a step cache must expose to the operators: the new hidden state. */
export interface HiddenCache {
  /** The hidden state after the step, n_a×m. */
  a: Matrix;
}

/**
 * A recurrent cell, as the stream operators use it.
 *
 * @typeParam P The parameters.
 * @typeParam G The gradients.
 * @typeParam C The per-step cache.
 */
export interface RecurrentCell<P, G, C extends HiddenCache> {
  /** Checks the parameters once; returns the hidden size n_a and the input/output sizes. */
  sizes(params: P): { nx: number; na: number; ny: number };
  /** Canonical input for batch m, or throws a RangeError/TypeError naming the value. */
  input(x: unknown, params: P, m: number): Input;
  /** Canonical target for batch m, or throws a RangeError/TypeError naming the value. */
  target(y: unknown, params: P, m: number): Target;
  /** A fresh cache for batch m. */
  allocCache(params: P, m: number): C;
  /** Forward step into `cache` (reset columns start from zero). */
  forward(params: P, x: Input, aPrev: Matrix, reset: Uint8Array | null, cache: C): void;
  /** The step's loss against `y`. */
  loss(cache: C, y: Target): number;
  /** Backward step: adds into `grads`, overwrites `daPrev`; `y` null = no loss at this step. */
  backward(
    params: P,
    cache: C,
    y: Target | null,
    daNext: Float64Array | null,
    grads: G,
    daPrev: Float64Array,
  ): void;
  /** Zero gradients shaped like `params`. */
  zeroGrads(params: P): G;
  /** The trainable tensors paired with their gradients, in a fixed order. */
  slots(params: P, grads: G): ParamSlot[];
}

/**
 * The document's vanilla RNN cell with a softmax (cross-entropy) or linear (squared error) head.
 *
 * @param head The output head.
 * @returns The cell.
 * @throws {RangeError} When the head is unknown.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { initParams, rnnCell } from "../../mod.ts";
 * const cell = rnnCell("softmax");
 * assert(cell.sizes(initParams({ nx: 3, na: 4, ny: 3 })).na === 4);
 * ```
 */
export function rnnCell(head: Head = "softmax"): RecurrentCell<RnnParams, RnnGrads, StepCache> {
  if (head !== "softmax" && head !== "linear") {
    throw new RangeError(
      `Cannot create rnnCell() as 'head' must be "softmax" or "linear": current value is ${head}`,
    );
  }
  // Backward scratch, reused across steps (the math is synchronous); sized on first use.
  let work = allocWork(1, 1, 1);
  const workFor = (cache: StepCache): BackwardWork => {
    if (work.da.length !== cache.a.data.length || work.dz2.length !== cache.z2.data.length) {
      work = allocWork(cache.a.rows, cache.z2.rows, cache.a.cols);
    }
    return work;
  };
  return {
    sizes: (params) => checkParams(params),
    input: (x, params, m) => checkInput(x, params.Wax.cols, m),
    target: (y, params, m) => checkTarget(y, params.Wya.rows, m, head),
    allocCache: (params, m) => allocCache(params.Waa.rows, params.Wya.rows, m),
    forward: (params, x, aPrev, reset, cache) => forwardInto(params, x, aPrev, reset, cache, head),
    loss: (cache, y) => lossOf(cache, y, head),
    backward: (params, cache, y, daNext, grads, daPrev) =>
      backwardInto(params, cache, y, daNext, grads, workFor(cache), daPrev, head),
    zeroGrads,
    slots: (params, grads) =>
      PARAM_NAMES.map((name) => ({ name, value: params[name].data, grad: grads[`d${name}`].data })),
  };
}
