/**
 * A source of the lines of a streaming HTTP response body (NDJSON, CSV), with reconnection.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import type { ReconnectOptions } from "./backoff.ts";
import type { FeedStats } from "./feed_stats.ts";
import { LineSplitter } from "./_line_splitter.ts";
import type { PauseController } from "../../stream/pause_controller.ts";
import { pumpLines } from "./_pump_lines.ts";
import { checkReconnectOptions, checkUrl, FatalConnectError, reconnectLoop } from "./_reconnect.ts";

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
  return new Observable<string>((subscriber) => {
    const abort = new AbortController();
    const emit = (line: string) => subscriber.next(line);
    const connect = async (signal: AbortSignal, connected: () => void): Promise<boolean> => {
      const response = await fetch(url, { ...init, signal });
      if (!response.ok) {
        await response.body?.cancel();
        const message = `${init.method ?? "GET"} ${url} answered ${response.status} ${response.statusText}`;
        const retry = response.status >= 500 || response.status === 408 || response.status === 429;
        throw retry ? new Error(message) : new FatalConnectError(message);
      }
      if (!response.body) return true;
      const reader = response.body.getReader();
      // the backoff resets once the connection delivers a line (not on an empty answer)
      const onLine = (line: string) => {
        connected();
        emit(line);
      };
      try {
        return await pumpLines(reader, new LineSplitter(), onLine, pause, signal);
      } finally {
        reader.cancel().catch(() => {});
      }
    };
    reconnectLoop(connect, reconnect, reconnectOnEnd, stats, abort.signal).then(
      (ended) => ended && subscriber.complete(),
      (err) => subscriber.error(err instanceof FatalConnectError ? new TypeError(err.message) : err),
    );
    return () => abort.abort();
  });
}
