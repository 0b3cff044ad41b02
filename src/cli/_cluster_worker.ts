/**
 * A pool member: it keeps a membership key alive, takes its fair share of the partitions
 * (a lease each, in KV, renewed on its revision), and runs one holding per partition
 * (`_cluster_partition.ts`). A partition changes hands either cleanly (the holder
 * commits and deletes its lease; a joining worker takes it) or when its holder dies (the
 * lease expires). Leases say who should hold a partition; the floor's compare-and-set
 * fences what a holder writes (a holder whose lease lapsed cannot commit after its
 * successor claimed the partition).
 *
 * @module
 */
import { jetstreamManager } from "../io/nats/nats_deps.ts";
import type { JetStreamManager, NatsConnection } from "../io/nats/nats_deps.ts";
import type { LiveLearnerOptions } from "../online/live_learner.ts";
import { ensureClusterStores } from "./_cluster_stores.ts";
import { clusterNames } from "./_cluster_layout.ts";
import { ensureOutputStream } from "./_cluster_outputs.ts";
import { newCounters, PartitionHolding } from "./_cluster_partition.ts";
import type { HoldingContext, WorkerCounters } from "./_cluster_partition.ts";

export type { WorkerCounters } from "./_cluster_partition.ts";

/** Settings of a worker. */
export interface WorkerSettings {
  /** The worker's id (unique among live members). */
  id: string;
  /** The stream of feeds (its partitions are the streams `<stream>-p<p>`). */
  stream: string;
  /** The number of partitions (as published). */
  partitions: number;
  /** The learners' settings. */
  learner: LiveLearnerOptions;
  /** Events per partition between commits (max_ack_pending is 1.5 times this). */
  checkpointEvery: number;
  /** The lease time to live, in ms: a dead worker's partitions move after this. */
  leaseTtl: number;
  /** Publish predictions, flags and metrics under this subject prefix. @default {undefined: none} */
  publish?: string;
  /** Log lines (never credentials). */
  log: (line: string) => void;
}

/** A running worker. */
export interface Worker {
  /** Its counters. */
  counters: WorkerCounters;
  /** The partitions it holds. */
  held(): number[];
  /** Commits and gives up every partition, then stops. */
  stop(): Promise<void>;
}

const YIELD_MS = 20;
const TICK_TIMEOUT_MS = 20_000;

interface Held {
  holding: PartitionHolding;
  /** The lease's revision (each renewal needs the one the previous returned). */
  lease: number;
  /** Lease updates, one at a time. */
  leaseChain: Promise<void>;
  releasing: boolean;
}

