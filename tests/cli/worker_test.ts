import { assert, assertEquals, assertRejects } from "@std/assert";
import { workerCommand } from "../../src/cli/worker.ts";
import { UsageError } from "../../src/cli/_args.ts";
import { startWorker } from "../../src/cli/_cluster_worker.ts";
import type { Worker } from "../../src/cli/_cluster_worker.ts";
import { clusterLearnerOptions, FeedLearner } from "../../src/cli/_cluster_feed.ts";
import type { FeedEvent } from "../../src/cli/_cluster_feed.ts";
import { feedSubject, partitionOf } from "../../src/cli/_cluster_layout.ts";
import { ensureClusterStores } from "../../src/cli/_cluster_stores.ts";
import { readFeedStates, readFloors } from "../../src/cli/_cluster_state.ts";
import { connectNats } from "../../src/io/nats/connect_nats.ts";
import { AckPolicy, jetstream, jetstreamManager } from "../../src/io/nats/nats_deps.ts";
import { fromJetStream } from "../../src/io/nats/from_jet_stream.ts";
import { lastValueFrom, take, toArray } from "rxjs";
import { encodeValue } from "../../src/io/checkpoint/codec.ts";
import { natsServer } from "../io/nats/_nats_server.ts";
import { REPO } from "./_support.ts";

Deno.test("workerCommand() needs --nats and --stream", async () => {
  await assertRejects(() => workerCommand(["--stream", "S"]), UsageError, "--nats URL and --stream NAME");
});

Deno.test("workerCommand() refuses a --publish prefix with wildcards or inside feeds.> before it connects", async () => {
  for (const prefix of ["out.>", "out.*", "feeds", "feeds.out", "out..x", ""]) {
    await assertRejects(
      () => workerCommand(["--nats", "nats://127.0.0.1:1", "--stream", "S", "--publish", prefix]),
      UsageError,
      "--publish must be a subject prefix",
      prefix,
    );
  }
});

const PARTITIONS = 4;
const FEEDS = ["a", "b", "c", "d", "e", "f"];
const event = (i: number): FeedEvent => {
  const k = FEEDS[i % FEEDS.length];
  return { k, v: [Math.sin(i / 7) * 10 + 50, Math.cos(i / 5) * 3 + 20], l: 0 };
};

