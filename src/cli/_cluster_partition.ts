/**
 * One holding of one partition by a worker: it claims the partition's floor (a new
 * generation, the fencing token), reads the partition's stream from floor + 1 with a
 * consumer of its own, learns each feed in stream order, and every `checkpointEvery`
 * events (or once the partition is idle) commits: the changed feeds' states go into a
 * new checkpoint segment, then the floor naming them is written by compare-and-set, and
 * only then are the events acknowledged. A commit refused by the compare-and-set (another
 * holding claimed the partition since) is counted in `fenced`, deletes the segment it
 * wrote, acknowledges nothing, and drops the holding: a stale holder can neither move a
 * newer holder's state backwards nor have its events applied twice.
 *
 * @module
 */
import type { Subscription } from "../deps.ts";
import { AckPolicy, DeliverPolicy } from "../io/nats/nats_deps.ts";
import type { JetStreamManager, NatsConnection } from "../io/nats/nats_deps.ts";
import { fromJetStream } from "../io/nats/from_jet_stream.ts";
import type { JetStreamMessage } from "../io/nats/from_jet_stream.ts";
import type { LiveLearnerOptions } from "../online/live_learner.ts";
import { partitionOf, partitionStream } from "./_cluster_layout.ts";
import { FeedLearner } from "./_cluster_feed.ts";
import type { FeedEvent } from "./_cluster_feed.ts";
import { emptyFloor, FencedWrite, readFloor, segmentsOf, writeFloor } from "./_cluster_floor.ts";
import type { FloorRecord } from "./_cluster_floor.ts";
import {
  loadSegment,
  saveSegment,
  SEGMENT_FEEDS,
  segmentGeneration,
  segmentName,
} from "./_cluster_segment.ts";
import type { SegmentExtra } from "./_cluster_segment.ts";
import { PartitionOutputs } from "./_cluster_outputs.ts";
import type { ClusterStores } from "./_cluster_stores.ts";

/** Counters of a worker (shared by its holdings). */
export interface WorkerCounters {
  /** Events applied to a model. */
  applied: number;
  /** Events skipped as already applied (a feed's state held them already). */
  skipped: number;
  /** Events that are not a feed event of their partition (bad JSON, values, key or subject): acked, counted, skipped. */
  invalid: number;
  /** Events delivered again at or below the partition's highest handled sequence (acked, skipped). */
  redelivered: number;
  /** Checkpoint segments written. */
  checkpoints: number;
  /** Floors committed. */
  commits: number;
  /** Writes refused because another holding claimed the partition since (stale holders). */
  fenced: number;
  /** Outputs stored by the output stream. */
  published: number;
  /** Outputs the output stream dropped as duplicates of a replay's. */
  duplicates: number;
  /** Failures that restarted a partition from its floor (transport errors, timeouts). */
  failures: number;
}

/** Zeroed counters. */
export function newCounters(): WorkerCounters {
  return {
    applied: 0,
    skipped: 0,
    invalid: 0,
    redelivered: 0,
    checkpoints: 0,
    commits: 0,
    fenced: 0,
    published: 0,
    duplicates: 0,
    failures: 0,
  };
}

/** What a holding needs of its worker. */
export interface HoldingContext {
  nc: NatsConnection;
  jsm: JetStreamManager;
  stores: ClusterStores;
  /** The stream of feeds (its partitions are `<stream>-p<p>`). */
  stream: string;
  /** The number of partitions. */
  partitions: number;
  /** The worker's id. */
  id: string;
  learner: LiveLearnerOptions;
  /** Events per partition between commits. */
  checkpointEvery: number;
  counters: WorkerCounters;
  log: (line: string) => void;
  /** Publish predictions, flags and metrics under this subject prefix. @default {undefined: none} */
  publish?: string;
  /** Commit a partition once it has handled nothing for this long, in ms (Infinity: never). @default {300} */
  idleMs?: number;
  /** Lets timers and I/O in while learning runs in microtasks (resolves at once, or after a macrotask). */
  pace: () => Promise<void> | undefined;
  /** Called once when the holding is dropped (lost, released or fenced). */
  onDropped: (holding: PartitionHolding) => void;
}

