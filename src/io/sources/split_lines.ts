/**
 * The line splitter operator: text or byte chunks in, lines out.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import type { OperatorFunction } from "../../deps.ts";
import { subscribeLinked } from "../../stream/operate.ts";
import { LineSplitter } from "./_line_splitter.ts";

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
 * @returns An operator from chunks to lines.
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
export function splitLines(): OperatorFunction<string | Uint8Array, string> {
  return (source) =>
    new Observable<string>((subscriber) => {
      const splitter = new LineSplitter();
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
