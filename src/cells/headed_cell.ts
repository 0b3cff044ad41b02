/**
 * A {@linkcode RecurrentCell} made of a hidden-only {@linkcode RecurrentLayer} and the
 * output head `z2 = Wya·a + by` (softmax or linear): how the GRU, the LSTM and the stacks
 * become cells without repeating the head, the checks and the bookkeeping.
 *
 * @module
 */
import type { Backend } from "../kernels/backend.ts";
import type { Matrix } from "../math/matrix.ts";
import { describe } from "../math/matrix.ts";
import { Random } from "../math/random.ts";
import { checkHead, checkInput, checkTarget } from "./checks.ts";
import { allocHead, headBackward, headForward, headLoss } from "./head.ts";
import type { HeadCache } from "./head.ts";
import { checkLayerParams, initLayerParams, zeroGradsOf } from "./layer.ts";
import type { LayerShape, RecurrentLayer } from "./layer.ts";
import type { CellRuntime, CellSpec, RecurrentCell } from "./recurrent_cell.ts";
import type { GradSet, ParamSet } from "./types.ts";

/** The per-step cache of a headed cell: the layer's and the head's. */
export interface HeadedCache<C = unknown> {
  /** The layer's cache. */
  layer: C;
  /** The head's cache. */
  head: HeadCache;
}

/**
 * Puts the output head on a layer: parameters are the layer's followed by `Wya` (n_y×n_a)
 * and `by` (n_y×1), gradients `"d" + name`, the state is the layer's.
 *
 * @typeParam P The parameters.
 * @typeParam G The gradients.
 * @typeParam C The layer's per-step cache.
 * @param layer The hidden-only layer.
 * @param spec The plain-data description that rebuilds the cell (its `kind` and `head` are used).
 * @returns The cell.
 * @throws {RangeError} When the head is unknown.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { gruLayer } from "./gru/gru_layer.ts";
 * import { headedCell } from "./headed_cell.ts";
 * const cell = headedCell(gruLayer(), { kind: "gru", head: "softmax" });
 * assert(cell.sizes(cell.init({ nx: 3, na: 4, ny: 3 })).state === 4);
 * ```
 */
export function headedCell<P extends ParamSet = ParamSet, G extends GradSet = GradSet, C = unknown>(
  layer: RecurrentLayer<C>,
  spec: CellSpec,
): RecurrentCell<P, G, HeadedCache<C>> {
  const head = checkHead(`create ${spec.kind} cell`, spec.head);
  const frozen = structuredClone(spec);
  const shapesOf = (nx: number, na: number, ny: number): LayerShape[] => [
    ...layer.shapes(nx, na),
    { name: "Wya", rows: ny, cols: na, bias: false },
    { name: "by", rows: ny, cols: 1, bias: true },
  ];
  const names = (params: ParamSet): string[] => {
    const { nx, na } = layer.sizesOf(params);
    return shapesOf(nx, na, params.Wya?.rows ?? 1).map((s) => s.name);
  };
  return {
    kind: spec.kind,
    head,
    spec: () => structuredClone(frozen),
    paramNames: names,
    sizes(params) {
      if (params === null || typeof params !== "object") {
        throw new TypeError(`'params' must be an object of named matrices: got ${describe(params)}`);
      }
      const { nx, na } = layer.sizesOf(params);
      const ny = params.Wya?.rows;
      checkLayerParams(params, shapesOf(nx, na, ny));
      return { nx, na, ny, state: layer.stateRows(na) };
    },
    init({ nx, na, ny }, { init = "xavier", seed = 0 } = {}) {
      for (const [key, v] of [["nx", nx], ["na", na], ["ny", ny]] as const) {
        if (!Number.isInteger(v) || v < 1) {
          throw new RangeError(
            `Cannot init ${spec.kind} cell as '${key}' must be an integer >= 1: current value is ${v}`,
          );
        }
      }
      return initLayerParams(shapesOf(nx, na, ny), new Random(seed), init) as P;
    },
    input: (x, params, m) => checkInput(x, layer.sizesOf(params).nx, m),
    target: (y, params, m) => checkTarget(y, params.Wya.rows, m, head),
    zeroGrads: (params) => zeroGradsOf(params, names(params)) as G,
    slots: (params, grads) =>
      names(params).map((name) => ({ name, value: params[name].data, grad: grads[`d${name}`].data })),
    stateOf: (cache) => layer.stateOf(cache.layer),
    outputOf: (cache) => cache.head.yHat,
    logitsOf: (cache) => cache.head.z2,
    bind: (backend) => bindHeaded<P, G, C>(layer, head, backend),
  };
}

function bindHeaded<P extends ParamSet, G extends GradSet, C>(
  layer: RecurrentLayer<C>,
  head: "softmax" | "linear",
  k: Backend,
): CellRuntime<P, G, HeadedCache<C>> {
  const inner = layer.bind(k);
  // backward scratch of this runtime only, sized on first use
  let dz2: Float64Array = new Float64Array(0), da: Float64Array = new Float64Array(0);
  return {
    backend: k,
    allocCache: (params, m) => ({
      layer: inner.allocCache(params, m),
      head: allocHead(params.Wya.rows, m, k),
    }),
    forward(params, x, statePrev, reset, cache) {
      inner.forward(params, x, statePrev, reset, cache.layer);
      headForward(params.Wya, params.by, layer.outputOf(cache.layer).data, cache.head, head, k);
    },
    loss: (cache, y) => headLoss(cache.head, y, head),
    backward(params, cache, y, dNext, grads, dPrev) {
      const a: Matrix = layer.outputOf(cache.layer);
      let dOut: Float64Array | null = null;
      if (y !== null) {
        if (dz2.length !== cache.head.z2.data.length) dz2 = k.alloc(cache.head.z2.data.length);
        if (da.length !== a.data.length) da = k.alloc(a.data.length);
        // the head's part of ∂L/∂a alone: the layer adds dNext to it
        da.fill(0);
        headBackward(params.Wya, a.data, cache.head, y, head, grads.dWya, grads.dby, dz2, da, k);
        dOut = da;
      }
      inner.backward(params, cache.layer, dOut, dNext, grads, dPrev, null);
    },
  };
}
