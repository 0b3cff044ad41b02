/**
 * A source of the lines of a streaming HTTP response body (NDJSON, CSV), with reconnection.
 *
 * @module
 */
import type { Observable } from "../../deps.ts";
import type { ReconnectOptions } from "./backoff.ts";
import type { FeedStats } from "./feed_stats.ts";
import type { PauseController } from "../../stream/pause_controller.ts";
import { fetchLines } from "./_fetch_lines.ts";
import { checkReconnectOptions, checkUrl } from "./_reconnect.ts";
import { checkMaxLineBytes, DEFAULT_MAX_LINE_BYTES } from "./_line_splitter.ts";
import type { ResumeOptions } from "./resume.ts";
import { resumeUrl, sequenceOf } from "./_resume.ts";

/** Options for {@linkcode fromHttpLines}. */
export interface FromHttpLinesOptions {
  /** Extra `fetch` options (method, headers, body); the signal is the source's own. @default {GET} */
  init?: Omit<RequestInit, "signal">;
  /** The reconnection policy. @default {exponential backoff from 100 ms to 10 s, ±20 % jitter, no limit} */
  reconnect?: ReconnectOptions;
  /** Reconnect also when the server ends the body normally (a live feed that never ends). @default {false} */
  reconnectOnEnd?: boolean;
  /** Counters; `reconnects` is incremented on each reconnection. @default {undefined} */
  stats?: FeedStats;
  /** A pause switch: while paused the body is not read (TCP flow control holds the rest). @default {undefined} */
  pause?: PauseController;
  /** The longest line kept, in UTF-8 bytes: a longer one is skipped (memory stays bounded) and counted in `stats`. @default {1048576} */
  maxLineBytes?: number;
  /**
   * Resume after the last sequence number delivered: on each reconnection the URL's
   * `param` (default `from`) is set to the `field` (default `seq`) of the last line
   * delivered, + 1. `true` means the defaults.
   * @default {undefined (reconnect to the same URL)}
   */
  resume?: ResumeOptions | boolean;
}

/**
 * Streams a URL's response body as lines (for NDJSON or CSV feeds) with `fetch`. When
 * the request fails, the status is 5xx, 408 or 429, or the connection drops mid-body,
 * it reconnects with exponential backoff (counted in `stats.reconnects`; a partial
 * line at the drop is discarded); any other non-2xx status errors the stream with a
 * TypeError. With `resume`, each reconnection asks for the events after the last
 * sequence number delivered (no duplicates after a server restart). A line longer than
 * `maxLineBytes` is skipped and counted in `stats`. It completes when the body ends (unless `reconnectOnEnd`). Unsubscribing
 * aborts the request.
 *
 * @param url The URL to fetch.
 * @param options Request options, reconnection policy, counters and pause switch.
 * @returns A cold Observable of lines.
 * @throws {RangeError} When the reconnection policy is invalid.
 * @throws {TypeError} When `url` is not an absolute http or https URL.
 *
 * @example Usage
 * ```ts ignore
 * import { createFeedStats, fromHttpLines, parseNdjson } from "../../../mod.ts";
 * const stats = createFeedStats();
 * fromHttpLines("http://127.0.0.1:8080/ndjson", { stats, reconnectOnEnd: true })
 *   .pipe(parseNdjson({ fields: ["humidity", "temperature"], stats }))
 *   .subscribe((r) => console.log(r.values, stats.reconnects));
 * ```
 */
export function fromHttpLines(url: string | URL, options: FromHttpLinesOptions = {}): Observable<string> {
  const { init = {}, reconnect = {}, reconnectOnEnd = false, stats, pause } = options;
  const { maxLineBytes = DEFAULT_MAX_LINE_BYTES, resume } = options;
  checkReconnectOptions("fromHttpLines()", reconnect);
  checkUrl("fromHttpLines()", url, ["http:", "https:"]);
  checkMaxLineBytes("fromHttpLines()", maxLineBytes);
  const resumeOptions = resume === true ? {} : resume || undefined;
  return fetchLines<string>(
    url,
    { init, reconnect, reconnectOnEnd, stats, pause, noContentIsFatal: false, maxLineBytes },
    (subscriber) => {
      if (!resumeOptions) return { connection: () => (line) => subscriber.next(line) };
      // the last sequence number delivered by this subscription (its line is parsed lazily)
      let lastSeq = -1, lastLine: string | null = null;
      return {
        url(base) {
          if (lastLine !== null) {
            const seq = sequenceOf(lastLine, resumeOptions);
            if (seq >= 0) lastSeq = seq;
            lastLine = null;
          }
          return resumeUrl(base, lastSeq, resumeOptions);
        },
        connection: () => (line) => {
          lastLine = line;
          subscriber.next(line);
        },
      };
    },
  );
}
