import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { lastValueFrom, repeat, take, toArray } from "rxjs";
import { createFeedStats, fromWebSocket, parseNdjson } from "../../../mod.ts";
import { enc, fast, giveUpAfter3, settle, withServer, withSilentServer } from "./_support.ts";

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

Deno.test("fromWebSocket() errors the stream when the WebSocket constructor rejects its sub-protocols", async () => {
  const error = await lastValueFrom(
    fromWebSocket("ws://127.0.0.1:1/", { protocols: ["a", "a"], reconnect: fast }),
  ).catch((e) => e);
  assert(error instanceof TypeError, `expected a TypeError, got ${error}`);
  assertStringIncludes(error.message, "WebSocket ws://127.0.0.1:1/: ");
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

Deno.test("fromWebSocket() rejects a malformed URL when created, instead of retrying it forever", () => {
  assertThrows(
    () => fromWebSocket("localhost:8080"),
    TypeError,
    "Cannot create fromWebSocket() as 'url' must be an absolute URL with scheme ws, wss, http or https: current value is localhost:8080",
  );
  assertThrows(() => fromWebSocket("ws://a b"), TypeError, "Cannot create fromWebSocket() as 'url'");
});

Deno.test("fromWebSocket() backs off from a server that accepts and ends every connection without data", async () => {
  await withSilentServer(async (base, requests) => {
    // a connection that delivers nothing does not reset the backoff, so maxRetries gives up
    const source = fromWebSocket(`${base}/ws`, { reconnect: giveUpAfter3 });
    const error = await lastValueFrom(source).catch((e) => e);
    assertStringIncludes(String(error), "closed with code 1011");
    assertEquals(requests(), 4);
  });
});

Deno.test("fromWebSocket() rejects an invalid reconnection policy when created", () => {
  assertThrows(() => fromWebSocket("ws://x", { reconnect: { maxRetries: -1 } }), RangeError, "maxRetries");
});

Deno.test("fromWebSocket() connects afresh for each subscription under repeat (RxJS: should work with repeat)", async () => {
  await withServer((req, n) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onopen = () => {
      socket.send(`${n}\n${n}`);
      socket.close(1000);
    };
    return response;
  }, async (base) => {
    const url = base.replace("http", "ws");
    assertEquals(await lastValueFrom(fromWebSocket(url).pipe(take(1), repeat(2), toArray())), ["1", "2"]);
    await settle();
  });
});
