/**
 * Model parameters, gradients and their initialisation.
 *
 * @module
 */
import { assertFinite, assertShape, describe, Matrix } from "../../math/matrix.ts";
import { Random } from "../../math/random.ts";
import type { ParamSet } from "../types.ts";

/** Sizes of a vanilla RNN: input features, hidden units, output classes. */
export interface RnnSizes {
  /** n_x: input size (vocabulary size for token inputs). */
  nx: number;
  /** n_a: hidden size. */
  na: number;
  /** n_y: output size (classes for the softmax head). */
  ny: number;
}

/** The parameters of the document's RNN cell. */
export type RnnParams = {
  /** Input-to-hidden weights, n_a×n_x. */
  Wax: Matrix;
  /** Hidden-to-hidden weights, n_a×n_a. */
  Waa: Matrix;
  /** Hidden bias, n_a×1. */
  ba: Matrix;
  /** Hidden-to-output weights, n_y×n_a. */
  Wya: Matrix;
  /** Output bias, n_y×1. */
  by: Matrix;
};

/** Gradients of the loss with respect to each parameter, same shapes as {@linkcode RnnParams}. */
export type RnnGrads = {
  /** ∂L/∂Wax, n_a×n_x. */
  dWax: Matrix;
  /** ∂L/∂Waa, n_a×n_a. */
  dWaa: Matrix;
  /** ∂L/∂ba, n_a×1. */
  dba: Matrix;
  /** ∂L/∂Wya, n_y×n_a. */
  dWya: Matrix;
  /** ∂L/∂by, n_y×1. */
  dby: Matrix;
};

/** The parameter names, in a fixed order. */
export const PARAM_NAMES: readonly (keyof RnnParams)[] = ["Wax", "Waa", "ba", "Wya", "by"];

/** Options for {@linkcode initParams}. */
export interface InitParamsOptions {
  /**
   * `"xavier"`: Glorot/Xavier uniform, U(±√(6/(fan_in + fan_out))); `"randn"`: the
   * document's `randn · scale`. Biases start at zero either way.
   * @default {"xavier"}
   */
  init?: "xavier" | "randn";
  /** The scale of `"randn"` init. @default {0.01} */
  scale?: number;
  /** Seed of the generator, when `random` is not given. @default {0} */
  seed?: number;
  /** A generator to draw from (its state advances); overrides `seed`. */
  random?: Random;
}

/**
 * Creates the parameters `{ Wax, Waa, ba, Wya, by }` of an RNN of the given sizes.
 *
 * @param sizes `{ nx, na, ny }`, positive integers.
 * @param options Initialisation scheme, scale and seed.
 * @returns Fresh parameters.
 * @throws {RangeError} When a size is not a positive integer or an option is out of range.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { initParams } from "./params.ts";
 * const p = initParams({ nx: 6, na: 3, ny: 6 }, { seed: 1 });
 * assert(p.Wax.shape === "3x6" && p.Wya.shape === "6x3");
 * ```
 */
export function initParams(sizes: RnnSizes, options: InitParamsOptions = {}): RnnParams {
  const { init = "xavier", scale = 0.01, seed = 0 } = options;
  checkSizes("initParams", sizes);
  if (init !== "xavier" && init !== "randn") {
    throw new RangeError(`Cannot initParams as 'init' must be "xavier" or "randn": current value is ${init}`);
  }
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new RangeError(
      `Cannot initParams as 'scale' must be a finite number > 0: current value is ${scale}`,
    );
  }
  const random = options.random ?? new Random(seed);
  const { nx, na, ny } = sizes;
  const fill = (rows: number, cols: number): Matrix => {
    const m = new Matrix(rows, cols);
    const bound = Math.sqrt(6 / (rows + cols));
    for (let k = 0; k < m.data.length; k++) {
      m.data[k] = init === "xavier" ? (2 * random.next() - 1) * bound : random.normal() * scale;
    }
    return m;
  };
  return {
    Wax: fill(na, nx),
    Waa: fill(na, na),
    ba: new Matrix(na, 1),
    Wya: fill(ny, na),
    by: new Matrix(ny, 1),
  };
}

/**
 * Zero gradients shaped like the given parameters.
 *
 * @param params The parameters.
 * @returns `{ dWax, dWaa, dba, dWya, dby }`, all zeros.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { initParams, zeroGrads } from "./params.ts";
 * const g = zeroGrads(initParams({ nx: 2, na: 2, ny: 2 }));
 * assert(g.dWaa.data.every((v) => v === 0));
 * ```
 */
export function zeroGrads(params: RnnParams): RnnGrads {
  return {
    dWax: new Matrix(params.Wax.rows, params.Wax.cols),
    dWaa: new Matrix(params.Waa.rows, params.Waa.cols),
    dba: new Matrix(params.ba.rows, 1),
    dWya: new Matrix(params.Wya.rows, params.Wya.cols),
    dby: new Matrix(params.by.rows, 1),
  };
}

/**
 * A deep copy of named parameter matrices, for any cell (`{ Wax, Waa, ba, Wya, by }` or another set).
 *
 * @typeParam P The parameters (named matrices).
 * @param params The parameters.
 * @returns New matrices with the same values, under the same names.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { cloneParams, initParams } from "./params.ts";
 * const p = initParams({ nx: 2, na: 2, ny: 2 });
 * assert(cloneParams(p).Wax !== p.Wax);
 * ```
 */
export function cloneParams<P extends ParamSet = RnnParams>(params: P): P {
  const out: ParamSet = {};
  for (const name of Object.keys(params)) out[name] = params[name].clone();
  return out as P;
}

/**
 * Checks that parameters are consistent matrices with finite values, and returns their sizes.
 *
 * @param params The parameters to check.
 * @returns `{ nx, na, ny }` read off the shapes.
 * @throws {TypeError} When a parameter is missing or not a Matrix.
 * @throws {RangeError} When shapes disagree or a value is not finite.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { checkParams, initParams } from "./params.ts";
 * assert(checkParams(initParams({ nx: 4, na: 3, ny: 2 })).na === 3);
 * ```
 */
export function checkParams(params: RnnParams): RnnSizes {
  if (params === null || typeof params !== "object") {
    throw new TypeError(`'params' must be an object { Wax, Waa, ba, Wya, by }: got ${describe(params)}`);
  }
  for (const name of PARAM_NAMES) {
    if (!(params[name] instanceof Matrix)) {
      throw new TypeError(`'params.${name}' must be a Matrix: got ${describe(params[name])}`);
    }
  }
  const na = params.Wax.rows, nx = params.Wax.cols, ny = params.Wya.rows;
  assertShape("params.Waa", params.Waa, na, na);
  assertShape("params.ba", params.ba, na, 1);
  assertShape("params.Wya", params.Wya, ny, na);
  assertShape("params.by", params.by, ny, 1);
  for (const name of PARAM_NAMES) assertFinite(`params.${name}`, params[name]);
  return { nx, na, ny };
}

/** Throws a RangeError naming `fn` when the sizes are not positive integers. */
export function checkSizes(fn: string, sizes: RnnSizes): void {
  if (sizes === null || typeof sizes !== "object") {
    throw new TypeError(`Cannot ${fn} as 'sizes' must be an object { nx, na, ny }: got ${describe(sizes)}`);
  }
  for (const key of ["nx", "na", "ny"] as const) {
    const v = sizes[key];
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot ${fn} as '${key}' must be an integer >= 1: current value is ${v}`);
    }
  }
}