const IDLE_MS = 300;
const SWEEP_TIMEOUT_MS = 10_000;
/** How long the server waits for an ack before delivering again: far above a commit's time. */
const ACK_WAIT_NS = 120_000_000_000;

/** One worker's holding of one partition. */
export class PartitionHolding {
  /** The fencing token: the generation this holding claimed the floor with (0 until claimed). */
  generation = 0;
  /** The floor key's revision this holding last wrote (or adopted). */
  revision = 0;
  /** The floor this holding last committed. */
  record: FloorRecord = emptyFloor();
  /** The highest stream sequence handled (in order) by this holding's current consumer. */
  highest = 0;
  /** When an event was last handled (ms). */
  lastEvent: number = Date.now();
  /** Handles queued and not finished (a busy partition is not stalled). */
  queued = 0;
  /** Whether the holding was dropped. */
  stopped = false;
  /** Its consumer's name. */
  consumer = "";
  readonly feeds = new Map<string, FeedLearner>();
  #pending: JetStreamMessage<FeedEvent | null>[] = [];
  #chain: Promise<void> = Promise.resolve();
  #epoch = 0;
  #segments = 0;
  #sub: Subscription | null = null;
  #idle: ReturnType<typeof setTimeout> | undefined;
  #cache = new Map<string, Promise<SegmentExtra>>();
  #outputs: PartitionOutputs | null = null;
  #garbage: Promise<void> = Promise.resolve();
  #retry = 250;

  constructor(readonly p: number, readonly ctx: HoldingContext) {}

  /** Events handled and not yet committed. */
  get pending(): number {
    return this.#pending.length;
  }

  /**
   * Claims the partition: writes its floor back with generation + 1 (compare-and-set,
   * retried when another write came in between), then deletes the segments of older
   * holdings that the floor does not name (left by a holder that died between a segment
   * and its commit).
   */
  async claim(): Promise<void> {
    const { floors } = this.ctx.stores;
    for (let attempt = 0;; attempt++) {
      const { record, revision } = await readFloor(floors, this.p);
      const next: FloorRecord = { ...record, generation: record.generation + 1, holder: this.ctx.id };
      try {
        this.revision = await writeFloor(floors, this.p, next, revision);
        this.record = next;
        this.generation = next.generation;
        break;
      } catch (error) {
        if (!(error instanceof FencedWrite) || attempt >= 4) throw error;
      }
    }
    this.ctx.log(
      `worker ${this.ctx.id}: claimed partition ${this.p} (generation ${this.generation}, floor ${this.record.floor})`,
    );
    // in the background, bounded: listing the store reads a watcher that may never end
    // (a meta entry replaced while it is read), and the claim must not wait for it
    this.#garbage = this.#garbage.then(() => withTimeout(this.#sweep(), SWEEP_TIMEOUT_MS).catch(() => {}));
  }

  /** Opens the holding's consumer at floor + 1 and starts learning (on the holding's chain). */
  start(): Promise<void> {
    return this.#enqueue(() => this.#open());
  }

  /** Handles one message (in stream order); exposed for tests that drive a holding by hand. */
  handle(m: JetStreamMessage<FeedEvent | null>): Promise<void> {
    const epoch = this.#epoch;
    this.queued++;
    return this.#enqueue(() => this.#handle(m, epoch)).finally(() => this.queued--);
  }

  /** Commits now (on the holding's chain). */
  commit(): Promise<void> {
    return this.#enqueue(() => this.#checkpoint());
  }

  /** Waits for the steps queued so far and the background deletions of unused segments. */
  async settled(): Promise<void> {
    await this.#chain;
    await this.#garbage;
  }

  /** Reads the partition again from its floor when it has events left but has handled none for 5 s. */
  async checkStall(): Promise<void> {
    if (this.stopped || this.queued > 0 || Date.now() - this.lastEvent < 5000 || this.consumer === "") return;
    const info = await this.ctx.jsm.consumers.info(partitionStream(this.ctx.stream, this.p), this.consumer)
      .catch(() => null);
    if (info === null || info.num_pending + info.num_ack_pending > 0) {
      this.ctx.log(`worker ${this.ctx.id}: partition ${this.p} stalled: reading it again from its floor`);
      const epoch = this.#epoch;
      this.#enqueue(() => this.stopped || epoch !== this.#epoch ? Promise.resolve() : this.#restart());
    }
  }

