/**
 * A self-calibrating anomaly score for one series of readings (one or more fields):
 * forecast residuals in robust spreads, a warm-up, one threshold for every feed, and a
 * hold rule for long anomalous stretches.
 *
 * @module
 */
import { badState, checkInt, checkRange, checkValue, isNumbers } from "./_checks.ts";
import { RobustSpread } from "./robust_spread.ts";
import type { RobustSpreadState } from "./robust_spread.ts";

/** Options for {@linkcode AnomalyScorer}. */
export interface AnomalyScorerOptions {
  /** A reading is flagged when its score (residual in robust spreads, the largest over fields) exceeds this. @default {12} */
  threshold?: number;
  /** Readings per series scored but never flagged while the spreads settle. @default {100} */
  warmup?: number;
  /** The longest hold, in readings; after it the new level is taken as normal. 0 never holds. @default {360} */
  maxHold?: number;
  /** Half-life of the spreads, in readings. @default {500} */
  halfLife?: number;
}

/** Plain-data state of an {@linkcode AnomalyScorer} (JSON-safe). */
export interface AnomalyScorerState {
  /** The settings. */
  options: Required<AnomalyScorerOptions>;
  /** The number of fields. */
  fields: number;
  /** Readings scored. */
  count: number;
  /** The residual spread of each field. */
  spreads: RobustSpreadState[];
  /** The last readings that were not flagged (the reference while holding). */
  reference: number[];
  /** Readings flagged in a row (0 when not holding). */
  held: number;
}

/** What the scorer says about one reading. */
export interface AnomalyVerdict {
  /** The score: the largest |residual| / spread over the fields (capped at 1e9, never NaN). */
  score: number;
  /** Whether the reading is flagged. */
  flagged: boolean;
  /** Whether the models should not learn from this reading (flagged and within `maxHold`). */
  hold: boolean;
}

const MAX_SCORE = 1e9;

/**
 * Scores each reading by its forecast residual divided by a robust online spread of the
 * residuals ({@linkcode RobustSpread}) per field, and flags scores above one `threshold`.
 * Since the score is in units of the feed's own typical error, the same threshold means
 * the same on every feed; no flag is raised during the first `warmup` readings.
 *
 * The hold rule: a flagged reading is not taken into the spreads, and the caller should
 * not learn from it (`hold`). While flags continue, each reading is scored against the
 * last unflagged reading `ref` instead of the one-step forecast, with the spread widened
 * by √(k+1) after k flagged readings (how far a random walk of such steps wanders): a long
 * anomalous stretch keeps standing out instead of becoming the model's new normal, and the
 * hold ends by itself when readings come back near `ref`. After `maxHold` flagged readings
 * in a row the new level is accepted (hold ends, the spreads learn again).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { AnomalyScorer } from "./anomaly_scorer.ts";
 * const scorer = new AnomalyScorer(1, { warmup: 10 });
 * for (let i = 0; i < 50; i++) scorer.score([20 + (i % 2) * 0.1], [20 + ((i + 1) % 2) * 0.1]);
 * const spike = scorer.score([30], [20]);
 * assert(spike.flagged && spike.hold && spike.score > 12);
 * assert(scorer.score([30], [30]).flagged); // still far from the last normal reading: held
 * assert(!scorer.score([20], [30]).flagged); // back near it: the hold ends
 * ```
 */
export class AnomalyScorer {
  /** The number of fields. */
  readonly fields: number;
  readonly #options: Required<AnomalyScorerOptions>;
  #count = 0;
  #spreads: RobustSpread[];
  readonly #reference: Float64Array;
  #held = 0;

