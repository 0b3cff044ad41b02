/**
 * Turns a training run's window events into dashboard and log points: at most one every
 * `every` seconds (by the given clock), and always one that carries a held-out figure or
 * a sample. It keeps the recent bits/char for the progress line's sparkline.
 *
 * @module
 */
import type { Metrics, TrainMetrics } from "./metrics.ts";

/** What the recorder reads from a window event (a subset of `TrainEvent`). */
export interface TrainWindow {
  /** Steps trained so far. */
  step: number;
  /** Smoothed loss per step, in nats. */
  smoothLoss: number;
  /** The window's loss per step, in nats. */
  meanLoss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Steps per second. */
  stepsPerSecond: number;
  /** The learning rate used. */
  learningRate: number;
}

/** Options of {@linkcode TrainRecorder}. */
export interface TrainRecorderOptions {
  /** Where points go (the dashboard's publish, the log's write). */
  sinks: ((message: Metrics) => void)[];
  /** Seconds between points. @default {0.25} */
  every?: number;
  /** The clock, in seconds. @default {performance.now() / 1000} */
  now?: () => number;
  /** How many recent bits/char values {@linkcode TrainRecorder.recent} keeps. @default {40} */
  keep?: number;
}

/**
 * Records a training run's points.
 *
 * @example Usage
 * ```ts
 * import { TrainRecorder } from "./train_recorder.ts";
 * import type { Metrics } from "./metrics.ts";
 * import { assertStrictEquals } from "@std/assert";
 *
 * let t = 0;
 * const points: Metrics[] = [];
 * const recorder = new TrainRecorder({ sinks: [(m) => points.push(m)], every: 1, now: () => t });
 * const window = { step: 10, smoothLoss: 2, meanLoss: 2, gradNorm: 1, stepsPerSecond: 100, learningRate: 0.01 };
 * recorder.record(window); // the first window is a point
 * t = 0.5;
 * recorder.record({ ...window, step: 20 }); // too soon
 * recorder.record({ ...window, step: 30 }, { heldOut: 2.5 }); // a held-out figure is always a point
 * assertStrictEquals(points.length, 2);
 * ```
 */
export class TrainRecorder {
  #sinks: ((message: Metrics) => void)[];
  #every: number;
  #now: () => number;
  #keep: number;
  #start: number;
  #last = -Infinity;
  #recent: number[] = [];

  /**
   * @param options The sinks, the period and the clock.
   * @throws {RangeError} When `every` is negative or `keep` is not a positive integer.
   */
  constructor(options: TrainRecorderOptions) {
    const { sinks, every = 0.25, now = () => performance.now() / 1000, keep = 40 } = options;
    if (!(every >= 0)) {
      throw new RangeError(`Cannot create TrainRecorder as 'every' must be >= 0: current value is ${every}`);
    }
    if (!Number.isSafeInteger(keep) || keep < 1) {
      throw new RangeError(
        `Cannot create TrainRecorder as 'keep' must be an integer >= 1: current value is ${keep}`,
      );
    }
    this.#sinks = sinks;
    this.#every = every;
    this.#now = now;
    this.#keep = keep;
    this.#start = now();
  }

  /** The bits/char of the recent points, oldest first (for a sparkline). */
  get recent(): readonly number[] {
    return this.#recent;
  }

  /**
   * Records a window: sends a point when the period has passed, or when `extra` carries a
   * held-out figure or a sample, or when `force` is set.
   *
   * @param window The window's figures.
   * @param extra A held-out bits/char or a sample taken at this window.
   * @param force Send a point now (the run's last window).
   * @returns The point sent, or null.
   */
  record(
    window: TrainWindow,
    extra: { heldOut?: number; sample?: string } = {},
    force = false,
  ): TrainMetrics | null {
    const t = this.#now();
    const special = extra.heldOut !== undefined || extra.sample !== undefined;
    if (!force && !special && t - this.#last < this.#every) return null;
    this.#last = t;
    const point: TrainMetrics = {
      kind: "train",
      step: window.step,
      time: round(t - this.#start, 3),
      bitsPerChar: round(window.smoothLoss / Math.LN2, 5),
      meanLoss: round(window.meanLoss, 5),
      gradNorm: round(window.gradNorm, 5),
      stepsPerSecond: round(window.stepsPerSecond, 1),
      learningRate: window.learningRate,
      ...(extra.heldOut === undefined ? {} : { heldOut: round(extra.heldOut, 5) }),
      ...(extra.sample === undefined ? {} : { sample: extra.sample }),
    };
    this.#recent.push(point.bitsPerChar);
    if (this.#recent.length > this.#keep) this.#recent.shift();
    for (const sink of this.#sinks) sink(point);
    return point;
  }
}

function round(v: number, digits: number): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
