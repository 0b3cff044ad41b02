/**
 * An ingestion endpoint: a local HTTP server that events are pushed into.
 *
 * @module
 */
import { Observable } from "../../deps.ts";
import { LineSplitter } from "./_line_splitter.ts";
import type { PauseController } from "../../stream/pause_controller.ts";
import { pumpLines } from "./_pump_lines.ts";

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
}

/**
 * Starts a local HTTP server (`Deno.serve`) on subscribe and emits the lines pushed to
 * it: the body of any `POST` (NDJSON or CSV lines; answered, once read, with
 * `{"lines": n}` as JSON), and each message of a WebSocket connected to any path
 * (lines split on `\n`). Other requests get 405. A pusher that drops in the middle of a
 * body loses its unterminated last line only, and a malformed WebSocket handshake gets
 * 400: the endpoint goes on. Unsubscribing closes the WebSockets
 * and shuts the server down.
 *
 * @param options Address, listen callback and pause switch.
 * @returns A cold Observable of lines (each subscription starts its own server).
 * @throws {RangeError} When `port` is not an integer in [0, 65535].
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
  const { hostname = "127.0.0.1", port = 0, onListen, pause } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Cannot create fromIngest() as 'port' must be an integer in [0, 65535]: current value is ${port}`,
    );
  }
  return new Observable<string>((subscriber) => {
    const abort = new AbortController();
    const sockets = new Set<WebSocket>();
    const emit = (line: string) => {
      if (!abort.signal.aborted) subscriber.next(line);
    };
    const handler = async (request: Request): Promise<Response> => {
      if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
        let upgraded: { socket: WebSocket; response: Response };
        try {
          upgraded = Deno.upgradeWebSocket(request);
        } catch (err) {
          // a malformed handshake is that client's problem: the endpoint goes on
          return new Response(`${(err as Error).message}\n`, { status: 400 });
        }
        const { socket, response } = upgraded;
        const decoder = new TextDecoder();
        sockets.add(socket);
        socket.onmessage = (e: MessageEvent) => {
          const text = typeof e.data === "string" ? e.data : decoder.decode(e.data as ArrayBuffer);
          const lines = text.split("\n");
          if (lines[lines.length - 1] === "") lines.pop();
          for (const line of lines) emit(line.endsWith("\r") ? line.slice(0, -1) : line);
        };
        socket.onclose = () => sockets.delete(socket);
        return response;
      }
      if (request.method !== "POST") {
        return new Response("POST lines or connect a WebSocket\n", {
          status: 405,
          headers: { Allow: "POST" },
        });
      }
      if (!request.body) return Response.json({ lines: 0 });
      let lines = 0;
      const reader = request.body.getReader();
      try {
        await pumpLines(
          reader,
          new LineSplitter(),
          (line) => {
            lines++;
            emit(line);
          },
          pause,
          abort.signal,
        );
      } catch {
        // the pusher went away mid-body: its complete lines were emitted, the endpoint goes on
        return Response.json({ lines, error: "the request body ended abruptly" }, { status: 400 });
      } finally {
        reader.releaseLock();
      }
      return Response.json({ lines });
    };
    let server: Deno.HttpServer<Deno.NetAddr> | undefined;
    try {
      server = Deno.serve({
        hostname,
        port,
        signal: abort.signal,
        onListen: (addr) => {
          queueMicrotask(() => {
            try {
              onListen?.({ hostname: addr.hostname, port: addr.port, finished: server!.finished });
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
      subscriber.error(err);
      return;
    }
    return () => {
      abort.abort();
      for (const socket of sockets) socket.close(1001, "ingestion endpoint closed");
      sockets.clear();
    };
  });
}
