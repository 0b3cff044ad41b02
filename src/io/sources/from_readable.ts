/**
 * A source of lines read from a web ReadableStream of bytes or text.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import { LineSplitter } from "./_line_splitter.ts";
import { pumpLines } from "./_pump_lines.ts";
import type { PauseController } from "../../stream/pause_controller.ts";

/** Options for {@linkcode fromReadable}. */
export interface FromReadableOptions {
  /** A pause switch: while paused the stream is not read. @default {undefined} */
  pause?: PauseController;
}

/**
 * Emits the lines of a `ReadableStream` (UTF-8 bytes or text; `\n` or `\r\n` line
 * ends; the unterminated last line is emitted at the end), then completes. Reading
 * starts on subscribe; unsubscribing cancels the stream. A stream can be read once, so
 * subscribe once.
 *
 * @param stream The stream to read, e.g. a `fetch` body or `Deno.stdin.readable`.
 * @param options An optional pause switch.
 * @returns A cold Observable of lines.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { lastValueFrom, toArray } from "rxjs";
 * import { fromReadable } from "./from_readable.ts";
 * const stream = ReadableStream.from(["1,2\n3", ",4\n"]);
 * const lines = await lastValueFrom(fromReadable(stream).pipe(toArray()));
 * assert(lines.join("|") === "1,2|3,4");
 * ```
 */
export function fromReadable(
  stream: ReadableStream<Uint8Array | string>,
  options: FromReadableOptions = {},
): Observable<string> {
  const { pause } = options;
  return new Observable<string>((subscriber) => {
    const abort = new AbortController();
    const reader = stream.getReader();
    pumpLines(reader, new LineSplitter(), (line) => subscriber.next(line), pause, abort.signal)
      .then((ended) => {
        if (ended) subscriber.complete();
      }, (err) => {
        if (!abort.signal.aborted) subscriber.error(err);
      })
      .finally(() => reader.releaseLock());
    return () => {
      if (abort.signal.aborted) return;
      abort.abort();
      reader.cancel().catch(() => {});
    };
  });
}
