/**
 * The live trainer's learner: one-step-ahead forecasting of numeric readings, one
 * prequential RNN per series (a key such as the mote id), online normalisation, and
 * anomaly flags from the forecast error — with its whole state as plain data.
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
import { DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import type { BackendChoice } from "../kernels/create_backend.ts";
import type { PrequentialEvent, PrequentialInput, PrequentialSnapshot } from "./prequential.ts";

/** Options for {@linkcode LiveLearner}. */
export interface LiveLearnerOptions {
  /** Feature names (n_x = n_y = their count). */
  features: readonly string[];
  /** The cell of each series' model: `"rnn"`, or a RecurrentCell with the linear head. @default {"rnn"} */
  // deno-lint-ignore no-explicit-any
  cell?: "rnn" | RecurrentCell<any, any, any>;
  /** The kernel backend: a registered name or an instance. @default {"wasm-f64"} */
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
  /** Flag a reading when its error score is this many standard deviations above the usual. @default {5} */
  threshold?: number;
  /** A flag also needs a score of at least this (the error in standard deviations of the feature itself). @default {2} */
  floor?: number;
  /**
   * A flagged reading is not learned from (nor taken into the normalisation): the model is fed its own
   * forecast instead, so that a lasting anomaly keeps standing out — for at most this many readings in a
   * row, after which a lasting change is taken as the new normal. 0 learns from every reading.
   * @default {120}
   */
  hold?: number;
  /** Only a flag with at least this score starts holding (weaker flags are learned from). @default {8} */
  holdFrom?: number;
  /** Forecasts per series before flags are raised (the model and the statistics settle). @default {50} */
  warmup?: number;
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
  norm: NormalizerState;
  score: NormalizerState;
  prevIndex: number | null;
  forecast: number[] | null;
  forecasts: number;
  held: number;
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
}

interface Series {
  feed: Subscriber<PrequentialInput>;
  sub: Subscription;
  last: PrequentialEvent | null;
  error: unknown;
  norm: Normalizer;
  score: Normalizer;
  prevIndex: number | null;
  forecast: Float64Array | null;
  forecasts: number;
  held: number;
}

