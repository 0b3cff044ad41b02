/**
 * The NDJSON parser operator: lines in, numeric records out, invalid lines counted and skipped.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import type { OperatorFunction } from "../../deps.ts";
import { createFeedStats } from "./feed_stats.ts";
import type { FeedRecord, ParseOptions } from "./feed_stats.ts";
import { subscribeLinked } from "../../stream/operate.ts";
import {
  checkMagnitude,
  checkParseOptions,
  DEFAULT_MAX_MAGNITUDE,
  parseNumber,
  reportInvalid,
} from "./_parse_support.ts";

/** Options for {@linkcode parseNdjson}. */
export interface ParseNdjsonOptions extends ParseOptions {
  /**
   * The fields to read from each JSON object, in this order (a line that is a JSON
   * array must then have exactly this many elements). When omitted, the numeric fields
   * of the first valid object (or the length of the first valid array) decide.
   * @default {inferred from the first valid line}
   */
  fields?: readonly string[];
}

/**
 * Parses NDJSON lines (one JSON object or array per line) into numeric records
 * `{ line, values, fields }`. Numbers may also be given as numeric strings (`"21.5"`).
 * Blank lines are ignored; malformed JSON, a missing field, a wrong element count,
 * non-numeric, null (how `JSON.stringify` writes NaN), NaN, infinite values and values
 * beyond `maxMagnitude` make a
 * line invalid: it is counted in `stats.skipped`, kept in `stats.invalid` (the first
 * `keepInvalid`), passed to `onInvalid` and skipped — or, with `strict`, the stream
 * errors with an {@linkcode InvalidLineError}.
 *
 * Contract: the stream completes when the source completes, and a source error is
 * forwarded. An error raised here (strict mode, a missing header column, an `onInvalid`
 * that throws) unsubscribes the source at once, even in the middle of a synchronous
 * source, and changes no counter after it; so does the downstream unsubscribing
 * (`take(3)` reads no further line). The lines and the options (`fields`/`columns`) are
 * never modified; `stats` is the one object updated in place, by design. Line numbers
 * and inferred fields live per subscription (a `repeat` or `retry` starts afresh).
 *
 * @param options Fields, strict mode, counters and the invalid-line callback.
 * @returns An operator from lines to records.
 * @throws {RangeError} When `keepInvalid` is not an integer >= 0 or `fields` is empty.
 * @throws {TypeError} When `onInvalid` is not a function.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from, lastValueFrom, toArray } from "rxjs";
 * import { createFeedStats, parseNdjson } from "../../../mod.ts";
 * const stats = createFeedStats();
 * const lines = ['{"t": 21.5, "h": 40}', "{oops", '{"t": "21.7", "h": null}', '{"t": 21.9, "h": 41}'];
 * const records = await lastValueFrom(from(lines).pipe(parseNdjson({ fields: ["t", "h"], stats }), toArray()));
 * assert(records.length === 2 && records[1].line === 4 && records[1].values[1] === 41);
 * assert(stats.skipped === 2 && stats.invalid[0].reason === "malformed JSON");
 * ```
 */
export function parseNdjson(options: ParseNdjsonOptions = {}): OperatorFunction<string, FeedRecord> {
  checkParseOptions("parseNdjson()", options);
  if (options.fields !== undefined && (!Array.isArray(options.fields) || options.fields.length === 0)) {
    throw new RangeError(
      `Cannot create parseNdjson() as 'fields' must be a non-empty array of names: current value is ${
        JSON.stringify(options.fields)
      }`,
    );
  }
  return (source) =>
    new Observable<FeedRecord>((subscriber) => {
      const stats = options.stats ?? createFeedStats();
      let fields: readonly string[] | null = options.fields ? [...options.fields] : null;
      let lineNo = 0;
      const maxMagnitude = options.maxMagnitude ?? DEFAULT_MAX_MAGNITUDE;
      subscribeLinked(source, subscriber, {
        next(text) {
          lineNo++;
          stats.lines++;
          if (text.trim() === "") return;
          const parsed = parseJson(text);
          let values: number[] | string;
          if (typeof parsed === "string") {
            values = parsed;
          } else {
            fields ??= inferFields(parsed);
            values = fields === null ? "no numeric fields" : pick(parsed, fields, maxMagnitude);
          }
          if (typeof values === "string") {
            // strict mode or a throwing onInvalid: error downstream and release the source
            const err = reportInvalid(options, stats, lineNo, text, values);
            if (err) throw err;
            return;
          }
          stats.parsed++;
          subscriber.next({ line: lineNo, values, fields: fields! });
        },
      });
    });
}

function parseJson(text: string): unknown[] | Record<string, unknown> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "malformed JSON";
  }
  if (parsed === null || typeof parsed !== "object") return "expected a JSON object or array";
  return parsed as unknown[] | Record<string, unknown>;
}

function inferFields(parsed: unknown[] | Record<string, unknown>): string[] | null {
  const names = Array.isArray(parsed)
    ? parsed.map((_, i) => String(i))
    : Object.keys(parsed).filter((k) => typeof toNumber(parsed[k]) === "number");
  return names.length > 0 ? names : null;
}

function pick(
  parsed: unknown[] | Record<string, unknown>,
  fields: readonly string[],
  maxMagnitude: number,
): number[] | string {
  if (Array.isArray(parsed) && parsed.length !== fields.length) {
    return `expected ${fields.length} fields, got ${parsed.length}`;
  }
  const values = new Array<number>(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i];
    const raw = Array.isArray(parsed) ? parsed[i] : parsed[name];
    if (raw === undefined) return `missing field '${name}'`;
    const v = toNumber(raw, maxMagnitude);
    if (typeof v === "string") return `field '${name}' ${v}`;
    values[i] = v;
  }
  return values;
}

function toNumber(raw: unknown, maxMagnitude = Infinity): number | string {
  if (typeof raw === "number") return checkMagnitude(raw, maxMagnitude);
  if (typeof raw === "string") return parseNumber(raw, maxMagnitude);
  if (raw === null) return "is null (NaN?)";
  return `is not a number: ${JSON.stringify(raw)}`;
}
