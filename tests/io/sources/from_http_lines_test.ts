import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "@std/assert";
import { defer, firstValueFrom, lastValueFrom, map, repeat, retry, share, take, toArray } from "rxjs";
import { createFeedStats, fromHttpLines, parseNdjson, PauseController } from "../../../mod.ts";
import { body, fast, giveUpAfter3, settle, withServer, withSilentServer } from "./_support.ts";

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
  });
});

Deno.test("fromHttpLines() rejects a malformed URL when created, instead of retrying it forever", () => {
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

Deno.test("fromHttpLines() backs off from a server that accepts and ends every connection without data", async () => {
  await withSilentServer(async (base, requests) => {
    // a connection that delivers nothing does not reset the backoff, so maxRetries gives up
    const source = fromHttpLines(`${base}/`, { reconnectOnEnd: true, reconnect: giveUpAfter3 });
    const error = await lastValueFrom(source).catch((e) => e);
    assertStringIncludes(String(error), "Gave up after 3 reconnections");
    assertEquals(requests(), 4);
  });
});

Deno.test("fromHttpLines() emits three lines of a long body after take(3) and aborts the request (RxJS: should stop listening to a source when unsubscribed)", async () => {
  const all = Array.from({ length: 2000 }, (_, k) => `${k}\n`).join("");
  await withServer(() => new Response(body([all])), async (base) => {
    let emitted = 0;
    const lines = await lastValueFrom(
      fromHttpLines(base).pipe(map((line) => (emitted++, line)), take(3), toArray()),
    );
    assertEquals([lines, emitted], [["0", "1", "2"], 3]);
    await settle();
  });
});

Deno.test("fromHttpLines() fetches afresh for each subscription under repeat, retry and share (RxJS: should work with retry, repeat and share)", async () => {
  await withServer((req, n) => {
    if (new URL(req.url).pathname === "/gone") return new Response("no", { status: 404 });
    return new Response(body([`${n}\n`]));
  }, async (base) => {
    assertEquals(await lastValueFrom(fromHttpLines(base).pipe(repeat(2), toArray())), ["1", "2"]);
    let subscriptions = 0;
    const gone = defer(() => (subscriptions++, fromHttpLines(`${base}/gone`)));
    await assertRejects(() => lastValueFrom(gone.pipe(retry(1))), TypeError, "answered 404");
    assertEquals(subscriptions, 2);
    const shared = fromHttpLines(base).pipe(share());
    const both = await Promise.all([lastValueFrom(shared), lastValueFrom(shared)]);
    assertEquals(both, ["5", "5"]);
  });
});
