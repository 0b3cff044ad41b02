/**
 * A local feed server for the live demo: replays the real sensor data set (humidity and
 * temperature from four motes, with anomaly labels; see tools/_sensor_data.ts) at an
 * accelerated rate over WebSocket, Server-Sent Events and streaming NDJSON.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 tools/feed_server.ts --port 8080 --rate 50 --loop
 * ```
 *
 * - `GET /ws`: a WebSocket; one JSON event per text message.
 * - `GET /sse`: `text/event-stream`; each event has `id: <seq>` and resumes after the
 *   `Last-Event-ID` a reconnecting client sends (so a restart loses nothing).
 * - `GET /ndjson`: a streaming NDJSON body.
 * - Each accepts `?from=<seq>` to start elsewhere than at the beginning (for SSE, a
 *   `Last-Event-ID` header wins over it, so a client that reconnects with its first URL
 *   resumes; `fromWebSocket`/`fromHttpLines` with `resume` rewrite `from` themselves).
 *
 * Events look like `{"seq":0,"reading":1,"mote_id":1,"indoor":1,"humidity":45.93,
 * "temperature":27.97,"label":0}`; `seq` counts from 0 and keeps growing across laps with
 * `--loop` (the reading is `seq mod 18914`). Every client gets its own replay at `--rate`
 * events per second (a client that reads slower falls behind: the server holds at most
 * 256 events or 1 MiB for it); without `--loop` the stream ends after the last reading
 * (WebSocket close code 1000). The process can be killed at any time and restarted on the same port.
 *
 * @module
 */
import { loadSensorReadings } from "./_sensor_data.ts";
import type { SensorReading } from "./_sensor_data.ts";

/** Options for {@linkcode startFeedServer}. */
export interface FeedServerOptions {
  /** The interface to listen on. @default {"127.0.0.1"} */
  hostname?: string;
  /** The port; 0 lets the system choose. @default {8080} */
  port?: number;
  /** Events per second sent to each client. @default {20} */
  rate?: number;
  /** Start again from the first reading after the last one, for ever. @default {false} */
  loop?: boolean;
  /** The readings to replay. @default {the sensor data set} */
  readings?: readonly SensorReading[];
  /** How often events are sent, in milliseconds (each tick sends the events due). @default {25} */
  tick?: number;
}

/** A running feed server. */
export interface FeedServer {
  /** The interface it listens on. */
  hostname: string;
  /** The port it listens on. */
  port: number;
  /** How many readings one lap replays. */
  readings: number;
  /** Stops the server and every client's replay. */
  shutdown(): Promise<void>;
  /** Settles when the server has stopped. */
  finished: Promise<void>;
}

/**
 * Starts the feed server.
 *
 * @param options Address, rate, looping and the readings.
 * @returns The running server.
 * @throws {RangeError} When the rate, tick or port is out of range, or there are no readings.
 */
