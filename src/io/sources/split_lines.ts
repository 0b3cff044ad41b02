/**
 * The line splitter operator: text or byte chunks in, lines out.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import type { OperatorFunction } from "../../deps.ts";
import { subscribeLinked } from "../../stream/operate.ts";
import { checkMaxLineBytes, DEFAULT_MAX_LINE_BYTES, LineSplitter } from "./_line_splitter.ts";
import type { FeedStats } from "./feed_stats.ts";

/** Options for {@linkcode splitLines}. */
export interface SplitLinesOptions {
  /** The longest line kept (UTF-8 bytes for byte chunks, UTF-16 code units for text): a longer one is skipped and counted. @default {1048576} */
  maxLineBytes?: number;
  /** Counters: an oversized line is counted in `skipped` and kept in `invalid` with the reason `oversized`. @default {undefined} */
  stats?: FeedStats;
}

/**
 * Splits a stream of text (or UTF-8 byte) chunks into lines. A line may be split over
 * chunks and a chunk may hold many lines; `\n` and `\r\n` both end a line (neither is
 * kept), and multi-byte characters split over byte chunks are decoded correctly.
 *
 * Completion: when the source completes, the unterminated last line (if any) is
 * emitted, then the stream completes. On a source error the partial line is discarded
 * and the error forwarded at once. The chunks are only read, never modified; the
 * partial line lives per subscription (a `repeat` or `retry` starts afresh), and the
 * source is released as soon as the downstream unsubscribes, even in the middle of a
 * synchronous source (`take(3)` reads no further).
 *
 * A line longer than `maxLineBytes` is not kept: it is skipped up to its line end and
 * counted in `stats`, so memory stays bounded and the work linear in the input.
 *
 * @param options The line cap and counters.
 * @returns An operator from chunks to lines.
 * @throws {RangeError} When `maxLineBytes` is not an integer >= 1.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from, lastValueFrom, toArray } from "rxjs";
 * import { splitLines } from "./split_lines.ts";
 * const lines = await lastValueFrom(from(["a,1\r\nb", ",2\nc,3"]).pipe(splitLines(), toArray()));
 * assert(lines.join("|") === "a,1|b,2|c,3");
 * ```
 */
export function splitLines(options: SplitLinesOptions = {}): OperatorFunction<string | Uint8Array, string> {
  const { maxLineBytes = DEFAULT_MAX_LINE_BYTES, stats } = options;
  checkMaxLineBytes("splitLines()", maxLineBytes);
  return (source) =>
    new Observable<string>((subscriber) => {
      const splitter = new LineSplitter(maxLineBytes, stats);
      subscribeLinked(source, subscriber, {
        next(chunk) {
          for (const line of splitter.push(chunk)) {
            if (subscriber.closed) return;
            subscriber.next(line);
          }
        },
        complete() {
          for (const line of splitter.flush()) {
            if (subscriber.closed) return;
            subscriber.next(line);
          }
          subscriber.complete();
        },
      });
      return () => splitter.reset();
    });
}
