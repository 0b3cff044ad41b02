/**
 * The metrics a run reports to its dashboard and its `--log` file: one JSON object per
 * message, `kind: "train"` for a training run and `kind: "live"` for the live trainer.
 *
 * @module
 */

/** One point of a training run. */
export interface TrainMetrics {
  /** A training run's point. */
  kind: "train";
  /** Steps trained so far. */
  step: number;
  /** Seconds since the run started. */
  time: number;
  /** Smoothed training loss per character, in bits. */
  bitsPerChar: number;
  /** The last window's loss per character, in nats. */
  meanLoss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Steps per second. */
  stepsPerSecond: number;
  /** The learning rate of the last window. */
  learningRate: number;
  /** Held-out bits per character, when measured at this step. */
  heldOut?: number;
  /** A sample drawn at this step. */
  sample?: string;
}

/** One reading of a live feed, with the forecast the model made for it. */
export interface LiveReading {
  /** The series. */
  key: string;
  /** The event's number (counted from the run's start). */
  event: number;
  /** The reading, one value per feature. */
  values: number[];
  /** The forecast made for it, or null for a series' first reading. */
  forecast: number[] | null;
  /** Whether it was flagged as an anomaly. */
  flagged: boolean;
}

/** One point of a live run: its counters and the readings since the previous point. */
export interface LiveMetrics {
  /** A live run's point. */
  kind: "live";
  /** Seconds since the run started. */
  time: number;
  /** The feature names. */
  features: string[];
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
  /** Readings per second. */
  rate: number;
  /** The readings since the previous point (the last ones, when there were many). */
  readings: LiveReading[];
}

/** A message of the dashboard and a line of the metrics log. */
export type Metrics = TrainMetrics | LiveMetrics;

/**
 * Reads a metrics log: one JSON object per line, blank lines ignored.
 *
 * @param text The log's text.
 * @returns The messages, in order.
 * @throws {TypeError} When a line is not a metrics object; the message gives its line number.
 *
 * @example Usage
 * ```ts
 * import { parseMetricsLog } from "./metrics.ts";
 * import { assertStrictEquals } from "@std/assert";
 *
 * const log = '{"kind":"train","step":10}\n\n{"kind":"train","step":20}\n';
 * assertStrictEquals(parseMetricsLog(log).length, 2);
 * ```
 */
export function parseMetricsLog(text: string): Metrics[] {
  const messages: Metrics[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = null;
    }
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (kind !== "train" && kind !== "live") {
      throw new TypeError(
        `Cannot read the metrics log as line ${i + 1} is not a metrics object: current value is ${
          line.slice(0, 60)
        }`,
      );
    }
    messages.push(value as Metrics);
  });
  return messages;
}
