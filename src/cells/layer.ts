/**
 * A recurrent layer without an output head: the hidden-only core that a headed cell
 * ({@linkcode headedCell}) and a stack of layers (`stackedCell`) are built from. Its state
 * is one matrix of `stateRows` rows per column (`a` for the GRU, `a` over `c` for the
 * LSTM); its output, what the next layer or the head reads, is the `a` part.
 *
 * @module
 */
import type { Backend } from "../kernels/backend.ts";
import { assertFinite, assertShape, describe, Matrix } from "../math/matrix.ts";
import type { Random } from "../math/random.ts";
import type { GradSet, Input, ParamSet } from "./types.ts";

/** One parameter of a layer: its name and shape. */
export interface LayerShape {
  /** The name (e.g. `"Wra"`). */
  name: string;
  /** Rows. */
  rows: number;
  /** Columns. */
  cols: number;
  /** True for a bias (initialised to zero). */
  bias: boolean;
}

/**
 * A hidden-only recurrent layer, a stateless description.
 *
 * @typeParam C The per-step cache (plain data).
 */
export interface RecurrentLayer<C = unknown> {
  /** The layer's kind (`"gru"`, `"lstm"`, `"rnn"`). */
  readonly kind: string;
  /** The parameters of a layer with n_x inputs and n_a units, in a fixed order. */
  shapes(nx: number, na: number): LayerShape[];
  /** n_x and n_a read off the parameters (not checked: see {@linkcode checkLayerParams}). */
  sizesOf(params: ParamSet): { nx: number; na: number };
  /** Rows of the carried state for n_a units. */
  stateRows(na: number): number;
  /** The state after the step (`stateRows` × m). */
  stateOf(cache: C): Matrix;
  /** The layer's output `a` after the step (n_a × m). */
  outputOf(cache: C): Matrix;
  /** The layer bound to a backend, with its own scratch buffers. */
  bind(backend: Backend): LayerRuntime<C>;
}

/**
 * A layer bound to one backend.
 *
 * @typeParam C The per-step cache.
 */
export interface LayerRuntime<C = unknown> {
  /** A fresh cache for batch m, in the backend's memory. */
  allocCache(params: ParamSet, m: number): C;
  /** Forward step into `cache` from `prev` (`stateRows` × m); reset columns start from zero. */
  forward(params: ParamSet, x: Input, prev: Matrix, reset: Uint8Array | null, cache: C): void;
  /**
   * Backward step: adds the step's gradients into `grads` (named `"d" + name`) and overwrites
   * `dPrev` with ∂L/∂prev. `dOut` (∂L/∂a from the head or the layer above) and `dNext`
   * (∂L/∂state from the next step) may be null (zero). When `dx` is given, it is overwritten
   * with ∂L/∂x (dense inputs only).
   */
  backward(
    params: ParamSet,
    cache: C,
    dOut: Float64Array | null,
    dNext: Float64Array | null,
    grads: GradSet,
    dPrev: Float64Array,
    dx: Float64Array | null,
  ): void;
}

/**
 * The shapes of a layer's parameters, read off their names: `b…` is a bias (n_a×1), a weight
 * ending in `x` reads the input (n_a×n_x), any other weight reads the state (n_a×n_a).
 *
 * @param names The parameter names, in order.
 * @param nx Inputs n_x.
 * @param na Units n_a.
 * @returns One shape per name, in order.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { shapesByName } from "./layer.ts";
 * const shapes = shapesByName(["Wza", "Wzx", "bz"], 3, 4);
 * assertEquals(shapes.map((s) => `${s.name} ${s.rows}x${s.cols} ${s.bias}`), [
 *   "Wza 4x4 false",
 *   "Wzx 4x3 false",
 *   "bz 4x1 true",
 * ]);
 * ```
 */
export function shapesByName(names: readonly string[], nx: number, na: number): LayerShape[] {
  return names.map((name) => {
    const bias = name.startsWith("b");
    return { name, rows: na, cols: bias ? 1 : name.endsWith("x") ? nx : na, bias };
  });
}