/** Starts a worker on an open connection. */
export async function startWorker(nc: NatsConnection, settings: WorkerSettings): Promise<Worker> {
  const { id, stream, partitions, learner, checkpointEvery, leaseTtl, log, publish } = settings;
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const stores = await ensureClusterStores(nc, stream, partitions, leaseTtl);
  if (publish !== undefined) await ensureOutputStream(jsm, stream, publish);
  const { leases } = stores;
  const counters = newCounters();
  const held = new Map<number, Held>();
  let stopping = false;
  let lastYield = performance.now();
  const context: HoldingContext = {
    nc,
    jsm,
    stores,
    stream,
    partitions,
    id,
    learner,
    checkpointEvery,
    counters,
    log,
    publish,
    // learning runs in microtasks: let timers (lease renewals) and I/O (pulls, heartbeats) in now and then
    pace: () => {
      if (performance.now() - lastYield <= YIELD_MS) return undefined;
      lastYield = performance.now();
      return new Promise((r) => setTimeout(r, 0));
    },
    onDropped: (holding) => {
      const h = held.get(holding.p);
      if (h?.holding !== holding) return;
      held.delete(holding.p);
      // a holding dropped while its lease is still ours (fenced by a claim that did not take the lease): let the lease go
      if (!h.releasing) leases.delete(`lease.${holding.p}`, { previousSeq: h.lease }).catch(() => {});
    },
  };

  // extends a partition's lease on its revision, one update at a time; rejects when it is not ours
  const extend = (h: Held): Promise<void> => {
    const op = h.leaseChain.then(async () => {
      h.lease = await leases.update(`lease.${h.holding.p}`, id, h.lease);
    });
    h.leaseChain = op.catch(() => {});
    return op;
  };

  const acquire = async (p: number): Promise<void> => {
    let lease: number;
    try {
      lease = await leases.create(`lease.${p}`, id);
    } catch {
      return; // held by another member
    }
    const h: Held = {
      holding: new PartitionHolding(p, context),
      lease,
      leaseChain: Promise.resolve(),
      releasing: false,
    };
    held.set(p, h);
    try {
      await h.holding.claim();
    } catch (error) {
      log(`worker ${id}: cannot claim partition ${p}: ${(error as Error).message}`);
      h.holding.lose("not claimed");
      return;
    }
    h.holding.start(); // on the holding's chain: the pool's tick does not wait for it
  };

  const release = async (h: Held): Promise<void> => {
    if (h.releasing) return;
    h.releasing = true;
    await h.holding.release(); // the lease is still renewed while the last commit is written
    await h.leaseChain;
    await leases.delete(`lease.${h.holding.p}`, { previousSeq: h.lease }).catch(() => {});
  };

  // renews the membership and every lease at once, on its own timer (never behind a rebalance)
  let renewing = false;
  const renew = async (): Promise<void> => {
    if (renewing) return;
    renewing = true;
    try {
      await leases.put(`member.${id}`, String(Date.now()));
      await Promise.all([...held.values()].map(async (h) => {
        try {
          await extend(h);
        } catch (error) {
          if (h.holding.stopped) return;
          h.holding.lose(`lease not renewed: ${(error as Error).message}`);
        }
      }));
    } finally {
      renewing = false;
    }
  };

  // the live members: one request for the member keys' subjects in the leases bucket's stream
  // (`leases.keys()` reads an ordered consumer, and on nats-server 2.9 such a listing could wait
  // for ever: the pool's tick stopped in it; a stopped member's delete marker counts until it expires)
  const membersStream = `KV_${clusterNames(stream).leases}`;
  const countMembers = async (): Promise<number> => {
    const info = await jsm.streams.info(membersStream, {
      subjects_filter: `$KV.${clusterNames(stream).leases}.member.*`,
    });
    return Object.keys(info.state.subjects ?? {}).length;
  };

  // the pool's balance: never waits for a holding's chain (a slow or stuck partition cannot stop it)
  const tick = async (): Promise<void> => {
    for (const h of held.values()) if (!h.releasing) h.holding.checkStall().catch(() => {});
    const share = Math.ceil(partitions / Math.max(1, await countMembers()));
    const active = [...held.values()].filter((h) => !h.releasing);
    if (active.length > share) {
      const extra = active.sort((a, b) => b.holding.p - a.holding.p).slice(0, active.length - share);
      for (const h of extra) release(h).catch((error) => log(`worker ${id}: ${(error as Error).message}`));
    } else if (active.length < share) {
      const start = [...id].reduce((a, c) => a + c.charCodeAt(0), 0) % partitions;
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
  // a tick that does not end in time is left behind (and reported) so that the next one runs
  const bounded = (): Promise<void> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`a rebalancing tick took over ${TICK_TIMEOUT_MS} ms`)),
        TICK_TIMEOUT_MS,
      );
    });
    return Promise.race([tick(), late]).finally(() => clearTimeout(timer));
  };
  const timer = setInterval(() => {
    running = running.then(() => stopping ? undefined : bounded()).catch(report);
  }, Math.max(100, Math.floor(leaseTtl / 3)));
  await renew();
  running = bounded().catch(report);
  await running;
  return {
    counters,
    held: () => [...held.keys()].sort((a, b) => a - b),
    stop: async () => {
      stopping = true;
      clearInterval(timer);
      await running.catch(() => {});
      await Promise.all([...held.values()].map((h) => release(h)));
      clearInterval(renewTimer);
      await leases.delete(`member.${id}`).catch(() => {});
    },
  };
}