Deno.test("worker pool learns every event exactly once across a SIGKILL, a takeover and a join, and publishes one prediction per event", async () => {
  const server = await natsServer({ user: "pool", pass: "s3cret" });
  const auth = { servers: server.url, user: "pool", pass: "s3cret" };
  const nc = await connectNats(auth);
  const workers: Worker[] = [];
  let victim: Deno.ChildProcess | null = null;
  try {
    const { floors, store } = await ensureClusterStores(nc, "T", PARTITIONS, 1000);
    const js = jetstream(nc);
    const seqs: { seq: number; e: FeedEvent }[] = [];
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const e = event(i);
        seqs.push({ seq: (await js.publish(feedSubject(e.k, PARTITIONS), JSON.stringify(e))).seq, e });
      }
    };
    const covered = async (): Promise<number> => {
      const floor = await readFloors(floors, PARTITIONS);
      return seqs.filter(({ seq, e }) => seq <= floor[partitionOf(e.k, PARTITIONS)]).length;
    };
    const until = async (n: number) => {
      const deadline = Date.now() + 40_000;
      while (await covered() < n) {
        if (Date.now() > deadline) throw new Error(`the pool did not checkpoint ${n} events in time`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await publish(0, 600);
    // the victim: a real worker process, credentials from the environment
    victim = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        `${REPO}main.ts`,
        "worker",
      ]
        .concat(["--nats", server.url, "--stream", "T", "--partitions", "4", "--id", "victim"])
        .concat(["--lease-ttl", "1000", "--checkpoint-every", "40", "--publish", "out"]),
      env: { NATS_USER: "pool", NATS_PASS: "s3cret" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    await until(600);
    await publish(600, 1200);
    await new Promise((r) => setTimeout(r, 30));
    victim.kill("SIGKILL");
    const log = new TextDecoder().decode((await victim.output()).stderr);
    victim = null;
    assert(!log.includes("s3cret"), "the worker never logs the password");
    const settings = {
      stream: "T",
      partitions: PARTITIONS,
      learner: clusterLearnerOptions(),
      checkpointEvery: 40,
      leaseTtl: 1000,
      publish: "out",
      log: () => {},
    };
    workers.push(await startWorker(nc, { ...settings, id: "heir" }));
    await until(900);
    workers.push(await startWorker(nc, { ...settings, id: "joiner" }));
    await until(1200);
    for (const w of workers.splice(0)) await w.stop();
    // every feed's checkpoint: each event applied once, the model bit-identical to one process
    const states = await readFeedStates(floors, store, PARTITIONS);
    for (const k of FEEDS) {
      const reference = new FeedLearner(k, clusterLearnerOptions());
      for (const { seq, e } of seqs) if (e.k === k) reference.apply(seq, e);
      const state = states.get(k)!;
      assertEquals(state.applied, 200, `feed ${k}`);
      assertEquals(state.lastSeq, reference.lastSeq);
      assertEquals(
        JSON.stringify(encodeValue(state.learner)),
        JSON.stringify(encodeValue(reference.learner.getState())),
        `feed ${k} differs from the single-process model`,
      );
      reference.learner.close();
    }
    // a consumer of the outputs sees one prediction per event: the victim's replayed ones were dropped by id
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info("T-out", { subjects_filter: "out.*.prediction" });
    assertEquals(Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0), 1200);
    await jsm.consumers.add("T-out", {
      durable_name: "reader",
      filter_subject: "out.*.prediction",
      ack_policy: AckPolicy.None, // (unacknowledged messages would come again after ack_wait)
    });
    const seen = await lastValueFrom(
      fromJetStream<{ key: string; seq: number }>({ connection: nc, stream: "T-out", consumer: "reader" })
        .pipe(take(1200), toArray()),
    );
    const pairs = (list: { k: string; seq: number }[]) => list.map(({ k, seq }) => `${k}:${seq}`).sort();
    assertEquals(
      pairs(seen.map((m) => ({ k: m.data.key, seq: m.data.seq }))),
      pairs(seqs.map(({ seq, e }) => ({ k: e.k, seq }))),
    );
  } finally {
    if (victim !== null) {
      victim.kill("SIGKILL");
      await victim.output();
    }
    for (const w of workers) await w.stop().catch(() => {});
    await nc.close();
    await server.dispose();
  }
});

Deno.test("worker gives up a partition whose lease another member took and never writes its floor again", async () => {
  const server = await natsServer();
  const nc = await connectNats({ servers: server.url });
  let worker: Worker | null = null;
  let thief: ReturnType<typeof setInterval> | undefined;
  try {
    const { leases, floors } = await ensureClusterStores(nc, "F", PARTITIONS, 1000);
    const js = jetstream(nc);
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const e = event(i);
        await js.publish(feedSubject(e.k, PARTITIONS), JSON.stringify(e));
      }
    };
    const floorOf = async (p: number) => (await readFloors(floors, PARTITIONS))[p];
    const lines: string[] = [];
    worker = await startWorker(nc, {
      id: "holder",
      stream: "F",
      partitions: PARTITIONS,
      learner: clusterLearnerOptions(),
      checkpointEvery: 20,
      leaseTtl: 1000,
      log: (line) => lines.push(line),
    });
    const p = partitionOf("a", PARTITIONS);
    await publish(0, 120);
    const deadline = Date.now() + 30_000;
    while (await floorOf(p) === 0) {
      if (Date.now() > deadline) throw new Error("the holder never checkpointed");
      await new Promise((r) => setTimeout(r, 100));
    }
    // another member takes the lease (as after a pause longer than the TTL) and keeps it
    await leases.delete(`lease.${p}`);
    let revision = await leases.create(`lease.${p}`, "thief");
    thief = setInterval(() => {
      leases.update(`lease.${p}`, "thief", revision).then((r) => void (revision = r)).catch(() => {});
    }, 200);
    while (worker.held().includes(p)) {
      if (Date.now() > deadline) throw new Error("the holder kept a partition it no longer leases");
      await new Promise((r) => setTimeout(r, 50));
    }
    const fenced = await floorOf(p);
    await publish(120, 240);
    await new Promise((r) => setTimeout(r, 1500));
    assertEquals(await floorOf(p), fenced, "the former holder wrote the floor of a partition it lost");
    assert(lines.some((l) => l.includes(`lost partition ${p}`)), lines.join("\n"));
    assert(!worker.held().includes(p));
  } finally {
    clearInterval(thief);
    await worker?.stop().catch(() => {});
    await nc.close();
    await server.dispose();
  }
});
