/**
 * A forecaster that starts as persistence and adds a learned correction only while the
 * correction has been earning its keep.
 *
 * @module
 */
import {
  badState,
  checkInt,
  checkRange,
  checkValue,
  decayWeight,
  isFiniteNumber,
  isNumbers,
} from "./_checks.ts";
import { RobustSpread } from "./robust_spread.ts";
import type { RobustSpreadState } from "./robust_spread.ts";

/** Options for {@linkcode ResidualForecaster}. */
export interface ResidualForecasterOptions {
  /** How many recent differences the correction uses. @default {3} */
  order?: number;
  /** The normalised LMS step size μ, in (0, 2). @default {0.01} */
  learningRate?: number;
  /** Weight decay per update (shrinks the correction towards 0, i.e. towards persistence). @default {0.0001} */
  shrink?: number;
  /** Differences are normalised by their robust spread and clamped to ±clip. @default {3} */
  clip?: number;
  /** Half-life, in readings, of the difference spread and of the running MAEs that gate the correction. @default {500} */
  halfLife?: number;
  /** The correction is used only when its running MAE is below `(1 − margin)` × persistence's. @default {0.02} */
  margin?: number;
  /** Readings before the correction may be used. @default {100} */
  warmup?: number;
}

/** Plain-data state of a {@linkcode ResidualForecaster} (JSON-safe). */
export interface ResidualForecasterState {
  /** The settings. */
  options: Required<ResidualForecasterOptions>;
  /** The last value seen (0 before any). */
  last: number;
  /** Values seen. */
  count: number;
  /** Recent normalised, clamped differences, newest first. */
  history: number[];
  /** The correction's weights. */
  weights: number[];
  /** The spread of the differences. */
  spread: RobustSpreadState;
  /** Running MAE of persistence + correction (whether used or not). */
  correctedMae: number;
  /** Running MAE of persistence. */
  persistenceMae: number;
}

/**
 * Forecasts `x̂ₜ₊₁ = xₜ + c`, the last value plus a correction `c = σ·wᵀu`, where `u` holds
 * the p most recent differences divided by their robust spread σ ({@linkcode RobustSpread})
 * and clamped to ±clip, and `w` is learned by normalised LMS with weight decay on the
 * clamped, normalised next difference. Untrained (`w = 0`) it IS persistence, and:
 *
 * - the correction is bounded: |c| ≤ σ·clip·‖w‖₁, and an outlier (an anomaly's jump)
 *   enters `u` clamped, so it cannot throw the forecast far;
 * - the correction is gated: it is used only after `warmup` readings and while its own
 *   running MAE (computed every step, used or not) is below `(1 − margin)` times the
 *   running MAE of persistence on the same readings. Where the differences carry no
 *   predictable structure the gate stays shut and the forecast is exactly persistence;
 *   where it opens, the correction has just beaten persistence by the margin. So at
 *   defaults its MAE can exceed persistence's only by what is lost between the gate
 *   opening and a change of regime closing it again (measured in bench/forecast_report.ts).
 *
 * `learn(value, true)` ("frozen", for readings flagged as anomalous) moves the last value
 * and the history on but changes neither the weights, the spread nor the running MAEs:
 * an anomaly does not teach the model that it is normal.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { ResidualForecaster } from "./residual_forecaster.ts";
 * const f = new ResidualForecaster();
 * f.learn(5);
 * assert(f.predict() === 5 && !f.active); // untrained: persistence
 * // a sawtooth: differences alternate +1, −1; persistence errs by 1 every step
 * for (let t = 0; t < 3000; t++) f.learn(t % 2);
 * assert(f.active && Math.abs(f.predict() - 0) < 0.2); // last 1, next 0
 * ```
 */
export class ResidualForecaster {
  readonly #options: Required<ResidualForecasterOptions>;
  readonly #p: number;
  readonly #w: number;
  #last = 0;
  #count = 0;
  readonly #u: Float64Array;
  readonly #weights: Float64Array;
  #spread: RobustSpread;
  #correctedMae = 0;
  #persistenceMae = 0;

  /**
   * Creates a forecaster with no data seen.
   *
   * @param options Order, step size, shrinkage, clamp, half-life, gate margin and warm-up.
   * @throws {RangeError} When an option is out of range.
   */
  constructor(options: ResidualForecasterOptions = {}) {
    const {
      order = 3,
      learningRate = 0.01,
      shrink = 0.0001,
      clip = 3,
      halfLife = 500,
      margin = 0.02,
      warmup = 100,
    } = options;
    const what = "ResidualForecaster";
    checkInt(what, "order", order, 1);
    checkRange(what, "learningRate", learningRate, 0, 2, true, true);
    checkRange(what, "shrink", shrink, 0, 1, false, true);
    checkRange(what, "clip", clip, 0, 1e6, true);
    checkRange(what, "halfLife", halfLife, 1, 1e12);
    checkRange(what, "margin", margin, 0, 1, false, true);
    checkInt(what, "warmup", warmup, 0);
    this.#options = { order, learningRate, shrink, clip, halfLife, margin, warmup };
    this.#p = order;
    this.#w = decayWeight(halfLife);
    this.#u = new Float64Array(order);
    this.#weights = new Float64Array(order);
    this.#spread = new RobustSpread({ halfLife, clip: 4 });
  }

