/**
 * An online linear autoregressive forecaster on differences, fitted by recursive least
 * squares with a forgetting factor.
 *
 * @module
 */
import { badState, checkInt, checkRange, checkValue, isFiniteNumber, isNumbers } from "./_checks.ts";

/** Options for {@linkcode OnlineAR}. */
export interface OnlineAROptions {
  /** The order p: how many recent differences the forecast uses. @default {3} */
  order?: number;
  /** The forgetting factor λ of recursive least squares, in (0, 1] (1 forgets nothing). @default {0.999} */
  forgetting?: number;
  /** The initial inverse-correlation matrix is `delta · I` (larger learns faster at first). @default {100} */
  delta?: number;
}

/** Plain-data state of an {@linkcode OnlineAR} forecaster (JSON-safe). */
export interface OnlineARState {
  /** The settings. */
  options: Required<OnlineAROptions>;
  /** The last value seen (0 before any). */
  last: number;
  /** Values seen. */
  count: number;
  /** Updates skipped because they would not have been finite. */
  skipped: number;
  /** The p most recent differences, newest first. */
  history: number[];
  /** The coefficients a₁ … a_p. */
  weights: number[];
  /** The p×p inverse-correlation matrix P, row-major. */
  inverse: number[];
}

/**
 * Forecasts `x̂ₜ₊₁ = xₜ + Σₖ aₖ·dₜ₋ₖ₊₁` where `dₜ = xₜ − xₜ₋₁`: an AR(p) model of the
 * differences, fitted online by recursive least squares (RLS) with forgetting factor λ:
 *
 *     e = d − aᵀh,  g = P·h / (λ + hᵀ·P·h),  a ← a + g·e,  P ← (P − g·(P·h)ᵀ) / λ
 *
 * With too little excitation (a constant feed) P would grow without bound ("wind-up"),
 * so P is divided by λ only while its trace stays below its initial `p·delta`. An update
 * that would not be finite (values near ±1e308) is skipped and counted, so the forecast
 * is never NaN: it falls back to the last value. Until p + 1 differences were seen the
 * coefficients are 0, i.e. it predicts like persistence.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { OnlineAR } from "./online_ar.ts";
 * const ar = new OnlineAR({ order: 1 });
 * for (let t = 0; t < 200; t++) ar.learn(t % 2); // differences alternate: d = −d_prev
 * assert(Math.abs(ar.predict() - 0) < 1e-3); // last value 1, next difference −1
 * assert(OnlineAR.fromState(JSON.parse(JSON.stringify(ar.toState()))).predict() === ar.predict());
 * ```
 */
export class OnlineAR {
  readonly #options: Required<OnlineAROptions>;
  readonly #p: number;
  #last = 0;
  #count = 0;
  #skipped = 0;
  readonly #h: Float64Array;
  readonly #a: Float64Array;
  readonly #P: Float64Array;
  readonly #Ph: Float64Array;
  readonly #next: Float64Array;

  /**
   * Creates a forecaster with no data seen.
   *
   * @param options The order, forgetting factor and initial scale.
   * @throws {RangeError} When an option is out of range.
   */
  constructor(options: OnlineAROptions = {}) {
    const { order = 3, forgetting = 0.999, delta = 100 } = options;
    checkInt("OnlineAR", "order", order, 1);
    checkRange("OnlineAR", "forgetting", forgetting, 0, 1, true);
    checkRange("OnlineAR", "delta", delta, 0, 1e12, true);
    this.#options = { order, forgetting, delta };
    const p = this.#p = order;
    this.#h = new Float64Array(p);
    this.#a = new Float64Array(p);
    this.#P = new Float64Array(p * p);
    for (let i = 0; i < p; i++) this.#P[i * p + i] = delta;
    this.#Ph = new Float64Array(p);
    this.#next = new Float64Array(p * p);
  }

