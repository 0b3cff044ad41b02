/**
 * Skill accounting for online forecasts: MAE per field for a model, persistence and an
 * AR baseline on the same readings, and the model's skill relative to persistence.
 *
 * @module
 */
import { badState, checkRange, isNumbers } from "./_checks.ts";

/** The three forecasts made for one value. */
export interface ForecastTriple {
  /** The model's forecast. */
  model: number;
  /** The persistence forecast (the last value). */
  persistence: number;
  /** The AR baseline's forecast. */
  ar: number;
}

/** Options for {@linkcode ForecastScore}. */
export interface ForecastScoreOptions {
  /** A value whose error (any method's) is above this, or not finite, is skipped and counted. @default {1e12} */
  maxError?: number;
}

/** The scores of one field. */
export interface FieldScore {
  /** The field's name. */
  field: string;
  /** Values scored. */
  count: number;
  /** Values skipped (an error above `maxError` or not finite). */
  skipped: number;
  /** MAE of each method (0 when nothing was scored). */
  mae: ForecastTriple;
  /** Model MAE ÷ persistence MAE: below 1 beats persistence (1 when both are 0 or nothing was scored; at most 1e6). */
  skill: number;
  /** AR MAE ÷ persistence MAE, the same way. */
  arSkill: number;
}

/** Plain-data state of a {@linkcode ForecastScore} (JSON-safe). */
export interface ForecastScoreState {
  /** The field names. */
  fields: string[];
  /** The settings. */
  options: Required<ForecastScoreOptions>;
  /** Per field: Σ|error| of model, persistence and AR, values scored, values skipped. */
  sums: number[][];
}

const MAX_SKILL = 1e6;

/**
 * Keeps, per field, the summed absolute errors of a model, persistence and an AR
 * baseline on the same values, so their MAEs compare like with like. The skill score is
 * `model MAE ÷ persistence MAE`; it is never NaN or Infinity: 1 when nothing was scored
 * or both MAEs are 0, capped at 1e6. A value for which any method's error is above
 * `maxError` (or not finite) is skipped for all three and counted, so sums stay finite.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { ForecastScore } from "./forecast_score.ts";
 * const score = new ForecastScore(["t"]);
 * score.add(0, 10, { model: 9.5, persistence: 9, ar: 11 });
 * score.add(0, 10, { model: 10, persistence: 11, ar: 10 });
 * const [t] = score.summary();
 * assert(t.mae.model === 0.25 && t.mae.persistence === 1 && t.skill === 0.25 && t.arSkill === 0.5);
 * ```
 */
export class ForecastScore {
  /** The field names. */
  readonly fields: readonly string[];
  readonly #maxError: number;
  readonly #sums: Float64Array[];

  /**
   * Creates empty scores.
   *
   * @param fields The field names, at least one.
   * @param options The largest error counted.
   * @throws {RangeError} When there are no fields or `maxError` is out of range.
   */
  constructor(fields: readonly string[], options: ForecastScoreOptions = {}) {
    const { maxError = 1e12 } = options;
    if (!Array.isArray(fields) || fields.length === 0) {
      throw new RangeError(
        `Cannot create ForecastScore as 'fields' must be a non-empty array: current value is ${fields}`,
      );
    }
    checkRange("ForecastScore", "maxError", maxError, 0, 1e300, true);
    this.fields = [...fields];
    this.#maxError = maxError;
    this.#sums = fields.map(() => new Float64Array(5));
  }

  /**
   * Creates scores from a saved state.
   *
   * @param state A state from {@linkcode ForecastScore.toState}.
   * @returns Scores that continue where the saved ones were.
   * @throws {TypeError} When the state is malformed.
   */
  static fromState(state: ForecastScoreState): ForecastScore {
    let score: ForecastScore;
    try {
      score = new ForecastScore(state.fields, state.options);
    } catch {
      return badState("ForecastScore", state);
    }
    const ok = Array.isArray(state.sums) && state.sums.length === state.fields.length &&
      state.sums.every((s) => isNumbers(s, 5) && s.every((v) => v >= 0));
    if (!ok) badState("ForecastScore", state);
    state.sums.forEach((s, i) => score.#sums[i].set(s));
    return score;
  }

  /**
   * Scores the three forecasts made for one value of one field.
   *
   * @param field The field's index.
   * @param actual The value that came.
   * @param forecasts The forecasts made for it.
   * @returns Whether the value was scored (false: skipped and counted, as an error was above `maxError` or not finite).
   * @throws {RangeError} When the field index is out of range.
   */
  add(field: number, actual: number, forecasts: ForecastTriple): boolean {
    const s = this.#sums[field];
    if (s === undefined) {
      throw new RangeError(
        `Cannot call ForecastScore.add() as 'field' must be an integer in [0, ${this.fields.length}): current value is ${field}`,
      );
    }
    const m = Math.abs(actual - forecasts.model);
    const p = Math.abs(actual - forecasts.persistence);
    const a = Math.abs(actual - forecasts.ar);
    const max = this.#maxError;
    // `!(e <= max)` also catches NaN
    if (!(m <= max) || !(p <= max) || !(a <= max)) {
      s[4]++;
      return false;
    }
    s[0] += m;
    s[1] += p;
    s[2] += a;
    s[3]++;
    return true;
  }

  /**
   * The scores so far.
   *
   * @returns One {@linkcode FieldScore} per field.
   */
  summary(): FieldScore[] {
    return this.#sums.map((s, i) => {
      const n = s[3];
      const mae = n > 0 ? { model: s[0] / n, persistence: s[1] / n, ar: s[2] / n } : {
        model: 0,
        persistence: 0,
        ar: 0,
      };
      return {
        field: this.fields[i],
        count: n,
        skipped: s[4],
        mae,
        skill: forecastSkill(s[0], s[1]),
        arSkill: forecastSkill(s[2], s[1]),
      };
    });
  }

  /**
   * The state as plain data (copies).
   *
   * @returns Fields, settings and sums.
   */
  toState(): ForecastScoreState {
    return {
      fields: [...this.fields],
      options: { maxError: this.#maxError },
      sums: this.#sums.map((s) => Array.from(s)),
    };
  }
}

/**
 * The skill score of a forecast: its error ÷ persistence's error on the same values
 * (below 1 beats persistence). Give MAEs or summed absolute errors over the same count.
 * For finite inputs never NaN or Infinity: 1 when both are 0 (nothing to choose), capped
 * at 1e6 (also when only persistence is exact).
 *
 * @param error The forecast's MAE (or summed absolute error), >= 0.
 * @param persistenceError Persistence's, on the same values.
 * @returns `error ÷ persistenceError`, in [0, 1e6].
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { forecastSkill } from "./forecast_score.ts";
 * assert(forecastSkill(0.5, 2) === 0.25);
 * assert(forecastSkill(0, 0) === 1 && forecastSkill(1, 0) === 1e6);
 * ```
 */
export function forecastSkill(error: number, persistenceError: number): number {
  if (persistenceError > 0) return Math.min(error / persistenceError, MAX_SKILL);
  return error > 0 ? MAX_SKILL : 1;
}