  /**
   * Creates a forecaster from a saved state.
   *
   * @param state A state from {@linkcode ResidualForecaster.toState}.
   * @returns A forecaster that continues exactly where the saved one was.
   * @throws {TypeError} When the state is malformed.
   */
  static fromState(state: ResidualForecasterState): ResidualForecaster {
    let f: ResidualForecaster;
    try {
      f = new ResidualForecaster(state.options);
      f.#spread = RobustSpread.fromState(state.spread);
    } catch {
      return badState("ResidualForecaster", state);
    }
    const p = f.#p;
    const ok = isFiniteNumber(state.last) && Number.isSafeInteger(state.count) && state.count >= 0 &&
      isNumbers(state.history, p) && isNumbers(state.weights, p) && isFiniteNumber(state.correctedMae) &&
      isFiniteNumber(state.persistenceMae);
    if (!ok) badState("ResidualForecaster", state);
    f.#last = state.last;
    f.#count = state.count;
    f.#u.set(state.history);
    f.#weights.set(state.weights);
    f.#correctedMae = state.correctedMae;
    f.#persistenceMae = state.persistenceMae;
    return f;
  }

  /** Values seen. */
  get count(): number {
    return this.#count;
  }

  /** Whether the correction is in use (else the forecast is the last value). */
  get active(): boolean {
    return this.#count > this.#options.warmup &&
      this.#correctedMae < (1 - this.#options.margin) * this.#persistenceMae;
  }

  /**
   * The forecast of the next value.
   *
   * @returns The last value, plus the correction while it is {@linkcode ResidualForecaster.active}.
   */
  predict(): number {
    return this.active ? this.#corrected() : this.#last;
  }

  /**
   * Takes the next value: scores and learns the correction from its difference (unless
   * frozen), then moves the history on.
   *
   * @param value A finite number.
   * @param frozen When true (a reading flagged as anomalous), nothing is learned from it.
   * @throws {RangeError} When the value is not a finite number.
   */
  learn(value: number, frozen = false): void {
    checkValue("ResidualForecaster.learn()", value);
    const p = this.#p, u = this.#u;
    if (this.#count > 0) {
      const d = value - this.#last;
      const sigma = this.#spread.sigma;
      const { clip } = this.#options;
      if (!frozen && Number.isFinite(d)) {
        const w = Math.max(this.#w, 1 / this.#count);
        const eCorrected = Math.abs(value - this.#corrected()), ePersistence = Math.abs(d);
        // running MAEs on the same readings (winsorised like the spread, so one outlier cannot flip the gate)
        const cap = sigma > 0 ? 4 * clip * sigma : Infinity;
        this.#correctedMae += w * (Math.min(eCorrected, cap) - this.#correctedMae);
        this.#persistenceMae += w * (Math.min(ePersistence, cap) - this.#persistenceMae);
        if (sigma > 0) this.#nlms(clamp(d / sigma, clip));
        this.#spread.update(d);
      }
      for (let k = p - 1; k > 0; k--) u[k] = u[k - 1];
      const s = this.#spread.sigma;
      u[0] = s > 0 && Number.isFinite(d) ? clamp(d / s, clip) : 0;
    }
    this.#last = value;
    this.#count++;
  }

  /**
   * The state as plain data (copies).
   *
   * @returns Settings, history, weights, spread and the gate's running MAEs.
   */
  toState(): ResidualForecasterState {
    return {
      options: { ...this.#options },
      last: this.#last,
      count: this.#count,
      history: Array.from(this.#u),
      weights: Array.from(this.#weights),
      spread: this.#spread.toState(),
      correctedMae: this.#correctedMae,
      persistenceMae: this.#persistenceMae,
    };
  }

  #corrected(): number {
    let c = 0;
    for (let k = 0; k < this.#p; k++) c += this.#weights[k] * this.#u[k];
    const y = this.#last + this.#spread.sigma * c;
    return Number.isFinite(y) ? y : this.#last;
  }

  #nlms(target: number): void {
    const p = this.#p, u = this.#u, w = this.#weights;
    const { learningRate, shrink } = this.#options;
    let y = 0, uu = 0;
    for (let k = 0; k < p; k++) {
      y += w[k] * u[k];
      uu += u[k] * u[k];
    }
    // NLMS: w ← (1 − shrink)·w + μ·e·u / (1 + uᵀu), e = target − wᵀu
    const g = learningRate * (target - y) / (1 + uu);
    for (let k = 0; k < p; k++) w[k] = (1 - shrink) * w[k] + g * u[k];
  }
}

function clamp(v: number, c: number): number {
  return v > c ? c : v < -c ? -c : v;
}