/**
 * Checks that `params` holds every parameter of `shapes` as a finite Matrix of its shape.
 *
 * @param params The parameters.
 * @param shapes The expected names and shapes.
 * @param suffix Appended to each name (a stack's layer suffix such as `"_1"`).
 * @throws {TypeError} When a parameter is missing or not a Matrix.
 * @throws {RangeError} When a shape disagrees or a value is not finite.
 *
 * @example Usage
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { Matrix } from "../math/matrix.ts";
 * import { checkLayerParams } from "./layer.ts";
 * const shapes = [{ name: "W", rows: 2, cols: 2, bias: false }];
 * checkLayerParams({ W: new Matrix(2, 2) }, shapes);
 * assertThrows(() => checkLayerParams({ W: new Matrix(2, 3) }, shapes), RangeError);
 * ```
 */
export function checkLayerParams(params: ParamSet, shapes: readonly LayerShape[], suffix = ""): void {
  if (params === null || typeof params !== "object") {
    throw new TypeError(`'params' must be an object of named matrices: got ${describe(params)}`);
  }
  for (const { name } of shapes) {
    const key = name + suffix, value = params[key];
    if (!(value instanceof Matrix)) {
      throw new TypeError(`'params.${key}' must be a Matrix: got ${describe(value)}`);
    }
  }
  for (const { name, rows, cols } of shapes) {
    assertShape(`params.${name + suffix}`, params[name + suffix], rows, cols);
    assertFinite(`params.${name + suffix}`, params[name + suffix]);
  }
}

/**
 * Fresh parameters of the given shapes: Xavier/Glorot uniform U(±√(6/(rows + cols))) for
 * weights (or `randn · 0.01`), zeros for biases, drawn in order from `random`.
 *
 * @param shapes The names and shapes.
 * @param random The generator (its state advances).
 * @param init The scheme. @default {"xavier"}
 * @param suffix Appended to each name. @default {""}
 * @returns The parameters.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { Random } from "../math/random.ts";
 * import { initLayerParams } from "./layer.ts";
 * const p = initLayerParams([{ name: "W", rows: 2, cols: 3, bias: false }], new Random(1));
 * assert(p.W.shape === "2x3" && p.W.data.every((v) => Math.abs(v) <= Math.sqrt(6 / 5)));
 * ```
 */
export function initLayerParams(
  shapes: readonly LayerShape[],
  random: Random,
  init: "xavier" | "randn" = "xavier",
  suffix = "",
): ParamSet {
  const out: ParamSet = {};
  for (const { name, rows, cols, bias } of shapes) {
    const m = new Matrix(rows, cols);
    if (!bias) {
      const bound = Math.sqrt(6 / (rows + cols));
      for (let q = 0; q < m.data.length; q++) {
        m.data[q] = init === "xavier" ? (2 * random.next() - 1) * bound : random.normal() * 0.01;
      }
    }
    out[name + suffix] = m;
  }
  return out;
}

/**
 * Zero gradients `"d" + name` shaped like each of the named parameters.
 *
 * @param params The parameters.
 * @param names The names to take.
 * @returns The zero gradients.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { Matrix } from "../math/matrix.ts";
 * import { zeroGradsOf } from "./layer.ts";
 * assert(zeroGradsOf({ W: new Matrix(2, 3) }, ["W"]).dW.shape === "2x3");
 * ```
 */
export function zeroGradsOf(params: ParamSet, names: readonly string[]): GradSet {
  const out: GradSet = {};
  for (const name of names) out[`d${name}`] = new Matrix(params[name].rows, params[name].cols);
  return out;
}

/**
 * Zeroes the reset columns of the r×m `data` (a reset column starts from, or passes back, nothing).
 *
 * @param r Rows.
 * @param m Columns.
 * @param reset Per column, 1 to zero it; null for none.
 * @param data The matrix, changed in place.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { zeroColumns } from "./layer.ts";
 * const data = new Float64Array([1, 2, 3, 4]);
 * zeroColumns(2, 2, Uint8Array.of(0, 1), data);
 * assertEquals(Array.from(data), [1, 0, 3, 0]);
 * ```
 */