/**
 * Learns a forecast of each series' next reading as readings arrive, predicting before
 * learning (prequential), and flags readings whose forecast error stands out.
 *
 * For a reading `v` of series `key`: the series' normaliser takes it in and gives `z`;
 * `z` is the late label of the previous reading's forecast (label delay 1) and the
 * input of the next forecast. The error of the forecast made for `v`, per feature in
 * standard deviations, gives the score; a score more than `threshold` standard
 * deviations above the running mean of unflagged scores is a flag.
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
  readonly #options: Required<LiveLearnerOptions>;
  readonly #series = new Map<string, Series>();
  readonly #perFeature: StreamMetrics[];
  readonly #normalised: StreamMetrics;

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
      backend = DEFAULT_BACKEND,
      hiddenSize = 32,
      k1 = 1,
      k2 = 16,
      optimizer = { type: "adam", learningRate: 0.002 },
      seed = 0,
      window = 500,
      threshold = 5,
      floor = 2,
      hold = 120,
      holdFrom = 8,
      warmup = 50,
      clip = 8,
    } = options;
    if (!Array.isArray(features) || features.length === 0) {
      throw new RangeError(`Cannot create LiveLearner as 'features' must not be empty: current value is []`);
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
      warmup,
      clip,
    };
    this.#perFeature = features.map(() => new StreamMetrics("regression", { window }));
    this.#normalised = new StreamMetrics("regression", { window });
    // fail fast on bad model options
    prequential(this.#preqOptions());
    if (state !== undefined) {
      state.perFeature.forEach((s, i) => this.#perFeature[i].setState(s));
      this.#normalised.setState(state.normalised);
      Object.assign(this.confusion, state.confusion);
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
    return cell === "rnn" ? { kind: "rnn", head: "linear" } : cell.spec();
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
   * Takes one reading: scores the forecast made for it, learns from it, flags it or
   * not, and forecasts the series' next reading.
   *
   * @param key The series.
   * @param values The reading, one finite number per feature.
   * @param label 1 when the reading is known to be anomalous, 0 when known normal (for precision and recall).
   * @returns The outcome for this reading.
   * @throws {RangeError} When the reading has the wrong length or a non-finite value.
   */
  observe(key: string, values: readonly number[], label?: number): LiveOutcome {
    const s = this.#series.get(key) ?? this.#open(key);
    const { features, warmup, threshold, floor, hold } = this.#options;
    const f = features.length;
    const forecast = s.forecast === null ? null : Array.from(s.forecast);
    let score = 0, flagged = false;
    if (forecast !== null) {
      // the score: the largest forecast error, in standard deviations of its feature (statistics before this reading)
      const variance = s.norm.variance();
      for (let i = 0; i < f; i++) {
        const e = values[i] - forecast[i];
        this.#perFeature[i].add({ a: Math.abs(e), b: e * e, n: 1 });
        score = Math.max(score, Math.abs(e) / Math.sqrt(variance[i] + 1e-8));
      }
      s.forecasts++;
      if (s.forecasts > warmup && s.score.count >= 2) {
        const mean = s.score.mean()[0], sd = Math.sqrt(s.score.variance()[0]);
        flagged = score > mean + threshold * Math.max(sd, 1e-6) && score >= floor;
      }
      if (!flagged) s.score.update([score]);
      if (label === 1) flagged ? this.confusion.tp++ : this.confusion.fn++;
      else if (label === 0) flagged ? this.confusion.fp++ : this.confusion.tn++;
    }
    // a flagged reading is not learned from: the model goes on from its own forecast (for up to `hold` readings in a row)
    const impute = flagged && s.held < hold && (s.held > 0 || score >= this.#options.holdFrom);
    s.held = flagged ? s.held + 1 : 0;
    if (!impute) s.norm.update(values);
    const z = new Matrix(f, 1, s.norm.transform(impute ? forecast! : values));
    if (s.prevIndex !== null) {
      this.#push(s, { labelFor: s.prevIndex, y: z });
      const ev = s.last!;
      if (!impute && ev.prediction !== null && ev.target !== null) {
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
    s.forecast = s.norm.inverse(step.prediction!.data);
    this.observed++;
    return { key, forecast, score, flagged };
  }

  /**
   * The rolling and since-start forecast errors.
   *
   * @returns Per feature in original units (MAE, RMSE), and over all features in normalised units.
   */
  metrics(): { perFeature: { window: MetricsSummary; total: MetricsSummary }[]; normalised: MetricsSummary } {
    return {
      perFeature: this.#perFeature.map((m) => ({ window: m.window(), total: m.total() })),
      normalised: this.#normalised.window(),
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
        score: s.score.getState(),
        prevIndex: s.prevIndex,
        forecast: s.forecast === null ? null : Array.from(s.forecast),
        forecasts: s.forecasts,
        held: s.held,
      };
    }
    return {
      series,
      perFeature: this.#perFeature.map((m) => m.getState()),
      normalised: this.#normalised.getState(),
      confusion: { ...this.confusion },
      observed: this.observed,
    };
  }

  /** Stops every series' pipeline. */
  close(): void {
    for (const s of this.#series.values()) s.sub.unsubscribe();
    this.#series.clear();
  }

  #preqOptions(resume?: PrequentialSnapshot): PrequentialOptions {
    const { features, cell, backend, hiddenSize, k1, k2, optimizer, seed, window } = this.#options;
    const f = features.length;
    // a resumed series keeps the cell and backend its snapshot names (an object cell is passed again)
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
    };
  }

  #open(key: string, state?: SeriesState): Series {
    const { clip, features } = this.#options;
    let feed: Subscriber<PrequentialInput> | null = null;
    const s = {
      last: null,
      error: undefined,
      norm: state ? Normalizer.fromState(state.norm, { clip }) : new Normalizer(features.length, { clip }),
      score: state ? Normalizer.fromState(state.score) : new Normalizer(1),
      prevIndex: state?.prevIndex ?? null,
      forecast: state?.forecast ? Float64Array.from(state.forecast) : null,
      forecasts: state?.forecasts ?? 0,
      held: state?.held ?? 0,
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
