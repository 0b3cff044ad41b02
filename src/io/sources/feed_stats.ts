/**
 * What a live feed reports: its records, its counters (lines, parsed records, skipped
 * lines, reconnects), the parsers' shared options and the error raised by strict parsing.
 *
 * @module
 */

/** A line that could not be turned into a record. */
export interface InvalidLine {
  /** The 1-based number of the line in the stream the parser received. */
  line: number;
  /** The offending text (cut to 200 characters). */
  text: string;
  /** Why it was rejected, e.g. `expected 3 fields, got 2`. */
  reason: string;
}

/**
 * Plain-data counters that sources and parsers update in place. Pass the same object as
 * the `stats` option of a source and of its parser to see the whole feed in one place
 * (it is plain data: log it, or save it with a checkpoint).
 */
export interface FeedStats {
  /** Lines received by the parser (blank lines and a CSV header included). */
  lines: number;
  /** Records emitted. */
  parsed: number;
  /** Invalid lines counted and skipped. */
  skipped: number;
  /** Reconnections made by network sources. */
  reconnects: number;
  /** The first few invalid lines (see the parsers' `keepInvalid` option). */
  invalid: InvalidLine[];
}

/** Options shared by {@linkcode parseNdjson} and {@linkcode parseCsv}. */
export interface ParseOptions {
  /**
   * Stop the stream with an {@linkcode InvalidLineError} on the first invalid line
   * instead of counting and skipping it.
   * @default {false}
   */
  strict?: boolean;
  /** Counters to update (lines, parsed, skipped, the first invalid lines). @default {a private object} */
  stats?: FeedStats;
  /** Called with each invalid line that is skipped (not in strict mode). @default {undefined} */
  onInvalid?: (invalid: InvalidLine) => void;
  /** How many invalid lines to keep in `stats.invalid`. @default {5} */
  keepInvalid?: number;
  /**
   * The largest magnitude accepted: a value with |v| > maxMagnitude makes its line
   * invalid (counted and skipped), so one absurd reading cannot overflow the metrics.
   * @default {1e12}
   */
  maxMagnitude?: number;
}

/** A parsed line: its number in the stream, and its values in the order of `fields`. */
export interface FeedRecord {
  /** The 1-based line number in the stream the parser received. */
  line: number;
  /** The numeric values, finite, one per field. */
  values: number[];
  /** The field names (shared by all records of one subscription). */
  fields: readonly string[];
}

/**
 * Creates zeroed feed counters.
 *
 * @returns A new {@linkcode FeedStats}.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { createFeedStats } from "./feed_stats.ts";
 * const stats = createFeedStats();
 * assert(stats.parsed === 0 && stats.invalid.length === 0);
 * ```
 */
export function createFeedStats(): FeedStats {
  return { lines: 0, parsed: 0, skipped: 0, reconnects: 0, invalid: [] };
}

/**
 * Raised (as the stream's error) by a parser in `strict` mode on the first invalid line.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { InvalidLineError } from "./feed_stats.ts";
 * const e = new InvalidLineError({ line: 3, text: "1,x", reason: "field 'b' is not a number: x" });
 * assert(e.line === 3 && e.message.startsWith("Invalid line 3"));
 * ```
 */
export class InvalidLineError extends Error {
  /** The 1-based line number. */
  readonly line: number;
  /** The offending text (cut to 200 characters). */
  readonly text: string;
  /** Why it was rejected. */
  readonly reason: string;

  /**
   * Wraps an invalid line.
   *
   * @param invalid The line, its text and the reason.
   */
  constructor(invalid: InvalidLine) {
    super(`Invalid line ${invalid.line}: ${invalid.reason}: ${invalid.text}`);
    this.name = "InvalidLineError";
    this.line = invalid.line;
    this.text = invalid.text;
    this.reason = invalid.reason;
  }
}
