import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { from, lastValueFrom, toArray } from "rxjs";
import { toJetStream } from "../../../src/io/nats/to_jet_stream.ts";
import { connectNats } from "../../../src/io/nats/connect_nats.ts";
import { jetstreamManager } from "../../../src/io/nats/nats_deps.ts";
import { natsServer } from "./_nats_server.ts";

Deno.test("toJetStream() publishes values in order and emits their stream sequences", async () => {
  const server = await natsServer({ token: "t0ken" });
  const nc = await connectNats({ servers: server.url, token: "t0ken" });
  try {
    await (await jetstreamManager(nc)).streams.add({ name: "OUT", subjects: ["flags.>"] });
    const published = await lastValueFrom(
      from([{ k: "a", s: 1 }, { k: "b", s: 2 }, { k: "a", s: 3 }]).pipe(
        toJetStream({ servers: server.url, token: "t0ken", subject: (v) => `flags.${v.k}` }),
        toArray(),
      ),
    );
    assertEquals(published.map((p) => [p.subject, p.seq, p.value.s]), [["flags.a", 1, 1], ["flags.b", 2, 2], [
      "flags.a",
      3,
      3,
    ]]);
    const info = await (await jetstreamManager(nc)).streams.info("OUT");
    assertEquals(info.state.messages, 3);
  } finally {
    await nc.close();
    await server.dispose();
  }
});

Deno.test("toJetStream() errors when no stream takes the subject", async () => {
  const server = await natsServer();
  const nc = await connectNats({ servers: server.url });
  try {
    await assertRejects(() =>
      lastValueFrom(from([1]).pipe(toJetStream({ connection: nc, subject: "nowhere" })))
    );
  } finally {
    await nc.close();
    await server.dispose();
  }
});

Deno.test("toJetStream() validates its options when called", () => {
  assertThrows(() => toJetStream({ servers: "nats://127.0.0.1:1", subject: "" }), TypeError, "'subject'");
  assertThrows(() => toJetStream({ subject: "x" }), TypeError, "'connection' or 'servers'");
});
