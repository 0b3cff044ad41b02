/**
 * The baselines a prequential run scores beside its model (private to src/online). For
 * the linear head, each target series — output row i of column j — has a persistence
 * forecaster (the series' last target) and an online AR model; for the softmax head, each
 * column predicts its previous class. They forecast when the model does (at the feature
 * event, from the targets known by then), are scored when the target arrives (in the order
 * the model is scored), and then learn it. Since-start and rolling errors are kept on the
 * values every method had a forecast for, so they compare like with like.
 *
 * @module
 */
import type { Matrix } from "../math/matrix.ts";
import type { Head, Target } from "../cells/types.ts";
import { StreamMetrics } from "./metrics.ts";
import type { StreamMetricsState } from "./metrics.ts";
import { Persistence } from "./forecast/persistence.ts";
import type { PersistenceState } from "./forecast/persistence.ts";
import { OnlineAR } from "./forecast/online_ar.ts";
import type { OnlineARState } from "./forecast/online_ar.ts";
import { ForecastScore, forecastSkill } from "./forecast/forecast_score.ts";
import type { ForecastScoreState, ForecastTriple } from "./forecast/forecast_score.ts";

/** The baselines of one output row of a linear head, over the values they had a forecast for. */
export interface RowBaselines {
  /** Values compared: targets of this row whose series had an earlier target (and whose errors were finite). */
  count: number;
  /** MAE of the model, persistence and online AR on those values; NaN while none was compared. */
  mae: ForecastTriple;
  /** Model MAE ÷ persistence MAE (below 1 beats persistence; 1 when both are 0; at most 1e6); null while none was compared. */
  skill: number | null;
  /** AR MAE ÷ persistence MAE, the same way. */
  arSkill: number | null;
}

/** The baseline of a softmax head, over the columns it had a forecast for. */
export interface ClassBaselines {
  /** Columns compared: targets whose column had an earlier target. */
  count: number;
  /** Accuracy of the model's most likely class, and of the column's previous class, on those columns; NaN while none. */
  accuracy: { model: number; persistence: number };
}

/** The baselines in a {@linkcode PrequentialEvent}'s metrics: rolling (`window`) and since-start (`total`). */
export type PrequentialBaselines =
  | { kind: "regression"; window: RowBaselines[]; total: RowBaselines[] }
  | { kind: "classification"; window: ClassBaselines; total: ClassBaselines };

/**
 * The baselines' forecasts for one step, made beside the model's: row-major like its
 * prediction (series (i, j) at i·m + j), NaN where a series had no target yet.
 */
export interface BaselineForecasts {
  /** Persistence: each series' last target (n_y·m values); for the softmax head, each column's last class (m). */
  persistence: number[];
  /** Online AR's forecast of each series (n_y·m values); null for the softmax head. */
  ar: number[] | null;
}

/** Plain-data state of the baselines, kept in a {@linkcode PrequentialSnapshot}. */
export interface PrequentialBaselinesState {
  /** Output rows n_y. */
  rows: number;
  /** Columns m (0 before the first step). */
  cols: number;
  /** Per series, row-major (series (i, j) at i·m + j); per column for the softmax head. */
  persistence: PersistenceState[];
  /** Per series, like `persistence`; empty for the softmax head. */
  ar: OnlineARState[];
  /** Since-start errors per row (linear head); null for the softmax head. */
  score: ForecastScoreState | null;
  /** Rolling (and, for the softmax head, since-start) metrics: per row model, persistence, AR; or model, persistence. */
  metrics: StreamMetricsState[];
}

const WHAT = "Cannot resume prequential() as the snapshot's baselines";

/** The baselines of one prequential subscription. */
export class Baselines {
  readonly #linear: boolean;
  readonly #order: number;
  readonly #rows: number;
  #cols = 0;
  #persistence: Persistence[] = [];
  #ar: OnlineAR[] = [];
  readonly #score: ForecastScore | null;
  readonly #metrics: StreamMetrics[];
  #summary: PrequentialBaselines | null = null;

