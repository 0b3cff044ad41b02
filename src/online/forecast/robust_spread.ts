/**
 * An online robust spread (scale) of a stream of residuals: an exponentially weighted
 * median absolute deviation and a winsorised mean absolute deviation.
 *
 * @module
 */
import { badState, checkRange, decayWeight, isFiniteNumber } from "./_checks.ts";

/** Options for {@linkcode RobustSpread}. */
export interface RobustSpreadOptions {
  /** The half-life of the averages, in observations (larger adapts slower). @default {500} */
  halfLife?: number;
  /** An absolute residual above `clip` spreads counts as `clip` spreads in the mean (winsorising). @default {4} */
  clip?: number;
}

/** Plain-data state of a {@linkcode RobustSpread} (JSON-safe). */
export interface RobustSpreadState {
  /** The settings. */
  options: Required<RobustSpreadOptions>;
  /** Observations taken in. */
  count: number;
  /** The exponentially weighted median of |r| (a stochastic-approximation estimate). */
  median: number;
  /** The exponentially weighted winsorised mean of |r|. */
  mean: number;
}

const MAD_TO_SIGMA = 1.482602218505602; // 1 / Φ⁻¹(3/4): σ of a normal from its median absolute deviation
const MEAN_TO_SIGMA = 1.2533141373155001; // √(π/2): σ of a normal from its mean absolute deviation

/**
 * Estimates the spread σ of a residual stream (centred at 0) robustly and online, as the
 * larger of two normal-consistent estimates:
 *
 * - `1.4826 · m`, with `m` the exponentially weighted median of |r| tracked by stochastic
 *   approximation (`m ← m + w·2ā·sign(|r| − m)`, a "frugal" quantile estimator whose step
 *   scales with the mean ā so it needs no units);
 * - `1.2533 · ā`, with `ā` the exponentially weighted mean of `min(|r|, clip·σ)` — the
 *   winsorising bounds the pull of any one outlier, and this estimate does not collapse
 *   to 0 on quantised readings whose median change is 0.
 *
 * Both are plain running averages while fewer than `halfLife` observations were seen.
 * σ is never NaN: 0 before any observation; an observation that is not finite is ignored.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { RobustSpread } from "./robust_spread.ts";
 * const s = new RobustSpread();
 * for (let i = 0; i < 1000; i++) s.update(i % 2 === 0 ? 1 : -1);
 * assert(Math.abs(s.sigma - 1.4826) < 0.01);
 * s.update(1e6); // one outlier barely moves it
 * assert(Math.abs(s.sigma - 1.4826) < 0.05);
 * ```
 */
export class RobustSpread {
  readonly #options: Required<RobustSpreadOptions>;
  readonly #w: number;
  #count = 0;
  #median = 0;
  #mean = 0;

  /**
   * Creates an estimator with no data seen.
   *
   * @param options The half-life and the winsorising bound.
   * @throws {RangeError} When an option is out of range.
   */
  constructor(options: RobustSpreadOptions = {}) {
    const { halfLife = 500, clip = 4 } = options;
    checkRange("RobustSpread", "halfLife", halfLife, 1, 1e12);
    checkRange("RobustSpread", "clip", clip, 0, 1e6, true);
    this.#options = { halfLife, clip };
    this.#w = decayWeight(halfLife);
  }

  /**
   * Creates an estimator from a saved state.
   *
   * @param state A state from {@linkcode RobustSpread.toState}.
   * @returns An estimator that continues exactly where the saved one was.
   * @throws {TypeError} When the state is malformed.
   */
  static fromState(state: RobustSpreadState): RobustSpread {
    let s: RobustSpread;
    try {
      s = new RobustSpread(state.options);
    } catch {
      return badState("RobustSpread", state);
    }
    const ok = Number.isSafeInteger(state.count) && state.count >= 0 && isFiniteNumber(state.median) &&
      state.median >= 0 && isFiniteNumber(state.mean) && state.mean >= 0;
    if (!ok) badState("RobustSpread", state);
    s.#count = state.count;
    s.#median = state.median;
    s.#mean = state.mean;
    return s;
  }

  /** Observations taken in. */
  get count(): number {
    return this.#count;
  }

  /** The spread σ (normal-consistent), 0 before any observation. */
  get sigma(): number {
    return Math.max(MAD_TO_SIGMA * this.#median, MEAN_TO_SIGMA * this.#mean);
  }

  /**
   * Takes in one residual.
   *
   * @param r The residual (a non-finite one is ignored).
   */
  update(r: number): void {
    if (!Number.isFinite(r)) return;
    const a = Math.abs(r);
    if (this.#count === 0) {
      this.#median = a;
      this.#mean = a;
      this.#count = 1;
      return;
    }
    const w = Math.max(this.#w, 1 / (this.#count + 1));
    const sigma = this.sigma;
    const capped = sigma > 0 ? Math.min(a, this.#options.clip * sigma) : a;
    const mean = this.#mean + w * (capped - this.#mean);
    // frugal median: a step of w·2ā towards |r|, never below 0
    const step = w * 2 * Math.max(mean, this.#median);
    const median = Math.max(0, this.#median + (a > this.#median ? step : a < this.#median ? -step : 0));
    if (Number.isFinite(mean) && Number.isFinite(median)) {
      this.#mean = mean;
      this.#median = median;
    }
    this.#count++;
  }

  /**
   * The state as plain data.
   *
   * @returns Settings, count and the two averages.
   */
  toState(): RobustSpreadState {
    return { options: { ...this.#options }, count: this.#count, median: this.#median, mean: this.#mean };
  }
}