  /** Commits, stops and gives the partition up (the caller deletes the lease afterwards). */
  async release(): Promise<void> {
    if (this.stopped) return;
    this.#sub?.unsubscribe();
    this.#epoch++; // what is queued and not handled is dropped: the next holder reads it from the floor
    await this.#enqueue(() => this.stopped ? Promise.resolve() : this.#checkpoint());
    await this.#outputs?.flushed().catch(() => {}); // the last metrics
    this.#drop("gave up");
    await this.#garbage;
  }

  /** Drops the holding at once, writing nothing (its lease is gone: another holding may own the partition). */
  lose(why: string): void {
    this.#drop("lost", why);
  }

  /** Runs a step on the holding's chain: a fenced write drops the holding, another failure restarts it. */
  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(step);
    this.#chain = run.catch((error) => {
      if (this.stopped) return;
      if (error instanceof FencedWrite) return this.lose(error.message);
      this.ctx.counters.failures++;
      this.ctx.log(
        `worker ${this.ctx.id}: partition ${this.p} failed: ${
          (error as Error).message
        }; reading it again from its floor in ${this.#retry} ms`,
      );
      const epoch = ++this.#epoch;
      this.#sub?.unsubscribe();
      const wait = this.#retry;
      this.#retry = Math.min(5000, this.#retry * 2);
      this.#chain = this.#chain.then(() => delay(wait)).then(() =>
        this.stopped || epoch !== this.#epoch ? undefined : this.#restart()
      ).catch((again) => {
        if (again instanceof FencedWrite) this.lose(again.message);
        else if (!this.stopped) this.ctx.log(`worker ${this.ctx.id}: partition ${this.p}: ${again.message}`);
      });
    });
    return this.#chain;
  }

  async #open(): Promise<void> {
    const { jsm, stores, stream, id, checkpointEvery } = this.ctx;
    // fencing: nobody wrote the floor since this holding did (a write of its own whose answer was lost is adopted)
    const { record, revision } = await readFloor(stores.floors, this.p);
    if (record.generation !== this.generation) {
      throw new FencedWrite(
        `partition ${this.p} was claimed by generation ${record.generation} (${record.holder})`,
      );
    }
    this.record = record;
    this.revision = revision;
    const name = partitionStream(stream, this.p);
    const consumer = `g${this.generation}-${id.replace(/[^A-Za-z0-9_-]/g, "_")}-${this.#epoch + 1}`;
    for await (const info of jsm.consumers.list(name)) {
      // an older holding's consumer, or this holding's previous one; never a newer holding's
      const c = info?.config?.durable_name ?? info?.name;
      const g = typeof c === "string" ? /^g(\d+)-/.exec(c) : null;
      if (g !== null && Number(g[1]) <= this.generation) await jsm.consumers.delete(name, c!).catch(() => {});
    }
    await jsm.consumers.add(name, {
      durable_name: consumer,
      inactive_threshold: 60_000_000_000,
      ack_policy: AckPolicy.Explicit,
      ack_wait: ACK_WAIT_NS, // a pull lost on the way comes back after this; redeliveries are skipped anyway
      max_ack_pending: checkpointEvery + Math.ceil(checkpointEvery / 2),
      ...(record.floor > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: record.floor + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
    this.highest = record.floor;
    this.consumer = consumer;
    this.lastEvent = Date.now();
    const epoch = ++this.#epoch;
    this.#outputs?.close(); // what the old consumer's events published is published again, and dropped by id
    this.#outputs = null;
    this.ctx.log(`worker ${id}: partition ${this.p} consumer ${consumer} starts at ${record.floor + 1}`);
    this.#sub = fromJetStream<FeedEvent | null>({
      connection: this.ctx.nc,
      stream: name,
      consumer,
      batch: checkpointEvery + Math.ceil(checkpointEvery / 2),
      expires: 1000,
      decode: decodeEvent,
    }).subscribe({
      next: (m) => {
        this.queued++;
        this.#enqueue(() => this.#handle(m, epoch)).finally(() => this.queued--);
      },
      error: (error) => {
        if (this.stopped || epoch !== this.#epoch) return; // moved on already
        this.#enqueue(() => Promise.reject(new Error(`its source failed: ${(error as Error).message}`)));
      },
    });
  }

  async #handle(m: JetStreamMessage<FeedEvent | null>, epoch: number): Promise<void> {
    await this.ctx.pace();
    if (this.stopped || epoch !== this.#epoch) return;
    const { counters, checkpointEvery } = this.ctx;
    this.lastEvent = Date.now();
    if (m.seq <= this.highest) {
      // a redelivery of an event this consumer delivered already (every sequence up to highest was
      // handled in order): its effect is in memory, it is acked with the next commit
      counters.redelivered++;
    } else {
      const event = m.data;
      const key = event?.k;
      if (
        event === null || key === undefined || m.subject !== `feeds.${this.p}.${key}` ||
        partitionOf(key, this.ctx.partitions) !== this.p
      ) {
        counters.invalid++; // not a feed event of this partition: skipped, acked with the next commit
      } else {
        const feed = this.feeds.get(key) ?? await this.#load(key);
        if (this.stopped || epoch !== this.#epoch) return;
        const outcome = feed.apply(m.seq, event);
        if (outcome === null) counters.skipped++;
        else {
          counters.applied++;
          if (this.ctx.publish !== undefined) {
            this.#outputs ??= new PartitionOutputs(this.ctx.nc, counters);
            const prefix = `${this.ctx.publish}.${key}`;
            const body = { ...outcome, seq: m.seq };
            this.#outputs.push({ subject: `${prefix}.prediction`, id: `${key}:${m.seq}:p`, body });
            if (outcome.flagged) {
              this.#outputs.push({ subject: `${prefix}.flag`, id: `${key}:${m.seq}:f`, body });
            }
          }
        }
      }
      this.highest = m.seq;
    }
    this.#pending.push(m);
    if (this.#pending.length >= checkpointEvery) await this.#checkpoint();
    else this.#armIdle();
  }

  // a feed's learner: from the segment its floor names, or a new one
  async #load(key: string): Promise<FeedLearner> {
    const entry = this.record.feeds[key];
    let feed: FeedLearner;
    if (entry === undefined) feed = new FeedLearner(key, this.ctx.learner);
    else {
      let segment = this.#cache.get(entry.object);
      if (segment === undefined) {
        segment = loadSegment(this.ctx.stores.store, entry.object, this.p);
        this.#cache.set(entry.object, segment);
        segment.catch(() => this.#cache.delete(entry.object));
      }
      const extra = await segment;
      const state = extra.feeds[key];
      // the floor names this segment for this feed: it must hold the feed at the floor's sequence,
      // and come from a holding no newer than this one
      if (state === undefined || state.lastSeq !== entry.seq || extra.generation > this.generation) {
        throw new Error(
          `Cannot load feed ${
            JSON.stringify(key)
          } from segment ${entry.object}: it does not hold the state the floor names`,
        );
      }
      feed = new FeedLearner(key, this.ctx.learner, state);
    }
    this.feeds.set(key, feed);
    return feed;
  }

  async #checkpoint(): Promise<void> {
    if (this.#pending.length === 0) return;
    const { stores, counters, id } = this.ctx;
    await this.#outputs?.flushed(); // the outputs of what is acked are stored first
    const dirty = [...this.feeds.values()].filter((f) => f.dirty);
    const next: FloorRecord = {
      floor: this.highest,
      generation: this.generation,
      holder: id,
      feeds: { ...this.record.feeds },
    };
    const written: string[] = [];
    try {
      for (let i = 0; i < dirty.length; i += SEGMENT_FEEDS) {
        const group = dirty.slice(i, i + SEGMENT_FEEDS);
        const name = segmentName(this.p, this.generation, ++this.#segments);
        await saveSegment(stores.store, name, group, this.p, this.generation, this.ctx.learner);
        written.push(name);
        counters.checkpoints++;
        for (const f of group) next.feeds[f.key] = { object: name, seq: f.lastSeq };
      }
      this.revision = await writeFloor(stores.floors, this.p, next, this.revision);
    } catch (error) {
      if (error instanceof FencedWrite) {
        // refused: nothing names these segments; nothing is acked
        counters.fenced++;
        await Promise.all(written.map((n) => stores.store.delete(n).catch(() => {})));
      }
      throw error;
    }
    const before = segmentsOf(this.record);
    this.record = next;
    counters.commits++;
    this.#retry = 250;
    for (const f of dirty) f.dirty = false;
    for (const m of this.#pending) m.ack();
    this.#pending = [];
    this.#cache.clear();
    if (this.ctx.publish !== undefined) {
      this.#outputs ??= new PartitionOutputs(this.ctx.nc, counters);
      for (const f of dirty) {
        const body = { key: f.key, seq: f.lastSeq, applied: f.applied, ...f.learner.metrics() };
        this.#outputs.push({
          subject: `${this.ctx.publish}.${f.key}.metrics`,
          id: `${f.key}:${f.lastSeq}:m`,
          body,
        });
      }
    }
    // the segments no feed points to any more
    const after = segmentsOf(next);
    const unused = [...before].filter((n) => !after.has(n));
    if (unused.length > 0) {
      this.#garbage = this.#garbage.then(() =>
        Promise.all(unused.map((n) => stores.store.delete(n).catch(() => {}))).then(() => {})
      );
    }
  }

  // commits once nothing was handled for IDLE_MS, so that the floor reaches the partition's tail
  #armIdle(): void {
    const { idleMs = IDLE_MS } = this.ctx;
    if (this.#idle !== undefined || !Number.isFinite(idleMs)) return;
    this.#idle = setTimeout(() => {
      this.#idle = undefined;
      if (this.stopped || this.#pending.length === 0) return;
      if (this.queued > 0 || Date.now() - this.lastEvent < idleMs) return this.#armIdle();
      this.#enqueue(() => this.stopped ? Promise.resolve() : this.#checkpoint());
    }, idleMs);
  }

  // drops what is in memory (the floor holds the truth) and reads from the floor again
  async #restart(): Promise<void> {
    this.#epoch++; // what is still queued for the old consumer is dropped
    this.#sub?.unsubscribe();
    this.#closeFeeds();
    this.#pending = [];
    await this.#open();
  }

  async #sweep(): Promise<void> {
    const { store } = this.ctx.stores;
    const named = segmentsOf(this.record);
    const infos = await store.list().catch(() => []);
    for (const info of infos) {
      const g = segmentGeneration(info.name, this.p);
      if (g < this.generation && !named.has(info.name)) await store.delete(info.name).catch(() => {});
    }
  }

  #closeFeeds(): void {
    for (const f of this.feeds.values()) f.learner.close();
    this.feeds.clear();
    this.#cache.clear();
  }

  #drop(what: string, why?: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.#epoch++;
    clearTimeout(this.#idle);
    this.#sub?.unsubscribe();
    this.#pending = [];
    this.#closeFeeds();
    this.#outputs?.close();
    this.ctx.log(`worker ${this.ctx.id}: ${what} partition ${this.p}${why === undefined ? "" : ` (${why})`}`);
    this.ctx.onDropped(this);
  }
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Settles like `work`, or rejects after `ms`. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** A payload as a feed event, or null when it is not one (counted and skipped, never a crash). */
function decodeEvent(bytes: Uint8Array): FeedEvent | null {
  try {
    const e = JSON.parse(new TextDecoder().decode(bytes)) as FeedEvent;
    const ok = e !== null && typeof e === "object" && typeof e.k === "string" && Array.isArray(e.v) &&
      e.v.length === 2 && e.v.every((x) => typeof x === "number" && Number.isFinite(x)) &&
      (e.l === 0 || e.l === 1);
    return ok ? { k: e.k, v: [e.v[0], e.v[1]], l: e.l } : null;
  } catch {
    return null;
  }
}
