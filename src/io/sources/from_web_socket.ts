/**
 * A WebSocket client source, with reconnection.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import type { ReconnectOptions } from "./backoff.ts";
import type { FeedStats } from "./feed_stats.ts";
import { checkReconnectOptions, checkUrl, FatalConnectError, reconnectLoop } from "./_reconnect.ts";

/** Options for {@linkcode fromWebSocket}. */
export interface FromWebSocketOptions {
  /** WebSocket sub-protocols to offer. @default {[]} */
  protocols?: string | string[];
  /** The reconnection policy. @default {exponential backoff from 100 ms to 10 s, ±20 % jitter, no limit} */
  reconnect?: ReconnectOptions;
  /** Reconnect also after a normal close (code 1000, or a clean close without a code: 1005) by the server. @default {false} */
  reconnectOnEnd?: boolean;
  /** Counters; `reconnects` is incremented on each reconnection. @default {undefined} */
  stats?: FeedStats;
}

/**
 * Connects to a WebSocket server (Deno's global `WebSocket`) and emits the lines of
 * each message (a text or UTF-8 binary message may hold several `\n`-separated lines,
 * e.g. NDJSON). When the connection fails or closes abnormally (the server died: code
 * 1006) it reconnects with exponential backoff, counted in `stats.reconnects`; a normal
 * close (1000, or 1005: a clean close without a status code, as a server's bare
 * `close()` sends) completes the stream unless `reconnectOnEnd`. A WebSocket cannot be
 * paused: put {@linkcode backpressure} with a dropping policy after it. Sub-protocols
 * the WebSocket constructor rejects error the stream with a TypeError (retrying cannot
 * help). Unsubscribing closes the socket.
 *
 * @param url The `ws://` URL.
 * @param options Sub-protocols, reconnection policy and counters.
 * @returns A cold Observable of lines.
 * @throws {RangeError} When the reconnection policy is invalid.
 * @throws {TypeError} When `url` is not an absolute ws, wss, http or https URL.
 *
 * @example Usage
 * ```ts ignore
 * import { createFeedStats, fromWebSocket, parseNdjson } from "../../../mod.ts";
 * const stats = createFeedStats();
 * fromWebSocket("ws://127.0.0.1:8080/ws", { stats })
 *   .pipe(parseNdjson({ fields: ["humidity", "temperature"], stats }))
 *   .subscribe((r) => console.log(r.values, stats.reconnects));
 * ```
 */
export function fromWebSocket(url: string | URL, options: FromWebSocketOptions = {}): Observable<string> {
  const { protocols = [], reconnect = {}, reconnectOnEnd = false, stats } = options;
  checkReconnectOptions("fromWebSocket()", reconnect);
  checkUrl("fromWebSocket()", url, ["ws:", "wss:", "http:", "https:"]);
  return new Observable<string>((subscriber) => {
    const abort = new AbortController();
    const decoder = new TextDecoder();
    const connect = (signal: AbortSignal, connected: () => void) =>
      new Promise<boolean>((resolve, reject) => {
        let ws: WebSocket;
        try {
          ws = new WebSocket(url, protocols);
        } catch (err) {
          // a constructor that throws (e.g. invalid sub-protocols) throws again on every retry
          reject(new FatalConnectError(`WebSocket ${url}: ${(err as Error).message}`));
          return;
        }
        ws.binaryType = "arraybuffer";
        const onAbort = () => ws.close(1000);
        signal.addEventListener("abort", onAbort, { once: true });
        ws.onmessage = (e: MessageEvent) => {
          // the backoff resets once the connection delivers a message (not on open alone)
          connected();
          const text = typeof e.data === "string" ? e.data : decoder.decode(e.data as ArrayBuffer);
          const lines = text.split("\n");
          if (lines[lines.length - 1] === "") lines.pop();
          for (const line of lines) {
            if (signal.aborted) return;
            subscriber.next(line.endsWith("\r") ? line.slice(0, -1) : line);
          }
        };
        ws.onclose = (e: CloseEvent) => {
          signal.removeEventListener("abort", onAbort);
          // 1005: the server closed cleanly without a status code (a bare close())
          if (e.code === 1000 || (e.code === 1005 && e.wasClean)) resolve(true);
          else {reject(
              new Error(`WebSocket ${url} closed with code ${e.code}${e.reason ? `: ${e.reason}` : ""}`),
            );}
        };
      });
    reconnectLoop(connect, reconnect, reconnectOnEnd, stats, abort.signal).then(
      (ended) => ended && subscriber.complete(),
      (err) => subscriber.error(err instanceof FatalConnectError ? new TypeError(err.message) : err),
    );
    return () => abort.abort();
  });
}
