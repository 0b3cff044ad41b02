/**
 * Rolling and since-start prediction metrics for prequential (test-then-train)
 * evaluation: MAE and RMSE for numbers, log loss, accuracy and bits per symbol for
 * tokens, with plain-data state for checkpoints.
 *
 * @module
 */
import type { Head, Target } from "../cells/types.ts";
import type { Matrix } from "../math/matrix.ts";

/** What is being predicted: numbers (linear head) or tokens (softmax head). */
export type MetricsKind = "regression" | "classification";

/**
 * The score of one prediction against its target: three sums.
 * Regression: `a` = Σ|ŷ − y|, `b` = Σ(ŷ − y)², `n` = number of values.
 * Classification: `a` = Σ −ln p(y) (nats), `b` = correct columns (argmax), `n` = columns.
 */
export interface Score {
  /** Σ absolute error, or Σ negative log-likelihood in nats. */
  a: number;
  /** Σ squared error, or the number of correct columns. */
  b: number;
  /** Values (regression) or columns (classification) scored. */
  n: number;
}

/** The metrics over a set of scored predictions; NaN when nothing was scored. */
export interface MetricsSummary {
  /** Predictions scored. */
  events: number;
  /** Values (regression) or columns (classification) scored. */
  count: number;
  /** Mean absolute error (regression). */
  mae?: number;
  /** Root mean squared error (regression). */
  rmse?: number;
  /** Mean negative log-likelihood in nats (classification). */
  logLoss?: number;
  /** Fraction of columns whose most likely token was the target (classification). */
  accuracy?: number;
  /** Mean negative log-likelihood in bits (classification): logLoss / ln 2. */
  bitsPerSymbol?: number;
}

/** Plain-data state of {@linkcode StreamMetrics} (JSON-safe), for checkpoints. */
export interface StreamMetricsState {
  /** The kind of metrics. */
  kind: MetricsKind;
  /** The window length in events. */
  window: number;
  /** The window's scores, oldest first, flattened as `[a, b, n, a, b, n, …]`. */
  recent: number[];
  /** The window's running sums `[a, b, n]` (kept as is, so a resume continues bit for bit). */
  sum: number[];
  /** Events since the window's sums were last recomputed from the ring. */
  sinceRecompute: number;
  /** Since-start sums `[a, b, n]`. */
  total: number[];
  /** Predictions scored since the start. */
  events: number;
}

/** Options for {@linkcode StreamMetrics}. */
export interface StreamMetricsOptions {
  /** The rolling window, in scored events. @default {1000} */
  window?: number;
}

/**
 * Rolling (last `window` scored events, O(window) memory in a ring) and since-start
 * metrics. Add one {@linkcode Score} per prediction (see {@linkcode scorePrediction});
 * {@linkcode StreamMetrics.window} and {@linkcode StreamMetrics.total} summarise them.
 * The window's sums are kept incrementally and recomputed from the ring once per
 * `window` events, so rounding drift stays bounded on endless streams. A score that is
 * not finite, or would overflow a sum, is refused and counted in `rejected`, so the
 * metrics are finite once anything was scored (NaN only while nothing was).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { StreamMetrics } from "./metrics.ts";
 * const metrics = new StreamMetrics("regression", { window: 2 });
 * for (const e of [3, -1, 1]) metrics.add({ a: Math.abs(e), b: e * e, n: 1 });
 * assert(metrics.window().mae === 1 && metrics.total().mae === 5 / 3);
 * assert(metrics.total().rmse === Math.sqrt(11 / 3));
 * ```
 */
export class StreamMetrics {
  /** The kind of metrics. */
  readonly kind: MetricsKind;
  /** The window length in events. */
  readonly windowSize: number;
  #ring: Float64Array;
  #start = 0;
  #size = 0;
  #sum = new Float64Array(3);
  #total = new Float64Array(3);
  #events = 0;
  #sinceRecompute = 0;
  #rejected = 0;

