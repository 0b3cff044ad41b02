/**
 * The live trainer's learner: one-step-ahead forecasting of numeric readings, one
 * prequential recurrent model per series (a key such as the mote id) that learns the
 * normalised change, a gated linear path and the persistence / online AR baselines beside
 * it, calibrated anomaly flags and drift events — with its whole state as plain data.
 *
 * @module
 */
import { Observable } from "../deps.ts";
import type { Subscriber, Subscription } from "../deps.ts";
import { Matrix } from "../math/matrix.ts";
import { StreamMetrics } from "./metrics.ts";
import type { MetricsSummary, StreamMetricsState } from "./metrics.ts";
import { Normalizer } from "./normalizer.ts";
import type { NormalizerState } from "./normalizer.ts";
import type { OptimizerOptions } from "../optim/optimizers.ts";
import { prequential } from "./prequential.ts";
import type { PrequentialOptions } from "./prequential.ts";
import type { CellSpec, RecurrentCell } from "../cells/recurrent_cell.ts";
import type { CellName } from "../cells/create_cell.ts";
import { ONLINE_BACKEND } from "../kernels/create_backend.ts";
import type { BackendChoice } from "../kernels/create_backend.ts";
import type { PrequentialEvent, PrequentialInput, PrequentialSnapshot } from "./prequential.ts";
import { ForecastScore } from "./forecast/forecast_score.ts";
import type { FieldScore, ForecastScoreState } from "./forecast/forecast_score.ts";
import { LiveForecasts } from "./_live_forecasts.ts";
import type { LiveForecastsState } from "./_live_forecasts.ts";

/** Options for {@linkcode LiveLearner}. */
export interface LiveLearnerOptions {
  /** Feature names (n_x = n_y = their count). */
  features: readonly string[];
  /** The cell of each series' model: `"rnn"`, `"gru"`, `"lstm"` (of `hiddenSize` units), or a RecurrentCell with the linear head. @default {"rnn"} */
  // deno-lint-ignore no-explicit-any
  cell?: CellName | RecurrentCell<any, any, any>;
  /** The kernel backend: a registered name or an instance. @default {"js": see ONLINE_BACKEND} */
  backend?: BackendChoice;
  /** Hidden size n_a. @default {32} */
  hiddenSize?: number;
  /** TBPTT window period. @default {1} */
  k1?: number;
  /** TBPTT depth. @default {16} */
  k2?: number;
  /** The optimizer. @default {{ type: "adam", learningRate: 0.002 }} */
  optimizer?: OptimizerOptions;
  /** Seed of each series' initial parameters. @default {0} */
  seed?: number;
  /** Rolling metrics window, in forecasts. @default {500} */
  window?: number;
  /** While held, a reading stays flagged while its score (forecast error in robust spreads of the series' errors) exceeds this. @default {12} */
  threshold?: number;
  /** A held reading whose one-step score is below this counts as calm (see `settle`). @default {3} */
  floor?: number;
  /**
   * A flagged reading is not learned from (nor taken into the normalisation): the models go on from
   * their own forecast, so that a lasting anomaly keeps standing out — for at most this many readings in
   * a row, after which a lasting change is taken as the new normal. 0 learns from every reading.
   * @default {360}
   */
  hold?: number;
  /** A flag (and a hold) starts only with a score above this. @default {100} */
  holdFrom?: number;
  /** A hold ends after this many calm readings in a row (the series settled at a new level). @default {10} */
  settle?: number;
  /** Forecasts per series before flags are raised (the spreads settle). @default {100} */
  warmup?: number;
  /** On a Page-Hinkley drift of a series: `"none"`, or `"reset"` its recurrent model (the linear path goes on). @default {"none"} */
  adapt?: "none" | "reset";
  /** Normalised values are clamped to ±clip. @default {8} */
  clip?: number;
}

