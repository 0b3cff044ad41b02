/**
 * The CSV parser operator: lines in, numeric records out, invalid lines counted and skipped.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import type { OperatorFunction } from "../../deps.ts";
import { createFeedStats } from "./feed_stats.ts";
import type { FeedRecord, ParseOptions } from "./feed_stats.ts";
import { subscribeLinked } from "../../stream/operate.ts";
import { checkParseOptions, DEFAULT_MAX_MAGNITUDE, parseNumber, reportInvalid } from "./_parse_support.ts";

/** Options for {@linkcode parseCsv}. */
export interface ParseCsvOptions extends ParseOptions {
  /** Whether the first non-blank line holds the column names. @default {false} */
  header?: boolean;
  /**
   * With `header`: the columns to read, by name, in this order (the others are
   * ignored). Without `header`: the names of all the columns, in order (each line must
   * have exactly this many fields). When omitted, every column is read and the field
   * count of the first line decides.
   * @default {all columns}
   */
  columns?: readonly string[];
  /** The field separator, one character. @default {","} */
  delimiter?: string;
}

/**
 * Parses CSV lines of numbers into records `{ line, values, fields }`. Fields are
 * trimmed and may be wrapped in double quotes (quoted delimiters are not supported:
 * this is for numeric feeds). Blank lines are ignored; a wrong field count, a
 * non-numeric, empty, NaN or infinite value, or one beyond `maxMagnitude`, makes a line invalid: it is counted in
 * `stats.skipped`, kept in `stats.invalid` (the first `keepInvalid`), passed to
 * `onInvalid` and skipped — or, with `strict`, the stream errors with an
 * {@linkcode InvalidLineError}. A header that lacks a requested column errors the
 * stream with a RangeError.
 *
 * Contract: the stream completes when the source completes, and a source error is
 * forwarded. An error raised here (strict mode, a missing header column, an `onInvalid`
 * that throws) unsubscribes the source at once, even in the middle of a synchronous
 * source, and changes no counter after it; so does the downstream unsubscribing
 * (`take(3)` reads no further line). The lines and the options (`fields`/`columns`) are
 * never modified; `stats` is the one object updated in place, by design. Line numbers
 * and inferred fields live per subscription (a `repeat` or `retry` starts afresh).
 *
 * @param options Header, columns, delimiter, strict mode, counters and the callback.
 * @returns An operator from lines to records.
 * @throws {RangeError} When `delimiter` is not one character, `columns` is empty or `keepInvalid` is invalid.
 * @throws {TypeError} When `onInvalid` is not a function.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from, lastValueFrom, toArray } from "rxjs";
 * import { createFeedStats, parseCsv } from "../../../mod.ts";
 * const stats = createFeedStats();
 * const lines = ["id,temp,hum", "1,21.5,40", "2,NaN,41", "3,21.9", "4,22.0,42"];
 * const records = await lastValueFrom(
 *   from(lines).pipe(parseCsv({ header: true, columns: ["temp", "hum"], stats }), toArray()),
 * );
 * assert(records.length === 2 && records[1].line === 5 && records[1].values[0] === 22);
 * assert(stats.skipped === 2 && stats.invalid[1].reason === "expected 3 fields, got 2");
 * ```
 */
export function parseCsv(options: ParseCsvOptions = {}): OperatorFunction<string, FeedRecord> {
  checkParseOptions("parseCsv()", options);
  const { header = false, columns, delimiter = ",", maxMagnitude = DEFAULT_MAX_MAGNITUDE } = options;
  if (typeof delimiter !== "string" || delimiter.length !== 1 || delimiter === '"' || delimiter === "\n") {
    throw new RangeError(
      `Cannot create parseCsv() as 'delimiter' must be one character other than a quote or a line end: current value is ${
        JSON.stringify(delimiter)
      }`,
    );
  }
  if (columns !== undefined && (!Array.isArray(columns) || columns.length === 0)) {
    throw new RangeError(
      `Cannot create parseCsv() as 'columns' must be a non-empty array of names: current value is ${
        JSON.stringify(columns)
      }`,
    );
  }
  return (source) =>
    new Observable<FeedRecord>((subscriber) => {
      const stats = options.stats ?? createFeedStats();
      // width: the field count every line must have; index: which fields to read.
      let width = header ? -1 : columns ? columns.length : -1;
      let fields: readonly string[] = columns && !header ? [...columns] : [];
      let index: number[] = fields.map((_, i) => i);
      let lineNo = 0;
      subscribeLinked(source, subscriber, {
        next(text) {
          lineNo++;
          stats.lines++;
          if (text.trim() === "") return;
          const cells = text.split(delimiter).map(unquote);
          if (width < 0) {
            width = cells.length;
            if (header) {
              const names = cells;
              fields = columns ? [...columns] : names;
              index = fields.map((name) => names.indexOf(name));
              const missing = index.indexOf(-1);
              if (missing >= 0) {
                throw new RangeError(
                  `parseCsv() header has no column '${fields[missing]}': the columns are ${names.join(", ")}`,
                );
              }
              return;
            }
            fields = cells.map((_, i) => String(i));
            index = fields.map((_, i) => i);
          }
          let values: number[] | string = new Array<number>(index.length);
          if (cells.length !== width) {
            values = `expected ${width} fields, got ${cells.length}`;
          } else {
            for (let i = 0; i < index.length; i++) {
              const v = parseNumber(cells[index[i]], maxMagnitude);
              if (typeof v === "string") {
                values = `field '${fields[i]}' ${v}`;
                break;
              }
              values[i] = v;
            }
          }
          if (typeof values === "string") {
            // strict mode or a throwing onInvalid: error downstream and release the source
            const err = reportInvalid(options, stats, lineNo, text, values);
            if (err) throw err;
            return;
          }
          stats.parsed++;
          subscriber.next({ line: lineNo, values, fields });
        },
      });
    });
}

function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}
