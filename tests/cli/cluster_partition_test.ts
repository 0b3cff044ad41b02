import { assert, assertEquals } from "@std/assert";
import { PartitionHolding } from "../../src/cli/_cluster_partition.ts";
import type { HoldingContext, WorkerCounters } from "../../src/cli/_cluster_partition.ts";
import { newCounters } from "../../src/cli/_cluster_partition.ts";
import { clusterLearnerOptions, FeedLearner } from "../../src/cli/_cluster_feed.ts";
import type { FeedEvent } from "../../src/cli/_cluster_feed.ts";
import { partitionOf, partitionStream } from "../../src/cli/_cluster_layout.ts";
import { readFloor } from "../../src/cli/_cluster_floor.ts";
import { ensureClusterStores } from "../../src/cli/_cluster_stores.ts";
import type { ClusterStores } from "../../src/cli/_cluster_stores.ts";
import { ensureOutputStream } from "../../src/cli/_cluster_outputs.ts";
import { readFeedStates } from "../../src/cli/_cluster_state.ts";
import { connectNats } from "../../src/io/nats/connect_nats.ts";
import { jetstreamManager } from "../../src/io/nats/nats_deps.ts";
import type { JetStreamManager, NatsConnection } from "../../src/io/nats/nats_deps.ts";
import type { JetStreamMessage } from "../../src/io/nats/from_jet_stream.ts";
import { encodeValue } from "../../src/io/checkpoint/codec.ts";
import { natsServer } from "../io/nats/_nats_server.ts";

const PARTITIONS = 4;
const KEY = "a";
const P = partitionOf(KEY, PARTITIONS);
const event = (i: number): FeedEvent => ({
  k: KEY,
  v: [Math.sin(i / 7) * 10 + 50, Math.cos(i / 5) * 3 + 20],
  l: 0,
});

/** A message as a consumer delivers it; its acks are recorded. */
function message(
  seq: number,
  acks: number[],
  data: FeedEvent | null = event(seq),
): JetStreamMessage<FeedEvent | null> {
  return {
    seq,
    subject: `feeds.${P}.${data?.k ?? KEY}`,
    data,
    redelivered: false,
    ack: () => void acks.push(seq),
    nak: () => {},
  };
}

interface Fixture {
  nc: NatsConnection;
  jsm: JetStreamManager;
  stores: ClusterStores;
  /** A holding of partition P by worker `id` (driven by hand: no consumer, no idle commits). */
  holding(id: string, publish?: string): { h: PartitionHolding; counters: WorkerCounters; lines: string[] };
}