/** What the learner says about one reading. */
export interface LiveOutcome {
  /** The series. */
  key: string;
  /** The forecast that was made for this reading (original units), or null for a series' first reading. */
  forecast: number[] | null;
  /** The anomaly score: the largest per-feature forecast error in standard deviations of the feature. */
  score: number;
  /** Whether the reading is flagged as an anomaly. */
  flagged: boolean;
  /** Whether a drift detector (Page-Hinkley or ADWIN) fired on this reading's residuals. */
  drift: boolean;
}

/** Drift events of the residuals, over all series and fields. */
export interface DriftCounts {
  /** Page-Hinkley detections. */
  pageHinkley: number;
  /** ADWIN detections. */
  adwin: number;
  /** Recurrent models reset (`adapt: "reset"`). */
  resets: number;
}

/** Counts of flags against labels. */
export interface Confusion {
  /** Flagged and labelled anomalous. */
  tp: number;
  /** Flagged, labelled normal. */
  fp: number;
  /** Not flagged, labelled anomalous. */
  fn: number;
  /** Not flagged, labelled normal. */
  tn: number;
}

interface SeriesState {
  preq: PrequentialSnapshot;
  /** The normaliser of the changes. */
  norm: NormalizerState;
  prevIndex: number | null;
  /** The last reading (null before any). */
  previous: number[] | null;
  /** The recurrent model's forecast of the next reading (original units). */
  forecast: number[] | null;
  /** The baselines, the linear path, the gate, the scorer and the drift detectors. */
  scalar: LiveForecastsState;
}

/** The plain-data state of a {@linkcode LiveLearner} (matrices inside: save it with the checkpoint codec). */
export interface LiveLearnerState {
  /** Per series. */
  series: Record<string, SeriesState>;
  /** Rolling forecast error per feature, in original units. */
  perFeature: StreamMetricsState[];
  /** Rolling forecast error over all features, in normalised units. */
  normalised: StreamMetricsState;
  /** Flags against labels. */
  confusion: Confusion;
  /** Readings observed. */
  observed: number;
  /** MAE of the model, persistence and online AR per feature, since the start. */
  baselines: ForecastScoreState;
  /** Drift events. */
  drifts: DriftCounts;
}

interface Series {
  feed: Subscriber<PrequentialInput>;
  sub: Subscription;
  last: PrequentialEvent | null;
  error: unknown;
  norm: Normalizer;
  prevIndex: number | null;
  previous: number[] | null;
  forecast: Float64Array | null;
  scalar: LiveForecasts;
}

/**
 * Learns a forecast of each series' next reading as readings arrive, predicting before
 * learning (prequential), and flags readings whose forecast error stands out.
 *
 * The forecast of each feature is the last reading plus a learned change. The recurrent
 * model learns the change `v − last`, normalised online (untrained, its forecast is the
 * last reading plus a small untrained output). Beside it, per series and feature, runs
 * the gated linear {@linkcode ResidualForecaster} (persistence until its correction has
 * earned its keep); the recurrent model's forecast is used only while its running MAE is
 * 2 % below the linear path's, so training can only add skill. Persistence and online AR
 * run on the same readings as baselines ({@linkcode LiveLearner.metrics}). Flags come from
 * a calibrated {@linkcode AnomalyScorer} per series; a flagged reading that is held is not
 * learned from. Page-Hinkley and ADWIN watch each feature's normalised residuals; with
 * `adapt: "reset"`, a Page-Hinkley drift resets that series' recurrent model.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { LiveLearner } from "./live_learner.ts";
 * const learner = new LiveLearner({ features: ["t"], hiddenSize: 4, warmup: 5 });
 * for (let i = 0; i < 40; i++) learner.observe("a", [Math.sin(i / 3)], 0);
 * const spike = learner.observe("a", [40], 1);
 * assert(spike.flagged && learner.confusion.tp === 1);
 * learner.close();
 * ```
 */
