/** Regressions found in review: the network sources. */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { firstValueFrom, lastValueFrom, take, toArray } from "rxjs";
import { fromHttpLines, fromIngest, fromSse, fromWebSocket } from "../../../mod.ts";
import type { IngestInfo } from "../../../mod.ts";

const fast = { initialDelay: 5, maxDelay: 20, jitter: 0 };
const enc = new TextEncoder();

Deno.test("fromSse() resumes from the last dispatched event's id, not from an event cut off by the drop", async () => {
  const seenIds: (string | null)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    seenIds.push(req.headers.get("last-event-id"));
    const head = { headers: { "content-type": "text/event-stream" } };
    // the first connection drops in the middle of event 2, after its id line
    const text = seenIds.length === 1
      ? "id: 1\ndata: a\n\nid: 2\ndata: b\n"
      : "id: 2\ndata: b\n\nid: 3\ndata: c\n\n";
    return new Response(enc.encode(text), head);
  });
  try {
    const events = await firstValueFrom(
      fromSse(`http://127.0.0.1:${server.addr.port}/`, { reconnect: fast }).pipe(take(3), toArray()),
    );
    // event 2 was never dispatched, so the server must be asked to resume after event 1
    assertEquals(seenIds, [null, "1"]);
    assertEquals(events.map((e) => [e.id, e.data]), [["1", "a"], ["2", "b"], ["3", "c"]]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("fromSse() takes the id of an event with no data as the last event id", async () => {
  const seenIds: (string | null)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    seenIds.push(req.headers.get("last-event-id"));
    const head = { headers: { "content-type": "text/event-stream" } };
    const text = seenIds.length === 1 ? "id: 1\ndata: a\n\nid: 7\n\n" : "data: b\n\n";
    return new Response(enc.encode(text), head);
  });
  try {
    const events = await firstValueFrom(
      fromSse(`http://127.0.0.1:${server.addr.port}/`, { reconnect: fast }).pipe(take(2), toArray()),
    );
    assertEquals(seenIds, [null, "7"]);
    assertEquals(events.map((e) => [e.id, e.data]), [["1", "a"], ["7", "b"]]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("network sources reject a malformed URL when created, instead of retrying it forever", async (t) => {
  await t.step("fromHttpLines()", () => {
    assertThrows(
      () => fromHttpLines("not a url"),
      TypeError,
      "Cannot create fromHttpLines() as 'url' must be an absolute URL with scheme http or https: current value is not a url",
    );
    assertThrows(
      () => fromHttpLines("ftp://127.0.0.1/x"),
      TypeError,
      "must be an absolute URL with scheme http or https",
    );
  });
  await t.step("fromSse()", () => {
    assertThrows(() => fromSse("127.0.0.1:8080/sse"), TypeError, "Cannot create fromSse() as 'url'");
  });
  await t.step("fromWebSocket()", () => {
    assertThrows(
      () => fromWebSocket("localhost:8080"),
      TypeError,
      "Cannot create fromWebSocket() as 'url' must be an absolute URL with scheme ws, wss, http or https: current value is localhost:8080",
    );
    assertThrows(() => fromWebSocket("ws://a b"), TypeError, "Cannot create fromWebSocket() as 'url'");
  });
});

Deno.test("fromWebSocket() errors the stream when the WebSocket constructor rejects its sub-protocols", async () => {
  const error = await lastValueFrom(
    fromWebSocket("ws://127.0.0.1:1/", { protocols: ["a", "a"], reconnect: fast }),
  ).catch((e) => e);
  assert(error instanceof TypeError, `expected a TypeError, got ${error}`);
  assertStringIncludes(error.message, "WebSocket ws://127.0.0.1:1/: ");
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

Deno.test("fromWebSocket() completes when the server closes cleanly without a status code (1005)", async () => {
  let connections = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    connections++;
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onopen = () => {
      socket.send('{"v":1}');
      socket.close(); // no code: the client sees 1005, a clean close
    };
    return response;
  });
  try {
    const lines = await lastValueFrom(
      fromWebSocket(`ws://127.0.0.1:${server.addr.port}/`, { reconnect: fast }).pipe(take(3), toArray()),
    );
    assertEquals(lines, ['{"v":1}']);
    assertEquals(connections, 1);
  } finally {
    await server.shutdown();
  }
});

Deno.test("network sources back off from a server that accepts and ends every connection without data", async (t) => {
  const policy = { initialDelay: 5, maxDelay: 1000, factor: 2, jitter: 0, maxRetries: 3 };
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    requests++;
    if (req.headers.get("upgrade") === "websocket") {
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.onopen = () => socket.close(1011, "nothing to say");
      return response;
    }
    const type = new URL(req.url).pathname === "/sse" ? "text/event-stream" : "application/x-ndjson";
    return new Response("", { headers: { "content-type": type } });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    // a connection that delivers nothing does not reset the backoff, so maxRetries gives up
    await t.step("fromHttpLines() with reconnectOnEnd", async () => {
      requests = 0;
      const error = await lastValueFrom(
        fromHttpLines(`${base}/`, { reconnectOnEnd: true, reconnect: policy }),
      )
        .catch((e) => e);
      assertStringIncludes(String(error), "Gave up after 3 reconnections");
      assertEquals(requests, 4);
    });
    await t.step("fromSse()", async () => {
      requests = 0;
      const error = await lastValueFrom(fromSse(`${base}/sse`, { reconnect: policy })).catch((e) => e);
      assertStringIncludes(String(error), "Gave up after 3 reconnections");
      assertEquals(requests, 4);
    });
    await t.step("fromWebSocket()", async () => {
      requests = 0;
      const error = await lastValueFrom(fromWebSocket(`${base}/ws`, { reconnect: policy })).catch((e) => e);
      assertStringIncludes(String(error), "closed with code 1011");
      assertEquals(requests, 4);
    });
  } finally {
    await server.shutdown();
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
