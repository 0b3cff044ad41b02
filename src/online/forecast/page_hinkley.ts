/**
 * The Page-Hinkley test: detects a change in the mean of a stream (e.g. forecast residuals).
 *
 * @module
 */
import { badState, checkInt, checkRange, isFiniteNumber } from "./_checks.ts";

/** Options for {@linkcode PageHinkley}. */
export interface PageHinkleyOptions {
  /** Values seen (since the start or the last drift) before a drift can be reported. @default {30} */
  minInstances?: number;
  /** The magnitude of changes tolerated (subtracted from each deviation). @default {0.005} */
  delta?: number;
  /** The cumulative deviation (λ) that signals a drift. @default {50} */
  threshold?: number;
  /** The fading factor of the cumulative sums, in (0, 1]. @default {0.9999} */
  alpha?: number;
  /** Which changes to detect: an increase, a decrease or both. @default {"both"} */
  mode?: "up" | "down" | "both";
}

/** Plain-data state of a {@linkcode PageHinkley} test (JSON-safe). */
export interface PageHinkleyState {
  /** The settings. */
  options: Required<PageHinkleyOptions>;
  /** Values since the start or the last drift. */
  count: number;
  /** Their mean. */
  mean: number;
  /** The cumulative sums and their extremes: `[up, minUp, down, maxDown]`. */
  sums: number[];
  /** Drifts reported since the start. */
  drifts: number;
}

/**
 * Page-Hinkley: with x̄ the running mean since the last reset, it keeps
 * `Uₜ = α·Uₜ₋₁ + (xₜ − x̄ − δ)` and `Dₜ = α·Dₜ₋₁ + (xₜ − x̄ + δ)`; an increase is reported
 * when `Uₜ − min U > λ`, a decrease when `max D − Dₜ > λ` (after `minInstances` values).
 * After a drift the test starts afresh. Parameters and defaults follow River's
 * `drift.PageHinkley`. A value that is not finite is ignored.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { PageHinkley } from "./page_hinkley.ts";
 * const ph = new PageHinkley({ threshold: 5 });
 * let at = -1;
 * for (let t = 0; t < 200; t++) if (ph.update(t < 100 ? 0 : 1) && at < 0) at = t;
 * assert(at > 100 && at < 110 && ph.drifts >= 1);
 * ```
 */
export class PageHinkley {
  readonly #options: Required<PageHinkleyOptions>;
  #count = 0;
  #mean = 0;
  #up = 0;
  #minUp = 0;
  #down = 0;
  #maxDown = 0;
  #drifts = 0;

  /**
   * Creates a test with no data seen.
   *
   * @param options Warm-up, tolerance, threshold, fading factor and direction.
   * @throws {RangeError} When an option is out of range.
   */
  constructor(options: PageHinkleyOptions = {}) {
    const { minInstances = 30, delta = 0.005, threshold = 50, alpha = 0.9999, mode = "both" } = options;
    checkInt("PageHinkley", "minInstances", minInstances, 1);
    checkRange("PageHinkley", "delta", delta, 0, 1e300);
    checkRange("PageHinkley", "threshold", threshold, 0, 1e300, true);
    checkRange("PageHinkley", "alpha", alpha, 0, 1, true);
    if (mode !== "up" && mode !== "down" && mode !== "both") {
      throw new RangeError(
        `Cannot create PageHinkley as 'mode' must be "up", "down" or "both": current value is ${mode}`,
      );
    }
    this.#options = { minInstances, delta, threshold, alpha, mode };
  }

  /**
   * Creates a test from a saved state.
   *
   * @param state A state from {@linkcode PageHinkley.toState}.
   * @returns A test that continues exactly where the saved one was.
   * @throws {TypeError} When the state is malformed.
   */
  static fromState(state: PageHinkleyState): PageHinkley {
    let ph: PageHinkley;
    try {
      ph = new PageHinkley(state.options);
    } catch {
      return badState("PageHinkley", state);
    }
    const ok = Number.isSafeInteger(state.count) && state.count >= 0 && isFiniteNumber(state.mean) &&
      Array.isArray(state.sums) && state.sums.length === 4 && state.sums.every(isFiniteNumber) &&
      Number.isSafeInteger(state.drifts) && state.drifts >= 0;
    if (!ok) badState("PageHinkley", state);
    ph.#count = state.count;
    ph.#mean = state.mean;
    [ph.#up, ph.#minUp, ph.#down, ph.#maxDown] = state.sums;
    ph.#drifts = state.drifts;
    return ph;
  }

  /** Drifts reported since the start. */
  get drifts(): number {
    return this.#drifts;
  }

  /**
   * Takes the next value.
   *
   * @param x The value (one that is not finite is ignored).
   * @returns Whether a drift is reported at this value.
   */
  update(x: number): boolean {
    if (!Number.isFinite(x)) return false;
    const { minInstances, delta, threshold, alpha, mode } = this.#options;
    this.#count++;
    const mean = this.#mean + (x - this.#mean) / this.#count;
    const up = alpha * this.#up + (x - mean - delta);
    const down = alpha * this.#down + (x - mean + delta);
    if (!Number.isFinite(mean) || !Number.isFinite(up) || !Number.isFinite(down)) {
      this.#reset();
      return false;
    }
    this.#mean = mean;
    this.#up = up;
    this.#down = down;
    this.#minUp = Math.min(this.#minUp, up);
    this.#maxDown = Math.max(this.#maxDown, down);
    if (this.#count < minInstances) return false;
    const drift = (mode !== "down" && up - this.#minUp > threshold) ||
      (mode !== "up" && this.#maxDown - down > threshold);
    if (drift) {
      this.#drifts++;
      this.#reset();
    }
    return drift;
  }

  /**
   * The state as plain data.
   *
   * @returns Settings, count, mean, sums and drifts.
   */
  toState(): PageHinkleyState {
    return {
      options: { ...this.#options },
      count: this.#count,
      mean: this.#mean,
      sums: [this.#up, this.#minUp, this.#down, this.#maxDown],
      drifts: this.#drifts,
    };
  }

  #reset(): void {
    this.#count = 0;
    this.#mean = 0;
    this.#up =
      this.#minUp =
      this.#down =
      this.#maxDown =
        0;
  }
}