  /**
   * Creates empty metrics.
   *
   * @param kind `"regression"` (MAE, RMSE) or `"classification"` (log loss, accuracy, bits per symbol).
   * @param options The window length.
   * @throws {RangeError} When the kind is unknown or the window is not an integer >= 1.
   */
  constructor(kind: MetricsKind, options: StreamMetricsOptions = {}) {
    const { window = 1000 } = options;
    if (kind !== "regression" && kind !== "classification") {
      throw new RangeError(
        `Cannot create StreamMetrics as 'kind' must be "regression" or "classification": current value is ${kind}`,
      );
    }
    if (!Number.isSafeInteger(window) || window < 1) {
      throw new RangeError(
        `Cannot create StreamMetrics as 'window' must be an integer >= 1: current value is ${window}`,
      );
    }
    this.kind = kind;
    this.windowSize = window;
    this.#ring = new Float64Array(3 * window);
  }

  /**
   * Creates metrics from a saved state.
   *
   * @param state A state from {@linkcode StreamMetrics.getState}.
   * @returns Metrics that continue exactly where the saved ones were.
   * @throws {TypeError} When the state is malformed.
   */
  static fromState(state: StreamMetricsState): StreamMetrics {
    const metrics = new StreamMetrics(state?.kind, { window: state?.window });
    metrics.setState(state);
    return metrics;
  }

  /** Predictions scored since the start. */
  get events(): number {
    return this.#events;
  }

  /** Scores refused by {@linkcode StreamMetrics.add} as not finite or overflowing the sums. */
  get rejected(): number {
    return this.#rejected;
  }