  /**
   * Creates a scorer with no data seen.
   *
   * @param fields The number of fields of a reading, an integer >= 1.
   * @param options Threshold, warm-up, hold and half-life.
   * @throws {RangeError} When `fields` or an option is out of range.
   */
  constructor(fields: number, options: AnomalyScorerOptions = {}) {
    const { threshold = 12, warmup = 100, maxHold = 360, halfLife = 500 } = options;
    checkInt("AnomalyScorer", "fields", fields, 1);
    checkRange("AnomalyScorer", "threshold", threshold, 0, 1e6, true);
    checkInt("AnomalyScorer", "warmup", warmup, 0);
    checkInt("AnomalyScorer", "maxHold", maxHold, 0);
    checkRange("AnomalyScorer", "halfLife", halfLife, 1, 1e12);
    this.fields = fields;
    this.#options = { threshold, warmup, maxHold, halfLife };
    this.#spreads = Array.from({ length: fields }, () => new RobustSpread({ halfLife }));
    this.#reference = new Float64Array(fields);
  }

  /**
   * Creates a scorer from a saved state.
   *
   * @param state A state from {@linkcode AnomalyScorer.toState}.
   * @returns A scorer that continues exactly where the saved one was.
   * @throws {TypeError} When the state is malformed.
   */
  static fromState(state: AnomalyScorerState): AnomalyScorer {
    let s: AnomalyScorer;
    try {
      s = new AnomalyScorer(state.fields, state.options);
      if (!Array.isArray(state.spreads) || state.spreads.length !== state.fields) throw 0;
      s.#spreads = state.spreads.map((x) => RobustSpread.fromState(x));
    } catch {
      return badState("AnomalyScorer", state);
    }
    const ok = Number.isSafeInteger(state.count) && state.count >= 0 &&
      isNumbers(state.reference, s.fields) &&
      Number.isSafeInteger(state.held) && state.held >= 0;
    if (!ok) badState("AnomalyScorer", state);
    s.#count = state.count;
    s.#reference.set(state.reference);
    s.#held = state.held;
    return s;
  }

  /** Readings scored. */
  get count(): number {
    return this.#count;
  }

  /** Readings flagged in a row (0 when not holding). */
  get held(): number {
    return this.#held;
  }

  /**
   * Scores one reading against the forecast made for it, flags it or not, and learns the
   * spreads from it unless it is flagged.
   *
   * @param values The reading, one finite number per field.
   * @param forecasts The one-step forecast made for it, one finite number per field.
   * @returns The score, the flag and whether to hold (not learn).
   * @throws {RangeError} When an array has the wrong length or a value is not finite.
   */
  score(values: ArrayLike<number>, forecasts: ArrayLike<number>): AnomalyVerdict {
    const f = this.fields, spreads = this.#spreads, ref = this.#reference;
    if (values?.length !== f || forecasts?.length !== f) {
      throw new RangeError(
        `Cannot call AnomalyScorer.score() as a reading and its forecast must have ${f} values: current lengths are ${values?.length} and ${forecasts?.length}`,
      );
    }
    for (let i = 0; i < f; i++) {
      checkValue("AnomalyScorer.score()", values[i]);
      checkValue("AnomalyScorer.score()", forecasts[i]);
    }
    const { threshold, warmup, maxHold } = this.#options;
    const holding = this.#held > 0;
    const widen = holding ? Math.sqrt(this.#held + 1) : 1;
    let score = 0;
    for (let i = 0; i < f; i++) {
      const r = values[i] - (holding ? ref[i] : forecasts[i]);
      const sigma = spreads[i].sigma * widen;
      const z = sigma > 0 ? Math.abs(r) / sigma : r === 0 ? 0 : MAX_SCORE;
      score = Math.max(score, Number.isFinite(z) ? Math.min(z, MAX_SCORE) : MAX_SCORE);
    }
    this.#count++;
    const flagged = this.#count > warmup && score > threshold;
    const hold = flagged && this.#held < maxHold;
    if (hold) {
      this.#held++;
    } else {
      this.#held = 0;
      for (let i = 0; i < f; i++) {
        spreads[i].update(values[i] - forecasts[i]);
        ref[i] = values[i];
      }
    }
    return { score, flagged, hold };
  }

  /**
   * The state as plain data (copies).
   *
   * @returns Settings, spreads, reference and hold count.
   */
  toState(): AnomalyScorerState {
    return {
      options: { ...this.#options },
      fields: this.fields,
      count: this.#count,
      spreads: this.#spreads.map((s) => s.toState()),
      reference: Array.from(this.#reference),
      held: this.#held,
    };
  }
}
