/**
 * A source of lines read from a web ReadableStream of bytes or text.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import { checkMaxLineBytes, DEFAULT_MAX_LINE_BYTES, LineSplitter } from "./_line_splitter.ts";
import type { FeedStats } from "./feed_stats.ts";
import { pumpLines } from "./_pump_lines.ts";
import type { PauseController } from "../../stream/pause_controller.ts";

/** Options for {@linkcode fromReadable}. */
export interface FromReadableOptions {
  /** A pause switch: while paused the stream is not read. @default {undefined} */
  pause?: PauseController;
  /** The longest line kept, in UTF-8 bytes: a longer one is skipped (memory stays bounded) and counted in `stats`. @default {1048576} */
  maxLineBytes?: number;
  /** Counters: an oversized line is counted in `skipped` and kept in `invalid` with the reason `oversized`. @default {undefined} */
  stats?: FeedStats;
}

/** The streams a subscription has already read (or cancelled): they cannot be read again. */
const consumed = new WeakSet<ReadableStream<Uint8Array | string>>();

/**
 * Emits the lines of a `ReadableStream` (UTF-8 bytes or text; `\n` or `\r\n` line
 * ends; the unterminated last line is emitted at the end), then completes. Reading
 * starts on subscribe; a line longer than `maxLineBytes` is skipped and counted (see
 * `stats`), so a line that never ends cannot exhaust memory; unsubscribing cancels the stream (lines read ahead in the
 * current chunk are discarded), and a stream error errors the Observable.
 *
 * Single use: a ReadableStream can be read once, so only the first subscription reads
 * it. Any later one (a second subscriber, `retry`, `repeat`, another `fromReadable`
 * of the same stream) errors at once with a TypeError saying so, rather than completing
 * empty; a stream locked by another reader errors likewise. To read it from several
 * places, `share()` the Observable.
 *
 * @param stream The stream to read, e.g. a `fetch` body or `Deno.stdin.readable`.
 * @param options An optional pause switch.
 * @returns A cold Observable of lines that can be subscribed once.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { lastValueFrom, toArray } from "rxjs";
 * import { fromReadable } from "./from_readable.ts";
 * const stream = ReadableStream.from(["1,2\n3", ",4\n"]);
 * const lines = fromReadable(stream);
 * assert((await lastValueFrom(lines.pipe(toArray()))).join("|") === "1,2|3,4");
 * const again = await lastValueFrom(lines).catch((e) => e);
 * assert(again instanceof TypeError);
 * ```
 */
export function fromReadable(
  stream: ReadableStream<Uint8Array | string>,
  options: FromReadableOptions = {},
): Observable<string> {
  const { pause, maxLineBytes = DEFAULT_MAX_LINE_BYTES, stats } = options;
  checkMaxLineBytes("fromReadable()", maxLineBytes);
  return new Observable<string>((subscriber) => {
    if (consumed.has(stream)) {
      subscriber.error(
        new TypeError(
          "Cannot subscribe to fromReadable() again as its ReadableStream can be read once: a previous subscription read or cancelled it",
        ),
      );
      return;
    }
    if (stream.locked) {
      subscriber.error(
        new TypeError("Cannot subscribe to fromReadable() as its ReadableStream is locked by another reader"),
      );
      return;
    }
    consumed.add(stream);
    const abort = new AbortController();
    const reader = stream.getReader();
    pumpLines(
      reader,
      new LineSplitter(maxLineBytes, stats),
      (line) => subscriber.next(line),
      pause,
      abort.signal,
    )
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
