import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { firstValueFrom, take, toArray } from "rxjs";
import { fromIngest } from "../../../mod.ts";
import type { IngestInfo } from "../../../mod.ts";
import { body, enc, settle } from "./_support.ts";

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

Deno.test("fromIngest() goes on when a pusher drops in the middle of a POST body", async () => {
  let info: IngestInfo | undefined;
  const listening = Promise.withResolvers<void>();
  const lines: string[] = [];
  let error: unknown;
  const sub = fromIngest({
    onListen: (i) => {
      info = i;
      listening.resolve();
    },
  }).subscribe({ next: (line) => lines.push(line), error: (e) => error = e });
  try {
    await listening.promise;
    // a raw chunked POST: one whole line and half of another, then the connection drops
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: info!.port });
    await conn.write(
      enc.encode("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n1,2\n3,\r\n"),
    );
    while (lines.length < 1) await new Promise((r) => setTimeout(r, 5));
    conn.close();
    // a well-behaved pusher after it is still heard
    const res = await fetch(`http://127.0.0.1:${info!.port}/`, { method: "POST", body: "5,6\n" });
    assertEquals(await res.json(), { lines: 1 });
    assertEquals(error, undefined);
    assertEquals(lines, ["1,2", "5,6"]);
  } finally {
    sub.unsubscribe();
    await info?.finished;
  }
});

Deno.test("fromIngest() answers a malformed WebSocket upgrade with 400 and goes on", async () => {
  let info: IngestInfo | undefined;
  const listening = Promise.withResolvers<void>();
  const lines: string[] = [];
  let error: unknown;
  const sub = fromIngest({
    onListen: (i) => {
      info = i;
      listening.resolve();
    },
  }).subscribe({ next: (line) => lines.push(line), error: (e) => error = e });
  try {
    await listening.promise;
    const url = `http://127.0.0.1:${info!.port}/`;
    // "upgrade: websocket" without the handshake's other headers
    const bad = await fetch(url, { headers: { upgrade: "websocket" } });
    await bad.body?.cancel();
    assertEquals(bad.status, 400);
    const res = await fetch(url, { method: "POST", body: "7,8\n" });
    assertEquals(await res.json(), { lines: 1 });
    assertEquals(error, undefined);
    assertEquals(lines, ["7,8"]);
  } finally {
    sub.unsubscribe();
    await info?.finished;
  }
});
