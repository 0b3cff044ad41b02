/**
 * An ingestion endpoint: a local HTTP server that events are pushed into.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import { checkMaxLineBytes, DEFAULT_MAX_LINE_BYTES, LineSplitter } from "./_line_splitter.ts";
import type { PauseController } from "../../stream/pause_controller.ts";
import type { FeedStats } from "./feed_stats.ts";
import { emitLines } from "./_pump_lines.ts";
import { ConnectionGuard } from "./_connection_guard.ts";
import { checkIngestOptions, refuse } from "./_ingest_checks.ts";

/** Where an ingestion endpoint listens, given to `onListen`. */
export interface IngestInfo {
  /** The interface it listens on. */
  hostname: string;
  /** The port (the one chosen by the system when the option was 0). */
  port: number;
  /** Settles when the server has shut down (after unsubscribing). */
  finished: Promise<void>;
}

/** Options for {@linkcode fromIngest}. */
export interface FromIngestOptions {
  /** The interface to listen on (keep it local unless you mean to accept remote pushes). @default {"127.0.0.1"} */
  hostname?: string;
  /** The port; 0 lets the system choose (see `onListen`). @default {0} */
  port?: number;
  /** Called once the server listens, with its address. @default {undefined} */
  onListen?: (info: IngestInfo) => void;
  /** A pause switch: while paused, POST bodies are not read (pushers are held by TCP flow control). @default {undefined} */
  pause?: PauseController;
  /** A bearer token: every POST and WebSocket upgrade must send `Authorization: Bearer <token>`, else 401. @default {undefined (no authentication)} */
  token?: string;
  /** The `Origin` values accepted: a request or upgrade with another `Origin` header gets 403 (requests without one are accepted). @default {[]} */
  allowOrigins?: readonly string[];
  /** Allow listening beyond the loopback interface without a `token`. @default {false} */
  allowUnauthenticated?: boolean;
  /** The largest POST body, in bytes: a larger one gets 413 (its lines already read stay delivered). @default {16777216} */
  maxBodyBytes?: number;
  /** The longest line kept, in UTF-8 bytes: a longer one is dropped (counted in the answer and in `stats`). @default {1048576} */
  maxLineBytes?: number;
  /** The time a new connection has to send its request head, in milliseconds; then it is closed. @default {10000} */
  headerTimeout?: number;
  /**
   * The time a connection (or a WebSocket) may send nothing while none of its requests
   * is being handled, in milliseconds; then it is closed. A body held by `pause` is not idle;
   * a body that stalls for this long mid-way is answered 408.
   * @default {30000}
   */
  idleTimeout?: number;
  /** Counters: oversized lines are counted in `skipped` and kept in `invalid` (reason `oversized`). @default {undefined} */
  stats?: FeedStats;
}

/**
 * Starts a local HTTP server (`Deno.serve`) on subscribe and emits the lines pushed to
 * it: the body of any `POST` (NDJSON or CSV lines; answered, once read, with
 * `{"lines": n, "queued": q, "dropped": d}` as JSON: the complete lines received, those
 * emitted and those dropped as longer than `maxLineBytes`), and each message of a WebSocket connected to any path
 * (lines split on `\n`). Other requests get 405. A pusher that drops in the middle of a
 * body loses its unterminated last line only, and a malformed WebSocket handshake gets
 * 400: the endpoint goes on. Unsubscribing closes the WebSockets
 * and shuts the server down.
 *
 * Guards: with `token`, a request without `Authorization: Bearer <token>` gets 401
 * and nothing is emitted; a request or upgrade whose `Origin` is not in `allowOrigins`
 * gets 403; a body larger than `maxBodyBytes` gets 413; a connection that has not sent
 * its request head within `headerTimeout`, or stays idle for `idleTimeout`, is closed
 * (so half-open connections are not kept for ever). Listening beyond loopback without a
 * token is refused unless `allowUnauthenticated`. With `pause`, concurrent pushers are
 * all held while paused: none of their lines is emitted into a full queue.
 *
 * @param options Address, listen callback, pause switch, authentication and limits.
 * @returns A cold Observable of lines (each subscription starts its own server).
 * @throws {RangeError} When `port` is not an integer in [0, 65535], a limit is not a positive integer, or
 * `hostname` is beyond loopback without `token` or `allowUnauthenticated`.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { firstValueFrom, take, toArray } from "rxjs";
 * import { fromIngest, parseNdjson } from "../../../mod.ts";
 * let finished: Promise<void> | undefined;
 * const records = firstValueFrom(fromIngest({
 *   onListen: async (info) => {
 *     finished = info.finished;
 *     const res = await fetch(`http://127.0.0.1:${info.port}/`, { method: "POST", body: '{"v":1}\n{"v":2}\n' });
 *     await res.body?.cancel();
 *   },
 * }).pipe(parseNdjson(), take(2), toArray()));
 * assert((await records).map((r) => r.values[0]).join() === "1,2");
 * await finished;
 * ```
 */
