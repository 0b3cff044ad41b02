/**
 * A self-calibrating anomaly score for one series of readings (one or more fields):
 * forecast residuals in robust spreads, a warm-up, an onset and a hold threshold (hysteresis)
 * the same on every feed, and a hold rule for long anomalous stretches that ends when the
 * series has settled.
 *
 * @module
 */
import { badState, checkInt, checkRange, checkValue, isNumbers } from "./_checks.ts";
import { RobustSpread } from "./robust_spread.ts";
import type { RobustSpreadState } from "./robust_spread.ts";

/** Options for {@linkcode AnomalyScorer}. */
export interface AnomalyScorerOptions {
  /** While holding, a reading stays flagged when its score (residual in robust spreads, the largest over fields) exceeds this. @default {12} */
  threshold?: number;
  /** A flag (and a hold) starts only with a score above this (never below `threshold`). @default {100} */
  onset?: number;
  /** A hold ends after this many readings in a row whose one-step score is below `calm` (the series settled at a new level). 0 never. @default {10} */
  settle?: number;
  /** The one-step score below which a held reading counts as calm. @default {3} */
  calm?: number;
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
  /** Calm readings in a row while holding (absent in older states: 0). */
  calmRun?: number;
}

/** What the scorer says about one reading. */
export interface AnomalyVerdict {
  /** The score: the largest |residual| / spread over the fields (capped at 1e9, never NaN); while holding, against the last normal reading. */
  score: number;
  /** Whether the reading is flagged. */
  flagged: boolean;
  /** Whether the models should not learn from this reading (flagged and within `maxHold`). */
  hold: boolean;
}

const MAX_SCORE = 1e9;

/**
 * Scores each reading by its forecast residual divided by a robust online spread of the
 * residuals ({@linkcode RobustSpread}) per field. Since the score is in units of the
 * feed's own typical error, the same thresholds mean the same on every feed; no flag is
 * raised during the first `warmup` readings. Two thresholds (hysteresis): a flag starts
 * only with a score above `onset` — a jump far beyond anything the series does by itself
 * (natural weather fronts reach tens of spreads, introduced faults hundreds) — and, once
 * started, goes on while the score stays above the lower `threshold`.
 *
 * The hold rule: a flagged reading is not taken into the spreads, and the caller should
 * not learn from it (`hold`). While flags continue, each reading is scored against the
 * last unflagged reading `ref` instead of the one-step forecast, with the spread widened
 * by √(k+1) after k flagged readings (how far a random walk of such steps wanders): a long
 * anomalous stretch keeps standing out instead of becoming the model's new normal. The
 * hold ends when readings come back near `ref`, when the series has settled at a new
 * level (`settle` readings in a row whose one-step score, against the forecast, is below
 * `calm`), or after `maxHold` flagged readings in a row; then the new level is accepted
 * (the spreads learn again).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { AnomalyScorer } from "./anomaly_scorer.ts";
 * const scorer = new AnomalyScorer(1, { warmup: 10 });
 * for (let i = 0; i < 50; i++) scorer.score([20 + (i % 2) * 0.1], [20 + ((i + 1) % 2) * 0.1]);
 * assert(!scorer.score([21], [20]).flagged); // 7 spreads: within what the series does
 * const spike = scorer.score([50], [20]);
 * assert(spike.flagged && spike.hold && spike.score > 100);
 * assert(scorer.score([50], [50]).flagged); // still far from the last normal reading: held
 * assert(!scorer.score([21], [50]).flagged); // back near it: the hold ends
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
  #calmRun = 0;

  /**
   * Creates a scorer with no data seen.
   *
   * @param fields The number of fields of a reading, an integer >= 1.
   * @param options Threshold, warm-up, hold and half-life.
   * @throws {RangeError} When `fields` or an option is out of range.
   */
  constructor(fields: number, options: AnomalyScorerOptions = {}) {
    const {
      threshold = 12,
      onset = 100,
      settle = 10,
      calm = 3,
      warmup = 100,
      maxHold = 360,
      halfLife = 500,
    } = options;
    checkInt("AnomalyScorer", "fields", fields, 1);
    checkRange("AnomalyScorer", "threshold", threshold, 0, 1e6, true);
    checkRange("AnomalyScorer", "onset", onset, 0, 1e9);
    checkInt("AnomalyScorer", "settle", settle, 0);
    checkRange("AnomalyScorer", "calm", calm, 0, 1e6, true);
    checkInt("AnomalyScorer", "warmup", warmup, 0);
    checkInt("AnomalyScorer", "maxHold", maxHold, 0);
    checkRange("AnomalyScorer", "halfLife", halfLife, 1, 1e12);
    this.fields = fields;
    this.#options = { threshold, onset, settle, calm, warmup, maxHold, halfLife };
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
      Number.isSafeInteger(state.held) && state.held >= 0 &&
      (state.calmRun === undefined || Number.isSafeInteger(state.calmRun) && state.calmRun >= 0);
    if (!ok) badState("AnomalyScorer", state);
    s.#calmRun = state.calmRun ?? 0;
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
    const { threshold, onset, settle, calm, warmup, maxHold } = this.#options;
    const holding = this.#held > 0;
    const widen = holding ? Math.sqrt(this.#held + 1) : 1;
    let score = 0, step = 0;
    for (let i = 0; i < f; i++) {
      score = Math.max(
        score,
        zScore(values[i] - (holding ? ref[i] : forecasts[i]), spreads[i].sigma * widen),
      );
      if (holding) step = Math.max(step, zScore(values[i] - forecasts[i], spreads[i].sigma));
    }
    this.#count++;
    let flagged = this.#count > warmup && score > (holding ? threshold : Math.max(threshold, onset));
    if (flagged && holding && settle > 0) {
      // settled at a new level: `settle` calm one-step scores in a row end the hold
      this.#calmRun = step < calm ? this.#calmRun + 1 : 0;
      if (this.#calmRun >= settle) flagged = false;
    }
    const hold = flagged && this.#held < maxHold;
    if (hold) {
      this.#held++;
    } else {
      this.#held = 0;
      this.#calmRun = 0;
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
      calmRun: this.#calmRun,
    };
  }
}

function zScore(r: number, sigma: number): number {
  const z = sigma > 0 ? Math.abs(r) / sigma : r === 0 ? 0 : MAX_SCORE;
  return Number.isFinite(z) ? Math.min(z, MAX_SCORE) : MAX_SCORE;
}
