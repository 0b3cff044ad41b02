/**
 * The GRU as a hidden-only layer, in PyTorch's form (`torch.nn.GRUCell`), forward and
 * backward side by side. Notation (n_a units, n_x inputs, batch m; columns are batch items):
 *
 * | symbol | meaning | shape |
 * | --- | --- | --- |
 * | `a`, `a'` | hidden state before and after the step | n_a×m |
 * | `r = σ(Wra·a + Wrx·x + br)` | reset gate | n_a×m |
 * | `z = σ(Wza·a + Wzx·x + bz)` | update gate | n_a×m |
 * | `hn = Wna·a + bna` | the recurrent part of the candidate (kept apart: r multiplies it) | n_a×m |
 * | `n = tanh(Wnx·x + bnx + r ⊙ hn)` | candidate | n_a×m |
 * | `a' = (1 − z) ⊙ n + z ⊙ a` | new state | n_a×m |
 *
 * @module
 */
import type { Backend } from "../../kernels/backend.ts";
import { Matrix } from "../../math/matrix.ts";
import { addInput, addInputGrad, preActivation, shapesByName, zeroColumns } from "../layer.ts";
import type { LayerRuntime, RecurrentLayer } from "../layer.ts";
import type { GradSet, Input } from "../types.ts";

/** The parameter names of the GRU layer, in a fixed order. */
export const GRU_LAYER_NAMES: readonly string[] = [
  "Wra",
  "Wrx",
  "br",
  "Wza",
  "Wzx",
  "bz",
  "Wna",
  "Wnx",
  "bna",
  "bnx",
];

/** What one GRU step keeps for its backward step. */
export interface GruStepCache {
  /** The input, n_x×m or m token indices. */
  x: Input;
  /** The state the step started from (reset columns zeroed), n_a×m. */
  aPrev: Matrix;
  /** Reset gate, n_a×m. */
  r: Matrix;
  /** Update gate, n_a×m. */
  z: Matrix;
  /** `Wna·aPrev + bna`, n_a×m. */
  hn: Matrix;
  /** Candidate, n_a×m. */
  n: Matrix;
  /** New state a', n_a×m. */
  a: Matrix;
  /** Per column, 1 where the state was reset to zero at this step; null for none. */
  reset: Uint8Array | null;
}

/**
 * The GRU layer (no head): the core of {@linkcode gruCell} and of a stack's GRU layers.
 *
 * @returns The layer.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { gruLayer } from "./gru_layer.ts";
 * assert(gruLayer().shapes(3, 4).length === 10 && gruLayer().stateRows(4) === 4);
 * ```
 */
export function gruLayer(): RecurrentLayer<GruStepCache> {
  return {
    kind: "gru",
    shapes: (nx, na) => shapesByName(GRU_LAYER_NAMES, nx, na),
    sizesOf: (p) => ({ nx: p.Wrx?.cols, na: p.Wrx?.rows }),
    stateRows: (na) => na,
    stateOf: (cache) => cache.a,
    outputOf: (cache) => cache.a,
    bind: bindGru,
  };
}

