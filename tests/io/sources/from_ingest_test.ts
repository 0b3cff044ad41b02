import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { firstValueFrom, map, take, toArray } from "rxjs";
import { backpressure, createFeedStats, fromIngest, PauseController } from "../../../mod.ts";
import type { IngestInfo } from "../../../mod.ts";
import { body, enc, settle } from "./_support.ts";
import { withIngest } from "./_ingest.ts";

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
  assertEquals(answers, [{ lines: 2, queued: 2, dropped: 0 }, 405]);
  assertEquals(info?.hostname, "127.0.0.1");
  await info!.finished;
  await settle();
  await assertRejects(() => fetch(`http://127.0.0.1:${info!.port}/`, { method: "POST", body: "x" }));
  assertThrows(() => fromIngest({ port: 70000 }), RangeError, "'port' must be an integer in [0, 65535]");
});

Deno.test("fromIngest() goes on when a pusher drops in the middle of a POST body", async () => {
  await withIngest({}, async ({ url, port, out, error }) => {
    // a raw chunked POST: one whole line and half of another, then the connection drops
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(
      enc.encode("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n1,2\n3,\r\n"),
    );
    // real time: waits for a real socket's bytes to arrive
    while (out.length < 1) await new Promise((r) => setTimeout(r, 5));
    conn.close();
    // a well-behaved pusher after it is still heard
    const res = await fetch(url, { method: "POST", body: "5,6\n" });
    assertEquals(await res.json(), { lines: 1, queued: 1, dropped: 0 });
    assertEquals(error(), undefined);
    assertEquals(out, ["1,2", "5,6"]);
  });
});

Deno.test("fromIngest() answers a malformed WebSocket upgrade with 400 and goes on", async () => {
  await withIngest({}, async ({ url, out, error }) => {
    // "upgrade: websocket" without the handshake's other headers
    const bad = await fetch(url, { headers: { upgrade: "websocket" } });
    await bad.body?.cancel();
    assertEquals(bad.status, 400);
    const res = await fetch(url, { method: "POST", body: "7,8\n" });
    assertEquals(await res.json(), { lines: 1, queued: 1, dropped: 0 });
    assertEquals(error(), undefined);
    assertEquals(out, ["7,8"]);
  });
});

Deno.test("fromIngest() with a token answers 401 to requests without it and 403 to a foreign Origin", async () => {
  await withIngest({ token: "s3cret", allowOrigins: ["http://ok.example"] }, async ({ url, out }) => {
    const post = (headers: Record<string, string>) =>
      fetch(url, { method: "POST", headers, body: "1,2\n" }).then(async (r) => {
        await r.body?.cancel();
        return r.status;
      });
    assertEquals(await post({}), 401);
    assertEquals(await post({ authorization: "Bearer wrong" }), 401);
    assertEquals(await post({ authorization: "Bearer s3cret", origin: "http://evil.example" }), 403);
    assertEquals(await post({ authorization: "Bearer s3cret", origin: "http://ok.example" }), 200);
    const ws = await fetch(url, {
      headers: { upgrade: "websocket", connection: "upgrade", origin: "http://evil.example" },
    });
    await ws.body?.cancel();
    assertEquals(ws.status, 403);
    assertEquals(out, ["1,2"]);
  });
  assertThrows(() => fromIngest({ hostname: "0.0.0.0" }), RangeError, "needs a 'token'");
  fromIngest({ hostname: "0.0.0.0", allowUnauthenticated: true });
  fromIngest({ hostname: "0.0.0.0", token: "t" });
});

Deno.test("fromIngest() answers 413 to a body over maxBodyBytes and drops an oversized line, counting it", async () => {
  const stats = createFeedStats();
  await withIngest({ maxBodyBytes: 1000, maxLineBytes: 100, stats }, async ({ url, out }) => {
    const big = await fetch(url, { method: "POST", body: "x".repeat(2000) });
    assertEquals(big.status, 413);
    await big.body?.cancel();
    // chunked (no Content-Length): cut once the count passes the cap
    const chunked = await fetch(url, {
      method: "POST",
      body: body(["1,1\n", "y".repeat(600), "z".repeat(600)]),
    });
    assertEquals(chunked.status, 413);
    assertEquals((await chunked.json()).queued, 1);
    const res = await fetch(url, { method: "POST", body: `2,2\n${"w".repeat(500)}\n3,3\n` });
    assertEquals(await res.json(), { lines: 3, queued: 2, dropped: 1 });
    assertEquals(out, ["1,1", "2,2", "3,3"]);
    assertEquals(stats.skipped, 1 + 1); // the cut chunked body's long partial line, and the 500-byte line
    assertEquals(stats.invalid.at(-1)?.reason, "oversized");
  });
});

Deno.test("fromIngest() closes connections that do not send a request head or stay idle", async () => {
  await withIngest({ headerTimeout: 100, idleTimeout: 200 }, async ({ port, url, out }) => {
    const conns = await Promise.all(
      Array.from({ length: 50 }, () => Deno.connect({ hostname: "127.0.0.1", port })),
    );
    await conns[0].write(enc.encode("POST / HTTP/1.1\r\nHost: x\r\n")); // a head never finished
    // each is closed by the endpoint: read() ends (null) or fails, rather than hanging
    const ended = await Promise.all(conns.map((c) => c.read(new Uint8Array(64)).catch(() => null)));
    assertEquals(ended.filter((n) => n === null).length, 50);
    for (const c of conns) c.close();
    const res = await fetch(url, { method: "POST", body: "1,2\n" });
    assertEquals((await res.json()).queued, 1);
    assertEquals(out, ["1,2"]);
  });
});

Deno.test("fromIngest() with pause loses no line of 16 concurrent pushers behind backpressure()", async () => {
  const pause = new PauseController();
  const perPusher = 2000, pushers = 16;
  const seen: number[] = [];
  let last: { received: number; delivered: number; dropped: number; lag: number } | undefined;
  await withIngest(
    { pause },
    async ({ url, out }) => {
      const answers = await Promise.all(Array.from({ length: pushers }, async (_, p) => {
        const lines = Array.from({ length: perPusher }, (_, i) => `${p * perPusher + i}\n`);
        // sent in chunks so that the pushers interleave
        const chunks: string[] = [];
        for (let i = 0; i < lines.length; i += 100) chunks.push(lines.slice(i, i + 100).join(""));
        const res = await fetch(url, { method: "POST", body: body(chunks) });
        return await res.json();
      }));
      // real time: waits for real HTTP pushers' lines to arrive
      while (out.length < pushers * perPusher && last!.dropped === 0) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assertEquals(answers.map((a) => a.queued), Array(pushers).fill(perPusher));
    },
    (lines) =>
      lines.pipe(
        backpressure({ policy: "pause", pause, capacity: 64 }),
        map((e) => {
          last = e;
          seen.push(Number(e.value));
          return e.value;
        }),
      ),
  );
  assertEquals(last!.dropped, 0);
  assertEquals(last!.received, last!.delivered + last!.dropped + last!.lag);
  assertEquals(seen.length, pushers * perPusher);
  assertEquals(new Set(seen).size, pushers * perPusher);
});
