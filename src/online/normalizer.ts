/**
 * Online normalisation of feature vectors: running mean and variance (Welford), with
 * its state as plain data for checkpoints.
 *
 * @module
 */

/** Plain-data state of a {@linkcode Normalizer} (JSON-safe), for checkpoints. */
export interface NormalizerState {
  /** How many vectors were seen. */
  count: number;
  /** The running mean of each feature. */
  mean: number[];
  /** The running sum of squared deviations of each feature (Welford's M2). */
  m2: number[];
}

/** Options for {@linkcode Normalizer}. */
export interface NormalizerOptions {
  /** Added to the variance before the square root, so constant features map to 0, not NaN. @default {1e-8} */
  epsilon?: number;
  /** Clamp normalised values to [-clip, clip] (anomalies then cannot blow up training). @default {Infinity} */
  clip?: number;
}

/**
 * Normalises feature vectors with running statistics: `z = (x − mean) / sqrt(var + ε)`
 * per feature, where mean and (population) variance are updated one vector at a time
 * with Welford's algorithm — numerically stable even when the values sit far from zero.
 * Before two vectors were seen the variance is taken as 1. The state (`count`, `mean`,
 * `m2`) is plain data: {@linkcode Normalizer.getState} / {@linkcode Normalizer.setState}
 * save and restore it exactly.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { Normalizer } from "./normalizer.ts";
 * const norm = new Normalizer(2);
 * for (const x of [[20, 40], [22, 44], [24, 48]]) norm.update(x);
 * const z = norm.transform([24, 40]);
 * assert(Math.abs(z[0] - 1.2247) < 1e-4 && Math.abs(z[1] + 1.2247) < 1e-4);
 * const restored = Normalizer.fromState(JSON.parse(JSON.stringify(norm.getState())));
 * assert(restored.transform([24, 40])[0] === z[0]);
 * ```
 */
export class Normalizer {
  /** The number of features. */
  readonly size: number;
  #count = 0;
  #mean: Float64Array;
  #m2: Float64Array;
  #epsilon: number;
  #clip: number;