export class LiveLearner {
  /** Readings observed. */
  observed = 0;
  /** Flags against labels. */
  readonly confusion: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  /** Drift events of the residuals. */
  readonly drifts: DriftCounts = { pageHinkley: 0, adwin: 0, resets: 0 };
  readonly #options: Required<LiveLearnerOptions>;
  readonly #series = new Map<string, Series>();
  readonly #perFeature: StreamMetrics[];
  readonly #normalised: StreamMetrics;
  #baselines: ForecastScore;

  /**
   * Creates a learner, fresh or from a saved state.
   *
   * @param options Features, model and detector settings.
   * @param state A state from {@linkcode LiveLearner.getState} to continue from.
   * @throws {RangeError} When an option is out of range.
   */
  constructor(options: LiveLearnerOptions, state?: LiveLearnerState) {
    const {
      features,
      cell = "rnn",
      backend = ONLINE_BACKEND,
      hiddenSize = 32,
      k1 = 1,
      k2 = 16,
      optimizer = { type: "adam", learningRate: 0.002 },
      seed = 0,
      window = 500,
      threshold = 12,
      floor = 3,
      hold = 360,
      holdFrom = 100,
      settle = 10,
      warmup = 100,
      clip = 8,
      adapt = "none",
    } = options;
    if (!Array.isArray(features) || features.length === 0) {
      throw new RangeError(`Cannot create LiveLearner as 'features' must not be empty: current value is []`);
    }
    if (adapt !== "none" && adapt !== "reset") {
      throw new RangeError(
        `Cannot create LiveLearner as 'adapt' must be "none" or "reset": current value is ${adapt}`,
      );
    }
    this.#options = {
      features,
      cell,
      backend,
      hiddenSize,
      k1,
      k2,
      optimizer,
      seed,
      window,
      threshold,
      floor,
      hold,
      holdFrom,
      settle,
      warmup,
      clip,
      adapt,
    };
    this.#perFeature = features.map(() => new StreamMetrics("regression", { window }));
    this.#normalised = new StreamMetrics("regression", { window });
    this.#baselines = new ForecastScore(features);
    // fail fast on bad model and detector options
    prequential(this.#preqOptions());
    new LiveForecasts(features.length, this.#scorerOptions());
    if (state !== undefined) {
      state.perFeature.forEach((s, i) => this.#perFeature[i].setState(s));
      this.#normalised.setState(state.normalised);
      this.#baselines = ForecastScore.fromState(state.baselines);
      Object.assign(this.confusion, state.confusion);
      Object.assign(this.drifts, state.drifts);
      this.observed = state.observed;
      for (const [key, s] of Object.entries(state.series)) this.#open(key, s);
    }
  }

  /** The feature names. */
  get features(): readonly string[] {
    return this.#options.features;
  }

  /** The spec of each series' cell (what a checkpoint records). */
  get cell(): CellSpec {
    const { cell } = this.#options;
    return typeof cell === "string" ? { kind: cell, head: "linear" } : cell.spec();
  }

  /** The rolling metrics window, in forecasts. */
  get window(): number {
    return this.#options.window;
  }

  /** The series seen so far. */
  get keys(): string[] {
    return [...this.#series.keys()];
  }

  /** Parameter updates made, summed over the series. */
  get updates(): number {
    let n = 0;
    for (const s of this.#series.values()) n += s.last?.counters.updates ?? 0;
    return n;
  }

  /**
   * Takes one reading: scores the forecast made for it, flags it or not, learns from it
   * (unless held), and forecasts the series' next reading.
   *
   * @param key The series.
   * @param values The reading, one finite number per feature.
   * @param label 1 when the reading is known to be anomalous, 0 when known normal (for precision and recall).
   * @returns The outcome for this reading.
   * @throws {RangeError} When the reading has the wrong length or a non-finite value.
   */
  observe(key: string, values: readonly number[], label?: number): LiveOutcome {
    const f = this.#options.features.length;
    if (values?.length !== f || !values.every(Number.isFinite)) {
      throw new RangeError(
        `Cannot call LiveLearner.observe() as a reading must have ${f} finite values: current value is [${values}]`,
      );
    }
    let s = this.#series.get(key) ?? this.#open(key);
    const sc = s.scalar;
    let forecast: number[] | null = null;
    let score = 0, flagged = false, hold = false, drift = false;
    if (s.previous !== null) {
      const model = s.forecast!;
      const linear = sc.linear.map((x) => x.predict());
      forecast = linear.map((l, i) => (sc.useModel(i) ? model[i] : l));
      for (let i = 0; i < f; i++) {
        const e = values[i] - forecast[i];
        this.#perFeature[i].add({ a: Math.abs(e), b: e * e, n: 1 });
        this.#baselines.add(i, values[i], {
          model: forecast[i],
          persistence: sc.persistence[i].predict(),
          ar: sc.ar[i].predict(),
        });
      }
      const out = sc.score(values, forecast, model, linear);
      ({ score, flagged, hold } = out.verdict);
      if (out.pageHinkley) this.drifts.pageHinkley++;
      if (out.adwin) this.drifts.adwin++;
      drift = out.pageHinkley || out.adwin;
      if (label === 1) flagged ? this.confusion.tp++ : this.confusion.fn++;
      else if (label === 0) flagged ? this.confusion.fp++ : this.confusion.tn++;
      if (out.pageHinkley && this.#options.adapt === "reset") s = this.#reset(key, s);
    }
    sc.learn(values, hold);
    this.#learn(s, values, hold);
    this.observed++;
    return { key, forecast, score, flagged, drift };
  }

  /**
   * The rolling and since-start forecast errors, and the baselines on the same readings.
   *
   * @returns Per feature in original units (MAE, RMSE); over all features in normalised units
   * (the recurrent model's change forecasts); and per feature the since-start MAE of the model,
   * persistence and online AR with the skill (model MAE ÷ persistence MAE).
   */
  metrics(): {
    perFeature: { window: MetricsSummary; total: MetricsSummary }[];
    normalised: MetricsSummary;
    baselines: FieldScore[];
  } {
    return {
      perFeature: this.#perFeature.map((m) => ({ window: m.window(), total: m.total() })),
      normalised: this.#normalised.window(),
      baselines: this.#baselines.summary(),
    };
  }

  /**
   * The whole state as plain data (deep copies).
   *
   * @returns The state, to restore with the constructor.
   */
  getState(): LiveLearnerState {
    const series: Record<string, SeriesState> = {};
    for (const [key, s] of this.#series) {
      series[key] = {
        preq: s.last!.snapshot(),
        norm: s.norm.getState(),
        prevIndex: s.prevIndex,
        previous: s.previous === null ? null : [...s.previous],
        forecast: s.forecast === null ? null : Array.from(s.forecast),
        scalar: s.scalar.toState(),
      };
    }
    return {
      series,
      perFeature: this.#perFeature.map((m) => m.getState()),
      normalised: this.#normalised.getState(),
      confusion: { ...this.confusion },
      observed: this.observed,
      baselines: this.#baselines.toState(),
      drifts: { ...this.drifts },
    };
  }

  /** Stops every series' pipeline. */
  close(): void {
    for (const s of this.#series.values()) s.sub.unsubscribe();
    this.#series.clear();
  }

  /** The recurrent model learns the normalised change; a held reading is replaced by the model's own forecast. */
  #learn(s: Series, values: readonly number[], hold: boolean): void {
    const f = values.length;
    const change = new Float64Array(f);
    if (s.previous !== null) {
      for (let i = 0; i < f; i++) change[i] = (hold ? s.forecast![i] : values[i]) - s.previous[i];
      if (!hold) s.norm.update(change);
    }
    const z = new Matrix(f, 1, s.previous === null ? new Float64Array(f) : s.norm.transform(change));
    if (s.prevIndex !== null) {
      this.#push(s, { labelFor: s.prevIndex, y: z });
      const ev = s.last!;
      if (!hold && ev.prediction !== null && ev.target !== null) {
        const p = ev.prediction.data, y = (ev.target as Matrix).data;
        let a = 0, b = 0;
        for (let q = 0; q < p.length; q++) {
          a += Math.abs(p[q] - y[q]);
          b += (p[q] - y[q]) ** 2;
        }
        this.#normalised.add({ a, b, n: p.length });
      }
    }
    this.#push(s, { x: z });
    const step = s.last!;
    s.prevIndex = step.index;
    // forecast = last reading + the learned change (before two changes were seen: the last reading)
    const next = s.norm.count >= 2 ? s.norm.inverse(step.prediction!.data) : new Float64Array(f);
    for (let i = 0; i < f; i++) next[i] = Number.isFinite(next[i]) ? values[i] + next[i] : values[i];
    s.forecast = next;
    s.previous = [...values];
  }

  /** Resets one series' recurrent model (fresh parameters and normaliser); its linear path and baselines go on. */
  #reset(key: string, s: Series): Series {
    s.sub.unsubscribe();
    const fresh = this.#open(key, undefined, s.scalar);
    fresh.previous = s.previous;
    fresh.forecast = s.forecast;
    s.scalar.resetGate();
    this.drifts.resets++;
    return fresh;
  }

  #scorerOptions() {
    const { threshold, floor, hold, holdFrom, settle, warmup } = this.#options;
    return { threshold, calm: floor, maxHold: hold, onset: holdFrom, settle, warmup };
  }

  #preqOptions(resume?: PrequentialSnapshot): PrequentialOptions {
    const { features, cell, backend, hiddenSize, k1, k2, optimizer, seed, window } = this.#options;
    const f = features.length;
    // a resumed series keeps the cell and backend its snapshot names (an object or a named cell is passed again)
    const model = { cell: cell === "rnn" ? undefined : cell, backend };
    return resume !== undefined ? { resume, ...model } : {
      ...model,
      sizes: { nx: f, na: hiddenSize, ny: f },
      seed,
      head: "linear" as const,
      k1,
      k2,
      labelDelay: 1,
      optimizer,
      window,
      pending: 4,
      // the learner scores its own baselines on the readings (the model's targets are normalised changes)
      baselines: false,
    };
  }