async function withCluster(test: (f: Fixture) => Promise<void>): Promise<void> {
  const server = await natsServer();
  const nc = await connectNats({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    const stores = await ensureClusterStores(nc, "T", PARTITIONS, 60_000);
    const holding = (id: string, publish?: string) => {
      const counters = newCounters(), lines: string[] = [];
      const context: HoldingContext = {
        nc,
        jsm,
        stores,
        stream: "T",
        partitions: PARTITIONS,
        id,
        learner: clusterLearnerOptions(),
        checkpointEvery: 10_000,
        counters,
        log: (line) => lines.push(line),
        publish,
        idleMs: Infinity,
        pace: () => undefined,
        onDropped: () => {},
      };
      return { h: new PartitionHolding(P, context), counters, lines };
    };
    await test({ nc, jsm, stores, holding });
  } finally {
    await nc.close();
    await server.dispose();
  }
}

const fingerprint = (f: FeedLearner): string => JSON.stringify(encodeValue(f.learner.getState()));

function reference(to: number): FeedLearner {
  const f = new FeedLearner(KEY, clusterLearnerOptions());
  for (let seq = 1; seq <= to; seq++) f.apply(seq, event(seq));
  return f;
}

Deno.test("PartitionHolding: a stale holder that resumes after its partition was claimed has its commit refused and counted", async () => {
  await withCluster(async ({ stores, holding }) => {
    const a = holding("A"), b = holding("B");
    const acksA: number[] = [], acksB: number[] = [];
    await a.h.claim();
    assertEquals(a.h.generation, 1);
    for (let seq = 1; seq <= 10; seq++) await a.h.handle(message(seq, acksA));
    await a.h.commit();
    assertEquals(acksA.length, 10);
    // A handles 11..20 and pauses before its commit; its lease lapses and B claims the partition
    for (let seq = 11; seq <= 20; seq++) await a.h.handle(message(seq, acksA));
    await b.h.claim();
    assertEquals(b.h.generation, 2);
    assertEquals(b.h.record.floor, 10, "B starts from A's last commit");
    for (let seq = 11; seq <= 30; seq++) await b.h.handle(message(seq, acksB));
    await b.h.commit();
    // A resumes: its commit is refused, counted, acks nothing, leaves no segment, and A is dropped
    await a.h.commit();
    assertEquals(a.counters.fenced, 1);
    assertEquals(a.counters.commits, 1);
    assert(a.h.stopped);
    assertEquals(acksA, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "the stale holder acks nothing after the claim");
    assert(a.lines.some((l) => l.includes(`lost partition ${P}`)), a.lines.join("\n"));
    const { record } = await readFloor(stores.floors, P);
    assertEquals([record.floor, record.generation, record.holder], [30, 2, "B"]);
    await b.h.settled(); // B deleted the segment of A's that its commit superseded
    const names = (await stores.store.list()).map((i) => i.name);
    assertEquals(
      names.filter((n) => n.startsWith(`p${P}.g1.`)),
      [],
      "A's segments are gone (refused or superseded)",
    );
    // B goes on; a third holder loads B's state: every event applied once, as in one process
    for (let seq = 31; seq <= 40; seq++) await b.h.handle(message(seq, acksB));
    await b.h.commit();
    assertEquals(acksB.length, 30);
    const states = await readFeedStates(stores.floors, stores.store, PARTITIONS);
    assertEquals(states.get(KEY)!.applied, 40);
    assertEquals(states.get(KEY)!.lastSeq, 40);
    const ref = reference(40);
    assertEquals(JSON.stringify(encodeValue(states.get(KEY)!.learner)), fingerprint(ref));
    const c = holding("C");
    await c.h.claim();
    await c.h.handle(message(41, []));
    assertEquals(c.h.feeds.get(KEY)!.applied, 41);
    ref.apply(41, event(41));
    assertEquals(fingerprint(c.h.feeds.get(KEY)!), fingerprint(ref));
    // a claim by the stale generation is impossible too: its next start is refused before it touches a consumer
    await b.h.commit(); // nothing pending: no write
    assertEquals(b.counters.fenced, 0);
  });
});

Deno.test("PartitionHolding: a stale holder that reopens its partition never deletes its successor's consumer", async () => {
  await withCluster(async ({ jsm, holding }) => {
    const a = holding("A"), b = holding("B");
    await a.h.claim();
    await a.h.start();
    await b.h.claim();
    await b.h.start();
    const consumers = async () => {
      const names: string[] = [];
      for await (const c of jsm.consumers.list(partitionStream("T", P))) names.push(c.name);
      return names.sort();
    };
    assertEquals(await consumers(), ["g2-B-1"], "B's open deleted the older holding's consumer");
    await a.h.start(); // A reopens (a source error, a restart): the floor is no longer its own
    assert(a.h.stopped);
    assertEquals(await consumers(), ["g2-B-1"]);
    await b.h.release();
  });
});

Deno.test("PartitionHolding: outputs are published once per applied event, none for a redelivery, and a takeover's replay is dropped as duplicate", async () => {
  await withCluster(async ({ jsm, holding }) => {
    await ensureOutputStream(jsm, "T", "out");
    const a = holding("A", "out"), b = holding("B", "out");
    const predictions = async () =>
      (await jsm.streams.info("T-out", { subjects_filter: "out.*.prediction" })).state.subjects?.[
        `out.${KEY}.prediction`
      ] ?? 0;
    await a.h.claim();
    for (let seq = 1; seq <= 10; seq++) await a.h.handle(message(seq, []));
    await a.h.handle(message(5, [])); // delivered again: skipped, nothing published
    await a.h.commit();
    assertEquals(a.counters.redelivered, 1);
    assertEquals(await predictions(), 10);
    // A applies 11..15 and publishes their outputs, then dies before its commit
    for (let seq = 11; seq <= 15; seq++) await a.h.handle(message(seq, []));
    const deadline = Date.now() + 10_000;
    while (await predictions() < 15) {
      if (Date.now() > deadline) throw new Error("A's outputs were not stored");
      await new Promise((r) => setTimeout(r, 20)); // real I/O: the publishes in flight
    }
    a.h.lose("killed");
    // B re-applies 11..15 (the same outputs, dropped by id) and goes on to 20
    await b.h.claim();
    for (let seq = 11; seq <= 20; seq++) await b.h.handle(message(seq, []));
    await b.h.commit();
    assertEquals(b.counters.duplicates, 5);
    assertEquals(await predictions(), 20);
    // every stored prediction names a distinct sequence, 1..20, and matches one process's outcome
    const ref = new FeedLearner(KEY, clusterLearnerOptions());
    for (let seq = 1; seq <= 20; seq++) {
      const outcome = ref.apply(seq, event(seq))!;
      const m = await jsm.streams.getMessage("T-out", { seq: seq + (seq > 10 ? 1 : 0) }); // metrics after 10
      const body = m!.json<{ seq: number; score: number }>();
      assertEquals([body.seq, body.score], [seq, outcome.score]);
    }
  });
});

Deno.test("PartitionHolding: an event that is not a feed event of its partition is counted, acked and skipped", async () => {
  await withCluster(async ({ holding }) => {
    const a = holding("A");
    const acks: number[] = [];
    await a.h.claim();
    await a.h.handle(message(1, acks));
    await a.h.handle(message(2, acks, null)); // not JSON, or not an event
    const other = ["b", "c", "d", "e", "f", "g"].find((k) => partitionOf(k, PARTITIONS) !== P)!;
    await a.h.handle(message(3, acks, { k: other, v: [1, 2], l: 0 })); // a feed of another partition
    await a.h.handle(message(4, acks));
    await a.h.commit();
    assertEquals(a.counters.invalid, 2);
    assertEquals(a.counters.applied, 2);
    assertEquals(acks, [1, 2, 3, 4]);
    assertEquals(a.h.record.floor, 4);
    assertEquals(a.h.feeds.get(KEY)!.applied, 2);
  });
});
