/**
 * The document's vanilla RNN as a {@linkcode RecurrentCell}: its state is `a` (n_a×m).
 *
 * @module
 */
import type { Backend } from "../../kernels/backend.ts";
import { allocCache, allocWork, backwardInto, forwardInto, lossOf } from "./_rnn_math.ts";
import type { BackwardWork, StepCache } from "./_rnn_math.ts";
import { checkHead, checkInput, checkTarget } from "../checks.ts";
import { checkParams, initParams, PARAM_NAMES, zeroGrads } from "./params.ts";
import type { RnnGrads, RnnParams } from "./params.ts";
import type { CellRuntime, RecurrentCell } from "../recurrent_cell.ts";
import type { Head } from "../types.ts";

/** Options for {@linkcode rnnCell}. */
export interface RnnCellOptions {
  /** The output head: softmax with cross-entropy, or linear with squared error. @default {"softmax"} */
  head?: Head;
}

/**
 * The document's vanilla RNN cell: `z1 = Waa·a_prev + Wax·x + ba`, `a = tanh(z1)`,
 * `z2 = Wya·a + by`, `ŷ = softmax(z2)` (or `ŷ = z2` for the linear head).
 *
 * @param options The head, as an options object or (for compatibility) the head itself.
 * @returns The cell.
 * @throws {RangeError} When the head is unknown.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { rnnCell } from "./rnn_cell.ts";
 * const cell = rnnCell({ head: "softmax" });
 * const params = cell.init({ nx: 3, na: 4, ny: 3 }, { seed: 1 });
 * assert(cell.sizes(params).state === 4 && cell.spec().kind === "rnn");
 * ```
 */
export function rnnCell(options: RnnCellOptions | Head = {}): RecurrentCell<RnnParams, RnnGrads, StepCache> {
  const head = checkHead(
    "create rnnCell()",
    typeof options === "string" ? options : options?.head ?? "softmax",
  );
  return {
    kind: "rnn",
    head,
    spec: () => ({ kind: "rnn", head }),
    paramNames: () => [...PARAM_NAMES],
    sizes(params) {
      const { nx, na, ny } = checkParams(params);
      return { nx, na, ny, state: na };
    },
    init: (sizes, init = {}) => initParams(sizes, init),
    input: (x, params, m) => checkInput(x, params.Wax.cols, m),
    target: (y, params, m) => checkTarget(y, params.Wya.rows, m, head),
    zeroGrads,
    slots: (params, grads) =>
      PARAM_NAMES.map((name) => ({ name, value: params[name].data, grad: grads[`d${name}`].data })),
    stateOf: (cache) => cache.a,
    outputOf: (cache) => cache.yHat,
    logitsOf: (cache) => cache.z2,
    bind: (backend) => bindRnn(backend, head),
  };
}

function bindRnn(backend: Backend, head: Head): CellRuntime<RnnParams, RnnGrads, StepCache> {
  // backward scratch of this runtime only, sized on first use
  let work: BackwardWork | null = null;
  const workFor = (cache: StepCache): BackwardWork => {
    if (work === null || work.da.length !== cache.a.data.length || work.dz2.length !== cache.z2.data.length) {
      work = allocWork(cache.a.rows, cache.z2.rows, cache.a.cols, backend);
    }
    return work;
  };
  return {
    backend,
    allocCache: (params, m) => allocCache(params.Waa.rows, params.Wya.rows, m, backend),
    forward: (params, x, aPrev, reset, cache) => forwardInto(params, x, aPrev, reset, cache, head, backend),
    loss: (cache, y) => lossOf(cache, y, head),
    backward: (params, cache, y, daNext, grads, daPrev) =>
      backwardInto(params, cache, y, daNext, grads, workFor(cache), daPrev, head, backend),
  };
}
