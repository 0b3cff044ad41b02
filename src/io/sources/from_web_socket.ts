/**
 * A WebSocket client source, with reconnection.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import type { ReconnectOptions } from "./backoff.ts";
import type { FeedStats } from "./feed_stats.ts";
import { checkReconnectOptions, checkUrl, FatalConnectError, reconnectLoop } from "./_reconnect.ts";
import { checkMaxLineBytes, DEFAULT_MAX_LINE_BYTES, LineSplitter } from "./_line_splitter.ts";
import type { ResumeOptions } from "./resume.ts";
import { resumeUrl, sequenceOf } from "./_resume.ts";

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
  /** The longest line kept, in UTF-8 bytes (UTF-16 code units of a text message): a longer one is skipped and counted in `stats`. @default {1048576} */
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
 * Connects to a WebSocket server (Deno's global `WebSocket`) and emits the lines of
 * each message (a text or UTF-8 binary message may hold several `\n`-separated lines,
 * e.g. NDJSON). When the connection fails or closes abnormally (the server died: code
 * 1006) it reconnects with exponential backoff, counted in `stats.reconnects`; a normal
 * close (1000, or 1005: a clean close without a status code, as a server's bare
 * `close()` sends) completes the stream unless `reconnectOnEnd`. A WebSocket cannot be
 * paused: put {@linkcode backpressure} with a dropping policy after it. Sub-protocols
 * the WebSocket constructor rejects error the stream with a TypeError (retrying cannot
 * help). With `resume`, each reconnection asks for the events after the last sequence
 * number delivered (no duplicates after a server restart). A line longer than
 * `maxLineBytes` is skipped and counted in `stats`. Unsubscribing closes the socket.
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
  const { maxLineBytes = DEFAULT_MAX_LINE_BYTES, resume } = options;
  checkReconnectOptions("fromWebSocket()", reconnect);
  checkUrl("fromWebSocket()", url, ["ws:", "wss:", "http:", "https:"]);
  checkMaxLineBytes("fromWebSocket()", maxLineBytes);
  const resumeOptions = resume === true ? {} : resume || undefined;
  return new Observable<string>((subscriber) => {
    const abort = new AbortController();
    const splitter = new LineSplitter(maxLineBytes, stats);
    // the last line delivered (its sequence number is read at the next reconnection)
    let lastSeq = -1, lastLine: string | null = null;
    const nextUrl = () => {
      if (!resumeOptions) return url;
      if (lastLine !== null) {
        const seq = sequenceOf(lastLine, resumeOptions);
        if (seq >= 0) lastSeq = seq;
        lastLine = null;
      }
      return resumeUrl(url, lastSeq, resumeOptions);
    };
    const connect = (signal: AbortSignal, connected: () => void) =>
      new Promise<boolean>((resolve, reject) => {
        let ws: WebSocket;
        try {
          ws = new WebSocket(nextUrl(), protocols);
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
          const data = typeof e.data === "string" ? e.data : new Uint8Array(e.data as ArrayBuffer);
          const lines = splitter.push(data);
          lines.push(...splitter.flush());
          for (const line of lines) {
            if (signal.aborted) return;
            lastLine = line;
            subscriber.next(line);
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
