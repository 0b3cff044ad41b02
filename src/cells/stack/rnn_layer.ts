/**
 * The vanilla tanh RNN as a hidden-only layer, for stacks: `a' = tanh(Waa·a + Wax·x + ba)`
 * (the document's cell without its head), forward and backward side by side.
 *
 * @module
 */
import type { Backend } from "../../kernels/backend.ts";
import { Matrix } from "../../math/matrix.ts";
import { addInput, addInputGrad, shapesByName, zeroColumns } from "../layer.ts";
import type { LayerRuntime, RecurrentLayer } from "../layer.ts";
import type { Input } from "../types.ts";

/** What one step of the tanh layer keeps for its backward step. */
export interface RnnLayerCache {
  /** The input, n_x×m or m token indices. */
  x: Input;
  /** The state the step started from (reset columns zeroed), n_a×m. */
  aPrev: Matrix;
  /** New state a', n_a×m. */
  a: Matrix;
  /** Per column, 1 where the state was reset to zero at this step; null for none. */
  reset: Uint8Array | null;
}

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
      const na = p.Wax.rows, nx = p.Wax.cols, m = prev.cols;
      const ap = cache.aPrev.data;
      if (z.length !== na * m) z = k.alloc(na * m);
      ap.set(prev.data);
      zeroColumns(na, m, reset, ap);
      cache.x = x;
      cache.reset = reset;
      // z = Waa·a + Wax·x + ba
      k.fillRows(na, m, p.ba.data, z);
      k.gemm(na, na, m, p.Waa.data, ap, z);
      addInput(k, na, nx, p.Wax.data, x, z);
      // a' = tanh(z)
      k.tanh(z, cache.a.data);
    },
    backward(p, cache, dOut, dNext, g, dPrev, dx) {
      const na = p.Wax.rows, nx = p.Wax.cols, m = cache.a.cols;
      if (dz.length !== na * m) dz = k.alloc(na * m);
      // ∂L/∂a' = dOut + dNext, kept in dPrev until it is overwritten below
      dPrev.fill(0);
      if (dOut !== null) k.axpy(1, dOut, dPrev);
      if (dNext !== null) k.axpy(1, dNext, dPrev);
      // d tanh(z)/dz = 1 − a'²
      k.tanhBackward(dPrev, cache.a.data, dz);
      // dWax += dz·xᵀ ; dWaa += dz·aᵀ ; dba += Σ dz
      addInputGrad(k, na, nx, dz, cache.x, g.dWax.data);
      k.gemmNT(na, na, m, dz, cache.aPrev.data, g.dWaa.data);
      k.rowSumsAdd(na, m, dz, g.dba.data);
      // daPrev = Waaᵀ·dz ; dx = Waxᵀ·dz
      dPrev.fill(0);
      k.gemmTN(na, na, m, p.Waa.data, dz, dPrev);
      zeroColumns(na, m, cache.reset, dPrev);
      if (dx !== null) {
        dx.fill(0);
        k.gemmTN(na, nx, m, p.Wax.data, dz, dx);
      }
    },
  };
}