export function zeroColumns(r: number, m: number, reset: Uint8Array | null, data: Float64Array): void {
  if (reset === null) return;
  for (let j = 0; j < m; j++) if (reset[j]) { for (let i = 0; i < r; i++) data[i * m + j] = 0; }
}

/**
 * `out += W·x`: a GEMM for dense inputs, a gather of W's columns for tokens.
 *
 * @param k The backend.
 * @param r Rows of W.
 * @param nx Columns of W (input features).
 * @param W The weights, r×n_x.
 * @param x The input, n_x×m or m token indices.
 * @param out The r×m output, accumulated.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createJsBackend } from "../kernels/js_backend.ts";
 * import { addInput } from "./layer.ts";
 * const out = new Float64Array(2);
 * addInput(createJsBackend(), 1, 3, new Float64Array([5, 6, 7]), Int32Array.of(2, 0), out);
 * assertEquals(Array.from(out), [7, 5]);
 * ```
 */
export function addInput(
  k: Backend,
  r: number,
  nx: number,
  W: Float64Array,
  x: Input,
  out: Float64Array,
): void {
  if (x instanceof Matrix) k.gemm(r, nx, x.cols, W, x.data, out);
  else k.gatherAdd(r, nx, W, x, out);
}

/**
 * `out = Wa·a + Wx·x + b`: the pre-activation of a gate (or of the tanh step), from the state
 * `a` and the input `x` (a GEMM for dense inputs, a gather for tokens).
 *
 * @param k The backend.
 * @param m Columns (batch).
 * @param Wa The state weights, r×n_a.
 * @param Wx The input weights, r×n_x.
 * @param b The bias, r×1.
 * @param a The state, n_a×m.
 * @param x The input, n_x×m or m token indices.
 * @param out The r×m output (overwritten).
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createJsBackend } from "../kernels/js_backend.ts";
 * import { Matrix } from "../math/matrix.ts";
 * import { preActivation } from "./layer.ts";
 * const Wa = new Matrix(1, 1, new Float64Array([2])), Wx = new Matrix(1, 2, new Float64Array([5, 7]));
 * const out = new Float64Array(1);
 * preActivation(createJsBackend(), 1, Wa, Wx, new Matrix(1, 1, new Float64Array([0.5])), new Float64Array([3]), Int32Array.of(1), out);
 * assertEquals(out[0], 2 * 3 + 7 + 0.5);
 * ```
 */
export function preActivation(
  k: Backend,
  m: number,
  Wa: Matrix,
  Wx: Matrix,
  b: Matrix,
  a: Float64Array,
  x: Input,
  out: Float64Array,
): void {
  const r = Wa.rows;
  k.fillRows(r, m, b.data, out);
  k.gemm(r, Wa.cols, m, Wa.data, a, out);
  addInput(k, r, Wx.cols, Wx.data, x, out);
}

/**
 * `dW += dz·xᵀ`: a GEMM for dense inputs, a scatter into W's columns for tokens.
 *
 * @param k The backend.
 * @param r Rows of dW.
 * @param nx Columns of dW (input features).
 * @param dz The r×m gradient of the pre-activation.
 * @param x The input, n_x×m or m token indices.
 * @param dW The r×n_x gradient, accumulated.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createJsBackend } from "../kernels/js_backend.ts";
 * import { addInputGrad } from "./layer.ts";
 * const dW = new Float64Array(3);
 * addInputGrad(createJsBackend(), 1, 3, new Float64Array([1, 2]), Int32Array.of(2, 2), dW);
 * assertEquals(Array.from(dW), [0, 0, 3]);
 * ```
 */
export function addInputGrad(
  k: Backend,
  r: number,
  nx: number,
  dz: Float64Array,
  x: Input,
  dW: Float64Array,
): void {
  if (x instanceof Matrix) k.gemmNT(r, nx, x.cols, dz, x.data, dW);
  else k.scatterAdd(r, nx, dz, x, dW);
}