  /**
   * Adds the score of one prediction. A score with a value that is not finite, or that
   * would make a since-start sum overflow to Infinity, is refused and counted in
   * {@linkcode StreamMetrics.rejected}: no metric ever becomes Infinity or NaN.
   *
   * @param score The sums of one prediction.
   */
  add(score: Score): void {
    const t = this.#total;
    if (
      !Number.isFinite(t[0] + score.a) || !Number.isFinite(t[1] + score.b) ||
      !Number.isFinite(t[2] + score.n) ||
      !Number.isFinite(this.#sum[0] + score.a) || !Number.isFinite(this.#sum[1] + score.b)
    ) {
      this.#rejected++;
      return;
    }
    const ring = this.#ring, w = this.windowSize;
    let slot: number;
    if (this.#size < w) {
      slot = (this.#start + this.#size++) % w;
    } else {
      slot = this.#start;
      this.#start = (this.#start + 1) % w;
      for (let k = 0; k < 3; k++) this.#sum[k] -= ring[3 * slot + k];
    }
    ring[3 * slot] = score.a;
    ring[3 * slot + 1] = score.b;
    ring[3 * slot + 2] = score.n;
    this.#sum[0] += score.a;
    this.#sum[1] += score.b;
    this.#sum[2] += score.n;
    this.#total[0] += score.a;
    this.#total[1] += score.b;
    this.#total[2] += score.n;
    this.#events++;
    if (++this.#sinceRecompute >= w) this.#recompute();
  }

  /**
   * The metrics over the last `window` scored events.
   *
   * @returns The rolling summary.
   */
  window(): MetricsSummary {
    return summarize(this.kind, this.#size, this.#sum);
  }

  /**
   * The metrics since the start.
   *
   * @returns The since-start summary.
   */
  total(): MetricsSummary {
    return summarize(this.kind, this.#events, this.#total);
  }

  /**
   * The state as plain data (copies).
   *
   * @returns The window's scores and the since-start sums.
   */
  getState(): StreamMetricsState {
    const recent: number[] = [];
    for (let i = 0; i < this.#size; i++) {
      const slot = (this.#start + i) % this.windowSize;
      for (let k = 0; k < 3; k++) recent.push(this.#ring[3 * slot + k]);
    }
    return {
      kind: this.kind,
      window: this.windowSize,
      recent,
      sum: Array.from(this.#sum),
      sinceRecompute: this.#sinceRecompute,
      total: Array.from(this.#total),
      events: this.#events,
    };
  }

  /**
   * Restores a state taken with {@linkcode StreamMetrics.getState}.
   *
   * @param state The state; its kind and window must be this object's.
   * @throws {TypeError} When the state is malformed or of another kind or window.
   */
  setState(state: StreamMetricsState): void {
    const ok = state !== null && typeof state === "object" && state.kind === this.kind &&
      state.window === this.windowSize && Array.isArray(state.recent) && state.recent.length % 3 === 0 &&
      state.recent.length <= 3 * this.windowSize && Array.isArray(state.total) && state.total.length === 3 &&
      Array.isArray(state.sum) && state.sum.length === 3 && Number.isSafeInteger(state.sinceRecompute) &&
      state.sinceRecompute >= 0 && state.sinceRecompute < this.windowSize &&
      [...state.recent, ...state.sum, ...state.total].every((v) => typeof v === "number") &&
      Number.isSafeInteger(state.events) && state.events >= state.recent.length / 3;
    if (!ok) {
      throw new TypeError(
        `Cannot restore StreamMetrics (${this.kind}, window ${this.windowSize}): malformed state ${
          JSON.stringify(state)?.slice(0, 200)
        }`,
      );
    }
    this.#ring.fill(0);
    this.#ring.set(state.recent);
    this.#start = 0;
    this.#size = state.recent.length / 3;
    this.#total.set(state.total);
    this.#events = state.events;
    this.#sum.set(state.sum);
    this.#sinceRecompute = state.sinceRecompute;
  }

  #recompute(): void {
    this.#sinceRecompute = 0;
    this.#sum.fill(0);
    for (let i = 0; i < this.#size; i++) {
      const slot = (this.#start + i) % this.windowSize;
      for (let k = 0; k < 3; k++) this.#sum[k] += this.#ring[3 * slot + k];
    }
  }
}

function summarize(kind: MetricsKind, events: number, sums: Float64Array): MetricsSummary {
  const [a, b, n] = sums;
  if (kind === "regression") {
    return { events, count: n, mae: n > 0 ? a / n : NaN, rmse: n > 0 ? Math.sqrt(Math.max(0, b) / n) : NaN };
  }
  const logLoss = n > 0 ? a / n : NaN;
  return { events, count: n, logLoss, accuracy: n > 0 ? b / n : NaN, bitsPerSymbol: logLoss / Math.LN2 };
}

/**
 * Scores a prediction against its target: absolute and squared errors for the linear
 * head; negative log-likelihood (nats) and argmax hits for the softmax head, with a
 * target given as class indices or as an n_y×m (one-hot or soft) Matrix.
 *
 * @param head The output head that made the prediction.
 * @param yHat The prediction, n_y×m (values, or probabilities per column).
 * @param y The target: n_y×m Matrix, or m class indices (softmax head).
 * @returns The prediction's {@linkcode Score}.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { fromRows } from "../math/matrix.ts";
 * import { scorePrediction } from "./metrics.ts";
 * const s = scorePrediction("softmax", fromRows([[0.25], [0.75]]), Int32Array.of(1));
 * assert(s.a === -Math.log(0.75) && s.b === 1 && s.n === 1);
 * ```
 */
export function scorePrediction(head: Head, yHat: Matrix, y: Target): Score {
  const p = yHat.data, m = yHat.cols, ny = yHat.rows;
  if (head === "linear") {
    const yd = (y as Matrix).data;
    let a = 0, b = 0;
    for (let q = 0; q < p.length; q++) {
      const r = p[q] - yd[q];
      a += Math.abs(r);
      b += r * r;
    }
    return { a, b, n: p.length };
  }
  let a = 0, b = 0;
  for (let j = 0; j < m; j++) {
    let best = 0;
    for (let i = 1; i < ny; i++) if (p[i * m + j] > p[best * m + j]) best = i;
    if (y instanceof Int32Array) {
      a -= Math.log(p[y[j] * m + j]);
      if (best === y[j]) b++;
    } else {
      const yd = (y as Matrix).data;
      let target = 0;
      for (let i = 0; i < ny; i++) {
        const v = yd[i * m + j];
        if (v !== 0) a -= v * Math.log(p[i * m + j]);
        if (v > yd[target * m + j]) target = i;
      }
      if (best === target) b++;
    }
  }
  return { a, b, n: m };
}