  /**
   * Creates a normaliser with no data seen.
   *
   * @param size The number of features, an integer >= 1.
   * @param options The variance floor `epsilon` and the `clip` bound.
   * @throws {RangeError} When `size`, `epsilon` or `clip` is out of range.
   */
  constructor(size: number, options: NormalizerOptions = {}) {
    const { epsilon = 1e-8, clip = Infinity } = options;
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `Cannot create Normalizer as 'size' must be an integer >= 1: current value is ${size}`,
      );
    }
    if (!(epsilon >= 0) || !Number.isFinite(epsilon)) {
      throw new RangeError(
        `Cannot create Normalizer as 'epsilon' must be a finite number >= 0: current value is ${epsilon}`,
      );
    }
    if (!(clip > 0)) {
      throw new RangeError(
        `Cannot create Normalizer as 'clip' must be a number > 0: current value is ${clip}`,
      );
    }
    this.size = size;
    this.#mean = new Float64Array(size);
    this.#m2 = new Float64Array(size);
    this.#epsilon = epsilon;
    this.#clip = clip;
  }

  /**
   * Creates a normaliser from a saved state.
   *
   * @param state A state from {@linkcode Normalizer.getState}.
   * @param options The variance floor `epsilon` and the `clip` bound.
   * @returns A normaliser that continues exactly where the saved one was.
   * @throws {TypeError} When the state is malformed.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Normalizer } from "./normalizer.ts";
   * const norm = Normalizer.fromState({ count: 2, mean: [1], m2: [2] });
   * assert(norm.variance()[0] === 1);
   * ```
   */
  static fromState(state: NormalizerState, options: NormalizerOptions = {}): Normalizer {
    const size = Array.isArray(state?.mean) ? state.mean.length : 0;
    const norm = new Normalizer(Math.max(size, 1), options);
    norm.setState(state);
    return norm;
  }

  /** How many vectors were seen. */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds one vector to the running statistics.
   *
   * @param x The features, `size` finite numbers.
   * @throws {RangeError} When `x` has the wrong length or a non-finite value (nothing is updated then).
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Normalizer } from "./normalizer.ts";
   * const norm = new Normalizer(1);
   * norm.update([3]);
   * assert(norm.count === 1 && norm.mean()[0] === 3);
   * ```
   */
  update(x: ArrayLike<number>): void {
    this.#check("update", x);
    const mean = this.#mean, m2 = this.#m2;
    for (let i = 0; i < this.size; i++) {
      // the same steps as below, checked first so that a value whose square overflows changes nothing
      const delta = x[i] - mean[i];
      const meanNext = mean[i] + delta / (this.#count + 1);
      if (!Number.isFinite(m2[i] + delta * (x[i] - meanNext))) {
        throw new RangeError(
          `Cannot update() as value ${i} would overflow the running variance: current value is ${x[i]}`,
        );
      }
    }
    const n = ++this.#count;
    for (let i = 0; i < this.size; i++) {
      // Welford: mean_n = mean_{n-1} + δ/n; M2_n = M2_{n-1} + δ·(x − mean_n), δ = x − mean_{n-1}
      const delta = x[i] - mean[i];
      mean[i] += delta / n;
      m2[i] += delta * (x[i] - mean[i]);
    }
  }

  /**
   * Normalises a vector with the current statistics (it does not update them).
   *
   * @param x The features, `size` finite numbers.
   * @param out Optional storage of length `size` for the result.
   * @returns `(x − mean) / sqrt(var + ε)` per feature, clamped to ±clip.
   * @throws {RangeError} When `x` or `out` has the wrong length, or `x` a non-finite value.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Normalizer } from "./normalizer.ts";
   * const norm = new Normalizer(1);
   * [1, 3].forEach((v) => norm.update([v]));
   * assert(Math.abs(norm.transform([3])[0] - 1) < 1e-6);
   * ```
   */
  transform(x: ArrayLike<number>, out: Float64Array = new Float64Array(this.size)): Float64Array {
    this.#check("transform", x);
    this.#checkOut("transform", out);
    const mean = this.#mean, clip = this.#clip;
    for (let i = 0; i < this.size; i++) {
      const z = (x[i] - mean[i]) / Math.sqrt(this.#varianceOf(i) + this.#epsilon);
      out[i] = z > clip ? clip : z < -clip ? -clip : z;
    }
    return out;
  }

  /**
   * Maps normalised values back to the original units (e.g. a linear head's predictions).
   *
   * @param z Normalised values, `size` numbers.
   * @param out Optional storage of length `size` for the result.
   * @returns `mean + z · sqrt(var + ε)` per feature.
   * @throws {RangeError} When `z` or `out` has the wrong length, or `z` a non-finite value.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Normalizer } from "./normalizer.ts";
   * const norm = new Normalizer(1);
   * [10, 20].forEach((v) => norm.update([v]));
   * assert(Math.abs(norm.inverse(norm.transform([17]))[0] - 17) < 1e-9);
   * ```
   */
  inverse(z: ArrayLike<number>, out: Float64Array = new Float64Array(this.size)): Float64Array {
    this.#check("inverse", z);
    this.#checkOut("inverse", out);
    for (let i = 0; i < this.size; i++) {
      out[i] = this.#mean[i] + z[i] * Math.sqrt(this.#varianceOf(i) + this.#epsilon);
    }
    return out;
  }

  /**
   * The running mean of each feature (zeros before any data).
   *
   * @returns A copy of the means.
   */
  mean(): Float64Array {
    return this.#mean.slice();
  }

  /**
   * The running population variance of each feature (1 before two vectors were seen).
   *
   * @returns The variances.
   */
  variance(): Float64Array {
    const v = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) v[i] = this.#varianceOf(i);
    return v;
  }

  /**
   * The state as plain data (copies).
   *
   * @returns `{ count, mean, m2 }`.
   */
  getState(): NormalizerState {
    return { count: this.#count, mean: Array.from(this.#mean), m2: Array.from(this.#m2) };
  }

  /**
   * Restores a state taken with {@linkcode Normalizer.getState}.
   *
   * @param state The state; its vectors must have `size` entries.
   * @throws {TypeError} When the state is malformed.
   */
  setState(state: NormalizerState): void {
    const ok = state !== null && typeof state === "object" && Number.isSafeInteger(state.count) &&
      state.count >= 0 &&
      [state.mean, state.m2].every((v) =>
        Array.isArray(v) && v.length === this.size &&
        v.every((e) => typeof e === "number" && Number.isFinite(e))
      ) && state.m2.every((e) => e >= 0);
    if (!ok) {
      throw new TypeError(
        `Cannot restore Normalizer of size ${this.size}: malformed state ${
          JSON.stringify(state)?.slice(0, 200)
        }`,
      );
    }
    this.#count = state.count;
    this.#mean.set(state.mean);
    this.#m2.set(state.m2);
  }

  #varianceOf(i: number): number {
    return this.#count >= 2 ? this.#m2[i] / this.#count : 1;
  }

  #check(fn: string, x: ArrayLike<number>): void {
    if (x === null || typeof x !== "object" || x.length !== this.size) {
      throw new RangeError(
        `Cannot ${fn}() as the vector must have ${this.size} values: current length is ${x?.length}`,
      );
    }
    for (let i = 0; i < this.size; i++) {
      if (typeof x[i] !== "number" || !Number.isFinite(x[i])) {
        throw new RangeError(
          `Cannot ${fn}() as value ${i} must be a finite number: current value is ${x[i]}`,
        );
      }
    }
  }

  #checkOut(fn: string, out: Float64Array): void {
    if (!(out instanceof Float64Array) || out.length !== this.size) {
      throw new RangeError(
        `Cannot ${fn}() as 'out' must be a Float64Array of length ${this.size}: current length is ${out?.length}`,
      );
    }
  }
}
