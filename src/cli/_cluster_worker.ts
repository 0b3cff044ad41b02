/**
 * A pool member: holds leases on some partitions (its fair share of the live members),
 * learns each partition's feeds in stream order, checkpoints them to the Object Store,
 * and only then acknowledges the events. A partition changes hands either cleanly (the
 * holder checkpoints, writes the partition's floor, acks, and gives the lease up) or when
 * its holder dies (the lease expires); the next holder restarts the partition's consumer
 * just after the floor and skips, per feed, what the feed's checkpoint already holds.
 *
 * @module
 */
import type { Subscription } from "../deps.ts";
import { AckPolicy, DeliverPolicy, jetstreamManager, Kvm, Objm } from "../io/nats/nats_deps.ts";
import type { JetStreamManager, KV, NatsConnection, ObjectStore } from "../io/nats/nats_deps.ts";
import { fromJetStream } from "../io/nats/from_jet_stream.ts";
import type { JetStreamMessage } from "../io/nats/from_jet_stream.ts";
import type { LiveLearnerOptions } from "../online/live_learner.ts";
import { clusterNames } from "./_cluster_layout.ts";
import { FeedLearner } from "./_cluster_feed.ts";
import type { FeedEvent } from "./_cluster_feed.ts";

/** Settings of a worker. */
export interface WorkerSettings {
  /** The worker's id (unique among live members). */
  id: string;
  /** The stream of feeds. */
  stream: string;
  /** The number of partitions (as published). */
  partitions: number;
  /** The learners' settings. */
  learner: LiveLearnerOptions;
  /** Events per partition between checkpoints (<= maxAckPending). */
  checkpointEvery: number;
  /** The lease time to live, in ms: a dead worker's partitions move after this. */
  leaseTtl: number;
  /** The directory of scratch files (checkpoint bytes pass through one). @default {the system's temp dir} */
  tmpDir?: string;
  /** Log lines (never credentials). */
  log: (line: string) => void;
}

interface Partition {
  p: number;
  revision: number;
  sub: Subscription | null;
  consumer: string;
  chain: Promise<void>;
  feeds: Map<string, FeedLearner>;
  pending: JetStreamMessage<FeedEvent>[];
  highest: number;
  lastEvent: number;
  stopped: boolean;
  gen: number;
  /** Handles queued on `chain` and not finished (a busy partition is not stalled). */
  queued: number;
  /** Lease updates run one at a time (each needs the revision the previous one returned). */
  leaseChain: Promise<void>;
  /** The partition's own idle-checkpoint timer (it does not wait behind the pool's rebalancing). */
  idle: ReturnType<typeof setTimeout> | undefined;
}

/** Counters of a worker. */
export interface WorkerCounters {
  /** Events applied to a model. */
  applied: number;
  /** Events skipped as already applied (redelivered or replayed after a takeover). */
  skipped: number;
  /** Checkpoints written. */
  checkpoints: number;
  /** Events delivered again at or below the partition's highest handled sequence (acked, skipped). */
  redelivered: number;
}

/** A running worker. */
export interface Worker {
  /** Its counters. */
  counters: WorkerCounters;
  /** The partitions it holds. */
  held(): number[];
  /** Checkpoints and gives up every partition, then stops. */
  stop(): Promise<void>;
}

const YIELD_MS = 20;
const IDLE_MS = 300;
/** How long the server waits for an ack before delivering again: far above a checkpoint's time. */
const ACK_WAIT_NS = 120_000_000_000;

/** Thrown inside a partition's chain when its lease is no longer this worker's (fencing). */
class LeaseLost extends Error {}
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Creates the stream's buckets when missing (idempotent). */
export async function ensureClusterStores(
  nc: NatsConnection,
  stream: string,
  leaseTtl: number,
): Promise<{ leases: KV; floors: KV; store: ObjectStore }> {
  const names = clusterNames(stream);
  const kvm = new Kvm(nc);
  const leases = await kvm.create(names.leases, { ttl: leaseTtl });
  const floors = await kvm.create(names.floors);
  const store = await new Objm(nc).create(names.checkpoints);
  return { leases, floors, store };
}

