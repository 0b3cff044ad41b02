/**
 * A Server-Sent Events client source, with reconnection and `Last-Event-ID`.
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
  /** The longest line kept, in UTF-8 bytes: a longer one is skipped (memory stays bounded) and counted in `stats`. @default {1048576} */
  maxLineBytes?: number;
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
  const { maxLineBytes = DEFAULT_MAX_LINE_BYTES } = options;
  checkReconnectOptions("fromSse()", reconnect);
  checkUrl("fromSse()", url, ["http:", "https:"]);
  checkMaxLineBytes("fromSse()", maxLineBytes);
  const settings = { init, reconnect, reconnectOnEnd, stats, pause, noContentIsFatal: true, maxLineBytes };
  return fetchLines<SseEvent>(url, settings, (subscriber) => {
    // the last event ID of this subscription, sent on reconnection
    let lastId = "";
    return {
      headers(headers) {
        headers.set("Accept", "text/event-stream");
        if (lastId !== "") headers.set("Last-Event-ID", lastId);
      },
      connection() {
        // `id` is the event's id buffer: it becomes the last event ID (sent on reconnection) only when
        // a blank line dispatches the event, so an event cut off by a drop is asked for again; an
        // event not ended by a blank line when the stream stops is discarded (as the spec says)
        let data: string[] = [], type = "", id = lastId;
        return (line) => {
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
      },
    };
  });
}