  /**
   * @param head The model's head.
   * @param order The AR order (linear head; ignored for softmax).
   * @param window The rolling window, in scored predictions.
   * @param rows Output rows n_y.
   * @param state A snapshot's state to continue from.
   * @throws {TypeError} When the state is malformed or does not fit these settings.
   */
  constructor(
    head: Head,
    order: number | null,
    window: number,
    rows: number,
    state?: PrequentialBaselinesState,
  ) {
    this.#linear = head === "linear";
    this.#order = order ?? 0;
    this.#rows = rows;
    const kind = this.#linear ? "regression" : "classification";
    if (state === undefined) {
      this.#score = this.#linear ? new ForecastScore(Array.from({ length: rows }, (_, i) => `${i}`)) : null;
      this.#metrics = Array.from(
        { length: this.#linear ? 3 * rows : 2 },
        () => new StreamMetrics(kind, { window }),
      );
      return;
    }
    const ok = state !== null && typeof state === "object" && state.rows === rows &&
      Number.isSafeInteger(state.cols) && state.cols >= 0 && Array.isArray(state.persistence) &&
      state.persistence.length === (this.#linear ? rows * state.cols : state.cols) &&
      Array.isArray(state.ar) &&
      state.ar.length === (this.#linear ? rows * state.cols : 0) &&
      state.ar.every((s) => s?.options?.order === order) && Array.isArray(state.metrics) &&
      state.metrics.length === (this.#linear ? 3 * rows : 2) &&
      state.metrics.every((s) => s?.kind === kind && s?.window === window) &&
      (this.#linear ? state.score?.fields?.length === rows : state.score === null);
    if (!ok) {
      throw new TypeError(`${WHAT} do not fit its config: ${JSON.stringify(state)?.slice(0, 200)}`);
    }
    try {
      this.#cols = state.cols;
      this.#persistence = state.persistence.map((s) => Persistence.fromState(s));
      this.#ar = state.ar.map((s) => OnlineAR.fromState(s));
      this.#score = state.score === null ? null : ForecastScore.fromState(state.score);
      this.#metrics = state.metrics.map((s) => StreamMetrics.fromState(s));
    } catch (error) {
      throw new TypeError(`${WHAT} are malformed: ${(error as Error).message}`);
    }
  }

  /**
   * The baselines' forecasts for the step the model has just predicted (before its target is known).
   *
   * @param cols The step's columns m.
   */
  forecast(cols: number): BaselineForecasts {
    if (this.#cols === 0) this.#start(cols);
    // plain arrays: a typed array costs more to allocate than these few values to fill
    const n = this.#persistence.length;
    const persistence: number[] = new Array(n), ar: number[] | null = this.#linear ? new Array(n) : null;
    for (let q = 0; q < n; q++) {
      const seen = this.#persistence[q].count > 0;
      persistence[q] = seen ? this.#persistence[q].predict() : NaN;
      if (ar !== null) ar[q] = seen ? this.#ar[q].predict() : NaN;
    }
    return { persistence, ar };
  }

  /**
   * Scores the model's and the baselines' forecasts for one step against its target, then
   * the baselines learn the target.
   *
   * @param prediction The model's prediction (n_y×m).
   * @param target The step's target.
   * @param forecasts What {@linkcode Baselines.forecast} gave for the step (undefined: none, learn only).
   */
  score(prediction: Matrix, target: Target, forecasts: BaselineForecasts | undefined): void {
    if (this.#cols === 0) this.#start(prediction.cols);
    this.#summary = null;
    const n = this.#persistence.length;
    const usable = forecasts !== undefined && Array.isArray(forecasts.persistence) &&
      forecasts.persistence.length === n && (!this.#linear || forecasts.ar?.length === n);
    if (this.#linear) this.#scoreValues(prediction, (target as Matrix).data, usable ? forecasts! : null);
    else this.#scoreClasses(prediction, target, usable ? forecasts! : null);
  }

  /**
   * The rolling and since-start summaries: frozen, and the same object until the next
   * {@linkcode Baselines.score} (a step that waits for its label shares its label's).
   */
  summary(): PrequentialBaselines {
    if (this.#summary === null) this.#summary = deepFreeze(this.#summarize());
    return this.#summary;
  }

  #summarize(): PrequentialBaselines {
    const m = this.#metrics;
    if (!this.#linear) {
      const classes = (model: { count: number; accuracy?: number }, persistence: { accuracy?: number }) => ({
        count: model.count,
        accuracy: { model: model.accuracy!, persistence: persistence.accuracy! },
      });
      return {
        kind: "classification",
        window: classes(m[0].window(), m[1].window()),
        total: classes(m[0].total(), m[1].total()),
      };
    }
    const none = (): RowBaselines => ({
      count: 0,
      mae: { model: NaN, persistence: NaN, ar: NaN },
      skill: null,
      arSkill: null,
    });
    return {
      kind: "regression",
      window: Array.from({ length: this.#rows }, (_, i): RowBaselines => {
        const [model, persistence, ar] = [0, 1, 2].map((k) => m[3 * i + k].window());
        const mae = { model: model.mae!, persistence: persistence.mae!, ar: ar.mae! };
        if (model.count === 0) return none();
        const skill = forecastSkill(mae.model, mae.persistence),
          arSkill = forecastSkill(mae.ar, mae.persistence);
        return { count: model.count, mae, skill, arSkill };
      }),
      total: this.#score!.summary().map((f): RowBaselines =>
        f.count > 0 ? { count: f.count, mae: f.mae, skill: f.skill, arSkill: f.arSkill } : none()
      ),
    };
  }

  /** The state as plain data (copies). */
  getState(): PrequentialBaselinesState {
    return {
      rows: this.#rows,
      cols: this.#cols,
      persistence: this.#persistence.map((p) => p.toState()),
      ar: this.#ar.map((a) => a.toState()),
      score: this.#score?.toState() ?? null,
      metrics: this.#metrics.map((s) => s.getState()),
    };
  }

  #start(cols: number): void {
    this.#cols = cols;
    const n = this.#linear ? this.#rows * cols : cols;
    this.#persistence = Array.from({ length: n }, () => new Persistence());
    this.#ar = this.#linear ? Array.from({ length: n }, () => new OnlineAR({ order: this.#order })) : [];
  }

  #scoreValues(prediction: Matrix, y: Float64Array, forecasts: BaselineForecasts | null): void {
    const m = this.#cols, p = prediction.data;
    for (let i = 0; i < this.#rows; i++) {
      let n = 0, modelA = 0, modelB = 0, persistA = 0, persistB = 0, arA = 0, arB = 0;
      for (let j = 0; forecasts !== null && j < m; j++) {
        const q = i * m + j, v = y[q];
        const triple = { model: p[q], persistence: forecasts.persistence[q], ar: forecasts.ar![q] };
        // NaN: the series had no target yet; ForecastScore skips (and counts) non-finite errors
        if (Number.isNaN(triple.persistence) || !this.#score!.add(i, v, triple)) continue;
        const em = triple.model - v, ep = triple.persistence - v, ea = triple.ar - v;
        n++;
        modelA += Math.abs(em);
        modelB += em * em;
        persistA += Math.abs(ep);
        persistB += ep * ep;
        arA += Math.abs(ea);
        arB += ea * ea;
      }
      // one score per row and scored prediction (n = 0 too), so the window spans the model's
      this.#metrics[3 * i].add({ a: modelA, b: modelB, n });
      this.#metrics[3 * i + 1].add({ a: persistA, b: persistB, n });
      this.#metrics[3 * i + 2].add({ a: arA, b: arB, n });
    }
    for (let q = 0; q < this.#persistence.length; q++) {
      if (!Number.isFinite(y[q])) continue;
      this.#persistence[q].learn(y[q]);
      this.#ar[q].learn(y[q]);
    }
  }

  #scoreClasses(prediction: Matrix, target: Target, forecasts: BaselineForecasts | null): void {
    const m = this.#cols;
    let n = 0, model = 0, persistence = 0;
    for (let j = 0; j < m; j++) {
      const actual = target instanceof Int32Array ? target[j] : argmax(target.data, target.rows, m, j);
      const previous = forecasts?.persistence[j] ?? NaN;
      if (!Number.isNaN(previous)) {
        n++;
        if (argmax(prediction.data, prediction.rows, m, j) === actual) model++;
        if (previous === actual) persistence++;
      }
      this.#persistence[j].learn(actual);
    }
    // log loss is not defined for a hard forecast: only the hits (b) and columns (n) are read
    this.#metrics[0].add({ a: 0, b: model, n });
    this.#metrics[1].add({ a: 0, b: persistence, n });
  }
}

/** The row of column j's largest value (the first on ties), as the softmax metrics count a hit. */
function argmax(data: ArrayLike<number>, rows: number, m: number, j: number): number {
  let best = 0;
  for (let i = 1; i < rows; i++) if (data[i * m + j] > data[best * m + j]) best = i;
  return best;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