export function fromIngest(options: FromIngestOptions = {}): Observable<string> {
  const { hostname = "127.0.0.1", port = 0, onListen, pause, token, allowOrigins = [] } = options;
  const { maxBodyBytes = 16 << 20, maxLineBytes = DEFAULT_MAX_LINE_BYTES, stats } = options;
  const { headerTimeout = 10_000, idleTimeout = 30_000 } = options;
  checkIngestOptions(options);
  checkMaxLineBytes("fromIngest()", maxLineBytes);
  return new Observable<string>((subscriber) => {
    const abort = new AbortController();
    const sockets = new Set<WebSocket>();
    const emit = (line: string) => {
      if (!abort.signal.aborted) subscriber.next(line);
    };
    let guard: ConnectionGuard | undefined;

    // a WebSocket's liveness is checked by ping/pong (every idleTimeout), not by the guard
    const upgrade = (request: Request, port: number): Response => {
      let upgraded: { socket: WebSocket; response: Response };
      try {
        upgraded = Deno.upgradeWebSocket(request, { idleTimeout: Math.ceil(idleTimeout / 1000) });
      } catch (err) {
        // a malformed handshake is that client's problem: the endpoint goes on
        return new Response(`${(err as Error).message}\n`, { status: 400 });
      }
      const { socket, response } = upgraded;
      const splitter = new LineSplitter(maxLineBytes, stats);
      sockets.add(socket);
      const release = guard?.hold(port) ?? (() => {});
      socket.onmessage = (e: MessageEvent) => {
        const data = typeof e.data === "string" ? e.data : new Uint8Array(e.data as ArrayBuffer);
        const lines = splitter.push(data);
        lines.push(...splitter.flush());
        for (const line of lines) emit(line);
      };
      socket.onclose = () => {
        release();
        sockets.delete(socket);
      };
      return response;
    };

    const readBody = async (body: ReadableStream<Uint8Array>): Promise<Response> => {
      const splitter = new LineSplitter(maxLineBytes, stats);
      let queued = 0, bytes = 0;
      const answer = (status: number, error?: string) =>
        Response.json({ lines: queued + splitter.oversized, queued, dropped: splitter.oversized, error }, {
          status,
        });
      const send = (lines: string[]) =>
        emitLines(
          lines,
          (line) => {
            queued++;
            emit(line);
          },
          pause,
          abort.signal,
        );
      const reader = body.getReader();
      try {
        while (!abort.signal.aborted) {
          while (pause?.paused && !abort.signal.aborted) await pause.whenResumed(abort.signal);
          const next = await readWithin(reader, idleTimeout);
          if (next === "timeout") return answer(408, `no data for ${idleTimeout} ms`);
          if (next.done) {
            await send(splitter.flush());
            break;
          }
          bytes += next.value.length;
          if (bytes > maxBodyBytes) return answer(413, `the body is larger than ${maxBodyBytes} bytes`);
          await send(splitter.push(next.value));
        }
      } catch {
        // the pusher went away mid-body: its complete lines were emitted, the endpoint goes on
        return answer(400, "the request body ended abruptly");
      } finally {
        reader.cancel().catch(() => {});
      }
      return answer(200);
    };

    const handler = async (
      request: Request,
      info: Deno.ServeHandlerInfo<Deno.NetAddr>,
    ): Promise<Response> => {
      const refused = refuse(request, token, allowOrigins);
      if (refused) {
        await request.body?.cancel();
        return refused;
      }
      if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
        return upgrade(request, info.remoteAddr.port);
      }
      if (request.method !== "POST") {
        return new Response("POST lines or connect a WebSocket\n", {
          status: 405,
          headers: { Allow: "POST" },
        });
      }
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > maxBodyBytes) {
        await request.body?.cancel();
        return Response.json({
          lines: 0,
          queued: 0,
          dropped: 0,
          error: `the body is larger than ${maxBodyBytes} bytes`,
        }, {
          status: 413,
        });
      }
      if (!request.body) return Response.json({ lines: 0, queued: 0, dropped: 0 });
      const release = guard?.hold(info.remoteAddr.port) ?? (() => {});
      try {
        return await readBody(request.body);
      } finally {
        release();
      }
    };

    let server: Deno.HttpServer<Deno.NetAddr> | undefined;
    try {
      const listener = Deno.listen({ hostname, port, transport: "tcp" });
      guard = new ConnectionGuard(listener, { headerTimeout, idleTimeout });
      const addr = listener.addr;
      server = Deno.serve({
        hostname: "127.0.0.1",
        port: 0,
        signal: abort.signal,
        onListen: (upstream) => {
          guard!.start(upstream.port);
          queueMicrotask(() => {
            try {
              onListen?.({ hostname: addr.hostname, port: addr.port, finished });
            } catch (err) {
              subscriber.error(err);
            }
          });
        },
        onError: (err) => {
          subscriber.error(err);
          return new Response("Internal error\n", { status: 500 });
        },
      }, handler);
    } catch (err) {
      guard?.close();
      subscriber.error(err);
      return;
    }
    // the guard's relays end once the server has answered its last requests
    const finished = server.finished.then(() => guard!.close());
    return () => {
      abort.abort();
      guard?.stopAccepting();
      for (const socket of sockets) socket.close(1001, "ingestion endpoint closed");
      sockets.clear();
    };
  });
}

/** Reads the next chunk, or "timeout" when none comes within `ms` milliseconds. */
async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number,
): Promise<ReadableStreamReadResult<Uint8Array> | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), ms));
  try {
    return await Promise.race([reader.read(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
