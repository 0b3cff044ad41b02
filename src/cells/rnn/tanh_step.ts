/**
 * The document's hidden step without its head, `a = tanh(Waa·aPrev + Wax·x + ba)`, forward
 * and backward side by side: the core of the vanilla cell (with the head around it) and of a
 * stack's tanh layer. No input checks and no allocation: callers validate once and pass every
 * buffer in.
 *
 * @module
 */
import type { Backend } from "../../kernels/backend.ts";
import type { Matrix } from "../../math/matrix.ts";
import { addInputGrad, preActivation, zeroColumns } from "../layer.ts";
import type { GradSet, Input, ParamSet } from "../types.ts";

/** What one tanh step keeps for its backward step. */
export interface TanhStepCache {
  /** The input, n_x×m or m token indices (stored by reference). */
  x: Input;
  /** The state the step started from (reset columns zeroed), n_a×m. */
  aPrev: Matrix;
  /** New state `a = tanh(z)`, n_a×m. */
  a: Matrix;
  /** Per column, 1 where the state was reset to zero at this step; null for none. */
  reset: Uint8Array | null;
}

/**
 * Forward: `aPrev` is `prev` with the reset columns zeroed, `z = Waa·aPrev + Wax·x + ba`,
 * `a = tanh(z)`, all into `cache` (and `z`).
 *
 * @param p The parameters: `Wax` (n_a×n_x), `Waa` (n_a×n_a), `ba` (n_a×1), and any others.
 * @param x The input, n_x×m or m token indices.
 * @param prev The previous state, n_a×m.
 * @param reset Per column, 1 to start it from zero; null for none.
 * @param cache Where the step is kept.
 * @param z The pre-activation, n_a×m (overwritten).
 * @param k The backend.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createJsBackend } from "../../kernels/js_backend.ts";
 * import { Matrix } from "../../math/matrix.ts";
 * import { tanhStepForward } from "./tanh_step.ts";
 * // n_x = 2 tokens, n_a = 1, m = 2 columns; column 1 is reset
 * const p = { Wax: new Matrix(1, 2, new Float64Array([0.5, 1])), Waa: new Matrix(1, 1, new Float64Array([2])), ba: new Matrix(1, 1) };
 * const cache = { x: new Int32Array(0), aPrev: new Matrix(1, 2), a: new Matrix(1, 2), reset: null };
 * const z = new Float64Array(2);
 * tanhStepForward(p, Int32Array.of(0, 1), new Matrix(1, 2, new Float64Array([1, 1])), Uint8Array.of(0, 1), cache, z, createJsBackend());
 * assertEquals(Array.from(z), [2.5, 1]);
 * assertEquals(Array.from(cache.a.data), [Math.tanh(2.5), Math.tanh(1)]);
 * ```
 */
export function tanhStepForward(
  p: ParamSet,
  x: Input,
  prev: Matrix,
  reset: Uint8Array | null,
  cache: TanhStepCache,
  z: Float64Array,
  k: Backend,
): void {
  const na = p.Waa.rows, m = prev.cols;
  const ap = cache.aPrev.data;
  ap.set(prev.data);
  zeroColumns(na, m, reset, ap);
  cache.x = x;
  cache.reset = reset;
  // z = Waa·aPrev + Wax·x + ba (Wax·onehot(t) is column t of Wax: a gather, not a product)
  preActivation(k, m, p.Waa, p.Wax, p.ba, ap, x, z);
  // a = tanh(z)
  k.tanh(z, cache.a.data);
}

/**
 * Backward from `da` = ∂L/∂a: adds the step's `dWax`, `dWaa`, `dba` into `g`, overwrites
 * `daPrev` with ∂L/∂aPrev (zero in reset columns) and, when given, `dx` with ∂L/∂x. `daPrev`
 * may be `da` itself: `da` is read before `daPrev` is written.
 *
 * @param p The parameters of the forward step (`Wax`, `Waa`, `ba`).
 * @param cache The forward step's cache.
 * @param da ∂L/∂a, n_a×m.
 * @param dz Scratch for ∂L/∂z, n_a×m.
 * @param g The gradients `dWax`, `dWaa`, `dba`, accumulated.
 * @param daPrev ∂L/∂aPrev, n_a×m (overwritten).
 * @param dx ∂L/∂x, n_x×m (overwritten; dense inputs only), or null.
 * @param k The backend.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createJsBackend } from "../../kernels/js_backend.ts";
 * import { Matrix } from "../../math/matrix.ts";
 * import { tanhStepBackward } from "./tanh_step.ts";
 * // n_a = 1, m = 1, a = tanh(z) = 0.5 from aPrev = 3 and token 0
 * const p = { Wax: new Matrix(1, 1, new Float64Array([1])), Waa: new Matrix(1, 1, new Float64Array([2])), ba: new Matrix(1, 1) };
 * const g = { dWax: new Matrix(1, 1), dWaa: new Matrix(1, 1), dba: new Matrix(1, 1) };
 * const cache = { x: Int32Array.of(0), aPrev: new Matrix(1, 1, new Float64Array([3])), a: new Matrix(1, 1, new Float64Array([0.5])), reset: null };
 * const daPrev = new Float64Array(1);
 * tanhStepBackward(p, cache, new Float64Array([4]), new Float64Array(1), g, daPrev, null, createJsBackend());
 * // dz = 4·(1 − 0.25) = 3: dWax += 3, dWaa += 3·3, dba += 3, daPrev = 2·3
 * assertEquals([g.dWax.data[0], g.dWaa.data[0], g.dba.data[0], daPrev[0]], [3, 9, 3, 6]);
 * ```
 */
export function tanhStepBackward(
  p: ParamSet,
  cache: TanhStepCache,
  da: Float64Array,
  dz: Float64Array,
  g: GradSet,
  daPrev: Float64Array,
  dx: Float64Array | null,
  k: Backend,
): void {
  const na = p.Waa.rows, nx = p.Wax.cols, m = cache.a.cols;
  // d tanh(z)/dz = 1 − tanh²(z) = 1 − a²
  k.tanhBackward(da, cache.a.data, dz);
  // dWax += dz·xᵀ (for tokens dz·onehot(t)ᵀ: a scatter into column t)
  addInputGrad(k, na, nx, dz, cache.x, g.dWax.data);
  // dWaa += dz·aPrevᵀ ; dba += Σ_columns dz
  k.gemmNT(na, na, m, dz, cache.aPrev.data, g.dWaa.data);
  k.rowSumsAdd(na, m, dz, g.dba.data);
  // daPrev = Waaᵀ·dz
  daPrev.fill(0);
  k.gemmTN(na, na, m, p.Waa.data, dz, daPrev);
  // a reset column started from a constant zero state: no gradient crosses it
  zeroColumns(na, m, cache.reset, daPrev);
  if (dx !== null) {
    // dx = Waxᵀ·dz
    dx.fill(0);
    k.gemmTN(na, nx, m, p.Wax.data, dz, dx);
  }
}
