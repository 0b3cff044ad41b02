import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { firstValueFrom, lastValueFrom, map, repeat, take, toArray } from "rxjs";
import { createFeedStats, fromSse, parseNdjson } from "../../../mod.ts";
import { body, enc, fast, giveUpAfter3, settle, withServer, withSilentServer } from "./_support.ts";

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

Deno.test("fromSse() rejects a malformed URL when created, instead of retrying it forever", () => {
  assertThrows(() => fromSse("127.0.0.1:8080/sse"), TypeError, "Cannot create fromSse() as 'url'");
});

Deno.test("fromSse() backs off from a server that accepts and ends every connection without data", async () => {
  await withSilentServer(async (base, requests) => {
    // a connection that delivers nothing does not reset the backoff, so maxRetries gives up
    const source = fromSse(`${base}/sse`, { reconnect: giveUpAfter3 });
    const error = await lastValueFrom(source).catch((e) => e);
    assertStringIncludes(String(error), "Gave up after 3 reconnections");
    assertEquals(requests(), 4);
  });
});

Deno.test("fromSse() rejects an invalid reconnection policy when created", () => {
  assertThrows(() => fromSse("http://x", { reconnect: { jitter: 1 } }), RangeError, "'reconnect.jitter'");
});

Deno.test("fromSse() keeps the last event ID per subscription: repeat(2) starts afresh (RxJS: should work with repeat)", async () => {
  const seenIds: (string | null)[] = [];
  await withServer((req, n) => {
    seenIds.push(req.headers.get("last-event-id"));
    return new Response(body([`id: ${n}\ndata: ${n}\n\n`]), {
      headers: { "content-type": "text/event-stream" },
    });
  }, async (base) => {
    const events = await lastValueFrom(
      fromSse(`${base}/sse`, { reconnectOnEnd: false }).pipe(repeat(2), toArray()),
    );
    assertEquals(events.map((e) => e.data), ["1", "2"]);
    assertEquals(seenIds, [null, null]);
  });
});
