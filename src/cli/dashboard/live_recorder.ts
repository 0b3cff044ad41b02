/**
 * Collects a live run's readings (with their forecasts and flags) and sends them with the
 * counters as one point per {@linkcode LiveRecorder.flush}.
 *
 * @module
 */
import type { LiveMetrics, LiveReading, Metrics } from "./metrics.ts";

/** The counters a live point carries. */
export interface LiveFigures {
  /** Readings learned from. */
  events: number;
  /** Readings dropped by the backpressure policy. */
  dropped: number;
  /** Readings waiting in the queue. */
  lag: number;
  /** Invalid lines skipped. */
  skipped: number;
  /** Reconnections of the feed. */
  reconnects: number;
  /** Readings flagged so far. */
  flags: number;
}

/** Options of {@linkcode LiveRecorder}. */
export interface LiveRecorderOptions {
  /** The feature names. */
  features: string[];
  /** Where points go. */
  sinks: ((message: Metrics) => void)[];
  /** Readings kept per point (the last ones). @default {500} */
  keep?: number;
  /** The clock, in seconds. @default {performance.now() / 1000} */
  now?: () => number;
}

/**
 * Records a live run's points.
 *
 * @example Usage
 * ```ts
 * import { LiveRecorder } from "./live_recorder.ts";
 * import type { Metrics } from "./metrics.ts";
 * import { assertStrictEquals } from "@std/assert";
 *
 * const points: Metrics[] = [];
 * const recorder = new LiveRecorder({ features: ["t"], sinks: [(m) => points.push(m)], now: () => 2 });
 * recorder.reading({ key: "a", event: 1, values: [20], forecast: null, flagged: false });
 * const counters = { events: 1, dropped: 0, lag: 0, skipped: 0, reconnects: 0, flags: 0 };
 * recorder.flush(counters);
 * recorder.flush(counters); // nothing new: no point
 * assertStrictEquals(points.length, 1);
 * ```
 */
export class LiveRecorder {
  #features: string[];
  #sinks: ((message: Metrics) => void)[];
  #keep: number;
  #now: () => number;
  #start: number;
  #readings: LiveReading[] = [];
  #lastEvents = -1;
  #lastTime: number;
  #lastCount = 0;

  /**
   * @param options The features, the sinks, the readings kept and the clock.
   * @throws {RangeError} When `keep` is not a positive integer.
   */
  constructor(options: LiveRecorderOptions) {
    const { features, sinks, keep = 500, now = () => performance.now() / 1000 } = options;
    if (!Number.isSafeInteger(keep) || keep < 1) {
      throw new RangeError(
        `Cannot create LiveRecorder as 'keep' must be an integer >= 1: current value is ${keep}`,
      );
    }
    this.#features = [...features];
    this.#sinks = sinks;
    this.#keep = keep;
    this.#now = now;
    this.#start = this.#lastTime = now();
  }

  /** Keeps a reading (a copy) for the next point. */
  reading(reading: LiveReading): void {
    this.#readings.push({
      ...reading,
      values: [...reading.values],
      forecast: reading.forecast === null ? null : [...reading.forecast],
    });
    if (this.#readings.length > 2 * this.#keep) this.#readings.splice(0, this.#readings.length - this.#keep);
  }

  /**
   * Sends one point with `figures` and the readings since the last one; nothing when
   * nothing changed (unless `force`).
   *
   * @param figures The run's counters now.
   * @param force Send a point even when nothing changed.
   * @returns The point sent, or null.
   */
  flush(figures: LiveFigures, force = false): LiveMetrics | null {
    if (!force && this.#readings.length === 0 && figures.events === this.#lastEvents) return null;
    const t = this.#now();
    const rate = t > this.#lastTime ? (figures.events - this.#lastCount) / (t - this.#lastTime) : 0;
    const point: LiveMetrics = {
      kind: "live",
      time: Math.round((t - this.#start) * 1000) / 1000,
      features: [...this.#features],
      events: figures.events,
      dropped: figures.dropped,
      lag: figures.lag,
      skipped: figures.skipped,
      reconnects: figures.reconnects,
      flags: figures.flags,
      rate: Math.round(rate * 10) / 10,
      readings: this.#readings.slice(-this.#keep),
    };
    this.#readings = [];
    this.#lastEvents = this.#lastCount = figures.events;
    this.#lastTime = t;
    for (const sink of this.#sinks) sink(point);
    return point;
  }
}
