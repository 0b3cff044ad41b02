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
}

/**
 * Streams a URL's response body as lines (for NDJSON or CSV feeds) with `fetch`. When
 * the request fails, the status is 5xx, 408 or 429, or the connection drops mid-body,
 * it reconnects with exponential backoff (counted in `stats.reconnects`; a partial
 * line at the drop is discarded); any other non-2xx status errors the stream with a
 * TypeError. It completes when the body ends (unless `reconnectOnEnd`). Unsubscribing
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
  checkReconnectOptions("fromHttpLines()", reconnect);
  checkUrl("fromHttpLines()", url, ["http:", "https:"]);
  return fetchLines<string>(
    url,
    { init, reconnect, reconnectOnEnd, stats, pause, noContentIsFatal: false },
    (subscriber) => ({ connection: () => (line) => subscriber.next(line) }),
  );
}
