/**
 * A Server-Sent Events client source, with reconnection and `Last-Event-ID`.
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

/** One Server-Sent Event. */
export interface SseEvent {
  /** The event type (`event:` field). @default {"message"} */
  event: string;
  /** The data (`data:` lines joined with `\n`). */
  data: string;
  /** The last event ID (`id:` field) as of this event, "" when none. */
  id: string;
}

/** Options for {@linkcode fromSse}. */
export interface FromSseOptions {
  /** Extra `fetch` options (headers); the signal is the source's own. @default {GET} */
  init?: Omit<RequestInit, "signal">;
  /** The reconnection policy. @default {exponential backoff from 100 ms to 10 s, ±20 % jitter, no limit} */
  reconnect?: ReconnectOptions;
  /** Reconnect also when the server ends the stream normally (as browsers do). @default {true} */
  reconnectOnEnd?: boolean;
  /** Counters; `reconnects` is incremented on each reconnection. @default {undefined} */
  stats?: FeedStats;
  /** A pause switch: while paused the stream is not read. @default {undefined} */
  pause?: PauseController;
}

/**
 * Subscribes to a Server-Sent Events stream with `fetch` and emits its events
 * `{ event, data, id }`: `data:` lines are joined with `\n`, `event:` sets the type,
 * `id:` the last event ID, a blank line dispatches, comments (`:`) are ignored. On a
 * failure or a dropped connection (and, by default, when the server ends the stream)
 * it reconnects with exponential backoff, sending `Last-Event-ID` so the server can
 * resume; reconnections are counted in `stats.reconnects`. A 204 or another non-2xx
 * status other than 5xx/408/429 errors the stream with a TypeError. Line ends are `\n`
 * or `\r\n` (a lone `\r` is not supported), and `retry:` is ignored (the reconnection
 * policy decides). Unsubscribing aborts the request.
 *
 * @param url The event stream URL.
 * @param options Request options, reconnection policy, counters and pause switch.
 * @returns A cold Observable of events.
 * @throws {RangeError} When the reconnection policy is invalid.
 * @throws {TypeError} When `url` is not an absolute http or https URL.
 *
 * @example Usage
 * ```ts ignore
 * import { map } from "rxjs";
 * import { fromSse, parseNdjson } from "../../../mod.ts";
 * fromSse("http://127.0.0.1:8080/sse")
 *   .pipe(map((e) => e.data), parseNdjson({ fields: ["humidity", "temperature"] }))
 *   .subscribe((r) => console.log(r.values));
 * ```
 */
export function fromSse(url: string | URL, options: FromSseOptions = {}): Observable<SseEvent> {
  const { init = {}, reconnect = {}, reconnectOnEnd = true, stats, pause } = options;
  checkReconnectOptions("fromSse()", reconnect);
  checkUrl("fromSse()", url, ["http:", "https:"]);
  return new Observable<SseEvent>((subscriber) => {
    const abort = new AbortController();
    let lastId = "";
    const connect = async (signal: AbortSignal, connected: () => void): Promise<boolean> => {
      const headers = new Headers(init.headers);
      headers.set("Accept", "text/event-stream");
      if (lastId !== "") headers.set("Last-Event-ID", lastId);
      const response = await fetch(url, { ...init, headers, signal });
      if (!response.ok || response.status === 204) {
        await response.body?.cancel();
        const message = `GET ${url} answered ${response.status} ${response.statusText}`;
        const retry = response.status >= 500 || response.status === 408 || response.status === 429;
        throw retry ? new Error(message) : new FatalConnectError(message);
      }
      if (!response.body) return true;
      // `id` is the event's id buffer: it becomes the last event ID (sent on reconnection) only when
      // a blank line dispatches the event, so an event cut off by a drop is asked for again
      let data: string[] = [], type = "", id = lastId;
      const onLine = (line: string) => {
        // the backoff resets once the connection delivers a line (a keep-alive comment counts)
        connected();
        if (line === "") {
          lastId = id;
          if (data.length > 0) {
            subscriber.next({ event: type || "message", data: data.join("\n"), id: lastId });
          }
          data = [];
          type = "";
          return;
        }
        if (line.startsWith(":")) return;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") data.push(value);
        else if (field === "event") type = value;
        else if (field === "id" && !value.includes("\0")) id = value;
      };
      const reader = response.body.getReader();
      try {
        // An event not ended by a blank line when the stream stops is discarded (as the spec says).
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