/** Starts a worker on an open connection. */
export async function startWorker(nc: NatsConnection, settings: WorkerSettings): Promise<Worker> {
  const { id, stream, partitions, learner, checkpointEvery, leaseTtl, log, tmpDir } = settings;
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const { leases, floors, store } = await ensureClusterStores(nc, stream, leaseTtl);
  const counters: WorkerCounters = { applied: 0, skipped: 0, checkpoints: 0, redelivered: 0 };
  const held = new Map<number, Partition>();
  let stopping = false;
  let failure: unknown = null;
  let lastYield = performance.now();

  const floorOf = async (p: number): Promise<number> => {
    const e = await floors.get(`floor.${p}`);
    return e === null || e.length === 0 ? 0 : Number(e.string());
  };

  // checkpoints the partition's changed feeds, then its floor, then acks what they cover
  const checkpoint = async (part: Partition): Promise<void> => {
    if (part.pending.length === 0) return;
    // fencing: the lease must still be ours (extending it gives the writes a full TTL)
    await extend(part).catch((error) => {
      throw new LeaseLost(
        `lease of partition ${part.p} lost before a checkpoint: ${(error as Error).message}`,
      );
    });
    for (const feed of part.feeds.values()) {
      if (feed.dirty) {
        await feed.save(store, tmpDir);
        counters.checkpoints++;
      }
    }
    await floors.put(`floor.${part.p}`, String(part.highest));
    for (const m of part.pending) m.ack();
    part.pending = [];
  };

  const handle = async (part: Partition, m: JetStreamMessage<FeedEvent>, gen: number): Promise<void> => {
    if (performance.now() - lastYield > YIELD_MS) {
      // learning runs in microtasks: let timers (lease renewals) and I/O (pulls, heartbeats) in
      await delay(0);
      lastYield = performance.now();
    }
    if (part.stopped || gen !== part.gen) return;
    if (m.seq <= part.highest) {
      // a redelivery of an event this holding handled already (every sequence up to highest was
      // handled in order): its effect is in memory, it is acked with the next checkpoint
      counters.redelivered++;
      part.pending.push(m);
      if (part.pending.length >= checkpointEvery) await checkpoint(part);
      else armIdle(part);
      return;
    }
    const key = m.data.k;
    let feed = part.feeds.get(key);
    if (feed === undefined) {
      feed = await FeedLearner.load(store, key, learner, tmpDir);
      part.feeds.set(key, feed);
    }
    if (feed.apply(m.seq, m.data)) counters.applied++;
    else counters.skipped++;
    part.highest = m.seq;
    part.lastEvent = Date.now();
    part.pending.push(m);
    if (part.pending.length >= checkpointEvery) await checkpoint(part);
    else armIdle(part);
  };

  // checkpoints a partition once it has had nothing to handle for IDLE_MS, so that its floor reaches its tail
  const armIdle = (part: Partition): void => {
    if (part.idle !== undefined) return;
    part.idle = setTimeout(() => {
      part.idle = undefined;
      if (part.stopped || part.pending.length === 0) return;
      if (part.queued > 0) return armIdle(part); // still busy: look again later
      enqueue(part, () => part.stopped ? Promise.resolve() : checkpoint(part));
    }, IDLE_MS);
  };

  const open = async (part: Partition): Promise<void> => {
    // fencing: never delete or create a partition's consumer without holding its lease
    await extend(part).catch((error) => {
      throw new LeaseLost(`lease of partition ${part.p} lost before opening it: ${(error as Error).message}`);
    });
    const floor = await floorOf(part.p);
    // a consumer of its own per holding: a former holder that has not noticed yet cannot read from it
    const prefix = `${stream}-p${part.p}-`;
    const consumer = `${prefix}${id.replace(/[^A-Za-z0-9_-]/g, "_")}-${part.gen + 1}`;
    for await (const info of jsm.consumers.list(stream)) {
      // (an entry can be null when its consumer goes away while the list is read)
      const name = info?.config?.durable_name ?? info?.name;
      if (typeof name === "string" && name.startsWith(prefix)) {
        await jsm.consumers.delete(stream, name).catch(() => {});
      }
    }
    await jsm.consumers.add(stream, {
      inactive_threshold: 60_000_000_000,
      durable_name: consumer,
      filter_subject: `feeds.${part.p}.>`,
      ack_policy: AckPolicy.Explicit,
      ack_wait: ACK_WAIT_NS, // a pull lost on the way comes back after this; redeliveries are skipped anyway
      max_ack_pending: checkpointEvery + Math.ceil(checkpointEvery / 2),
      ...(floor > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
    part.highest = floor;
    part.consumer = consumer;
    part.lastEvent = Date.now();
    const gen = ++part.gen;
    log(
      `worker ${id}: partition ${part.p} consumer ${consumer} starts at ${
        floor + 1
      } (lease revision ${part.revision})`,
    );
    part.sub = fromJetStream<FeedEvent>({ connection: nc, stream, consumer, batch: 500, expires: 1000 })
      .subscribe({
        next: (m) => {
          part.queued++;
          enqueue(part, () => handle(part, m, gen)).finally(() => part.queued--);
        },
        error: (error) => {
          if (part.stopped || gen !== part.gen || held.get(part.p) !== part) return; // moved on already
          log(`worker ${id}: partition ${part.p} source failed: ${(error as Error).message}; reopening it`);
          enqueue(
            part,
            () => delay(250).then(() => part.stopped || gen !== part.gen ? undefined : restart(part)),
          );
        },
      });
  };

  // runs a step on the partition's chain; a lost lease drops the partition, anything else is a failure
  const enqueue = (part: Partition, step: () => Promise<void>): Promise<void> => {
    part.chain = part.chain.then(step).catch((error) => {
      if (error instanceof LeaseLost) {
        log(`worker ${id}: ${error.message}`);
        lose(part);
        return;
      }
      failure ??= error;
      log(`worker ${id}: partition ${part.p} failed: ${(error as Error).message}`);
    });
    return part.chain;
  };

  // forgets a partition whose lease is gone, at once and without writing anything (fenced)
  const lose = (part: Partition): void => {
    if (part.stopped) return;
    part.stopped = true;
    part.gen++;
    clearTimeout(part.idle);
    part.sub?.unsubscribe();
    part.pending = [];
    part.feeds.clear();
    if (held.get(part.p) === part) held.delete(part.p);
    log(`worker ${id}: lost partition ${part.p}`);
  };

  // extends the partition's lease on its revision, one update at a time; rejects when it is not ours
  const extend = (part: Partition): Promise<void> => {
    const op = part.leaseChain.then(async () => {
      if (part.stopped) throw new Error("the partition was released");
      part.revision = await leases.update(`lease.${part.p}`, id, part.revision);
    });
    part.leaseChain = op.catch(() => {});
    return op;
  };

  // drops the in-memory state (checkpoints hold the truth) and reads from the floor again
  const restart = async (part: Partition): Promise<void> => {
    part.gen++; // what is still queued for the old consumer is dropped
    part.sub?.unsubscribe();
    part.feeds.clear();
    part.pending = [];
    await open(part);
  };

  const acquire = async (p: number): Promise<void> => {
    let revision: number;
    try {
      revision = await leases.create(`lease.${p}`, id);
    } catch {
      return; // held by another member
    }
    const part: Partition = {
      p,
      revision,
      sub: null,
      consumer: "",
      chain: Promise.resolve(),
      feeds: new Map(),
      pending: [],
      highest: 0,
      lastEvent: Date.now(),
      stopped: false,
      gen: 0,
      queued: 0,
      leaseChain: Promise.resolve(),
      idle: undefined,
    };
    held.set(p, part);
    log(`worker ${id}: took partition ${p} (lease revision ${revision})`);
    await enqueue(part, () => open(part));
  };

  const release = async (part: Partition, clean: boolean): Promise<void> => {
    if (part.stopped) return;
    if (!clean) return lose(part);
    part.sub?.unsubscribe();
    part.gen++; // what is queued and not handled is dropped: the next holder reads it from the floor
    // the lease is still renewed while the last checkpoint is written
    await enqueue(part, async () => {
      if (part.stopped) return;
      await checkpoint(part);
      part.stopped = true;
      await leases.delete(`lease.${part.p}`, { previousSeq: part.revision }).catch(() => {});
    });
    if (held.get(part.p) === part) held.delete(part.p);
    part.stopped = true;
    clearTimeout(part.idle);
    log(`worker ${id}: gave up partition ${part.p}`);
  };

  // renews the membership and every lease at once, on its own timer (never behind a rebalance)
  let renewing = false;
  const renew = async (): Promise<void> => {
    if (renewing) return;
    renewing = true;
    try {
      await leases.put(`member.${id}`, String(Date.now()));
      await Promise.all([...held.values()].map(async (part) => {
        try {
          await extend(part);
        } catch (error) {
          if (part.stopped) return;
          log(`worker ${id}: lease of partition ${part.p} not renewed: ${(error as Error).message}`);
          lose(part);
        }
      }));
    } finally {
      renewing = false;
    }
  };

  const tick = async (): Promise<void> => {
    // a watchdog: a partition with events left that has seen none for 5 s is read again from its floor
    for (const part of held.values()) {
      // (only an idle partition: one with handles queued is busy, not stalled)
      if (part.stopped || part.queued > 0 || Date.now() - part.lastEvent < 5000) continue;
      const info = await jsm.consumers.info(stream, part.consumer).catch(() => null);
      if (info === null || info.num_pending + info.num_ack_pending > 0) {
        log(`worker ${id}: partition ${part.p} stalled: reading it again from its floor`);
        const gen = part.gen;
        await enqueue(part, () => part.stopped || gen !== part.gen ? Promise.resolve() : restart(part));
      }
    }
    // an idle partition is checkpointed, so that its floor reaches its last event
    for (const part of held.values()) {
      if (part.pending.length > 0 && Date.now() - part.lastEvent > 300) {
        enqueue(part, () => part.stopped ? Promise.resolve() : checkpoint(part));
      }
    }
    const members = [];
    for await (const k of await leases.keys("member.*")) members.push(k);
    const share = Math.ceil(partitions / Math.max(1, members.length));
    if (held.size > share) {
      const extra = [...held.values()].sort((a, b) => b.p - a.p).slice(0, held.size - share);
      for (const part of extra) await release(part, true);
    } else if (held.size < share) {
      const start = [...id].reduce((h, c) => h + c.charCodeAt(0), 0) % partitions;
      for (let i = 0; i < partitions && held.size < share; i++) {
        const p = (start + i) % partitions;
        if (!held.has(p)) await acquire(p);
      }
    }
  };

  let running: Promise<void> = Promise.resolve();
  const report = (error: unknown): void => log(`worker ${id}: ${(error as Error).message}`);
  const renewTimer = setInterval(() => {
    if (!stopping) renew().catch(report);
  }, Math.max(50, Math.floor(leaseTtl / 4)));
  const timer = setInterval(() => {
    running = running.then(() => stopping ? undefined : tick()).catch(report);
  }, Math.max(100, Math.floor(leaseTtl / 3)));
  await renew();
  running = tick();
  await running;
  return {
    counters,
    held: () => [...held.keys()].sort((a, b) => a - b),
    stop: async () => {
      stopping = true;
      clearInterval(timer);
      await running.catch(() => {});
      for (const part of [...held.values()]) await release(part, true);
      clearInterval(renewTimer);
      await leases.delete(`member.${id}`).catch(() => {});
      if (failure !== null) throw failure;
    },
  };
}