  /**
   * Creates a forecaster from a saved state.
   *
   * @param state A state from {@linkcode OnlineAR.toState}.
   * @returns A forecaster that continues exactly where the saved one was.
   * @throws {TypeError} When the state is malformed.
   */
  static fromState(state: OnlineARState): OnlineAR {
    let ar: OnlineAR;
    try {
      ar = new OnlineAR(state.options);
    } catch {
      return badState("OnlineAR", state);
    }
    const p = ar.#p;
    const ok = isFiniteNumber(state.last) && Number.isSafeInteger(state.count) && state.count >= 0 &&
      Number.isSafeInteger(state.skipped) && state.skipped >= 0 && isNumbers(state.history, p) &&
      isNumbers(state.weights, p) && isNumbers(state.inverse, p * p);
    if (!ok) badState("OnlineAR", state);
    ar.#last = state.last;
    ar.#count = state.count;
    ar.#skipped = state.skipped;
    ar.#h.set(state.history);
    ar.#a.set(state.weights);
    ar.#P.set(state.inverse);
    return ar;
  }

  /** Values seen. */
  get count(): number {
    return this.#count;
  }

  /** Updates skipped because they would not have been finite. */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * The forecast of the next value.
   *
   * @returns `last + aᵀh` (the last value when that is not finite; 0 before any value).
   */
  predict(): number {
    let c = 0;
    for (let k = 0; k < this.#p; k++) c += this.#a[k] * this.#h[k];
    const y = this.#last + c;
    return Number.isFinite(y) ? y : this.#last;
  }

  /**
   * Takes the next value: one RLS step on its difference, then it enters the history.
   *
   * @param value A finite number.
   * @throws {RangeError} When the value is not a finite number.
   */
  learn(value: number): void {
    checkValue("OnlineAR.learn()", value);
    const p = this.#p, h = this.#h;
    if (this.#count > 0) {
      const d = value - this.#last;
      if (this.#count > p && Number.isFinite(d)) this.#rls(d);
      for (let k = p - 1; k > 0; k--) h[k] = h[k - 1];
      h[0] = Number.isFinite(d) ? d : 0;
      if (!Number.isFinite(d)) this.#skipped++;
    }
    this.#last = value;
    this.#count++;
  }

  /**
   * The state as plain data (copies).
   *
   * @returns Settings, history, coefficients and P.
   */
  toState(): OnlineARState {
    return {
      options: { ...this.#options },
      last: this.#last,
      count: this.#count,
      skipped: this.#skipped,
      history: Array.from(this.#h),
      weights: Array.from(this.#a),
      inverse: Array.from(this.#P),
    };
  }

  #rls(d: number): void {
    const p = this.#p, h = this.#h, a = this.#a, P = this.#P, Ph = this.#Ph, next = this.#next;
    const lambda = this.#options.forgetting;
    let hPh = 0, e = d;
    for (let i = 0; i < p; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += P[i * p + j] * h[j];
      Ph[i] = s;
      hPh += h[i] * s;
      e -= a[i] * h[i];
    }
    const denom = lambda + hPh;
    // P ← (P − g·(P·h)ᵀ) / λ with g = P·h / denom; λ only while trace(P) < p·delta (no wind-up)
    let trace = 0;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) next[i * p + j] = P[i * p + j] - Ph[i] * Ph[j] / denom;
      trace += next[i * p + i];
    }
    const scale = trace / lambda < p * this.#options.delta ? 1 / lambda : 1;
    let finite = Number.isFinite(denom) && denom > 0 && Number.isFinite(e);
    for (let q = 0; finite && q < p * p; q++) finite = Number.isFinite(next[q] * scale);
    for (let i = 0; finite && i < p; i++) finite = Number.isFinite(a[i] + Ph[i] / denom * e);
    if (!finite) {
      this.#skipped++;
      return;
    }
    for (let i = 0; i < p; i++) a[i] += Ph[i] / denom * e;
    for (let q = 0; q < p * p; q++) P[q] = next[q] * scale;
  }
}
