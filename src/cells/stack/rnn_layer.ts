/**
 * The vanilla tanh RNN as a hidden-only layer, for stacks: `a' = tanh(Waa·a + Wax·x + ba)`
 * (the document's cell without its head), forward and backward side by side.
 *
 * @module
 */
import type { Backend } from "../../kernels/backend.ts";
import { Matrix } from "../../math/matrix.ts";
import { shapesByName } from "../layer.ts";
import type { LayerRuntime, RecurrentLayer } from "../layer.ts";
import { tanhStepBackward, tanhStepForward } from "../rnn/tanh_step.ts";
import type { TanhStepCache } from "../rnn/tanh_step.ts";

/** What one step of the tanh layer keeps for its backward step. */
export type RnnLayerCache = TanhStepCache;

/**
 * The tanh RNN layer `{ Wax, Waa, ba }` (no head).
 *
 * @returns The layer.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { rnnLayer } from "./rnn_layer.ts";
 * assert(rnnLayer().shapes(3, 4).map((s) => s.name).join() === "Wax,Waa,ba");
 * ```
 */
export function rnnLayer(): RecurrentLayer<RnnLayerCache> {
  return {
    kind: "rnn",
    shapes: (nx, na) => shapesByName(["Wax", "Waa", "ba"], nx, na),
    sizesOf: (p) => ({ nx: p.Wax?.cols, na: p.Wax?.rows }),
    stateRows: (na) => na,
    stateOf: (cache) => cache.a,
    outputOf: (cache) => cache.a,
    bind: bindRnnLayer,
  };
}

function bindRnnLayer(k: Backend): LayerRuntime<RnnLayerCache> {
  // scratch of this runtime only, sized on first use
  let dz: Float64Array = new Float64Array(0), z: Float64Array = dz;
  return {
    allocCache(p, m) {
      const na = p.Wax.rows;
      return {
        x: new Int32Array(0),
        aPrev: new Matrix(na, m, k.alloc(na * m)),
        a: new Matrix(na, m, k.alloc(na * m)),
        reset: null,
      };
    },
    forward(p, x, prev, reset, cache) {
      const n = p.Wax.rows * prev.cols;
      if (z.length !== n) z = k.alloc(n);
      // a' = tanh(Waa·a + Wax·x + ba)
      tanhStepForward(p, x, prev, reset, cache, z, k);
    },
    backward(p, cache, dOut, dNext, g, dPrev, dx) {
      const n = p.Wax.rows * cache.a.cols;
      if (dz.length !== n) dz = k.alloc(n);
      // ∂L/∂a' = dOut + dNext, kept in dPrev until it is overwritten
      dPrev.fill(0);
      if (dOut !== null) k.axpy(1, dOut, dPrev);
      if (dNext !== null) k.axpy(1, dNext, dPrev);
      // dz = ∂L/∂a' ⊙ (1 − a'²); dWax, dWaa, dba; daPrev = Waaᵀ·dz; dx = Waxᵀ·dz
      tanhStepBackward(p, cache, dPrev, dz, g, dPrev, dx, k);
    },
  };
}