  #open(key: string, state?: SeriesState, scalar?: LiveForecasts): Series {
    const { clip, features } = this.#options;
    let feed: Subscriber<PrequentialInput> | null = null;
    const s = {
      last: null,
      error: undefined,
      norm: state ? Normalizer.fromState(state.norm, { clip }) : new Normalizer(features.length, { clip }),
      prevIndex: state?.prevIndex ?? null,
      previous: state?.previous ?? null,
      forecast: state?.forecast ? Float64Array.from(state.forecast) : null,
      scalar: scalar ?? new LiveForecasts(features.length, this.#scorerOptions(), state?.scalar),
    } as unknown as Series;
    s.sub = new Observable<PrequentialInput>((subscriber) => {
      feed = subscriber;
    }).pipe(prequential(this.#preqOptions(state?.preq))).subscribe({
      next: (e) => (s.last = e),
      error: (e) => (s.error = e ?? new Error("the learner failed")),
    });
    s.feed = feed!;
    if (state !== undefined) {
      // a snapshot-only event so getState() works before this series' next reading
      const preq = state.preq;
      s.last = { snapshot: () => preq, counters: preq.counters } as unknown as PrequentialEvent;
    }
    this.#series.set(key, s);
    return s;
  }

  #push(s: Series, input: PrequentialInput): void {
    s.feed.next(input);
    if (s.error !== undefined) throw s.error;
  }
}
