/** Shared pieces of the sources' tests: marbles, contract sources, temp files and a local server. */
import { assertEquals } from "@std/assert";
import { from, Observable } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import type { ReconnectOptions } from "../../../mod.ts";

/** Errors compare by class and message (their stacks differ). */
const plain = (frames: unknown): unknown =>
  JSON.parse(JSON.stringify(frames, (_k, v) => v instanceof Error ? `${v.name}: ${v.message}` : v));

/** A TestScheduler whose frames compare errors by class and message. */
export const marbles = (): TestScheduler =>
  new TestScheduler((actual, expected) => assertEquals(plain(actual), plain(expected)));

/** How far the "endless" contract sources go before giving up, so a regression fails instead of hanging. */
export const LIMIT = 100_000;

/** A counted source. */
export interface Counted<T> {
  /** The source. */
  source: Observable<T>;
  /** How many values it has emitted so far. */
  pulled(): number;
}

/** A synchronous loop source `for (i = 0; !s.closed; i++) s.next(make(i))` (capped at LIMIT). */
export function syncLoop<T>(make: (i: number) => T): Counted<T> {
  let pulled = 0;
  const source = new Observable<T>((s) => {
    for (let i = 0; !s.closed && i < LIMIT; i++) {
      pulled++;
      s.next(make(i));
    }
    s.complete();
  });
  return { source, pulled: () => pulled };
}

/** `from(generator)` over an endless generator of `make(i)` (capped at LIMIT). */
export function fromGenerator<T>(make: (i: number) => T): Counted<T> {
  let pulled = 0;
  function* values(): Generator<T> {
    for (let i = 0; i < LIMIT; i++) {
      pulled++;
      yield make(i);
    }
  }
  return { source: from(values()), pulled: () => pulled };
}

/** `from(array)` of `n` items, counting the items the iteration reached. */
export function fromCountedArray<T>(n: number, make: (i: number) => T): Counted<T> {
  const items = Array.from({ length: n }, (_, i) => make(i));
  let pulled = 0;
  const iterable = {
    *[Symbol.iterator](): Generator<T> {
      for (const item of items) {
        pulled++;
        yield item;
      }
    },
  };
  return { source: from(iterable), pulled: () => pulled };
}

/**
 * Lets pending teardown work (closing files, sockets, requests) settle before the sanitizers look.
 * Real time on purpose: the work is real I/O, which virtual time cannot advance.
 */
export const settle = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 30));

/**
 * Lets the promise chains of in-memory streams run to the end: one macrotask turn (setImmediate,
 * no timer, no sleep), as every microtask queued before it runs first.
 */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A temp file under the repo (test reads are limited to "."; `*.tmp` is git-ignored). */
export async function withTempFile(fn: (path: string) => Promise<void>): Promise<void> {
  await Deno.mkdir(".tmp", { recursive: true });
  const path = await Deno.makeTempFile({ dir: ".tmp", suffix: ".tmp" });
  try {
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

/**
 * A quick reconnection policy for the tests against real servers (real time: real sockets). The
 * backoff schedule itself is asserted exactly on virtual time in reconnect_loop_test.ts.
 */
export const fast: ReconnectOptions = { initialDelay: 5, maxDelay: 20, jitter: 0 };

export const enc: TextEncoder = new TextEncoder();

/** Serves `handler` on 127.0.0.1 (random port) for the duration of `fn`. */
export async function withServer(
  handler: (req: Request, n: number) => Response | Promise<Response>,
  fn: (base: string) => Promise<void>,
): Promise<void> {
  let n = 0;
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => {},
      onError: () => new Response(null, { status: 500 }),
    },
    (req) => handler(req, ++n),
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

/** A reconnection policy that gives up after three quick retries, for the servers that never send data. */
export const giveUpAfter3: ReconnectOptions = {
  initialDelay: 5,
  maxDelay: 1000,
  factor: 2,
  jitter: 0,
  maxRetries: 3,
};

/**
 * Serves, for the duration of `fn`, a server on 127.0.0.1 that accepts every connection and ends it
 * without data: a WebSocket upgrade is closed at once with 1011, `/sse` answers an empty
 * text/event-stream, any other path an empty NDJSON body. `requests()` counts the connections so far.
 */
export function withSilentServer(
  fn: (base: string, requests: () => number) => Promise<void>,
): Promise<void> {
  let requests = 0;
  return withServer((req, n) => {
    requests = n;
    if (req.headers.get("upgrade") === "websocket") {
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.onopen = () => socket.close(1011, "nothing to say");
      return response;
    }
    const type = new URL(req.url).pathname === "/sse" ? "text/event-stream" : "application/x-ndjson";
    return new Response("", { headers: { "content-type": type } });
  }, (base) => fn(base, () => requests));
}

/** A body that sends `chunks`, then ends (or fails, which drops the connection). */
export function body(chunks: string[], fail = false): ReadableStream<Uint8Array> {
  let k = 0;
  return new ReadableStream({
    async pull(controller) {
      if (k < chunks.length) return controller.enqueue(enc.encode(chunks[k++]));
      // Give the chunks time to reach the client before the connection drops (real time: a real socket).
      if (fail) {
        await new Promise((r) => setTimeout(r, 50)).then(() => controller.error(new Error("dropped")));
      } else controller.close();
    },
  });
}
