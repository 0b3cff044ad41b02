/**
 * The fetch–classify–reconnect skeleton shared by fromHttpLines() and fromSse()
 * (private helper).
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import type { Subscriber } from "../../deps.ts";
import type { ReconnectOptions } from "./backoff.ts";
import type { FeedStats } from "./feed_stats.ts";
import { LineSplitter } from "./_line_splitter.ts";
import type { PauseController } from "../../stream/pause_controller.ts";
import { pumpLines } from "./_pump_lines.ts";
import { FatalConnectError, reconnectLoop } from "./_reconnect.ts";

/** The options both fetch sources share (already defaulted by the caller). */
export interface FetchLinesSettings {
  /** Extra `fetch` options; the signal is the source's own. */
  init: Omit<RequestInit, "signal">;
  /** The reconnection policy. */
  reconnect: ReconnectOptions;
  /** Reconnect also when the server ends the body normally. */
  reconnectOnEnd: boolean;
  /** Counters (`reconnects`). */
  stats: FeedStats | undefined;
  /** A pause switch: while paused the body is not read. */
  pause: PauseController | undefined;
  /** Whether a 204 answer is a fatal error (an event stream must have a body). */
  noContentIsFatal: boolean;
  /** The longest line kept. */
  maxLineBytes: number;
}

/** What one subscription does with its connections (state lives in the closure `open` returns). */
export interface LineReader {
  /** The URL of the next connection (called before each fetch). */
  url?(base: string | URL): string | URL;
  /** Sets this connection's request headers (called before each fetch). */
  headers?(headers: Headers): void;
  /** Starts a connection: returns what to do with each of its lines. */
  connection(): (line: string) => void;
}

/**
 * A cold Observable that fetches `url` and feeds the response body's lines to the
 * {@linkcode LineReader} that `open` makes for each subscription. Failed requests, 5xx,
 * 408 and 429 answers and dropped bodies are retried with backoff; any other non-2xx
 * answer (and 204 when `noContentIsFatal`) errors with a TypeError. It completes when
 * the body ends (unless `reconnectOnEnd`); unsubscribing aborts the request.
 */
export function fetchLines<T>(
  url: string | URL,
  settings: FetchLinesSettings,
  open: (subscriber: Subscriber<T>) => LineReader,
): Observable<T> {
  const { init, reconnect, reconnectOnEnd, stats, pause, noContentIsFatal, maxLineBytes } = settings;
  return new Observable<T>((subscriber) => {
    const abort = new AbortController();
    const lineReader = open(subscriber);
    const connect = async (signal: AbortSignal, connected: () => void): Promise<boolean> => {
      let request: RequestInit = { ...init, signal };
      if (lineReader.headers) {
        const headers = new Headers(init.headers);
        lineReader.headers(headers);
        request = { ...init, headers, signal };
      }
      const response = await fetch(lineReader.url ? lineReader.url(url) : url, request);
      if (!response.ok || (noContentIsFatal && response.status === 204)) {
        await response.body?.cancel();
        const message = `${init.method ?? "GET"} ${url} answered ${response.status} ${response.statusText}`;
        const retry = response.status >= 500 || response.status === 408 || response.status === 429;
        throw retry ? new Error(message) : new FatalConnectError(message);
      }
      if (!response.body) return true;
      const handle = lineReader.connection();
      // the backoff resets once the connection delivers a line (not on an empty answer)
      const onLine = (line: string) => {
        connected();
        handle(line);
      };
      const reader = response.body.getReader();
      try {
        return await pumpLines(reader, new LineSplitter(maxLineBytes, stats), onLine, pause, signal);
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
