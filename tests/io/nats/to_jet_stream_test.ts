import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { from, lastValueFrom, Observable, take, toArray } from "rxjs";
import { toJetStream } from "../../../src/io/nats/to_jet_stream.ts";
import { jetstreamManager } from "../../../src/io/nats/nats_deps.ts";
import { withNats } from "./_nats_server.ts";

Deno.test("toJetStream() publishes values in order and emits their stream sequences", async () => {
  await withNats(async (nc, server) => {
    await (await jetstreamManager(nc)).streams.add({ name: "OUT", subjects: ["flags.>"] });
    const published = await lastValueFrom(
      from([{ k: "a", s: 1 }, { k: "b", s: 2 }, { k: "a", s: 3 }]).pipe(
        toJetStream({ servers: server.url, token: "t0ken", subject: (v) => `flags.${v.k}` }),
        toArray(),
      ),
    );
    assertEquals(published.map((p) => [p.subject, p.seq, p.value.s, p.duplicate]), [
      ["flags.a", 1, 1, false],
      ["flags.b", 2, 2, false],
      ["flags.a", 3, 3, false],
    ]);
    const info = await (await jetstreamManager(nc)).streams.info("OUT");
    assertEquals(info.state.messages, 3);
  }, { token: "t0ken" });
});

Deno.test("toJetStream() errors when no stream takes the subject", async () => {
  await withNats(async (nc) => {
    await assertRejects(() =>
      lastValueFrom(from([1]).pipe(toJetStream({ connection: nc, subject: "nowhere" })))
    );
  });
});

Deno.test("toJetStream() stores a value whose message id the stream saw once: a replay is a duplicate", async () => {
  await withNats(async (nc) => {
    await (await jetstreamManager(nc)).streams.add({ name: "OUT", subjects: ["out.>"] });
    const values = [{ id: "a:1", x: 1 }, { id: "a:2", x: 2 }, { id: "a:1", x: 1 }];
    const published = await lastValueFrom(
      from(values).pipe(
        toJetStream({ connection: nc, subject: "out.a", msgId: (v) => v.id }),
        toArray(),
      ),
    );
    assertEquals(published.map((p) => [p.seq, p.duplicate]), [[1, false], [2, false], [1, true]]);
    assertEquals((await (await jetstreamManager(nc)).streams.info("OUT")).state.messages, 2);
  });
});

Deno.test("toJetStream() with a window of publishes in flight stores and emits them in the source's order", async () => {
  await withNats(async (nc) => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "OUT", subjects: ["out.>"] });
    const values = Array.from({ length: 300 }, (_, i) => i);
    const published = await lastValueFrom(
      from(values).pipe(
        toJetStream({ connection: nc, subject: (v) => `out.${v % 3}`, window: 32 }),
        toArray(),
      ),
    );
    assertEquals(published.map((p) => p.value), values);
    assertEquals(published.map((p) => p.seq), values.map((i) => i + 1));
    for (const seq of [1, 150, 300]) {
      const m = await jsm.streams.getMessage("OUT", { seq });
      assertEquals(m!.json<number>(), seq - 1);
    }
  });
});

Deno.test("toJetStream() forwards a callback that throws as an error and unsubscribes its source", async () => {
  await withNats(async (nc) => {
    await (await jetstreamManager(nc)).streams.add({ name: "OUT", subjects: ["out.>"] });
    let pulled = 0, released = false;
    const source = new Observable<number>((s) => {
      for (let i = 0; i < 5 && !s.closed; i++) {
        pulled++;
        s.next(i);
      }
      return () => void (released = true);
    });
    const subject = (v: number): string => {
      if (v === 2) throw new RangeError("no subject for 2");
      return "out.x";
    };
    await assertRejects(
      () => lastValueFrom(source.pipe(toJetStream({ connection: nc, subject }))),
      RangeError,
      "no subject for 2",
    );
    assertEquals(pulled, 3);
    assertEquals(released, true);
  });
});

Deno.test("toJetStream() stops a synchronous endless source at maxPending with an error, and publishes nothing after it", async () => {
  await withNats(async (nc) => {
    await (await jetstreamManager(nc)).streams.add({ name: "OUT", subjects: ["out.>"] });
    let pulled = 0, released = false;
    const endless = new Observable<number>((s) => {
      for (let i = 0; !s.closed; i++) {
        pulled++;
        s.next(i);
      }
      return () => void (released = true);
    });
    // take(3) cannot fire before the stream stores anything: without the bound this loop never ends
    await assertRejects(
      () =>
        lastValueFrom(
          endless.pipe(toJetStream({ connection: nc, subject: "out.x", maxPending: 50 }), take(3)),
        ),
      RangeError,
      "'maxPending' must bound the values ahead of the stream: current value is 50",
    );
    assertEquals(pulled, 51);
    assertEquals(released, true);
    await new Promise((r) => setTimeout(r, 200));
    const info = await (await jetstreamManager(nc)).streams.info("OUT");
    assertEquals(info.state.messages, 0, "values queued behind the error were published");
  });
});

Deno.test("toJetStream() validates its options when called", () => {
  assertThrows(() => toJetStream({ servers: "nats://127.0.0.1:1", subject: "" }), TypeError, "'subject'");
  assertThrows(() => toJetStream({ subject: "x" }), TypeError, "'connection' or 'servers'");
  assertThrows(
    () => toJetStream({ servers: "nats://127.0.0.1:1", subject: "x", window: 0 }),
    RangeError,
    "'window' must be an integer >= 1",
  );
  assertThrows(
    () => toJetStream({ servers: "nats://127.0.0.1:1", subject: "x", maxPending: 1.5 }),
    RangeError,
    "'maxPending' must be an integer >= 1",
  );
});