function bindGru(k: Backend): LayerRuntime<GruStepCache> {
  // scratch of this runtime only, sized on first use
  let size = -1;
  let pre: Float64Array = new Float64Array(0),
    da = pre,
    diff = pre,
    dzPre = pre,
    dn = pre,
    dnPre = pre,
    dhn = pre,
    dr = pre,
    drPre = pre;
  const scratch = (len: number): void => {
    if (len === size) return;
    size = len;
    [pre, da, diff, dzPre, dn, dnPre, dhn, dr, drPre] = Array.from({ length: 9 }, () => k.alloc(len));
  };
  return {
    allocCache(p, m) {
      const na = p.Wrx.rows, mat = (): Matrix => new Matrix(na, m, k.alloc(na * m));
      return {
        x: new Int32Array(0),
        aPrev: mat(),
        r: mat(),
        z: mat(),
        hn: mat(),
        n: mat(),
        a: mat(),
        reset: null,
      };
    },
    forward(p, x, prev, reset, cache) {
      const na = p.Wrx.rows, nx = p.Wrx.cols, m = prev.cols;
      scratch(na * m);
      const ap = cache.aPrev.data,
        r = cache.r.data,
        z = cache.z.data,
        hn = cache.hn.data,
        n = cache.n.data,
        a = cache.a.data;
      ap.set(prev.data);
      zeroColumns(na, m, reset, ap);
      cache.x = x;
      cache.reset = reset;
      // r = σ(Wra·a + Wrx·x + br)
      preActivation(k, m, p.Wra, p.Wrx, p.br, ap, x, pre);
      k.sigmoid(pre, r);
      // z = σ(Wza·a + Wzx·x + bz)
      preActivation(k, m, p.Wza, p.Wzx, p.bz, ap, x, pre);
      k.sigmoid(pre, z);
      // hn = Wna·a + bna
      k.fillRows(na, m, p.bna.data, hn);
      k.gemm(na, na, m, p.Wna.data, ap, hn);
      // n = tanh(Wnx·x + bnx + r ⊙ hn)
      k.fillRows(na, m, p.bnx.data, pre);
      addInput(k, na, nx, p.Wnx.data, x, pre);
      k.mulAdd(r, hn, pre);
      k.tanh(pre, n);
      // a' = (1 − z) ⊙ n + z ⊙ a = n + z ⊙ (a − n)
      diff.set(ap);
      k.axpy(-1, n, diff);
      a.set(n);
      k.mulAdd(z, diff, a);
    },
    backward(p, cache, dOut, dNext, g: GradSet, dPrev, dx) {
      const na = p.Wrx.rows, nx = p.Wrx.cols, m = cache.a.cols;
      scratch(na * m);
      const ap = cache.aPrev.data, r = cache.r.data, z = cache.z.data, hn = cache.hn.data, n = cache.n.data;
      const x = cache.x;
      // ∂L/∂a' = dOut (head or layer above) + dNext (later steps)
      da.fill(0);
      if (dOut !== null) k.axpy(1, dOut, da);
      if (dNext !== null) k.axpy(1, dNext, da);
      // ∂a'/∂z = a − n, then through σ: dzPre = da ⊙ (a − n) ⊙ z(1 − z)
      diff.set(ap);
      k.axpy(-1, n, diff);
      k.mul(da, diff, diff);
      k.sigmoidBackward(diff, z, dzPre);
      // ∂a'/∂n = 1 − z: dn = da − da ⊙ z
      dn.set(da);
      k.mul(da, z, diff);
      k.axpy(-1, diff, dn);
      // ∂a'/∂a (direct path) = z: daPrev = da ⊙ z
      dPrev.set(diff);
      // d tanh/d pre = 1 − n²
      k.tanhBackward(dn, n, dnPre);
      // dWnx += dnPre·xᵀ ; dbnx += Σ dnPre
      addInputGrad(k, na, nx, dnPre, x, g.dWnx.data);
      k.rowSumsAdd(na, m, dnPre, g.dbnx.data);
      // ∂pre/∂hn = r: dhn = dnPre ⊙ r ; ∂pre/∂r = hn: dr = dnPre ⊙ hn
      k.mul(dnPre, r, dhn);
      k.mul(dnPre, hn, dr);
      // dWna += dhn·aᵀ ; dbna += Σ dhn ; daPrev += Wnaᵀ·dhn
      k.gemmNT(na, na, m, dhn, ap, g.dWna.data);
      k.rowSumsAdd(na, m, dhn, g.dbna.data);
      k.gemmTN(na, na, m, p.Wna.data, dhn, dPrev);
      // dσ/d pre = r(1 − r)
      k.sigmoidBackward(dr, r, drPre);
      // dWra += drPre·aᵀ ; dWrx += drPre·xᵀ ; dbr += Σ drPre ; daPrev += Wraᵀ·drPre
      k.gemmNT(na, na, m, drPre, ap, g.dWra.data);
      addInputGrad(k, na, nx, drPre, x, g.dWrx.data);
      k.rowSumsAdd(na, m, drPre, g.dbr.data);
      k.gemmTN(na, na, m, p.Wra.data, drPre, dPrev);
      // dWza += dzPre·aᵀ ; dWzx += dzPre·xᵀ ; dbz += Σ dzPre ; daPrev += Wzaᵀ·dzPre
      k.gemmNT(na, na, m, dzPre, ap, g.dWza.data);
      addInputGrad(k, na, nx, dzPre, x, g.dWzx.data);
      k.rowSumsAdd(na, m, dzPre, g.dbz.data);
      k.gemmTN(na, na, m, p.Wza.data, dzPre, dPrev);
      // a reset column started from a constant zero state: no gradient crosses it
      zeroColumns(na, m, cache.reset, dPrev);
      if (dx !== null) {
        // ∂L/∂x = Wrxᵀ·drPre + Wzxᵀ·dzPre + Wnxᵀ·dnPre
        dx.fill(0);
        k.gemmTN(na, nx, m, p.Wrx.data, drPre, dx);
        k.gemmTN(na, nx, m, p.Wzx.data, dzPre, dx);
        k.gemmTN(na, nx, m, p.Wnx.data, dnPre, dx);
      }
    },
  };
}