export async function startFeedServer(options: FeedServerOptions = {}): Promise<FeedServer> {
  const { hostname = "127.0.0.1", port = 8080, rate = 20, loop = false, tick = 25 } = options;
  if (!(rate > 0) || !Number.isFinite(rate)) {
    throw new RangeError(
      `Cannot start the feed server as 'rate' must be a finite number > 0: current value is ${rate}`,
    );
  }
  if (!(tick > 0) || !Number.isFinite(tick)) {
    throw new RangeError(
      `Cannot start the feed server as 'tick' must be a finite number > 0: current value is ${tick}`,
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Cannot start the feed server as 'port' must be an integer in [0, 65535]: current value is ${port}`,
    );
  }
  const readings = options.readings ?? await loadSensorReadings();
  if (readings.length === 0) {
    throw new RangeError("Cannot start the feed server as 'readings' must not be empty: current length is 0");
  }
  const closers = new Set<(shutdown?: boolean) => void>(); // ends every client at shutdown
  const eventAt = (seq: number) => JSON.stringify({ seq, ...readings[seq % readings.length] });

  /**
   * Paces one client's replay: calls `send` with each due event while `ready()` (a slow
   * client falls behind instead of growing the server's buffers), then `end` after the
   * last one (without loop) or at shutdown. Returns the function that stops it.
   */
  const replay = (
    from: number,
    send: (seq: number, json: string) => void,
    ready: () => boolean,
    end: (shutdown: boolean) => void,
  ) => {
    const t0 = performance.now();
    let next = from;
    const last = loop ? Infinity : readings.length;
    const stop = () => {
      clearInterval(timer);
      closers.delete(close);
    };
    const close = (shutdown = true) => {
      stop();
      try {
        end(shutdown);
      } catch { /* already closed */ }
    };
    const timer = setInterval(() => {
      const due = Math.min(last, from + Math.floor((performance.now() - t0) * rate / 1000));
      try {
        for (; next < due && ready(); next++) send(next, eventAt(next));
      } catch {
        return stop(); // the client went away
      }
      if (next >= last) close(false);
    }, tick);
    closers.add(close);
    return stop;
  };

  // a reconnecting SSE client's Last-Event-ID wins over the `?from=` its URL was given at the start
  const startOf = (url: URL, lastEventId: string | null): number => {
    const last = lastEventId !== null && lastEventId !== "" ? Number(lastEventId) : NaN;
    if (Number.isSafeInteger(last) && last >= 0) return last + 1;
    const n = Number(url.searchParams.get("from") ?? "0");
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  };

  const handler = (request: Request): Response => {
    const url = new URL(request.url);
    if (url.pathname === "/ws") {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return new Response("expected a WebSocket upgrade\n", { status: 426 });
      }
      const { socket, response } = Deno.upgradeWebSocket(request);
      const from = startOf(url, null);
      socket.onopen = () => {
        const stop = replay(
          from,
          (_seq, json) => socket.send(json),
          () => (socket.bufferedAmount ?? 0) < 1 << 20,
          (shutdown) =>
            shutdown ? socket.close(1001, "server shutting down") : socket.close(1000, "end of data"),
        );
        socket.onclose = stop;
      };
      return response;
    }
    if (url.pathname === "/sse" || url.pathname === "/ndjson") {
      const sse = url.pathname === "/sse";
      const from = startOf(url, sse ? request.headers.get("last-event-id") : null);
      const encoder = new TextEncoder();
      let stop = () => {};
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          stop = replay(
            from,
            (seq, json) =>
              controller.enqueue(encoder.encode(sse ? `id: ${seq}\ndata: ${json}\n\n` : `${json}\n`)),
            () => (controller.desiredSize ?? 0) > 0,
            () => controller.close(),
          );
        },
        cancel() {
          stop();
        },
      }, new CountQueuingStrategy({ highWaterMark: 256 }));
      const type = sse ? "text/event-stream" : "application/x-ndjson";
      return new Response(body, { headers: { "content-type": type, "cache-control": "no-store" } });
    }
    if (url.pathname === "/") {
      return new Response(
        `rxrnn feed server: ${readings.length} readings at ${rate} events/s${loop ? ", looping" : ""}\n` +
          "GET /ws (WebSocket), /sse (Server-Sent Events), /ndjson (streaming NDJSON); ?from=<seq>\n",
      );
    }
    return new Response("not found\n", { status: 404 });
  };

  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({ hostname, port, onListen: resolve }, handler);
  const addr = await listening;
  return {
    hostname: addr.hostname,
    port: addr.port,
    readings: readings.length,
    finished: server.finished,
    async shutdown() {
      for (const close of [...closers]) close();
      await server.shutdown();
    },
  };
}

/** Parses `--port N`, `--rate R`, `--hostname H` (also `--name=value`) and `--loop`. */
export function parseFeedServerArgs(args: readonly string[]): FeedServerOptions {
  const options: FeedServerOptions = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new TypeError(`Missing a value after ${flag}`);
      return v;
    };
    if (flag === "--loop") options.loop = inline === undefined ? true : inline !== "false";
    else if (flag === "--port") options.port = Number(value());
    else if (flag === "--rate") options.rate = Number(value());
    else if (flag === "--hostname") options.hostname = value();
    else if (flag === "--help" || flag === "-h") throw new TypeError("help");
    else throw new TypeError(`Unknown option ${args[i]}`);
  }
  return options;
}

if (import.meta.main) {
  const usage =
    "usage: deno run --allow-net=127.0.0.1 tools/feed_server.ts [--port 8080] [--rate 20] [--loop]";
  // one line on stderr: exit 2 for a bad command line, 1 when the server cannot start
  const fail = (message: string, code: number): never => {
    console.error(`error: ${message.split("\n")[0]}${code === 2 ? " (see --help)" : ""}`);
    Deno.exit(code);
  };
  // --until-stdin-closes: stop when the parent that started us is gone (live.ts --demo)
  const lifeline = Deno.args.includes("--until-stdin-closes");
  let options: FeedServerOptions = {};
  try {
    options = parseFeedServerArgs(Deno.args.filter((a) => a !== "--until-stdin-closes"));
  } catch (err) {
    if ((err as Error).message === "help") {
      console.log(usage);
      Deno.exit(0);
    }
    fail((err as Error).message, 2);
  }
  let server: FeedServer | undefined;
  try {
    server = await startFeedServer(options);
  } catch (err) {
    if (err instanceof RangeError) fail(err.message, 2);
    if (err instanceof Deno.errors.AddrInUse) {
      fail(`cannot listen on ${options.hostname ?? "127.0.0.1"}:${options.port ?? 8080}: it is in use`, 1);
    }
    fail((err as Error).message, 1);
  }
  const base = `http://${server!.hostname}:${server!.port}`;
  console.log(
    `feed server listening on ${base} (ws: /ws, sse: /sse, ndjson: /ndjson), ${
      server!.readings
    } readings at ${options.rate ?? 20} events/s${options.loop ? ", looping" : ""}`,
  );
  if (lifeline) {
    (async () => {
      try {
        for await (const _ of Deno.stdin.readable) { /* until end of file */ }
      } catch { /* closed */ }
      await server!.shutdown();
    })();
  }
  await server!.finished;
}
