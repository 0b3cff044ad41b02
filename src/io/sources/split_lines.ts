/**
 * The line splitter operator: text or byte chunks in, lines out.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import type { OperatorFunction } from "../../deps.ts";
import { LineSplitter } from "./_line_splitter.ts";

/**
 * Splits a stream of text (or UTF-8 byte) chunks into lines. A line may be split over
 * chunks and a chunk may hold many lines; `\n` and `\r\n` both end a line (neither is
 * kept), multi-byte characters split over byte chunks are decoded correctly, and an
 * unterminated last line is emitted when the source completes.
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
      return source.subscribe({
        next(chunk) {
          for (const line of splitter.push(chunk)) {
            if (subscriber.closed) return;
            subscriber.next(line);
          }
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          for (const line of splitter.flush()) subscriber.next(line);
          subscriber.complete();
        },
      });
    });
}
