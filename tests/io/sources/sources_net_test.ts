import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { firstValueFrom, lastValueFrom, map, take, toArray } from "rxjs";
import {
  backoffDelay,
  createFeedStats,
  fromHttpLines,
  fromIngest,
  fromSse,
  fromWebSocket,
  parseNdjson,
  PauseController,
  Random,
} from "../../../mod.ts";
import type { IngestInfo, ReconnectOptions } from "../../../mod.ts";

const fast: ReconnectOptions = { initialDelay: 5, maxDelay: 20, jitter: 0 };
const enc = new TextEncoder();

/** Serves `handler` on 127.0.0.1 (random port) for the duration of `fn`. */
async function withServer(
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

/** A body that sends `chunks`, then ends (or fails, which drops the connection). */
function body(chunks: string[], fail = false): ReadableStream<Uint8Array> {
  let k = 0;
  return new ReadableStream({
    async pull(controller) {
      if (k < chunks.length) return controller.enqueue(enc.encode(chunks[k++]));
      // Give the chunks time to reach the client before the connection drops.
      if (fail) {
        await new Promise((r) => setTimeout(r, 50)).then(() => controller.error(new Error("dropped")));
      } else controller.close();
    },
  });
}

/** Lets teardown work (closing sockets and requests) settle before the sanitizers look. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

Deno.test("backoffDelay() grows exponentially up to maxDelay with seeded jitter", () => {
  const rng = new Random(3);
  assertEquals([0, 1, 2, 5, 20].map((k) => backoffDelay(k, { jitter: 0 }, rng)), [
    100,
    200,
    400,
    3200,
    10000,
  ]);
  const a = new Random(9), b = new Random(9);
  for (let k = 0; k < 50; k++) {
    const d = backoffDelay(2, { initialDelay: 10, factor: 3, jitter: 0.5 }, a);
    assert(d >= 45 && d < 135, `delay ${d}`);
    assertEquals(d, backoffDelay(2, { initialDelay: 10, factor: 3, jitter: 0.5 }, b));
  }
  assertAlmostEquals(backoffDelay(1, { initialDelay: 1.5, factor: 1.5, jitter: 0 }, rng), 2.25, 1e-12);
});

Deno.test("fromHttpLines() streams a response body as lines and reconnects with backoff", async (t) => {
  await t.step("lines split over chunks, then completes at the end of the body", async () => {
    await withServer(() => new Response(body(['{"v":1}\n{"v"', ":2}\r\n", '{"v":3}'])), async (base) => {
      const records = await lastValueFrom(fromHttpLines(`${base}/feed`).pipe(parseNdjson(), toArray()));
      assertEquals(records.map((r) => r.values[0]), [1, 2, 3]);
    });
  });
  await t.step(
    "a dropped connection and a 503 are retried and counted; the partial line is discarded",
    async () => {
      const stats = createFeedStats();
      await withServer((_req, n) => {
        if (n === 1) return new Response(body(["1\n2\n3"], true));
        if (n === 2) return new Response("busy", { status: 503 });
        return new Response(body(["4\n5\n"]));
      }, async (base) => {
        const lines = await lastValueFrom(fromHttpLines(base, { stats, reconnect: fast }).pipe(toArray()));
        assertEquals(lines, ["1", "2", "4", "5"]);
        assertEquals(stats.reconnects, 2);
      });
    },
  );
  await t.step("reconnectOnEnd resumes a feed that ends, until unsubscribed", async () => {
    const stats = createFeedStats();
    await withServer((_req, n) => new Response(body([`${n}\n`])), async (base) => {
      const lines = await firstValueFrom(
        fromHttpLines(base, { stats, reconnect: fast, reconnectOnEnd: true }).pipe(take(3), toArray()),
      );
      assertEquals(lines, ["1", "2", "3"]);
      assertEquals(stats.reconnects, 2);
      await settle();
    });
  });
  await t.step("a paused source stops reading the body until resumed", async () => {
    const all = Array.from({ length: 2000 }, (_, k) => `${k}\n`).join("");
    await withServer(() => new Response(body([all.slice(0, 5000), all.slice(5000)])), async (base) => {
      const pause = new PauseController();
      const seen: string[] = [];
      let wake = () => {};
      const done = new Promise<void>((resolve) =>
        fromHttpLines(base, { pause }).subscribe({
          next: (line) => {
            seen.push(line);
            if (seen.length === 10) pause.pause();
            wake();
          },
          complete: resolve,
        })
      );
      while (seen.length < 10) await new Promise<void>((r) => wake = r);
      await settle();
      assertEquals(seen.length, 10);
      pause.resume();
      await done;
      assertEquals(seen.length, 2000);
    });
  });
  await t.step("a 404 errors with a TypeError; maxRetries gives up with the last error", async () => {
    await withServer(
      (req) => new Response("no", { status: req.url.endsWith("/gone") ? 404 : 500 }),
      async (base) => {
        await assertRejects(() => lastValueFrom(fromHttpLines(`${base}/gone`)), TypeError, "answered 404");
        const stats = createFeedStats();
        await assertRejects(
          () => lastValueFrom(fromHttpLines(base, { stats, reconnect: { ...fast, maxRetries: 2 } })),
          Error,
          "answered 500",
        );
        assertEquals(stats.reconnects, 2);
      },
    );
  });
  await t.step("invalid reconnection options throw when the source is created", () => {
    assertThrows(
      () => fromHttpLines("http://x", { reconnect: { factor: 0.5 } }),
      RangeError,
      "'reconnect.factor'",
    );
    assertThrows(() => fromSse("http://x", { reconnect: { jitter: 1 } }), RangeError, "'reconnect.jitter'");
    assertThrows(() => fromWebSocket("ws://x", { reconnect: { maxRetries: -1 } }), RangeError, "maxRetries");
  });
});

Deno.test("fromSse() parses Server-Sent Events and resumes with Last-Event-ID", async () => {
  const seenIds: (string | null)[] = [];
  const stats = createFeedStats();
  await withServer((req, n) => {
    seenIds.push(req.headers.get("last-event-id"));
    const head = { headers: { "content-type": "text/event-stream" } };
    if (n === 1) {
      return new Response(
        body([
          ": a comment\n",
          'id: 1\ndata: {"v":1}\n\n',
          "event: note\ndata: line one\ndata: line two\n\n",
          "id: 2\r\ndata:",
          '{"v":2}\r\n\r\n',
          "data: never dispatched\n",
        ]),
        head,
      );
    }
    return new Response(body([`id: ${n + 1}\ndata: {"v":${n + 1}}\n\n`]), head);
  }, async (base) => {
    const events = await firstValueFrom(
      fromSse(`${base}/sse`, { stats, reconnect: fast }).pipe(take(5), toArray()),
    );
    assertEquals(events, [
      { event: "message", data: '{"v":1}', id: "1" },
      { event: "note", data: "line one\nline two", id: "1" },
      { event: "message", data: '{"v":2}', id: "2" },
      { event: "message", data: '{"v":3}', id: "3" },
      { event: "message", data: '{"v":4}', id: "4" },
    ]);
    assertEquals(seenIds, [null, "2", "3"]);
    assertEquals(stats.reconnects, 2);
    const values = await firstValueFrom(
      fromSse(`${base}/sse`, { reconnect: fast }).pipe(map((e) => e.data), parseNdjson(), take(1)),
    );
    assertEquals(values.values, [5]);
    await settle();
  });
});

Deno.test("fromWebSocket() emits message lines and reconnects after an abnormal close", async () => {
  const stats = createFeedStats();
  await withServer((req, n) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onopen = () => {
      if (n === 1) {
        socket.send('{"v":1}\n{"v":2}\n');
        socket.close(4000, "going away");
      } else {
        socket.send(enc.encode('{"v":3}'));
        socket.close(1000);
      }
    };
    return response;
  }, async (base) => {
    const url = base.replace("http", "ws");
    const records = await lastValueFrom(
      fromWebSocket(url, { stats, reconnect: fast }).pipe(parseNdjson(), toArray()),
    );
    assertEquals(records.map((r) => r.values[0]), [1, 2, 3]);
    assertEquals(stats.reconnects, 1);
    await settle();
  });
});

Deno.test("fromIngest() emits lines POSTed or sent over a WebSocket, and shuts down on unsubscribe", async () => {
  let info: IngestInfo | undefined;
  const answers: unknown[] = [];
  const lines = await firstValueFrom(
    fromIngest({
      onListen: async (i) => {
        info = i;
        const url = `http://127.0.0.1:${i.port}/events`;
        const res = await fetch(url, { method: "POST", body: body(['{"v":1}\n{"v"', ":2}\n"]) });
        answers.push(await res.json());
        const bad = await fetch(url);
        answers.push(bad.status);
        await bad.body?.cancel();
        const ws = new WebSocket(url.replace("http", "ws"));
        ws.onopen = () => {
          ws.send('{"v":3}\n{"v":4}');
          ws.close();
        };
      },
    }).pipe(take(4), toArray()),
  );
  assertEquals(lines, ['{"v":1}', '{"v":2}', '{"v":3}', '{"v":4}']);
  assertEquals(answers, [{ lines: 2 }, 405]);
  assertEquals(info?.hostname, "127.0.0.1");
  await info!.finished;
  await settle();
  await assertRejects(() => fetch(`http://127.0.0.1:${info!.port}/`, { method: "POST", body: "x" }));
  assertThrows(() => fromIngest({ port: 70000 }), RangeError, "'port' must be an integer in [0, 65535]");
});
