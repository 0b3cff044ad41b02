/**
 * Shared pieces of parseNdjson() and parseCsv() (private helper).
 *
 * @module
 */
import type { FeedStats, InvalidLine, ParseOptions } from "./feed_stats.ts";
import { InvalidLineError } from "./feed_stats.ts";

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The default of the parsers' `maxMagnitude`. */
export const DEFAULT_MAX_MAGNITUDE = 1e12;

/** Checks a parsed number's magnitude: the number, or why it is refused. */
export function checkMagnitude(v: number, maxMagnitude: number): number | string {
  if (!Number.isFinite(v)) return `is not finite: ${v}`;
  return Math.abs(v) <= maxMagnitude ? v : `is beyond maxMagnitude ${maxMagnitude}: ${v}`;
}

/** Parses a decimal number strictly ("", "0x1", "1,5" are not numbers; "NaN" is reported as NaN). */
export function parseNumber(text: string, maxMagnitude: number = DEFAULT_MAX_MAGNITUDE): number | string {
  const t = text.trim();
  if (NUMBER.test(t)) {
    const v = Number(t);
    return Number.isFinite(v) ? checkMagnitude(v, maxMagnitude) : `is not finite: ${t}`;
  }
  if (/^[+-]?nan$/i.test(t)) return "is NaN";
  if (/^[+-]?inf(inity)?$/i.test(t)) return `is not finite: ${t}`;
  return `is not a number: ${t === "" ? "(empty)" : t}`;
}

/** Checks the shared options when the operator is created. */
export function checkParseOptions(fn: string, options: ParseOptions): void {
  const { keepInvalid = 5, onInvalid, maxMagnitude = DEFAULT_MAX_MAGNITUDE } = options;
  if (!(maxMagnitude > 0) || !Number.isFinite(maxMagnitude)) {
    throw new RangeError(
      `Cannot create ${fn} as 'maxMagnitude' must be a finite number > 0: current value is ${maxMagnitude}`,
    );
  }
  if (!Number.isInteger(keepInvalid) || keepInvalid < 0) {
    throw new RangeError(
      `Cannot create ${fn} as 'keepInvalid' must be an integer >= 0: current value is ${keepInvalid}`,
    );
  }
  if (onInvalid !== undefined && typeof onInvalid !== "function") {
    throw new TypeError(
      `Cannot create ${fn} as 'onInvalid' must be a function: current value is ${onInvalid}`,
    );
  }
}

/**
 * Records an invalid line: counts it and keeps it, then either returns an error to
 * forward (strict mode, or a throwing `onInvalid`) or null to skip the line.
 */
export function reportInvalid(
  options: ParseOptions,
  stats: FeedStats,
  line: number,
  text: string,
  reason: string,
): Error | null {
  const invalid: InvalidLine = { line, text: text.length > 200 ? text.slice(0, 200) + "…" : text, reason };
  if (options.strict) return new InvalidLineError(invalid);
  stats.skipped++;
  if (stats.invalid.length < (options.keepInvalid ?? 5)) stats.invalid.push(invalid);
  try {
    options.onInvalid?.(invalid);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  return null;
}
